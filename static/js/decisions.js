// Decisions: the undo window's countdown, the words of a bulk decision's question (asked by
// confirm.js), and dismissing the result notice. No inline script and no eval: loaded with defer, works under a
// strict Content-Security-Policy. Event delegation, so it keeps working after HTMX swaps.
(function () {
  "use strict";

  // --- The undo window: the seconds left count down, then "Sending to Willo…" ---------------
  // A counter starts from the seconds the server rendered; at zero the Undo forms of its
  // window go (the server would refuse them) and the live refresh shows what happens next.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (counter) {
      if (!counter.dataset.deadline) {
        counter.dataset.deadline = String(now + Number(counter.dataset.countdown) * 1000);
      }
      var left = Math.ceil((Number(counter.dataset.deadline) - now) / 1000);
      if (left > 0) {
        if (counter.textContent !== String(left)) counter.textContent = String(left);
        return;
      }
      var area = counter.closest("[data-undo-window]");
      if (area) {
        area.querySelectorAll("form[data-undo]").forEach(function (form) { form.remove(); });
        area.removeAttribute("data-undo-window");
      }
      var text = counter.closest("[data-countdown-text]");
      if (text) {
        text.textContent = text.dataset.done;
      } else {
        counter.remove();
      }
    });
  }

  // --- The words of a bulk decision's question: the candidates picked --------------------
  // static/js/confirm.js asks; this names whom a bulk Accept or Reject is about.
  function pickedNames() {
    return Array.prototype.slice
      .call(document.querySelectorAll("input[data-pick]:checked"))
      .map(function (box) { return box.dataset.name || box.value; });
  }

  function listed(names) {
    var shown = names.slice(0, 5);
    var more = names.length - shown.length;
    if (more > 0) return shown.join(", ") + " and " + more + " more";
    if (shown.length < 2) return shown.join("");
    return shown.slice(0, -1).join(", ") + " and " + shown[shown.length - 1];
  }

  document.addEventListener("confirm:words", function (event) {
    var button = event.target;
    if (!button.hasAttribute("data-confirm-bulk")) return;
    var names = pickedNames();
    var reject = button.dataset.confirmBulk === "Rejected";
    var verb = reject ? "Reject" : "Accept";
    event.detail.action = verb + " " + names.length + " candidate" + (names.length === 1 ? "" : "s");
    event.detail.detail = listed(names) + (names.length === 1 ? " will be " : " will all be ") +
      (reject ? "rejected." : "accepted.");
    event.detail.reject = reject;
  });

  // --- The result notice stays until dismissed ------------------------------------------------
  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest && event.target.closest("[data-dismiss-notice]");
    if (!dismiss) return;
    var notice = dismiss.closest(".decision-notice");
    if (notice) notice.remove();
    var main = document.getElementById("main");
    if (main) main.focus({ preventScroll: true });
  });

  window.setInterval(tick, 250);
})();
