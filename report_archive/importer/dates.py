"""Dates as reports write them: 2023年1月12日, ２０２３年１月１２日 or 二〇二三年一月十二日."""

from __future__ import annotations

import datetime as dt
import re

_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "O": 0, "0": 0}
_NUMERAL = "0-9０-９〇零○Ｏ一二三四五六七八九十"
DATE_RE = re.compile(rf"([{_NUMERAL}]{{4}})\s*年\s*([{_NUMERAL}]{{1,3}})\s*月\s*([{_NUMERAL}]{{1,3}})\s*[日号]")
YEAR_RE = re.compile(rf"([{_NUMERAL}]{{4}})\s*年")
DATE_ONLY_RE = re.compile(rf"^[（(]?\s*{DATE_RE.pattern}\s*[）)]?$")


def number(text: str) -> int | None:
    """'2023', '２０２３', '二〇二三' -> 2023; '十二' -> 12, '二十三' -> 23."""
    text = "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "９" else c for c in text)
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        return _DIGIT.get(tens, 1 if not tens else -100) * 10 + (_DIGIT.get(ones, -100) if ones else 0)
    digits = [_DIGIT.get(c) for c in text]
    return None if None in digits else int("".join(map(str, digits)))


def parse_date(text: str) -> dt.date | None:
    match = DATE_RE.search(text)
    if not match:
        return None
    parts = [number(g) for g in match.groups()]
    try:
        return dt.date(*parts) if None not in parts else None
    except (ValueError, TypeError):
        return None


def parse_year(text: str) -> int | None:
    match = YEAR_RE.search(text)
    year = number(match.group(1)) if match else None
    return year if year and 1900 <= year <= 2200 else None
