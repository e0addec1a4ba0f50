"""Turning a plain text or Markdown report into an archive report.

Two parts, both pure: :func:`detect_meta` reads what the text says about itself (year, speaker,
position, date, title) and :func:`to_markdown` gives the body its structure (Chinese numbered
headings become Markdown headings). :func:`render_report` writes the archive file's text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import DEFAULT_KIND
from .source import parse_yaml, split
from .units import Registry, Unit, load_registry
from .validate import check_source

# Numbered headings, by level. Each pattern matches the number at the start of a line.
HEADING_LEVELS = [
    (2, re.compile(r"^[一二三四五六七八九十]{1,3}、")),
    (3, re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")),
    (4, re.compile(r"^\d{1,2}[.．、](?!\d)")),
    (5, re.compile(r"^[（(]\d{1,2}[）)]")),
]
MAX_HEADING = 40  # a numbered line longer than this (without a lead sentence) stays a paragraph
_LEAD_RE = re.compile(rf"^(.{{4,{MAX_HEADING}}}?)。(?=.)")

_HAN = r"\u3400-\u9fff"
# A name: 2-4 characters, perhaps padded with spaces ('黄 强'), or a name with a middle dot.
_NAME = rf"[{_HAN}](?:[\s　]?[{_HAN}]){{1,3}}|[{_HAN}]{{1,6}}·[{_HAN}]{{1,8}}"
_TITLES = "|".join(
    [
        "总理",
        "副总理",
        "省长",
        "代省长",
        "副省长",
        "市长",
        "代市长",
        "副市长",
        "县长",
        "区长",
        "主席",
        "书记",
        "主任",
        "局长",
        "厅长",
        "部长",
        "院长",
        "社长",
        "校长",
        "镇长",
        "乡长",
        "组长",
        "处长",
        "委员",
    ]
)
# '国务院总理　周恩来', '市民政局党组书记 张三', '浙江省省长吕祖善', '四川省人民政府代省长 黄 强'
_SPEAKER_RE = re.compile(rf"^(?P<position>[^，。：:；\s]{{0,40}}?(?:{_TITLES}))[\s　：:]*(?P<name>{_NAME})$")
# '（2009年1月12日 罗保铭）'
_DATED_SPEAKER_RE = re.compile(
    rf"^[（(]\s*(?P<date>\d{{4}}年\d{{1,2}}月\d{{1,2}}日)\s+(?P<name>[{_HAN}·]{{2,5}})\s*[）)]$"
)
_DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_YEAR_RE = re.compile(r"(\d{4})年")
_TITLE_WORDS = ("报告",)
_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_BOLD_LINE_RE = re.compile(r"^\*\*(.+?)\*\*\s*$")
OPENING_LINES = 12  # speaker, date and title are looked for in this many non-empty lines


@dataclass
class Detected:
    """What the text says about itself."""

    title: str = ""
    year: int | None = None
    secretary: str = ""
    position: str = ""
    date: dt.date | None = None
    meta: dict = field(default_factory=dict)  # front matter the source file already had


def clean_name(name: str) -> str:
    """'黄 强' -> '黄强': names are padded with spaces for alignment in print."""
    return re.sub(r"[\s　]+", "", name)


def _plain(line: str) -> str:
    """A line without Markdown emphasis, heading marks and surrounding white space."""
    line = re.sub(r"^#+\s*", "", line.strip())
    line = line.replace("**", "").replace("__", "")
    return re.sub(r"\[\^\d+\]", "", line).strip(" \t　")


def _parse_date(text: str) -> dt.date | None:
    match = _DATE_RE.search(text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def split_source(text: str) -> tuple[dict, str]:
    """Separate a source file's own YAML header (if any) from its text; normalise line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            try:
                meta, _ = parse_yaml(text[4 : end + 1])
            except yaml.YAMLError:
                meta = None
            if isinstance(meta, dict):
                return meta, text[end + 5 :]
    return {}, text


def detect_meta(text: str, source_meta: dict | None = None) -> Detected:
    """Find title, year, speaker, position and date in the opening lines of ``text``."""
    found = Detected(meta=dict(source_meta or {}))
    lines = [_plain(line) for line in text.split("\n")]
    opening = [line for line in lines if line][:OPENING_LINES]
    for line in opening:
        if not found.title and _is_title(line):
            found.title = line
        if not found.secretary:
            match = _SPEAKER_RE.match(line) or _DATED_SPEAKER_RE.match(line)
            if match:
                found.secretary = clean_name(match.group("name"))
                groups = match.groupdict()
                found.position = clean_name(groups.get("position") or "")
                if groups.get("date"):
                    found.date = _parse_date(groups["date"])
        if found.date is None and _DATE_RE.search(line) and ("在" in line or line.startswith(("（", "(", "——"))):
            found.date = _parse_date(line)
    header_title = str(found.meta.get("title") or "")
    if not found.title and header_title:
        found.title = header_title
    for candidate in (found.title, header_title):
        match = _YEAR_RE.search(candidate)
        if match:
            found.year = int(match.group(1))
            break
    return found


