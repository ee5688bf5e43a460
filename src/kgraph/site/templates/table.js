// Sort a table by a column (click its header) and filter its rows (type in the box).
(function () {
  "use strict";
  var table = document.querySelector("table.sortable");
  var input = document.querySelector("input.filter");
  if (!table) { return; }
  var body = table.tBodies[0];
  var shown = document.getElementById("shown");
  if (input) {
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase().trim();
      var n = 0;
      Array.prototype.forEach.call(body.rows, function (tr) {
        var keep = !q || tr.textContent.toLowerCase().indexOf(q) >= 0;
        tr.hidden = !keep;
        if (keep) { n += 1; }
      });
      if (shown) { shown.textContent = String(n); }
    });
  }
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort") || "";
        var y = b.cells[col].getAttribute("data-sort") || "";
        if (x === y) { return 0; }
        if (x === "") { return 1; }
        if (y === "") { return -1; }
        return (x < y ? -1 : 1) * (asc ? 1 : -1);
      });
      rows.forEach(function (tr) { body.appendChild(tr); });
    });
  });
}());
