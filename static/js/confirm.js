// Asking first, one way for the whole site. A click on <button data-confirm="QUESTION">
// (data-confirm-why: what will follow; data-confirm-status="Rejected": a red yes) is held
// back while the page's shared #confirm-dialog asks QUESTION. Submitting
// <form data-confirm-dialog="DIALOG_ID"> opens that <dialog> instead. The dialog's
// value="confirm" button goes on with the click or the submit; Escape or any other button
// stops it. Before the shared dialog opens, a "confirm:words" event on the button lets a
// page's script word the question (decisions.js names the candidates of a bulk decision).
// Without JavaScript nothing asks. No inline script and no eval: works under a strict
// Content-Security-Policy; event delegation, so it keeps working after HTMX swaps.
(function () {
  "use strict";

  var held = null; // the button or form the open dialog holds back
  var going = null; // the button or form going on after a yes

  function wordsFor(button) {
    var words = {
      action: button.dataset.confirm,
      detail: button.dataset.confirmWhy || "",
      reject: button.dataset.confirmStatus === "Rejected"
    };
    button.dispatchEvent(new CustomEvent("confirm:words", { bubbles: true, detail: words }));
    return words;
  }

  function hold(dialog, what) {
    held = what;
    dialog.returnValue = "";
    if (!dialog.open) dialog.showModal();
  }

  // Capture phase: before htmx or the browser acts on the click or the submit.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-confirm]");
    if (!button || button.disabled || button === going) return;
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || !dialog.showModal) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var words = wordsFor(button);
    var yes = document.getElementById("confirm-yes");
    document.getElementById("confirm-title").textContent = words.action + "?";
    document.getElementById("confirm-text").textContent = words.detail;
    yes.textContent = words.action;
    yes.className = "button " + (words.reject ? "button--reject" : "button--accept");
    hold(dialog, button);
    yes.focus(); // the default: Enter confirms, Escape cancels
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm-dialog]") || form === going) return;
    var dialog = document.getElementById(form.dataset.confirmDialog);
    if (!dialog || !dialog.showModal) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    hold(dialog, form);
  }, true);

  document.addEventListener("close", function (event) {
    var dialog = event.target;
    var what = held;
    if (!what || !dialog || dialog.tagName !== "DIALOG") return;
    held = null;
    if (dialog.returnValue !== "confirm") return;
    if (what.tagName === "FORM") {
      // The form of the moment: a polled panel may have been swapped while the dialog was open.
      what = document.querySelector("form[data-confirm-dialog='" + dialog.id + "']");
    }
    if (!what || !what.isConnected) return;
    going = what;
    try {
      if (what.tagName === "FORM") what.requestSubmit();
      else what.click();
    } finally {
      going = null;
    }
  }, true);
})();