def _is_title(line: str) -> bool:
    """A short line that names a report, not a sentence or a numbered heading."""
    return (
        len(line) <= 50
        and any(w in line for w in _TITLE_WORDS)
        and not any(p in line for p in "，。：；")
        and _heading_level(line) is None
    )


def _heading_level(line: str) -> int | None:
    for level, pattern in HEADING_LEVELS:
        if pattern.match(line):
            return level
    return None


def structure_line(line: str) -> list[str]:
    """One paragraph of plain text -> Markdown block(s): a numbered heading, maybe its paragraph."""
    plain = _plain(line) if _BOLD_LINE_RE.match(line.strip()) else line
    level = _heading_level(plain)
    if level is None:
        return [line]
    if len(plain) <= MAX_HEADING and "。" not in plain.rstrip("。"):
        return ["#" * level + " " + plain.rstrip("。")]
    lead = _LEAD_RE.match(plain)
    if lead:
        rest = plain[lead.end() :].strip()
        return ["#" * level + " " + lead.group(1), rest]
    return [line]


def to_markdown(text: str, title: str = "", drop: tuple[str, ...] = ()) -> str:
    """Give ``text`` Markdown structure.

    The title line (if found among the first lines) becomes the ``#`` heading; lines in ``drop``
    are left out; full-width indentation is trimmed; numbered headings become ``##``..``#####``.
    """
    text = _HTML_COMMENT_RE.sub("", text)
    blocks: list[str] = [f"# {title}"] if title else []
    title_seen = not title
    for raw in text.split("\n"):
        line = raw.strip(" \t　\u00a0")
        if not line:
            continue
        plain = _plain(line)
        if not title_seen and plain == title:
            title_seen = True
            continue
        if plain in drop:
            continue
        if line.startswith("|") and blocks and blocks[-1].startswith("|"):
            blocks[-1] += "\n" + line  # rows of one table stay one block
            continue
        if line.startswith(("#", "|", "- ")):
            blocks.append(line)
            continue
        blocks.extend(structure_line(line))
    return "\n\n".join(blocks) + "\n"


def render_report(meta: dict, body: str) -> str:
    """The archive file: front matter in a fixed key order, then the body."""
    order = ("year", "unit", "secretary", "position", "title", "date", "kind", "tags", "draft")
    items = {k: meta[k] for k in order if meta.get(k) not in (None, "", [])}
    front = yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{body}"


# --- Importing files --------------------------------------------------------------------------

DEFAULT_SUFFIXES = (".txt", ".md", ".markdown", ".text")


class ImportFailure(Exception):
    """A source that cannot become a report; the message says why, in Chinese, for the user."""


def read_text_file(data: bytes, name: str) -> str:
    """Decode a source file: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK."""
    lower = name.lower()
    if lower.endswith(".doc"):
        raise ImportFailure("旧版 Word（.doc）文件无法读取：请在 Word 中“另存为” .docx 后再导入。")
    if not data.strip():
        raise ImportFailure("文件为空。")
    if lower.endswith(".docx"):
        return read_docx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: a legacy Word file with another name
        raise ImportFailure("这是旧版 Word（.doc）文件：请在 Word 中“另存为” .docx 后再导入。")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise ImportFailure("文件看起来是二进制文件，不是文本。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailure("无法识别文件编码：请另存为 UTF-8 文本。")


def _docx_inline(paragraph) -> str:
    """A paragraph's text with bold and italic runs as Markdown emphasis."""
    parts = []
    for run in paragraph.runs:
        text = run.text
        if not text.strip():
            parts.append(text)
            continue
        if run.bold and run.italic:
            text = f"***{text}***"
        elif run.bold:
            text = f"**{text}**"
        elif run.italic:
            text = f"*{text}*"
        parts.append(text)
    return "".join(parts).replace("****", "")


def _docx_heading_level(paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    match = re.match(r"^(?:Heading|标题)\s*(\d)$", name)
    if match:
        return min(int(match.group(1)) + 1, 6)  # Heading 1 is a section (一、): '##'
    return 1 if name in ("Title", "标题") else None


def _docx_table(table) -> list[str]:
    rows = [[cell.text.strip().replace("|", "\\|").replace("\n", " ") for cell in row.cells] for row in table.rows]
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows[1:]])


