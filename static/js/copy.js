// Copy buttons: <button data-copy="#input"> copies that input's value to the clipboard and
// says so in the nearest [data-copy-status]; without JavaScript (or clipboard access) the
// input stays selectable. No inline script: works under a strict Content-Security-Policy.
(function () {
  "use strict";

  function status(button, text) {
    var region = button.parentElement && button.parentElement.querySelector("[data-copy-status]");
    if (region) region.textContent = text;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) return;
    var input = document.querySelector(button.dataset.copy);
    if (!input) return;
    input.select();
    if (!navigator.clipboard) {
      status(button, "Selected: press Ctrl+C (⌘C) to copy.");
      return;
    }
    navigator.clipboard.writeText(input.value).then(
      function () { status(button, "Copied."); },
      function () { status(button, "Selected: press Ctrl+C (⌘C) to copy."); }
    );
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  });
})();
