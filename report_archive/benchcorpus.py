"""A benchmark corpus that behaves like real reports, generated from the demo archive.

Copies of the demo reports share far more text than real reports do (every copy repeats its
original word for word), which flatters every figure that depends on shared text: the search
index, the reuse figures, compression of the output. The generated corpus instead:

- spreads ``count`` reports over units and years as an archive does: each unit reports for a run
  of consecutive years, its reporting person changes every few years; unit names are generated and
  registered in ``units.yml``;
- gives each unit one of the demo reports as its structure (headings such as 一、 and （一）,
  bold paragraph leads, list items and paragraph lengths are kept) and fills every paragraph with
  sentences drawn at random from the whole demo corpus;
- varies the drawn text: a share of the Chinese characters is replaced by a character that follows
  the same preceding character somewhere in the corpus (so character bigrams stay those of real
  text), and digits are varied, so a drawn sentence rarely repeats word for word;
- lets each report keep some paragraphs of the same unit's previous report word for word, about
  as much as consecutive real reports share.

``statistics`` measures what matters for the comparison (``scripts/bench_corpus.py`` prints it for
the demo archive, a generated corpus and copies). Everything is deterministic for a seed, and
vectorised where it touches every character: 10,000 reports take seconds.
"""

from __future__ import annotations

import itertools
import random
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .reuse import SHINGLE, compare_prints, report_prints
from .search import codepoints, normalize
from .source import split

# Share of the Chinese characters of drawn text that are replaced, and of the digits after a
# number's first digit; share of paragraphs kept from the unit's previous report. Chosen so the
# statistics of a few hundred generated reports match the demo archive's (see the README).
VARY_EVERY = 3
VARY_DIGITS = 0.5
SHARED_BY = 1000000
TRIES = 8
NEW_BIGRAMS = 0.1
KEEP_PREVIOUS = 0.05
FIRST_YEAR, LAST_YEAR = 1990, 2025

BARE_CONFIG = """site_name: bare
theme:
  name: material
  language: zh
  font: false
nav:
  - index.md
  - guide.md
not_in_nav: |
  /reports/
plugins: []
markdown_extensions: [tables, attr_list, md_in_html, footnotes, admonition]
"""

_SENTENCE_RE = re.compile(r"[^。！？；]+[。！？；]*")
_UNSAFE_RE = re.compile(r"[*`<>\[\]_\\|#&!~]")  # markup a drawn sentence must not bring along
_LEAD_RE = re.compile(r"^(#+\s.*|\*\*[^*]+\*\*|[-+]\s|\d+\.\s)")
_CJK_FIRST, _CJK_LAST = 0x4E00, 0x9FFF
_MARK = 0x100000  # a marked character: its code point plus this (supplementary private use plane B)

_PLACES_1 = "东西南北青白金石云安宁永清平新长龙阳华兴江河山峰德和泰丰昌明汉川临"
_PLACES_2 = "川林江山州阳城源平安宁水陵岭丘溪泉湖台门口坪关桥塘沙"
_LEVELS = ("市", "县", "区")
_OFFICES = (
    "民政局",
    "财政局",
    "教育局",
    "卫生健康委员会",
    "交通运输局",
    "农业农村局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "商务局",
    "文化和旅游局",
    "审计局",
    "统计局",
    "司法局",
    "水利局",
    "应急管理局",
    "市场监督管理局",
    "税务局",
    "科学技术局",
)
_POSITIONS = ("党组书记", "党组书记、局长", "党委书记", "党组书记、主任", "机关党委书记")
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建文辉力斌宇浩凯鹏飞玉兰红志国庆东海峰波宁林昊晨亮新春光荣晓云"


@dataclass
class Entry:
    """One report file of a corpus."""

    year: int
    unit: str
    text: str  # the whole file: front matter and body
    stem: str = ""  # the file name without .md when it is not the unit's name (unit-suffix)

    @property
    def path(self) -> str:
        return f"reports/{self.year}/{self.stem or self.unit}.md"

    @property
    def body(self) -> str:
        source, _ = split(self.text, self.path)
        return source.body if source is not None else self.text