def read_docx(data: bytes) -> str:
    """A Word (.docx) file as text lines: headings by style, emphasis, lists and tables as Markdown.

    Numbered headings written as plain paragraphs are left to :func:`to_markdown`, as for text files.
    """
    import zipfile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFailure(f"无法读取 Word 文件（{exc}）：请确认它是 .docx 格式。") from exc
    lines = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}tbl"):
            lines.append(_docx_table(Table(child, document)))
            continue
        if not child.tag.endswith("}p"):
            continue
        paragraph = Paragraph(child, document)
        text = _docx_inline(paragraph).strip()
        if not text:
            continue
        level = _docx_heading_level(paragraph)
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if level is not None:
            lines.append(paragraph.text.strip() if level == 1 else "#" * level + " " + paragraph.text.strip())
        elif style.startswith("List") or child.find(".//{*}numPr") is not None:
            lines.append("- " + text)  # a list item ('1.' would read as a numbered heading)
        else:
            lines.append(text)
    if not lines:
        raise ImportFailure("Word 文件中没有文字。")
    return "\n".join(lines) + "\n"


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """'{unit}/{year}.md' -> a regex over the end of a path.

    A '-suffix' just before the file extension is allowed and captured ('1964-part.md').
    """
    stem, extension = os.path.splitext(pattern)
    regex = ""
    for part in re.split(r"(\{\w+\})", stem):
        if part == "{year}":
            regex += r"(?P<year>\d{4})"
        elif part in ("{unit}", "{secretary}", "{position}"):
            regex += rf"(?P<{part[1:-1]}>[^/]+?)"
        elif part.startswith("{") and part.endswith("}"):
            raise ValueError(f"模式中未知的字段 {part}：可用 {{year}}、{{unit}}、{{secretary}}、{{position}}。")
        else:
            regex += re.escape(part)
    return re.compile(r"(?:^|/)" + regex + r"(?:-(?P<suffix>[^/.]+))?" + re.escape(extension) + "$")


def fields_from_path(path: str, pattern: re.Pattern[str] | None) -> dict[str, str]:
    if pattern is None:
        return {}
    match = pattern.search(path.replace("\\", "/"))
    if not match:
        return {}
    return {k: v for k, v in match.groupdict().items() if v}


@dataclass
class Draft:
    """A converted report before it is written: its metadata and body."""

    meta: dict
    body: str
    suffix: str = ""

    @property
    def text(self) -> str:
        return render_report(self.meta, self.body)

    def filename(self) -> str:
        unit = self.meta["unit"]
        return f"{unit}-{self.suffix}.md" if self.suffix else f"{unit}.md"


def convert(text: str, given: dict, *, kind: str = "") -> Draft:
    """Source text plus known fields (flags, manifest, path) -> a report draft.

    ``given`` wins over what the text says. Raises ImportFailure naming each missing key and
    the options that give it.
    """
    source_meta, body = split_source(text)
    found = detect_meta(body, source_meta)
    meta = {
        "year": given.get("year") or found.year,
        "unit": given.get("unit"),
        "secretary": clean_name(given.get("secretary") or found.secretary),
        "position": given.get("position") or found.position,
        "title": given.get("title") or found.title,
        "date": given.get("date") or found.date,
        "kind": kind if kind and kind != "述职报告" else "",
    }
    missing = []
    if not meta["year"]:
        missing.append("年份（year）：标题行中没有“XXXX年”，请用 --year、清单文件或 --pattern '{year}…' 指定")
    if not meta["unit"]:
        missing.append("单位（unit）：请用 --unit、清单文件或 --pattern '{unit}/…' 指定")
    if not meta["secretary"]:
        missing.append("报告人（secretary）：开头几行中没有“职务 姓名”这样的报告人行，请用 --secretary 或清单文件指定")
    if missing:
        raise ImportFailure("缺少 " + "；".join(missing) + "。")
    try:
        meta["year"] = int(meta["year"])
    except ValueError:
        raise ImportFailure(f"年份“{meta['year']}”不是整数，应写为如 2022。") from None
    if isinstance(meta["date"], str) and meta["date"]:
        try:
            meta["date"] = dt.date.fromisoformat(meta["date"])
        except ValueError:
            raise ImportFailure(f"日期“{meta['date']}”应为 YYYY-MM-DD 格式。") from None
    markdown = to_markdown(body, meta["title"])
    return Draft(meta, markdown, suffix=given.get("suffix", ""))


@dataclass
class Outcome:
    """What happened to one source file."""

    source: str
    status: str  # 导入 / 将导入 / 跳过 / 失败
    target: str = ""
    reason: str = ""


