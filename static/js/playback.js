// Answers' players: the speed buttons (0.75× to 2×, remembered for the member), autoplay of
// the next answer, and what the keys ask of "the current player" (play/pause, seek, speed).
// No inline script and no eval: works under a strict Content-Security-Policy.
(function () {
  "use strict";

  var SPEEDS = ["0.75", "1", "1.25", "1.5", "2"];

  function players() {
    return Array.prototype.slice.call(document.querySelectorAll("video.player, audio.player"));
  }

  function speed() {
    var chosen = document.body.dataset.playbackSpeed;
    return SPEEDS.indexOf(chosen) === -1 ? "1" : chosen;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
    } catch (error) {
      return "";
    }
  }

  // Every player and every speed group shows the member's speed.
  function apply() {
    var rate = Number(speed());
    players().forEach(function (player) {
      player.defaultPlaybackRate = rate;
      player.playbackRate = rate;
    });
    document.querySelectorAll("[data-speed]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.speed === speed() ? "true" : "false");
    });
  }

  // Remembered for the member where the page says how (a share's page has no member).
  function remember(value) {
    var group = document.querySelector("[data-speed-control][data-speed-url]");
    var url = group && group.dataset.speedUrl;
    if (!url) return;
    var body = new URLSearchParams({ speed: value });
    window.fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    }).catch(function () { /* kept for this page; the next page uses the saved speed */ });
  }

  function choose(value) {
    if (SPEEDS.indexOf(value) === -1) return;
    document.body.dataset.playbackSpeed = value;
    apply();
    remember(value);
    announce("Speed " + value + "×");
  }

  function announce(text) {
    var region = document.getElementById("playback-status");
    if (!region) {
      region = document.createElement("p");
      region.id = "playback-status";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      document.body.appendChild(region);
    }
    region.textContent = text;
  }

  // The current player: the one playing, else the one last used, else the first in view.
  var lastUsed = null;

  function current() {
    var all = players();
    var playing = all.filter(function (p) { return !p.paused && !p.ended; })[0];
    if (playing) return playing;
    if (lastUsed && document.contains(lastUsed)) return lastUsed;
    var height = window.innerHeight;
    var inView = all.filter(function (p) {
      var box = p.getBoundingClientRect();
      return box.bottom > 0 && box.top < height;
    })[0];
    return inView || all[0] || null;
  }

  function only(player) {
    players().forEach(function (other) {
      if (other !== player && !other.paused) other.pause();
    });
  }

  var playback = {
    hasPlayers: function () { return players().length > 0; },
    use: function (player) { lastUsed = player; },
    toggle: function () {
      var player = current();
      if (!player) return false;
      lastUsed = player;
      if (player.paused) {
        only(player);
        var started = player.play();
        if (started && started.catch) started.catch(function () { /* the browser refused */ });
      } else {
        player.pause();
      }
      return true;
    },
    seek: function (seconds) {
      var player = current();
      if (!player) return false;
      lastUsed = player;
      var end = isFinite(player.duration) ? player.duration : Infinity;
      player.currentTime = Math.min(end, Math.max(0, player.currentTime + seconds));
      return true;
    },
    cycle: function () {
      var next = SPEEDS[(SPEEDS.indexOf(speed()) + 1) % SPEEDS.length];
      choose(next);
      return true;
    },
    apply: apply,
  };
  window.WilloPlayback = playback;

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-speed]");
    if (button) choose(button.dataset.speed);
  });

  // A player (re)loaded keeps the member's speed; one started pauses the others.
  document.addEventListener("loadedmetadata", function (event) {
    if (event.target.matches && event.target.matches(".player")) apply();
  }, true);
  document.addEventListener("play", function (event) {
    if (!event.target.matches || !event.target.matches(".player")) return;
    lastUsed = event.target;
    only(event.target);
  }, true);

  // Autoplay (a member preference): when an answer ends, the next answer's player starts.
  document.addEventListener("ended", function (event) {
    if (document.body.dataset.autoplay !== "on") return;
    var all = players();
    var next = all[all.indexOf(event.target) + 1];
    if (!next) return;
    lastUsed = next;
    next.scrollIntoView({ block: "center" });
    var started = next.play();
    if (started && started.catch) started.catch(function () { /* the browser refused */ });
  }, true);

  document.addEventListener("DOMContentLoaded", apply);
  document.addEventListener("htmx:afterSettle", apply);
  document.addEventListener("review:shown", apply);
})();