@dataclass
class Corpus:
    entries: list[Entry] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # in registry order


@dataclass
class _Template:
    """A demo report's structure: per line, the markup kept and the length of text drawn after it."""

    kind: str
    lines: list[tuple[str, int]]


@dataclass
class _Sources:
    templates: list[_Template]
    sentences: list[str]
    lengths: np.ndarray
    successors: np.ndarray  # Chinese characters, grouped by the Chinese character before them
    first: np.ndarray  # per Chinese code point (minus _CJK_FIRST): where its successors start
    count: np.ndarray  # and how many there are
    bigrams: (
        np.ndarray
    )  # every pair of Chinese characters in the corpus: (first - _CJK_FIRST) << 16 | (second - _CJK_FIRST)


def demo_files(templates: Path) -> list[Path]:
    files = sorted(templates.rglob("*.md"))
    if not files:
        raise SystemExit(f"错误：{templates} 下没有报告。")
    return files


def read_demo(templates: Path) -> Corpus:
    """The demo archive itself as a corpus (file stems are the units of the copies)."""
    entries = []
    for path in demo_files(templates):
        text = path.read_text(encoding="utf-8")
        source, _ = split(text, path.name)
        meta = source.meta if source is not None else {}
        entries.append(Entry(int(meta.get("year", 0)), str(meta.get("unit", path.stem)), text, path.stem))
    return Corpus(entries, list(dict.fromkeys(e.unit for e in entries)))


def _shared_mask(texts: list[str]) -> list[np.ndarray]:
    """Per text, which characters lie in a passage of ``SHINGLE`` or more characters found in another text."""
    cps = [codepoints(t).astype(np.uint64) for t in texts]
    hashes, owners = [], []
    for index, points in enumerate(cps):
        count = max(0, len(points) - SHINGLE + 1)
        h = np.zeros(count, dtype=np.uint64)
        for offset in range(SHINGLE):  # the polynomial hash reuse.py uses
            h *= np.uint64(1_000_003)
            h += points[offset : offset + count]
        hashes.append(h)
        owners.append(np.full(count, index, dtype=np.int32))
    every, owner = np.concatenate(hashes), np.concatenate(owners)
    order = np.lexsort((owner, every))
    ordered, owned = every[order], owner[order]
    new_hash = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    new_owner = new_hash | np.concatenate(([True], owned[1:] != owned[:-1]))
    starts = np.flatnonzero(new_hash)
    common = np.add.reduceat(new_owner.astype(np.int64), starts) >= SHARED_BY
    shared = np.empty(len(every), dtype=bool)
    shared[order] = np.repeat(common, np.diff(np.append(starts, len(every))))
    masks, position = [], 0
    for points, h in zip(cps, hashes, strict=True):
        own = shared[position : position + len(h)]
        position += len(h)
        cover = np.zeros(len(points) + 1, dtype=np.int64)  # +1 where a shared window starts, -1 after it
        np.add.at(cover, np.flatnonzero(own), 1)
        np.add.at(cover, np.flatnonzero(own) + SHINGLE, -1)
        masks.append(np.cumsum(cover)[: len(points)] > 0)
    return masks


