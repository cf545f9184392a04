// Review mode: the next candidate in the queue is fetched while one reviews the current one,
// and shown at once (j, or by itself after a recommendation or a decision); k goes back.
// Without JavaScript the same links and forms work as plain pages. No inline script, no eval.
(function () {
  "use strict";

  var FRESH_MS = 60 * 1000; // a prefetched page older than this is fetched again
  var pages = {}; // url -> {at, html: Promise<string>}

  function root() {
    return document.getElementById("review-mode");
  }

  function fetchPage(url) {
    var entry = pages[url];
    if (entry && Date.now() - entry.at < FRESH_MS) return entry.html;
    var html = window.fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.redirected) throw new Error("HTTP " + response.status);
      return response.text();
    });
    pages[url] = { at: Date.now(), html: html };
    html.catch(function () { delete pages[url]; });
    return html;
  }

  function prefetchNext() {
    var mode = root();
    if (mode && mode.dataset.nextUrl) fetchPage(mode.dataset.nextUrl).catch(function () {});
  }

  function stopPlayers(mode) {
    mode.querySelectorAll("video, audio").forEach(function (player) { player.pause(); });
  }

  // Swap the candidate in: the review part of the page only; the notices (an Undo of the
  // decision just made) and the dialogs stay.
  function show(url, push) {
    var mode = root();
    return fetchPage(url).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var fresh = page.getElementById("review-mode");
      if (!fresh) throw new Error("not a review page");
      stopPlayers(mode);
      var adopted = document.importNode(fresh, true);
      mode.replaceWith(adopted);
      document.title = page.title;
      if (push) window.history.pushState({ review: url }, "", url);
      delete pages[url]; // shown: going back to it later fetches it again
      window.scrollTo(0, 0);
      if (window.htmx) window.htmx.process(adopted);
      var heading = adopted.querySelector("[data-candidate-name]");
      if (heading) heading.focus({ preventScroll: true });
      document.dispatchEvent(new CustomEvent("review:shown", { detail: { url: url } }));
      prefetchNext();
    }).catch(function () {
      window.location.assign(url);
    });
  }

  function go(step) {
    var mode = root();
    if (!mode) return false;
    var url = step > 0 ? mode.dataset.nextUrl : mode.dataset.previousUrl;
    if (!url) {
      if (step > 0) window.location.assign(mode.dataset.queueUrl);
      return true;
    }
    show(url, true);
    return true;
  }

  // Jump to question N: its answer scrolled into view, its player (if any) the current one.
  function jump(number) {
    var link = document.querySelector("#review-mode [data-question='" + number + "']");
    if (!link) return false;
    var answer = document.querySelector(link.getAttribute("href"));
    if (!answer) return false;
    answer.scrollIntoView({ block: "start" });
    var player = answer.querySelector("video, audio");
    if (player && window.WilloPlayback) window.WilloPlayback.use(player);
    answer.setAttribute("tabindex", "-1");
    answer.focus({ preventScroll: true });
    return true;
  }

  window.WilloReview = { active: function () { return Boolean(root()); }, go: go, jump: jump };

  // After my recommendation or a decision, the next candidate opens by itself.
  document.addEventListener("review-recommended", function () {
    if (root()) go(1);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-review-decision]");
    if (form && event.detail.successful && root()) go(1);
  });

  window.addEventListener("popstate", function () {
    if (root()) show(window.location.href, false);
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!root()) return;
    window.history.replaceState({ review: window.location.href }, "", window.location.href);
    prefetchNext();
  });
})();
