// Decisions: the undo window's countdown, asking before what is big or unusual, and
// dismissing the result notice. No inline script and no eval: loaded with defer, works under a
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

  // --- Asking first: bulk decisions, and decisions on candidates who have not responded ----
  var asking = null; // the button whose click the dialog holds back

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

  function question(button) {
    var status = button.dataset.confirmStatus || button.dataset.confirmBulk;
    var reject = status === "Rejected";
    if (!button.hasAttribute("data-confirm-bulk")) {
      return { action: button.dataset.confirm, detail: button.dataset.confirmWhy || "", reject: reject };
    }
    var names = pickedNames();
    var verb = reject ? "Reject" : "Accept";
    return {
      action: verb + " " + names.length + " candidate" + (names.length === 1 ? "" : "s"),
      detail: listed(names) + (names.length === 1 ? " will be " : " will all be ") +
        (reject ? "rejected." : "accepted."),
      reject: reject
    };
  }

  function ask(dialog, button) {
    var what = question(button);
    var yes = document.getElementById("confirm-yes");
    document.getElementById("confirm-title").textContent = what.action + "?";
    document.getElementById("confirm-text").textContent = what.detail;
    yes.textContent = what.action;
    yes.className = "button " + (what.reject ? "button--reject" : "button--accept");
    asking = button;
    dialog.returnValue = "";
    dialog.showModal();
    yes.focus(); // the default: Enter confirms, Escape cancels
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest &&
      event.target.closest("button[data-confirm], button[data-confirm-bulk]");
    if (!button || button.disabled) return;
    if (button.dataset.confirmed) {
      delete button.dataset.confirmed;
      return; // asked and confirmed: on to the form (and HTMX)
    }
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(dialog, button);
  }, true);

  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (!dialog || dialog.id !== "confirm-dialog") return;
    var button = asking;
    asking = null;
    if (dialog.returnValue === "confirm" && button && button.isConnected) {
      button.dataset.confirmed = "yes";
      button.click();
    }
  }, true);

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