def _sources(templates: Path) -> _Sources:
    structures, texts = [], []
    for path in demo_files(templates):
        source, _ = split(path.read_text(encoding="utf-8"), path.name)
        if source is None:
            continue
        lines, kept = [], []
        for line in source.body.splitlines():
            if not line.strip():
                continue
            match = _LEAD_RE.match(line)
            lead = match.group(0) if match else ""
            rest = line[len(lead) :]
            lines.append((lead, len(rest)))
            kept.append(_UNSAFE_RE.sub("", rest))
        heading = next((lead[2:].strip() for lead, _ in lines if lead.startswith("# ")), "述职报告")
        structures.append(_Template(str(source.meta.get("kind") or heading), lines))
        texts.append("\n".join(kept))
    # Passages the demo reports share with each other are marked (moved to a private-use plane) so
    # that varying leaves them as they are: they are the corpus's real boilerplate.
    sentences = []
    for text, mask in zip(texts, _shared_mask(texts), strict=True):
        points = codepoints(text).astype(np.uint32)
        points[mask & (points > 0x20) & (points < 0xFFFF)] += np.uint32(_MARK)
        marked = points.tobytes().decode("utf-32-le")
        sentences += [s for line in marked.split("\n") for s in _SENTENCE_RE.findall(line) if len(s) >= 4]
    plain = codepoints("".join(sentences)).astype(np.int64)
    plain[plain >= _MARK] -= _MARK
    cjk = (plain >= _CJK_FIRST) & (plain <= _CJK_LAST)
    pairs = np.flatnonzero(cjk[:-1] & cjk[1:])
    before, after = plain[pairs] - _CJK_FIRST, plain[pairs + 1]
    order = np.argsort(before, kind="stable")
    count = np.bincount(before, minlength=_CJK_LAST - _CJK_FIRST + 1)
    return _Sources(
        templates=structures,
        sentences=sentences,
        lengths=np.array([len(s) for s in sentences], dtype=np.int64),
        successors=after[order],
        first=np.concatenate(([0], np.cumsum(count)[:-1])),
        count=count,
        bigrams=np.unique((before << 16) | (after - _CJK_FIRST)),
    )


def _vary(text: str, rng: np.random.Generator, sources: _Sources) -> str:
    """``text`` with every ``VARY_EVERY``-th Chinese character outside marked passages replaced and digits varied.

    A replacement is a character that follows the same character somewhere in the corpus, drawn
    by frequency (drawn again once if it is the same as the one it replaces).
    """
    cps = codepoints(text).astype(np.int64)
    marked = cps >= _MARK
    cps[marked] -= _MARK
    if len(cps) < 3:
        return cps.astype(np.uint32).tobytes().decode("utf-32-le")
    cjk = (cps >= _CJK_FIRST) & (cps <= _CJK_LAST)
    inner = np.zeros(len(cps), dtype=bool)  # a character between two Chinese ones: never 一、 or （一）
    inner[1:-1] = cjk[1:-1] & cjk[:-2] & cjk[2:] & ~marked[1:-1]
    eligible = np.flatnonzero(inner)
    at = eligible[int(rng.integers(VARY_EVERY)) :: VARY_EVERY]
    before = cps[at - 1] - _CJK_FIRST
    count = sources.count[before]
    at, before, count = at[count > 0], before[count > 0], count[count > 0]
    after = cps[at + 1] - _CJK_FIRST
    out = cps.copy()
    for _ in range(TRIES):
        pick = sources.first[before] + (rng.random(len(at)) * count).astype(np.int64)
        new = sources.successors[np.minimum(pick, len(sources.successors) - 1)]
        key = ((new - _CJK_FIRST) << 16) | after
        known = sources.bigrams[np.minimum(np.searchsorted(sources.bigrams, key), len(sources.bigrams) - 1)] == key
        fits = (new != cps[at]) & (known | (rng.random(len(at)) < NEW_BIGRAMS))
        out[at[fits]] = new[fits]
        left = ~fits
        at, before, count, after = at[left], before[left], count[left], after[left]
    digit = (cps >= 48) & (cps <= 57)
    later = np.zeros(len(cps), dtype=bool)  # the third and later digits of a number
    later[2:] = digit[2:] & digit[1:-1] & digit[:-2] & ~marked[2:]  # 2019 may become 2017, never 1576
    varied = np.flatnonzero(later & (rng.random(len(cps)) < VARY_DIGITS))
    out[varied] = 48 + rng.integers(0, 10, len(varied))
    return out.astype(np.uint32).tobytes().decode("utf-32-le")


