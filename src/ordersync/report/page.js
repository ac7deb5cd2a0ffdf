// Table filters: a text box (every cell) and a select per filterable column.
(function () {
  "use strict";
  document.querySelectorAll("table[data-filterable]").forEach(function (table) {
    var box = document.getElementById(table.id + "-filters");
    if (!box) { return; }
    var text = box.querySelector("input");
    var selects = Array.prototype.slice.call(box.querySelectorAll("select"));
    var counter = box.querySelector(".shown");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function apply() {
      var needle = text.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var ok = !needle || row.textContent.toLowerCase().indexOf(needle) !== -1;
        selects.forEach(function (select) {
          var column = Number(select.dataset.column);
          if (ok && select.value && row.cells[column].textContent !== select.value) { ok = false; }
        });
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      counter.textContent = shown + " of " + rows.length + " shown";
    }
    text.addEventListener("input", apply);
    selects.forEach(function (select) { select.addEventListener("change", apply); });
    apply();
  });
})();