def collect_sources(paths: list[str]) -> list[Path]:
    """Files given directly, and every text or Word file below the folders given."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (*DEFAULT_SUFFIXES, ".doc", ".docx")
            )
        else:
            found.append(path)
    return found


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def register_units(units_file: Path, names: list[str]) -> None:
    """Append new units to ``units.yml``, keeping its comments and order."""
    text = units_file.read_text(encoding="utf-8") if units_file.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    text += "".join(f"- name: {yaml.safe_dump(n, allow_unicode=True).splitlines()[0]}\n" for n in names)
    write_atomic(units_file, text)


MANIFEST_REQUIRED = ("path", "year", "unit", "secretary")
MANIFEST_OPTIONAL = ("position", "title", "date")


def read_manifest(path: Path) -> dict[Path, dict[str, str]]:
    """A CSV manifest (path,year,unit,secretary[,position,title,date]) keyed by resolved file path.

    Relative paths are taken from the manifest's own folder.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("gb18030")  # saved from Excel on a Chinese system
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in MANIFEST_REQUIRED if c not in columns]
    if missing:
        raise ValueError(f"清单文件 {path} 缺少列：{'、'.join(missing)}（需要 path,year,unit,secretary）。")
    entries = {}
    for row in reader:
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not row.get("path"):
            continue
        source = Path(row["path"])
        source = (path.parent / source) if not source.is_absolute() else source
        entries[source.resolve()] = {k: row[k] for k in MANIFEST_REQUIRED[1:] + MANIFEST_OPTIONAL if row.get(k)}
    return entries


@dataclass
class ImportOptions:
    out_dir: Path
    units_file: Path
    given: dict = field(default_factory=dict)  # --year/--unit/--secretary/--position
    manifest: dict[Path, dict[str, str]] = field(default_factory=dict)
    pattern: str = ""
    kind: str = ""
    force: bool = False
    dry_run: bool = False
    add_units: bool = False


def run_import(
    sources: list[Path],
    options: ImportOptions,
    base: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """Convert every source; write what validates (unless dry-run); report each file's outcome.

    Metadata, strongest first: ``options.given`` (flags), the manifest, the path pattern, the text.
    """
    registry, _ = load_registry(options.units_file)
    regex = pattern_regex(options.pattern) if options.pattern else None
    outcomes: list[Outcome] = []
    taken: dict[tuple, str] = {}  # (year, unit, secretary, kind) -> source, within this run
    targets: set[Path] = set()
    new_units: list[str] = []
    for number, path in enumerate(sources):
        if progress:
            progress(number, len(sources))
        shown = str(path.relative_to(base)) if base and path.is_relative_to(base) else str(path)
        try:
            given = fields_from_path(path.as_posix(), regex) | options.manifest.get(path.resolve(), {})
            given |= {k: v for k, v in options.given.items() if v}
            if given.get("unit") and given["unit"] not in registry and registry.by_alias(given["unit"]):
                given["unit"] = registry.by_alias(given["unit"]).name
            draft = convert(read_text_file(path.read_bytes(), path.name), given, kind=options.kind)
        except (ImportFailure, ValueError) as exc:
            outcomes.append(Outcome(shown, "失败", reason=str(exc)))
            continue
        meta = draft.meta
        key = (meta["year"], meta["unit"], meta["secretary"], meta.get("kind") or DEFAULT_KIND)
        if key in taken:
            outcomes.append(
                Outcome(
                    shown,
                    "失败",
                    reason=f"同一年有两份报告：{meta['year']} 年{meta['unit']}{meta['secretary']}的报告"
                    f"已由 {taken[key]} 导入。",
                )
            )
            continue
        target = options.out_dir / str(meta["year"]) / draft.filename()
        if target in targets:
            draft.suffix = draft.suffix or str(sum(1 for t in targets if t.parent == target.parent) + 1)
            target = options.out_dir / str(meta["year"]) / draft.filename()
        if meta["unit"] not in registry:
            if not options.add_units:
                reason = registry.unknown_unit_message(meta["unit"]) + "（或加 --add-units 自动登记）"
                outcomes.append(Outcome(shown, "失败", reason=reason))
                continue
            new_units.append(meta["unit"])
            registry = Registry([*registry.units, Unit(meta["unit"], order=len(registry.units))], path=registry.path)
        rel = f"reports/{meta['year']}/{target.name}"
        source, problems = split(draft.text, rel)
        if source is not None:
            problems = check_source(source, rel, registry)[1]
        if problems:
            outcomes.append(Outcome(shown, "失败", reason="；".join(p.message for p in problems)))
            continue
        if target.exists() and not options.force:
            outcomes.append(Outcome(shown, "跳过", str(target), "目标文件已存在，未覆盖（用 --force 覆盖）。"))
            continue
        taken[key] = shown
        targets.add(target)
        if not options.dry_run:
            write_atomic(target, draft.text)
        outcomes.append(Outcome(shown, "将导入" if options.dry_run else "导入", str(target)))
    if progress:
        progress(len(sources), len(sources))
    if new_units and not options.dry_run:
        register_units(options.units_file, new_units)
    return outcomes
