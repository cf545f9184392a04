// Notes: Ctrl+Enter (Cmd+Enter on a Mac) in a note's text adds the note, as its button
// would (through htmx where the form uses it).
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) {
      return;
    }
    var field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || !field.hasAttribute("data-submit-shortcut")) {
      return;
    }
    if (field.form) {
      event.preventDefault();
      field.form.requestSubmit();
    }
  });
})();
