// Bulk selection on a job's candidate table: select all, the "N selected" count, Compare
// selected (2 to 6 ticked: opens the compare page with ?c=<key> for each) and Share with a
// hiring manager (1 to 50 ticked: opens the share form with ?c=<key> for each).
// Event delegation, so it keeps working after HTMX swaps the table; the selection survives
// the table fetching itself again (a filter, a page, a live refresh), not a bulk decision.
(function () {
  "use strict";

  var kept = null;
  var COMPARE_MIN = 2;
  var COMPARE_MAX = 6;
  var SHARE_MAX = 50;

  function picks() {
    return Array.prototype.slice.call(document.querySelectorAll("input[data-pick]"));
  }

  function update() {
    var all = picks();
    var chosen = all.filter(function (box) { return box.checked; }).length;
    var count = document.getElementById("bulk-count");
    if (count) count.textContent = chosen + " selected";
    document.querySelectorAll("[data-bulk-action]").forEach(function (button) {
      button.disabled = chosen === 0;
    });
    document.querySelectorAll("[data-compare]").forEach(function (button) {
      button.hidden = false;
      button.disabled = chosen < COMPARE_MIN || chosen > COMPARE_MAX;
    });
    document.querySelectorAll("[data-compare-hint]").forEach(function (hint) {
      hint.hidden = chosen >= COMPARE_MIN && chosen <= COMPARE_MAX;
    });
    document.querySelectorAll("[data-share]").forEach(function (button) {
      button.hidden = false;
      button.disabled = chosen < 1 || chosen > SHARE_MAX;
    });
    var master = document.querySelector("input[data-select-all]");
    if (master) {
      master.checked = all.length > 0 && chosen === all.length;
      master.indeterminate = chosen > 0 && chosen < all.length;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("input[data-select-all]")) {
      picks().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches && target.matches("input[data-select-all], input[data-pick]")) update();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-compare], [data-share]");
    if (!button || button.disabled) return;
    var query = new URLSearchParams();
    picks().forEach(function (box) { if (box.checked) query.append("c", box.value); });
    window.location.assign(button.dataset.selectionUrl + "?" + query.toString());
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    if (target && target.id === "results" && verb === "get") {
      kept = picks().filter(function (box) { return box.checked; }).map(function (box) {
        return box.value;
      });
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (kept) {
      picks().forEach(function (box) { box.checked = kept.indexOf(box.value) !== -1; });
      kept = null;
    }
    update();
  });

  document.addEventListener("DOMContentLoaded", update);
})();
