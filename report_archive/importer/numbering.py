"""Word's automatic numbering: the labels a reader sees (一、 （一） 1. （1）), from numbering.xml.

pandoc turns numbered paragraphs into lists and forgets Chinese formats, so the importer computes
each paragraph's label here and writes it into the paragraph as literal text before conversion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
_DIGITS = "〇一二三四五六七八九"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def attr(element: etree._Element | None, name: str = "val") -> str | None:
    """A w: attribute of ``element``, or None when the element is missing."""
    return None if element is None else element.get(f"{{{W}}}{name}")


def chinese_count(n: int, digits: str = _DIGITS, ten: str = "十") -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (as Word writes chineseCounting)."""
    if n <= 0:
        return digits[0]
    if n < 10:
        return digits[n]
    if n < 20:
        return ten + (digits[n - 10] if n > 10 else "")
    if n < 100:
        return digits[n // 10] + ten + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if not rest else (digits[0] if rest < 10 else "") + chinese_count(rest, digits, ten)
    if 10 <= rest < 20:
        tail = digits[1] + tail  # 一百一十二
    return digits[n // 100] + "百" + tail


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC")):
        out, n = out + letters * (n // value), n % value
    for value, letters in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        out, n = out + letters * (n // value), n % value
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: "".join(chr(ord(c) + 0xFEE0) for c in str(n)),
    "decimalFullWidth2": lambda n: "".join(chr(ord(c) + 0xFEE0) for c in str(n)),
    "decimalHalfWidth": str,
    "decimalEnclosedCircle": lambda n: _CIRCLED[n - 1] if 0 < n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: _CIRCLED[n - 1] if 0 < n <= 20 else str(n),
    "chineseCounting": chinese_count,
    "chineseCountingThousand": chinese_count,
    "japaneseCounting": chinese_count,
    "taiwaneseCounting": chinese_count,
    "taiwaneseCountingThousand": chinese_count,  # LibreOffice writes chineseCounting so
    "ideographDigital": lambda n: "".join(_DIGITS[int(c)] for c in str(n)),
    "taiwaneseDigital": lambda n: "".join(_DIGITS[int(c)] for c in str(n)),
    "chineseLegalSimplified": lambda n: chinese_count(n, _LEGAL, "拾"),
    "ideographLegalTraditional": lambda n: chinese_count(n, _LEGAL, "拾"),
    "ideographTraditional": lambda n: _STEMS[(n - 1) % 10],
    "ideographZodiac": lambda n: _BRANCHES[(n - 1) % 12],
    "upperLetter": _letters,
    "lowerLetter": lambda n: _letters(n).lower(),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
    "none": lambda n: "",
}


def format_number(n: int, fmt: str) -> str:
    """``n`` in Word's number format ``fmt``; formats not known here fall back to decimal."""
    return FORMATS.get(fmt, str)(n)


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # lvlRestart: 0 never restarts; None restarts after any higher level
    legal: bool = False  # isLgl: shown as decimal inside multi-level labels


def _levels(parent: etree._Element, base: dict[int, Level] | None = None) -> dict[int, Level]:
    levels = dict(base or {})
    for lvl in parent.findall("w:lvl", NS):
        restart = attr(lvl.find("w:lvlRestart", NS))
        levels[int(attr(lvl, "ilvl") or 0)] = Level(
            start=int(attr(lvl.find("w:start", NS)) or 1),
            fmt=attr(lvl.find("w:numFmt", NS)) or "decimal",
            text=attr(lvl.find("w:lvlText", NS)) or "",
            restart=int(restart) if restart is not None else None,
            legal=lvl.find("w:isLgl", NS) is not None,
        )
    return levels


@dataclass
class Numbering:
    """Numbering definitions plus the running counters, fed paragraph by paragraph in order."""

    lists: dict[str, tuple[str, dict[int, Level], dict[int, int]]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def parse(cls, xml: bytes | None) -> Numbering:
        numbering = cls()
        if not xml:
            return numbering
        root = etree.fromstring(xml)
        abstract = {attr(a, "abstractNumId"): a for a in root.findall("w:abstractNum", NS)}
        for num in root.findall("w:num", NS):
            abstract_id = attr(num.find("w:abstractNumId", NS))
            if abstract_id not in abstract:
                continue
            levels = _levels(abstract[abstract_id])
            starts: dict[int, int] = {}
            for override in num.findall("w:lvlOverride", NS):
                ilvl = int(attr(override, "ilvl") or 0)
                levels = _levels(override, levels)
                start = attr(override.find("w:startOverride", NS))
                if start is not None:
                    starts[ilvl] = int(start)
            key = f"num{attr(num, 'numId')}" if starts else f"abs{abstract_id}"
            numbering.lists[attr(num, "numId") or ""] = (key, levels, starts)
        return numbering

    def is_bullet(self, num_id: str, ilvl: int) -> bool:
        entry = self.lists.get(num_id)
        return entry is None or entry[1].get(ilvl, Level(fmt="bullet")).fmt == "bullet"

    def label(self, num_id: str, ilvl: int) -> str:
        """Count one more paragraph at ``ilvl`` of list ``num_id`` and give its label."""
        key, levels, starts = self.lists[num_id]
        counters = self.counters.setdefault(key, {})
        level = levels.get(ilvl, Level())
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else starts.get(ilvl, level.start)
        for deeper in [d for d in counters if d > ilvl]:
            restart = levels.get(deeper, Level()).restart
            if restart is None or (restart and ilvl < restart):
                del counters[deeper]
        multi = len(re.findall(r"%\d", level.text)) > 1

        def number(match: re.Match[str]) -> str:
            at = int(match.group(1)) - 1
            shown = levels.get(at, Level())
            value = counters.get(at, starts.get(at, shown.start))
            return format_number(value, "decimal" if (level.legal and multi) else shown.fmt)

        return re.sub(r"%(\d)", number, level.text)
