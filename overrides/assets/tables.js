/* Sortable tables on the archive's index pages: click a column header to sort by it (again to reverse). */
(function () {
  "use strict";

  function value(cell) {
    const text = cell.textContent.trim();
    if (text === "—" || text === "") return { number: -Infinity, text };
    const number = Number(text.replace(/[,%\s年]/gu, ""));
    return { number: Number.isNaN(number) ? null : number, text };
  }

  function compare(a, b) {
    if (a.number !== null && b.number !== null) return a.number - b.number;
    return a.text.localeCompare(b.text, "zh-Hans-CN");
  }

  function sortable(table) {
    const head = table.tHead;
    const body = table.tBodies[0];
    if (!head || !body || body.rows.length < 2) return;
    Array.from(head.rows[0].cells).forEach((th, column) => {
      th.classList.add("archive-sortable");
      th.title = "点击排序";
      th.tabIndex = 0;
      const sort = () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        for (const other of head.rows[0].cells) other.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const rows = Array.from(body.rows).filter((row) => !row.textContent.includes("合计"));
        const totals = Array.from(body.rows).filter((row) => row.textContent.includes("合计"));
        rows.sort((x, y) => compare(value(x.cells[column]), value(y.cells[column])) * (ascending ? 1 : -1));
        body.append(...rows, ...totals);
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (event) => {
        if (event.key === "Enter") sort();
      });
    });
  }

  document.querySelectorAll("article table").forEach(sortable);
})();
