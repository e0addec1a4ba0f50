"""What a report says about itself: title, year, speaker (secretary), position and date.

Every reading of the speaker in the opening lines and the closing signature is collected; one
reading is used, several distinct ones are refused by :func:`.convert.convert` with the list of
candidates (the ``--secretary`` flag settles it). The title line is never read as a speaker.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .dates import DATE_ONLY_RE, DATE_RE, parse_date, parse_year
from .structure import heading_level, logical_lines, plain

_HAN = r"\u3400-\u9fff"
# A name: 2-5 characters, perhaps padded with spaces ('黄 强'), or a name with a middle dot.
NAME = rf"[{_HAN}](?:\s?[{_HAN}]){{1,4}}|[{_HAN}]{{1,6}}[·•・][{_HAN}]{{1,8}}"
_TITLE_ALT = (
    "副总理|总理|省长|市长|县长|区长|州长|盟长|旗长|镇长|乡长|主席|书记|主任|局长|厅长|部长|院长|社长|校长|组长|"
    "处长|科长|委员|行长|会长|所长|队长|馆长|站长|董事长|总经理|经理|秘书长|理事长|检察长|司令员|政委"
)
_POSITION = rf"[^，。：:；、\s（()）]{{0,40}}?(?:{_TITLE_ALT})"
SPEAKER_RE = re.compile(rf"^(?P<position>{_POSITION})[\s：:]*(?P<name>{NAME})$")
POSITION_RE = re.compile(rf"^(?P<position>{_POSITION})$")
NAME_RE = re.compile(rf"^(?P<name>{NAME})$")
LABEL_RE = re.compile(r"^(?:述职人|报告人|汇报人|发言人)\s*[：:]\s*(?P<rest>.+)$")
PAREN_RE = re.compile(rf"[（(]\s*(?P<date>{DATE_RE.pattern})\s*(?:在[^（）()]*?)?\s+(?P<name>{NAME})\s*[）)]$")
NOT_NAMES = (
    "报告",
    "述职",
    "工作",
    "讲话",
    "发言",
    "汇报",
    "总结",
    "会议",
    "同志",
    "情况",
    "党建",
    "基层",
    "代表",
    "政府",
)
TITLE_WORDS = ("报告",)
OPENING_LINES = 12  # speaker, date and title are looked for in this many lines at the start…
CLOSING_LINES = 4  # …and a signature in this many short lines at the end
LONG_LINE = 60  # the opening ends at the first longer line (the body has started)


@dataclass
class Candidate:
    name: str
    position: str
    where: str  # the line it was read from, for the message that lists candidates


@dataclass
class Detected:
    """What the text says about itself."""

    title: str = ""
    year: int | None = None
    secretary: str = ""
    position: str = ""
    date: dt.date | None = None
    meta: dict = field(default_factory=dict)  # front matter the source file already had
    candidates: list[Candidate] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)


def clean_name(name: str) -> str:
    """'黄 强' -> '黄强': names are padded with spaces for alignment in print."""
    return re.sub(r"[\s　]+", "", name)


def is_name(text: str) -> bool:
    return bool(NAME_RE.match(text)) and not any(word in text for word in NOT_NAMES)


def is_title(line: str) -> bool:
    """A short line that names a report, not a sentence or a numbered heading."""
    return (
        len(line) <= LONG_LINE
        and any(w in line for w in TITLE_WORDS)
        and not any(p in line for p in "，。：；")
        and heading_level(line) is None
    )


def find_title(lines: list[str]) -> tuple[str, int]:
    """The title and how many lines it takes: one line, or up to three short opening lines."""
    for count in (1, 2, 3):
        pieces = lines[:count]
        if len(pieces) < count or not all(map(_title_piece, pieces)):
            break
        joined = PAREN_RE.sub("", "".join(pieces)).strip()
        if is_title(joined):
            return joined, count
    for line in lines[:OPENING_LINES]:
        if is_title(PAREN_RE.sub("", line).strip()):
            return PAREN_RE.sub("", line).strip(), 0
    return "", 0


def _speaker(line: str) -> re.Match[str] | None:
    """'职务 姓名' when the name part is a name ('…书记抓基层' is not)."""
    match = SPEAKER_RE.match(line)
    return match if match and is_name(clean_name(match.group("name"))) else None


def _title_piece(line: str) -> bool:
    """A line that may be part of a title broken over lines: short, no sentence, date or speaker."""
    return (
        len(line) <= 30
        and not any(p in line for p in "，。：；——")
        and not DATE_RE.search(line)
        and not _speaker(line)
        and not LABEL_RE.match(line)
    )


def _is_date_line(line: str, closing: bool = False) -> bool:
    """A line that dates the report: only a date, or (in the opening) '——…日在…会议上'."""
    return bool(DATE_ONLY_RE.match(line)) or (
        not closing and bool(DATE_RE.search(line)) and ("在" in line or line.startswith(("（", "(", "——", "—")))
    )


def _read_speaker(lines: list[str], i: int) -> Candidate | None:
    line = lines[i]
    where = f"第 {i + 1} 行“{line}”"
    label = LABEL_RE.match(line)
    if label:
        line = label.group("rest").strip()
    match = _speaker(line)
    if match:
        return Candidate(clean_name(match.group("name")), clean_name(match.group("position")), where)
    if not is_name(line):
        return None
    before = lines[i - 1] if i > 0 else ""
    after = lines[i + 1] if i + 1 < len(lines) else ""
    if label or POSITION_RE.match(before):
        position = clean_name(before) if not label and POSITION_RE.match(before) else ""
        return Candidate(clean_name(line), position, where)
    if _is_date_line(before) or DATE_ONLY_RE.match(after):
        return Candidate(clean_name(line), "", where)
    return None


def _regions(lines: list[str]) -> tuple[list[int], list[int]]:
    opening = []
    for i, line in enumerate(lines[:OPENING_LINES]):
        if len(line) > LONG_LINE or heading_level(line) is not None:
            break
        opening.append(i)
    closing = [i for i in range(max(len(lines) - CLOSING_LINES, 0), len(lines)) if len(lines[i]) <= 40]
    return opening, [i for i in closing if i not in opening]


def detect_meta(text: str, source_meta: dict | None = None) -> Detected:
    """Find title, year, speaker, position and date in the opening and closing lines of ``text``."""
    found = Detected(meta=dict(source_meta or {}))
    lines = [plain(line) for line in logical_lines(text)]
    found.title, title_lines = find_title(lines)
    readings: list[Candidate] = []
    opening, closing = _regions(lines)
    for i in sorted(set(opening) | set(closing)):
        line = lines[i]
        paren = PAREN_RE.search(line)
        if paren and is_name(clean_name(paren.group("name"))):
            readings.append(Candidate(clean_name(paren.group("name")), "", f"第 {i + 1} 行“{line}”"))
            found.dates.append(parse_date(paren.group("date")))
        elif i >= title_lines and (speaker := _read_speaker(lines, i)) and found.title != line:
            readings.append(speaker)
        if _is_date_line(line, closing=i not in opening) and not paren:
            found.dates.append(parse_date(line))
    for reading in readings:
        known = next((c for c in found.candidates if c.name == reading.name), None)
        if known is None:
            found.candidates.append(reading)
        elif not known.position:
            known.position = reading.position
    found.dates = sorted({d for d in found.dates if d})
    if len(found.candidates) == 1:
        found.secretary, found.position = found.candidates[0].name, found.candidates[0].position
    if len(found.dates) == 1:
        found.date = found.dates[0]
    header_title = str(found.meta.get("title") or "")
    found.title = found.title or header_title
    found.year = parse_year(found.title) or parse_year(header_title)
    return found