def _marked(text: str) -> str:
    """``text`` marked as kept (see ``_vary``)."""
    return "".join(chr(ord(c) + _MARK) if " " < c < "\uffff" else c for c in text)


def _units(count: int, rng: random.Random) -> list[tuple[str, int, int]]:
    """(unit, first year, last year) for units whose runs add up to ``count`` reports."""
    runs, names, total = [], set(), 0
    while total < count:
        while (
            name := rng.choice(_PLACES_1) + rng.choice(_PLACES_2) + rng.choice(_LEVELS) + rng.choice(_OFFICES)
        ) in names:
            pass
        names.add(name)
        length = min(rng.randint(3, 16), count - total)
        start = rng.randint(FIRST_YEAR, LAST_YEAR - length + 1)
        runs.append((name, start, start + length - 1))
        total += length
    return runs


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _front_matter(year: int, unit: str, secretary: str, position: str, title: str, kind: str, day: int) -> str:
    return (
        f"---\nyear: {year}\nunit: {unit}\nsecretary: {secretary}\nposition: {position}\n"
        f"title: {title}\ndate: {year + 1}-01-{day:02d}\nkind: {kind}\n---\n\n"
    )


def generate(count: int, templates: Path, seed: int = 1) -> Corpus:
    """``count`` reports generated from the demo reports under ``templates`` (see the module's notes)."""
    sources = _sources(templates)
    names = random.Random(seed)
    rng = np.random.default_rng(seed)
    mean = float(sources.lengths.mean())
    corpus = Corpus()
    for unit, start, end in _units(count, names):
        corpus.units.append(unit)
        template = sources.templates[names.randrange(len(sources.templates))]
        position = names.choice(_POSITIONS)
        secretary, term_left = _person(names), names.randint(2, 6)
        previous: list[str] | None = None
        targets = np.array([n for _, n in template.lines], dtype=np.int64)
        for year in range(start, end + 1):
            if term_left == 0:
                secretary, term_left = _person(names), names.randint(2, 6)
            term_left -= 1
            # Sentences for every paragraph: draw enough at once, then cut at the paragraph lengths.
            total = int(targets.sum())
            drawn = rng.integers(0, len(sources.sentences), int(total / mean * 1.3) + len(targets) + 8)
            ends = np.searchsorted(np.cumsum(sources.lengths[drawn]), np.cumsum(targets)) + 1
            steps = np.arange(len(ends))
            ends = np.minimum(np.maximum.accumulate(ends - steps) + steps, len(drawn))  # at least one each
            starts = np.concatenate(([0], ends[:-1]))
            lines = []
            for (lead, length), a, b in zip(template.lines, starts, ends, strict=True):
                rest = "".join(sources.sentences[i] for i in drawn[a:b]) if length else ""
                lines.append((_marked(lead) if lead.startswith("#") else lead) + rest)
            lines = _vary("\n".join(lines), rng, sources).split("\n")
            if previous is not None:  # keep some paragraphs of last year's report word for word
                keep = np.flatnonzero(rng.random(len(lines)) < KEEP_PREVIOUS)
                for i in keep:
                    lines[i] = previous[i]
            previous = lines
            title = f"{year}年{template.kind}"
            lines = [f"# {title}" if line.startswith("# ") else line for line in lines]
            header = _front_matter(year, unit, secretary, position, title, template.kind, names.randint(5, 28))
            corpus.entries.append(Entry(year, unit, header + "\n\n".join(line for line in lines if line) + "\n"))
    return corpus


def copies(count: int, templates: Path) -> Corpus:
    """The old benchmark corpus: copies of the demo reports under new unit names."""
    demo = read_demo(templates)
    corpus = Corpus()
    for index in range(count):
        batch, number = divmod(index, len(demo.entries))
        original = demo.entries[number]
        unit = f"{original.unit}{batch:03d}"
        if unit not in corpus.units:
            corpus.units.append(unit)
        text = original.text.replace(f"unit: {original.unit}\n", f"unit: {unit}\n", 1)
        corpus.entries.append(Entry(original.year, unit, text, original.stem.replace(original.unit, unit, 1)))
    return corpus


