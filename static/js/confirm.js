// Forms that ask first: submitting <form data-confirm="DIALOG_ID"> opens that <dialog>
// instead; its button with value="confirm" submits the form. Without JavaScript the form
// submits at once. No inline script and no eval: works under a strict Content-Security-Policy.
(function () {
  "use strict";

  var confirmed = null; // the form being submitted after its dialog said yes

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm]") || form === confirmed) return;
    var dialog = document.getElementById(form.dataset.confirm);
    if (!dialog || !dialog.showModal) return;
    // Capture phase, before htmx or the browser acts on it.
    event.preventDefault();
    event.stopImmediatePropagation();
    dialog.returnValue = "";
    if (!dialog.open) dialog.showModal();
  }, true);

  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (!dialog || !dialog.id || dialog.returnValue !== "confirm") return;
    // The form of the moment: a polled panel may have been swapped while the dialog was open.
    var form = document.querySelector("form[data-confirm='" + dialog.id + "']");
    if (!form) return;
    confirmed = form;
    try {
      form.requestSubmit();
    } finally {
      confirmed = null;
    }
  }, true);
})();
