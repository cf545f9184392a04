// Keyboard shortcuts: j/k next/previous candidate, a/r accept/reject, ? help; in review mode
// also y/n (Y/N strong) recommend, 1-9 a question, space play/pause, arrows seek 10 s, s speed,
// u undo. Listened for while the window captures the key, so a focused audio or video player
// (whose controls would take space and the arrows) does not swallow them.
// No inline script and no eval: loaded with defer, works under a strict Content-Security-Policy.
(function () {
  "use strict";

  function isTyping(target) {
    if (!target || !target.closest) return false;
    return Boolean(
      target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']")
    );
  }

  function openDialog(dialog) {
    if (dialog && !dialog.open) dialog.showModal();
  }

  function anyDialogOpen() {
    return document.querySelector("dialog[open]") !== null;
  }

  // On the job page j/k move the focus through the candidates of the table.
  function moveInTable(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-candidate-link]"));
    if (!links.length) return false;
    var index = links.indexOf(document.activeElement);
    var next = index === -1 ? (step > 0 ? 0 : links.length - 1) : index + step;
    if (next < 0 || next >= links.length) return true;
    links[next].focus();
    return true;
  }

  function go(which, step) {
    if (window.WilloReview && window.WilloReview.active()) {
      window.WilloReview.go(step);
      return;
    }
    var link = document.querySelector("[data-shortcut='" + which + "']");
    if (link) {
      window.location.assign(link.href);
      return;
    }
    moveInTable(step);
  }

  // a / r press the candidate's Accept / Reject button, as a click would: decisions.js asks
  // first when the candidate has not responded; otherwise the decision waits for Undo.
  function decide(status) {
    press("form[data-decision='" + status + "'] button[type=submit]");
  }

  function press(selector) {
    var button = document.querySelector(selector);
    if (button && !button.disabled) button.click();
    return Boolean(button);
  }

  function isMedia(target) {
    return Boolean(target && (target.tagName === "VIDEO" || target.tagName === "AUDIO"));
  }

  // Space stays a button's or a link's own key; on the page or a player it plays.
  function mayPlay(target) {
    if (isMedia(target)) return true;
    return !(target && target.closest && target.closest("button, a, summary, [role=button]"));
  }

  var playback = function () { return window.WilloPlayback; };
  var review = function () { return window.WilloReview && window.WilloReview.active(); };

  // Review mode's keys; true when the key was used.
  function reviewKey(event) {
    var key = event.key;
    if (/^[1-9]$/.test(key)) return window.WilloReview.jump(Number(key));
    switch (key) {
      case "y":
      case "Y":
      case "n":
      case "N":
        return press("#review-recommendation [data-recommend='" + key + "']");
      case "u":
        return press("#notice-undo");
      default:
        return false;
    }
  }

  // The players' keys, wherever there are players.
  function playerKey(event) {
    var player = playback();
    if (!player || !player.hasPlayers()) return false;
    switch (event.key) {
      case " ":
        return mayPlay(event.target) && player.toggle();
      case "ArrowLeft":
        return player.seek(-10);
      case "ArrowRight":
        return player.seek(10);
      case "s":
        return player.cycle();
      default:
        return false;
    }
  }

  // Single-key shortcuts can be turned off (WCAG 2.1.4), in the shortcuts dialog or on the
  // preferences page; the choice is the member's, kept by the server, and the page's body
  // says it (data-shortcuts="on" or "off").
  function enabled() {
    return document.body.dataset.shortcuts !== "off";
  }

  function showChoice() {
    var box = document.getElementById("shortcuts-enabled");
    if (box) box.checked = enabled();
  }

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["x-csrftoken"]) return headers["x-csrftoken"];
    } catch (error) {
      // no usable hx-headers: the cookie below
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function sayFailed(words) {
    var failed = document.getElementById("shortcuts-failed");
    if (!failed) return;
    failed.textContent = words;
    failed.hidden = !words;
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.id !== "shortcuts-enabled") return;
    var on = box.checked;
    var body = new URLSearchParams({ shortcuts: on ? "on" : "off" });
    sayFailed("");
    fetch(box.dataset.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        document.body.dataset.shortcuts = on ? "on" : "off";
      })
      .catch(function () {
        box.checked = !on; // not kept: the box says what holds
        sayFailed(
          "Could not keep that choice: shortcuts are still " + (on ? "off" : "on") + ". Try again."
        );
      });
  });

  document.addEventListener("DOMContentLoaded", showChoice);

  window.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!enabled()) return;
    if (isTyping(event.target) || anyDialogOpen()) return;
    var used = true;
    switch (event.key) {
      case "j":
        go("next", 1);
        break;
      case "k":
        go("previous", -1);
        break;
      case "a":
        decide("Accepted");
        break;
      case "r":
        decide("Rejected");
        break;
      case "?":
        openDialog(document.getElementById("shortcuts-dialog"));
        break;
      default:
        used = (review() && reviewKey(event)) || playerKey(event);
    }
    if (!used) return;
    event.preventDefault();
    event.stopPropagation(); // a focused player's own controls must not act on it too
  }, true);

  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-open-shortcuts]");
    if (opener) openDialog(document.getElementById("shortcuts-dialog"));
  });
})();