def write_project(project: Path, corpus: Corpus, root: Path) -> None:
    """A complete site project in ``project`` using this repository's hooks, theme and core.

    Configurations: ``mkdocs.yml`` (the site), ``nosearch.yml`` (without the search index) and
    ``bare.yml`` (the same theme without hooks, reports out of the navigation).
    """
    docs = project / "docs"
    (docs / "reports").mkdir(parents=True)
    for name in ("index.md", "guide.md"):
        shutil.copy(root / "docs" / name, docs / name)
    for entry in corpus.entries:
        target = docs / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(entry.text, encoding="utf-8")
    (project / "units.yml").write_text("".join(f"- name: {u}\n" for u in corpus.units), encoding="utf-8")
    for name in ("hooks", "overrides", "report_archive"):
        (project / name).symlink_to(root / name)
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    (project / "nosearch.yml").write_text(config.replace("search_index: true", "search_index: false"), encoding="utf-8")
    (project / "bare.yml").write_text(BARE_CONFIG, encoding="utf-8")


def synthesize(project: Path, count: int, templates: Path, *, use_copies: bool = False, seed: int = 1) -> Corpus:
    """The benchmarks' project: ``count`` generated reports, or copies (``use_copies``) for comparison."""
    corpus = copies(count, templates) if use_copies else generate(count, templates, seed)
    write_project(project, corpus, Path(__file__).resolve().parents[1])
    return corpus


def _bigrams(texts: list[str]) -> np.ndarray:
    parts = [codepoints(t).astype(np.uint64) for t in texts]
    return np.concatenate([(p[:-1] << np.uint64(21)) | p[1:] for p in parts if len(p) > 1] or [np.empty(0, np.uint64)])


def statistics(corpus: Corpus, sample_chars: int, seed: int = 1) -> dict[str, float]:
    """Figures that tell real text from copies, on the normalised text search and reuse see.

    - ``unique_bigrams``: the share of the distinct character bigrams that occur only once, and
      ``distinct_bigrams``: distinct bigrams per bigram, both in a sample of about ``sample_chars``
      characters of whole reports drawn at random (the same amount of text for every corpus, since
      both fall as text grows; copies repeat rare bigrams, text built from few words lacks them);
    - ``reuse_anywhere`` and ``reuse_previous``: the mean share of a report's text repeated from
      any other report and from the same unit's previous report, as ``report_archive.reuse``
      measures them (the figures the archive shows);
    - ``mean_chars``: mean characters of normalised text per report.
    """
    entries = corpus.entries
    bodies = [e.body for e in entries]
    texts = [normalize(b) for b in bodies]
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    sample, size = [], 0
    for index in order:
        if size >= sample_chars:
            break
        sample.append(texts[index])
        size += len(texts[index])
    pairs = _bigrams(sample)
    counts = np.unique(pairs, return_counts=True)[1]
    by_unit: dict[str, list[int]] = defaultdict(list)
    for index in sorted(range(len(entries)), key=lambda i: (entries[i].year, entries[i].path)):
        by_unit[entries[index].unit].append(index)
    previous_of: list[int | None] = [None] * len(entries)
    for indices in by_unit.values():
        for before, after in itertools.pairwise(indices):
            previous_of[after] = before
    figures = compare_prints([report_prints(b) for b in bodies], previous_of)
    with_previous = [f.previous for f, p in zip(figures, previous_of, strict=True) if p is not None]
    return {
        "reports": len(entries),
        "unique_bigrams": float((counts == 1).mean()) if len(counts) else 0.0,
        "distinct_bigrams": len(counts) / max(1, len(pairs)),
        "reuse_anywhere": float(np.mean([f.anywhere for f in figures])) if figures else 0.0,
        "reuse_previous": float(np.mean(with_previous)) if with_previous else 0.0,
        "mean_chars": float(np.mean([len(t) for t in texts])) if texts else 0.0,
    }
