/*
 * The search page (/search/): results, facets, sorting, paging and a chart of matches per year.
 * The whole state lives in the URL: ?q=…&year=…&unit=…&sort=…&page=…
 * Every text that comes from a report is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  const PAGE_SIZE = 20;
  const search = window.reportSearch;
  const $ = (id) => document.getElementById(id);
  const form = $("search-form");
  if (!form || !search) return;

  const input = $("search-q");
  const sortSelect = $("search-sort");
  const status = $("search-status");
  const notice = $("search-notice");
  const list = $("search-results");
  const pages = $("search-pages");
  const chart = $("search-chart");
  const yearFacet = $("facet-year");
  const unitFacet = $("facet-unit");
  const SVG = "http://www.w3.org/2000/svg";

  let current = { q: null, results: [] };

  const SORTS = new Set(["relevance", "year"]);
  const clip = (value) => (value.length > 40 ? value.slice(0, 40) + "…" : value);

  /**
   * The state in the URL, every parameter checked: a value that cannot be used is dropped (the
   * search runs without it) and `notices` says so, in words a reader understands. A reversed year
   * range is turned round.
   */
  function readState() {
    const params = new URLSearchParams(location.search);
    const notices = [];
    const state = { q: params.get("q") || "", year: "", unit: "", sort: "relevance", page: 1, notices };

    const year = (params.get("year") || "").trim();
    const range = year.match(/^(\d{4})(?:\s*(?:-|–|—|~|\.\.|至)\s*(\d{4}))?$/u);
    if (year && !range) {
      notices.push(`年份“${clip(year)}”无法识别（应为四位年份，如 2022，或范围，如 2019-2022），已忽略该筛选。`);
    } else if (range && range[2] && range[2] !== range[1]) {
      const [from, to] = [range[1], range[2]].sort();
      if (from !== range[1]) notices.push(`年份范围“${year}”起止颠倒，已按 ${from}-${to} 筛选。`);
      state.year = `${from}-${to}`;
    } else if (range) {
      state.year = range[1];
    }

    const unit = params.get("unit") || "";
    if (unit.length > 40 || /[\p{Cc}\p{Cf}]/u.test(unit)) {
      notices.push("单位筛选无法识别，已忽略该筛选。");
    } else {
      state.unit = unit.trim();
    }

    const sort = params.get("sort");
    if (sort && !SORTS.has(sort)) notices.push(`排序方式“${clip(sort)}”无法识别，已按相关度排序。`);
    else if (sort) state.sort = sort;

    const page = params.get("page");
    if (page && !/^0*[1-9]\d{0,5}$/.test(page.trim())) {
      notices.push(`页码“${clip(page)}”无效，已显示第 1 页。`);
    } else if (page) {
      state.page = Number(page.trim());
    }
    return state;
  }

  function writeState(state, push) {
    const params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    if (state.year) params.set("year", state.year);
    if (state.unit) params.set("unit", state.unit);
    if (state.sort !== "relevance") params.set("sort", state.sort);
    if (state.page > 1) params.set("page", String(state.page));
    const url = location.pathname + (params.toString() ? "?" + params.toString() : "");
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function go(change) {
    const state = Object.assign(readState(), change);
    delete state.notices;
    writeState(state, true);
    render();
  }

  function facet(target, counts, selected, key, label) {
    target.replaceChildren();
    for (const [value, count] of counts) {
      const item = element("li");
      const link = element("a", `${label(value)}（${count}）`);
      link.href = "#";
      if (String(value) === selected) {
        link.className = "search-facet--selected";
        link.setAttribute("aria-current", "true");
        link.title = "取消筛选";
      }
      link.addEventListener("click", (event) => {
        event.preventDefault();
        go({ [key]: String(value) === selected ? "" : String(value), page: 1 });
      });
      item.append(link);
      target.append(item);
    }
  }

  function countBy(results, field) {
    const counts = new Map();
    for (const r of results) counts.set(r[field], (counts.get(r[field]) || 0) + 1);
    return counts;
  }

  function drawChart(results) {
    chart.replaceChildren();
    if (!results.length) {
      chart.hidden = true;
      return;
    }
    const counts = countBy(results, "year");
    const years = [...counts.keys()];
    const first = Math.min(...years);
    const last = Math.max(...years);
    const span = last - first + 1;
    const max = Math.max(...counts.values());
    const bar = Math.min(640 / span, 48);
    const width = bar * span;
    const height = 140;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height + 20}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `各年份匹配的报告数：${first}–${last} 年`);
    for (let year = first; year <= last; year++) {
      const count = counts.get(year) || 0;
      const h = count ? Math.max(2, (count / max) * height) : 0;
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", String((year - first) * bar + bar * 0.1));
      rect.setAttribute("y", String(height - h));
      rect.setAttribute("width", String(bar * 0.8));
      rect.setAttribute("height", String(h));
      rect.setAttribute("class", "search-chart__bar");
      const title = document.createElementNS(SVG, "title");
      title.textContent = `${year} 年：${count} 份`;
      rect.append(title);
      svg.append(rect);
    }
    for (const year of [first, last]) {
      const label = document.createElementNS(SVG, "text");
      label.setAttribute("x", String(year === first ? 0 : width));
      label.setAttribute("y", String(height + 16));
      label.setAttribute("text-anchor", year === first ? "start" : "end");
      label.setAttribute("class", "search-chart__label");
      label.textContent = `${year}`;
      svg.append(label);
    }
    const caption = element("figcaption", "各年份匹配的报告数");
    chart.append(svg, caption);
    chart.hidden = false;
  }

  // A title such as "政府工作报告" says nothing about which report it is: name the year and unit
  // in front of it unless the title already names both.
  function resultTitle(result) {
    const { title, year, unit } = result;
    return title.includes(String(year)) && title.includes(unit) ? title : `${year} 年 · ${unit} · ${title}`;
  }

  function resultItem(result, query) {
    const item = element("li", undefined, "search-result");
    const link = element("a", resultTitle(result), "search-result__title");
    const target = new URL(result.url.replace(/^\//, ""), search.root);
    target.searchParams.set("h", query);
    link.href = target.href;
    const meta = element(
      "p",
      `${result.year} 年 · ${result.unit} · ${result.secretary} · ${result.hits} 处`,
      "search-result__meta",
    );
    const text = element("p", "…", "search-result__snippet");
    item.append(link, meta, text);
    search
      .snippet(result.url, query)
      .then((pieces) => {
        text.replaceChildren(...pieces.map((p) => (p.hit ? element("mark", p.text) : document.createTextNode(p.text))));
      })
      .catch(() => {
        text.textContent = "";
      });
    return item;
  }

  function pager(total, state) {
    pages.replaceChildren();
    const count = Math.ceil(total / PAGE_SIZE);
    if (count <= 1) return;
    for (let page = 1; page <= count; page++) {
      const link = element("a", String(page));
      link.href = "#";
      if (page === state.page) link.setAttribute("aria-current", "page");
      link.addEventListener("click", (event) => {
        event.preventDefault();
        go({ page });
        window.scrollTo(0, 0);
      });
      pages.append(link);
    }
  }

  function showNotices(notices) {
    notice.textContent = notices.join(" ");
    notice.hidden = notices.length === 0;
  }

  function clearResults() {
    list.replaceChildren();
    pages.replaceChildren();
    yearFacet.replaceChildren();
    unitFacet.replaceChildren();
    drawChart([]);
  }

  async function show(state) {
    const notices = state.notices;
    input.value = state.q;
    sortSelect.value = state.sort;
    document.querySelectorAll(".archive-search-box__input").forEach((box) => (box.value = state.q));
    showNotices(notices);
    if (!state.q.trim()) {
      status.textContent = "请输入要查找的词语。";
      clearResults();
      return;
    }
    if (current.q !== state.q) {
      status.textContent = "正在检索…";
      current = { q: null, results: [] };
      current = { q: state.q, results: await search(state.q) };
    }
    if (state.unit && !(await search.units()).has(state.unit)) {
      notices.push(`档案中没有名为“${state.unit}”的单位，已忽略该筛选。`);
      state.unit = "";
    }
    showNotices(notices);
    const all = current.results;
    const byUnit = search.filter(all, { unit: state.unit });
    const byYear = search.filter(all, { year: state.year });
    const shown = search.filter(byUnit, { year: state.year });
    if (state.sort === "year") {
      shown.sort((a, b) => b.year - a.year || b.hits - a.hits || (a.url < b.url ? -1 : 1));
    }
    const years = [...countBy(byUnit, "year")].sort((a, b) => b[0] - a[0]);
    const units = [...countBy(byYear, "unit")].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    facet(yearFacet, years, state.year, "year", (y) => `${y} 年`);
    facet(unitFacet, units, state.unit, "unit", (u) => u);
    drawChart(byUnit);
    const filters = [state.year && `${state.year} 年`, state.unit].filter(Boolean).join("，");
    status.textContent = all.length
      ? `找到 ${shown.length} 份报告${filters ? `（筛选：${filters}）` : ""}，共 ${shown.reduce((n, r) => n + r.hits, 0)} 处。`
      : `没有找到包含“${state.q}”的报告。`;
    const last = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    if (state.page > last) {
      notices.push(`没有第 ${state.page} 页（共 ${last} 页），已显示第 ${last} 页。`);
      showNotices(notices);
    }
    const page = Math.min(state.page, last);
    list.start = (page - 1) * PAGE_SIZE + 1;
    list.replaceChildren(...shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((r) => resultItem(r, state.q)));
    pager(shown.length, Object.assign(state, { page }));
  }

  /** Show the state in the URL; any error ends as a message on the page, never as "正在检索…". */
  async function render() {
    try {
      await show(readState());
    } catch (error) {
      current = { q: null, results: [] };
      clearResults();
      status.textContent = `检索出错：${(error && error.message) || error}`;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go({ q: input.value, sort: sortSelect.value, page: 1, year: "", unit: "" });
  });
  sortSelect.addEventListener("change", () => go({ sort: sortSelect.value, page: 1 }));
  window.addEventListener("popstate", render);
  render();
})();
