// A video or audio answer whose link fails to play (Willo's media links expire) asks the
// server once for the answer again with a freshly fetched link, and swaps it in.
(function () {
  "use strict";

  document.addEventListener("error", function (event) {
    var player = event.target;
    if (!player || (player.tagName !== "VIDEO" && player.tagName !== "AUDIO")) return;
    var url = player.dataset.refetchUrl;
    if (!url || player.dataset.refetching) return;
    player.dataset.refetching = "1";
    if (window.htmx) {
      window.htmx.ajax("GET", url, { target: player.dataset.answer, swap: "outerHTML" });
    }
  }, true);
})();
