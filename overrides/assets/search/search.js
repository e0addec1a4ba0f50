/*
 * Exact full-text search over the archive's static index (written by report_archive/search.py).
 *
 * Matching is exact substring after normalisation (NFKC, lower case, white space and control
 * characters ignored); several terms separated by spaces must all occur. A term of length L is
 * found by intersecting the positions of the bigrams that cover all of its characters, so every
 * result is a real occurrence. One-character terms use the per-character (document, count) index.
 *
 * While `mkdocs serve` runs, docs.json may carry `delta` (the reports changed since the whole index
 * was built, indexed on their own under delta/) and `hidden` (the numbers of the whole index's
 * reports that they replace or that are gone); both parts are searched.
 *
 * Loaded on every page: it defines window.reportSearch, highlights ?h=… on report pages, and is
 * used by search-page.js on /search/. Report text is only ever inserted as text, never as HTML.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  const ROOT = new URL("../../", script ? script.src : location.href);
  const INDEX = new URL("search/data/", ROOT);
  const SPACE = /\s/u;
  // Parts of a report page that are not the report's text: the archive header, last year's panel.
  const EXCLUDED = ".report-header, .report-panel, .archive-actions, .md-content__button, script, style";
  const CONTROL = /\p{Cc}/u;

  /* ---- normalisation (the same rules as report_archive.search.normalize) ---- */

  function lower1(char) {
    const lowered = char.toLowerCase();
    return Array.from(lowered).length === 1 ? lowered : char;
  }

  /** Normalised code points of `text`, each with the [start, end) UTF-16 range it came from. */
  function normalizeWithMap(text) {
    const chars = [];
    const from = [];
    const to = [];
    let index = 0;
    for (const raw of text) {
      const end = index + raw.length;
      for (const char of raw.normalize("NFKC")) {
        if (SPACE.test(char) || CONTROL.test(char)) continue;
        chars.push(lower1(char));
        from.push(index);
        to.push(end);
      }
      index = end;
    }
    return { chars, from, to };
  }

  function normalize(text) {
    const chars = [];
    for (const char of String(text).normalize("NFKC")) {
      if (SPACE.test(char) || CONTROL.test(char)) continue;
      chars.push(lower1(char));
    }
    return chars;
  }

  /** The query's terms: split on white space, each normalised; empty ones dropped. */
  function terms(query) {
    return String(query || "")
      .split(/\s+/u)
      .map(normalize)
      .filter((term) => term.length > 0);
  }

  /* ---- fetching and decoding the index ---- */

  const stats = { bytes: 0, requests: 0 };
  let docsPromise = null;
  const shards = new Map();

  async function fetchBytes(url) {
    const response = await fetch(url);
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`搜索索引读取失败：${response.status} ${url}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    stats.bytes += bytes.length;
    stats.requests += 1;
    return bytes;
  }

  /** One index's documents and where its shards are. */
  function prepare(index, base, hidden) {
    index.base = base;
    index.starts = Float64Array.from(index.docs, (doc) => doc[5]);
    index.hidden = new Set(hidden || []);
    return index;
  }

  /** The indexes to search: the whole index, and the changes made since it was built, if any. */
  function loadDocs() {
    if (!docsPromise) {
      docsPromise = fetchBytes(new URL("docs.json", INDEX)).then((bytes) => {
        if (!bytes) throw new Error("搜索索引不存在：请重新构建网站。");
        const index = JSON.parse(new TextDecoder().decode(bytes));
        const parts = [prepare(index, INDEX, index.hidden)];
        if (index.delta) parts.push(prepare(index.delta, new URL(index.delta.path, INDEX), []));
        return parts;
      });
    }
    return docsPromise;
  }

  function readVarint(bytes, cursor) {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[cursor.at++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }

  /** A shard: a map from key (one or two characters) to where its data lies. */
  function parseShard(bytes, fields) {
    const cursor = { at: 0 };
    const count = readVarint(bytes, cursor);
    const headers = [];
    for (let i = 0; i < count; i++) {
      const header = [];
      for (let f = 0; f < fields; f++) header.push(readVarint(bytes, cursor));
      headers.push(header);
    }
    const entries = new Map();
    let offset = cursor.at;
    for (const header of headers) {
      const length = header[fields - 1];
      const key = fields === 4 ? String.fromCodePoint(header[0], header[1]) : String.fromCodePoint(header[0]);
      entries.set(key, { count: header[fields - 2], start: offset, bytes, decoded: null });
      offset += length;
    }
    return entries;
  }

  function getShard(index, kind, number, fields) {
    const address = new URL(`${kind}/${number}.bin`, index.base).href;
    if (!shards.has(address)) {
      shards.set(
        address,
        fetchBytes(address).then((bytes) => (bytes ? parseShard(bytes, fields) : new Map())),
      );
    }
    return shards.get(address);
  }

  /** Sorted global positions of bigram a+b, or null if it never occurs. */
  async function bigramPositions(index, a, b) {
    const shard = (a.codePointAt(0) * index.hashMult + b.codePointAt(0)) % index.bigramShards;
    const entries = await getShard(index, "b", shard, 4);
    const entry = entries.get(a + b);
    if (!entry) return null;
    if (!entry.decoded) {
      const cursor = { at: entry.start };
      const positions = new Float64Array(entry.count);
      let position = 0;
      for (let i = 0; i < entry.count; i++) {
        position += readVarint(entry.bytes, cursor);
        positions[i] = position;
      }
      entry.decoded = positions;
    }
    return entry.decoded;
  }

  /** Map document number -> occurrences of a one-character term. */
  async function unigramDocs(index, char) {
    const entries = await getShard(index, "u", char.codePointAt(0) % index.unigramShards, 3);
    const entry = entries.get(char);
    const found = new Map();
    if (!entry) return found;
    const cursor = { at: entry.start };
    let doc = 0;
    for (let i = 0; i < entry.count; i++) {
      doc += readVarint(entry.bytes, cursor);
      found.set(doc, readVarint(entry.bytes, cursor));
    }
    return found;
  }

  /** Values v of `candidates` such that v + shift is in `sorted`; both ascending. */
  function keepPresent(candidates, sorted, shift) {
    const kept = [];
    if (candidates.length * 16 < sorted.length) {
      for (const value of candidates) {
        const target = value + shift;
        let low = 0;
        let high = sorted.length;
        while (low < high) {
          const mid = (low + high) >>> 1;
          if (sorted[mid] < target) low = mid + 1;
          else high = mid;
        }
        if (low < sorted.length && sorted[low] === target) kept.push(value);
      }
      return kept;
    }
    let j = 0;
    for (const value of candidates) {
      const target = value + shift;
      while (j < sorted.length && sorted[j] < target) j++;
      if (j < sorted.length && sorted[j] === target) kept.push(value);
    }
    return kept;
  }

  /** Map document number -> occurrences of one normalised term. */
  async function findTerm(index, term) {
    if (term.length === 1) return unigramDocs(index, term[0]);
    const offsets = [];
    for (let offset = 0; offset + 2 <= term.length; offset += 2) offsets.push(offset);
    if (offsets[offsets.length - 1] + 2 < term.length) offsets.push(term.length - 2);
    const lists = await Promise.all(offsets.map((o) => bigramPositions(index, term[o], term[o + 1])));
    const found = new Map();
    if (lists.some((list) => list === null)) return found;
    const order = offsets.map((_, i) => i).sort((x, y) => lists[x].length - lists[y].length);
    const first = order[0];
    let candidates = Array.from(lists[first], (p) => p - offsets[first]);
    for (const i of order.slice(1)) {
      if (candidates.length === 0) break;
      candidates = keepPresent(candidates, lists[i], offsets[i]);
    }
    const starts = index.starts;
    let doc = 0;
    for (const position of candidates) {
      while (doc + 1 < starts.length && starts[doc + 1] <= position) doc++;
      found.set(doc, (found.get(doc) || 0) + 1);
    }
    return found;
  }

  /* ---- filters ---- */

  function yearRange(year) {
    if (year === undefined || year === null || year === "") return null;
    if (Array.isArray(year)) return [Number(year[0]), Number(year[year.length - 1])];
    const match = String(year).match(/^\s*(\d{4})\s*(?:(?:-|–|—|~|\.\.|至)\s*(\d{4}))?\s*$/u);
    if (!match) throw new Error(`年份筛选无法识别：${year}`);
    return [Number(match[1]), Number(match[2] || match[1])];
  }

  /** Keep the results that pass {year, unit}; year: 2022, "2019-2022" or [2019, 2022]; unit: name(s). */
  function applyFilters(results, filters) {
    const range = yearRange(filters && filters.year);
    const unit = filters && filters.unit;
    const units = unit ? new Set(Array.isArray(unit) ? unit : [unit]) : null;
    return results.filter(
      (r) => (!range || (r.year >= range[0] && r.year <= range[1])) && (!units || units.has(r.unit)),
    );
  }

  /* ---- the API ---- */

  /**
   * All reports that contain every term of `query`, most hits first.
   * Each result: {url, title, year, unit, secretary, hits}; url is the page path from the site root.
   */
  async function reportSearch(query, filters) {
    const wanted = terms(query);
    if (wanted.length === 0) return [];
    const results = [];
    for (const index of await loadDocs()) {
      const perTerm = await Promise.all(wanted.map((term) => findTerm(index, term)));
      perTerm.sort((a, b) => a.size - b.size);
      for (const [doc, count] of perTerm[0]) {
        if (index.hidden.has(doc)) continue;
        let hits = count;
        let everywhere = true;
        for (const other of perTerm.slice(1)) {
          const more = other.get(doc);
          if (!more) {
            everywhere = false;
            break;
          }
          hits += more;
        }
        if (!everywhere) continue;
        const [url, title, year, unit, secretary] = index.docs[doc];
        results.push({ url: "/" + url, title, year, unit, secretary, hits });
      }
    }
    results.sort((a, b) => b.hits - a.hits || b.year - a.year || (a.url < b.url ? -1 : 1));
    return applyFilters(results, filters);
  }

  /* ---- text of a report page, for snippets and highlighting ---- */

  const pageText = new Map();

  /** The visible text of a report page's content (the archive header left out). */
  function contentText(article) {
    const copy = article.cloneNode(true);
    copy.querySelectorAll(EXCLUDED).forEach((n) => n.remove());
    return copy.textContent || "";
  }

  function fetchPageText(url) {
    const address = new URL(url.replace(/^\//, ""), ROOT);
    if (!pageText.has(address.href)) {
      pageText.set(
        address.href,
        fetch(address)
          .then((response) => response.text())
          .then((html) => {
            stats.bytes += html.length;
            const doc = new DOMParser().parseFromString(html, "text/html");
            const article = doc.querySelector("article");
            return article ? contentText(article) : "";
          }),
      );
    }
    return pageText.get(address.href);
  }

  /** Start indexes in `chars` of every occurrence of each term (non-overlapping per term). */
  function occurrences(chars, wanted) {
    const found = [];
    for (const term of wanted) {
      for (let i = 0; i + term.length <= chars.length; i++) {
        let same = true;
        for (let k = 0; k < term.length; k++) {
          if (chars[i + k] !== term[k]) {
            same = false;
            break;
          }
        }
        if (same) {
          found.push([i, i + term.length]);
          i += term.length - 1;
        }
      }
    }
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged = [];
    for (const span of found) if (!merged.length || span[0] >= merged[merged.length - 1][1]) merged.push(span);
    return merged;
  }

  /**
   * A snippet of the report at `url` around the first occurrence of the query:
   * an array of {text, hit} pieces, to be inserted as text.
   */
  async function snippet(url, query, width = 60) {
    const wanted = terms(query);
    const text = await fetchPageText(url);
    const map = normalizeWithMap(text);
    const spans = occurrences(map.chars, wanted);
    const first = spans.length ? map.from[spans[0][0]] : 0;
    let start = Math.max(0, first - Math.floor(width / 3));
    let end = Math.min(text.length, start + width * 2);
    const pieces = [];
    let at = start;
    for (const [a, b] of spans) {
      const from = map.from[a];
      const to = map.to[b - 1];
      if (to <= start || from >= end) continue;
      if (from > at) pieces.push({ text: text.slice(at, from), hit: false });
      pieces.push({ text: text.slice(Math.max(from, at), to), hit: true });
      at = to;
      end = Math.max(end, to);
    }
    if (at < end) pieces.push({ text: text.slice(at, end), hit: false });
    for (const piece of pieces) piece.text = piece.text.replace(/\s+/gu, " ");
    if (start > 0) pieces.unshift({ text: "…", hit: false });
    if (end < text.length) pieces.push({ text: "…", hit: false });
    return pieces;
  }

  /* ---- highlighting on a report page: ?h=query, ?reuse=<other report> ---- */

  /** The report's text as normalised characters, each with its text node and offsets. */
  function articleChars(article) {
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) =>
        node.parentElement.closest(EXCLUDED) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    const chars = [];
    const where = []; // [node, start, end] per normalised character
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const map = normalizeWithMap(node.data);
      for (let i = 0; i < map.chars.length; i++) {
        chars.push(map.chars[i]);
        where.push([node, map.from[i], map.to[i]]);
      }
    }
    return { chars, where };
  }

  /** Wrap each [start, end) span of normalised characters in <mark class=className>. */
  function markSpans(where, spans, className) {
    const pieces = [];
    for (const [a, b] of spans) {
      let i = a;
      while (i < b) {
        const node = where[i][0];
        const start = where[i][1];
        let end = where[i][2];
        while (i + 1 < b && where[i + 1][0] === node) end = where[++i][2];
        pieces.push([node, start, end]);
        i++;
      }
    }
    const marks = [];
    for (let p = pieces.length - 1; p >= 0; p--) {
      const [node, start, end] = pieces[p];
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, end);
      const mark = document.createElement("mark");
      mark.className = className;
      range.surroundContents(mark);
      marks.unshift(mark);
    }
    return marks;
  }

  function highlight(article, query) {
    const wanted = terms(query);
    if (!wanted.length) return [];
    const { chars, where } = articleChars(article);
    return markSpans(where, occurrences(chars, wanted), "search-hit");
  }

  const SHINGLE = 12; // as report_archive/reuse.py

  /** Mark the passages of this report that also stand in the report at `url` (shingles of 12 characters). */
  async function highlightReuse(article, url) {
    const parts = normalize(await fetchPageText(url));
    const seen = new Set();
    for (let i = 0; i + SHINGLE <= parts.length; i++) seen.add(parts.slice(i, i + SHINGLE).join(""));
    const { chars, where } = articleChars(article);
    const spans = [];
    for (let i = 0; i + SHINGLE <= chars.length; i++) {
      if (!seen.has(chars.slice(i, i + SHINGLE).join(""))) continue;
      const last = spans[spans.length - 1];
      if (last && i <= last[1]) last[1] = i + SHINGLE;
      else spans.push([i, i + SHINGLE]);
    }
    return markSpans(where, spans, "reuse-hit");
  }

  async function highlightFromUrl() {
    const params = new URLSearchParams(location.search);
    const article = document.querySelector("article");
    if (!article) return;
    let marks = [];
    if (params.get("h")) marks = highlight(article, params.get("h"));
    if (params.get("reuse")) {
      const target = new URL(params.get("reuse"), location.href);
      if (target.origin !== location.origin) return; // only other pages of this site
      marks = await highlightReuse(article, target.pathname.slice(ROOT.pathname.length - 1));
      const note = document.createElement("p");
      note.className = "reuse-note";
      note.textContent = marks.length
        ? `红色底纹标出与 ${decodeURIComponent(target.pathname)} 重复的段落（连续 ${SHINGLE} 个字以上相同）。`
        : "没有找到与该报告重复的段落。";
      article.querySelector("h1")?.after(note);
    }
    if (marks.length) marks[0].scrollIntoView({ block: "center" });
  }

  /** Every unit name in the archive's index (for checking a unit filter before applying it). */
  reportSearch.units = async () =>
    new Set((await loadDocs()).flatMap((index) => index.docs.filter((_, n) => !index.hidden.has(n)).map((doc) => doc[3])));
  reportSearch.terms = terms;
  reportSearch.filter = applyFilters;
  reportSearch.snippet = snippet;
  reportSearch.stats = stats;
  reportSearch.root = ROOT;
  reportSearch.clearCache = () => {
    shards.clear();
    pageText.clear();
  };
  window.reportSearch = reportSearch;

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", highlightFromUrl);
  else highlightFromUrl();
})();
