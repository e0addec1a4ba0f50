"""The units registry: ``units.yml``, a YAML list of mappings with at least ``name``."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import Problem
from .plain import markup_problem, name_problem
from .source import decode, parse_yaml, sequence_lines, yaml_error_line

UNIT_KEYS = {"name", "order", "parent", "aliases", "short", "formerly"}
# Characters that would break a file name or a URL path segment.
_BAD_NAME_RE = re.compile(r"[\s/\\|\[\]()<>#?%*:\"']")


@dataclass(frozen=True)
class Former:
    """A name the unit had before a rename or merger, used up to and including ``until``."""

    name: str
    until: int | None = None


@dataclass(frozen=True)
class Unit:
    name: str
    order: int
    parent: str = ""
    aliases: tuple[str, ...] = ()
    short: str = ""
    formerly: tuple[Former, ...] = ()


@dataclass
class Registry:
    units: list[Unit] = field(default_factory=list)
    path: str = "units.yml"

    def __post_init__(self) -> None:
        self._by_name = {u.name: u for u in self.units}
        self._by_alias = {a: u for u in self.units for a in u.aliases}
        self._former = {f.name: (u, f) for u in self.units for f in u.formerly}

    def __contains__(self, name: str) -> bool:
        """Registered under this name now, or under it formerly."""
        return name in self._by_name or name in self._former

    def canonical(self, name: str) -> str:
        """The unit's current name (a former name maps to the unit that carries on its work)."""
        return self._former[name][0].name if name in self._former and name not in self._by_name else name

    def former(self, name: str) -> Former | None:
        return self._former[name][1] if name in self._former and name not in self._by_name else None

    def get(self, name: str) -> Unit | None:
        return self._by_name.get(name)

    def by_alias(self, name: str) -> Unit | None:
        return self._by_alias.get(name)

    def sort_key(self, name: str) -> tuple[int, str]:
        """Registry order first, then name; unknown units last."""
        unit = self._by_name.get(name)
        return (unit.order if unit else 1 << 30, name)

    def closest(self, name: str) -> str | None:
        """The registered name most like ``name`` (aliases count toward their unit)."""
        if not self.units:
            return None
        if name in self._by_alias:
            return self._by_alias[name].name
        candidates = list(self._by_name) + list(self._by_alias)
        best = max(
            candidates,
            key=lambda c: difflib.SequenceMatcher(None, name, c).ratio(),
        )
        unit = self._by_alias.get(best) or self._by_name[best]
        return unit.name

    def unknown_unit_message(self, name: str) -> str:
        message = f"单位“{name}”未在 {self.path} 中登记"
        closest = self.closest(name)
        if closest:
            message += f"；最接近的已登记单位是“{closest}”"
        return message + "。请改正单位名称，或在 units.yml 中登记该单位。"


def load_registry(path: Path) -> tuple[Registry, list[Problem]]:
    """Read ``units.yml``; return the registry and every problem found in it."""
    shown = path.name
    problems: list[Problem] = []
    if path.is_symlink():
        return Registry(path=shown), [Problem(shown, None, "units.yml 不能是符号链接。请换成普通文件。")]
    if not path.is_file():
        return Registry(path=shown), [Problem(shown, None, "找不到单位登记表 units.yml。")]
    text = decode(path.read_bytes())
    if text is None:
        return Registry(path=shown), [Problem(shown, None, "units.yml 不是 UTF-8 编码。请另存为 UTF-8。")]
    try:
        data, node = parse_yaml(text)
    except yaml.YAMLError as exc:
        return Registry(path=shown), [
            Problem(shown, yaml_error_line(exc), f"YAML 格式错误：{getattr(exc, 'problem', None) or exc}。")
        ]
    lines = sequence_lines(node)
    if data is None:
        data = []
    if not isinstance(data, list):
        return Registry(path=shown), [Problem(shown, 1, "units.yml 应是一个列表，每项是含 name 的映射。")]
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        line = lines[index] if index < len(lines) else None
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            problems.append(Problem(shown, line, f"第 {index + 1} 项缺少 name。"))
            continue
        name = str(item["name"]).strip()
        for key in sorted(set(item) - UNIT_KEYS):
            problems.append(Problem(shown, line, f"单位“{name}”有未知的键“{key}”。"))
        if message := name_problem(name):
            problems.append(Problem(shown, line, f"单位名称“{name[:60]}”{message}。"))
            continue
        if _BAD_NAME_RE.search(name):
            problems.append(Problem(shown, line, f"单位名称“{name}”含有空格或不能用于文件名的字符。"))
        if name in seen:
            problems.append(Problem(shown, line, f"单位“{name}”重复登记（另见第 {seen[name]} 行）。"))
            continue
        seen[name] = line or 0
        texts, found = _plain_fields(item, name, shown, line)
        problems += found
        aliases = texts.get("aliases", [])
        formerly = []
        for entry in _listed(item.get("formerly")):
            old = entry.get("name") if isinstance(entry, dict) else entry
            until = entry.get("until") if isinstance(entry, dict) else None
            bad_until = until is not None and (not isinstance(until, int) or isinstance(until, bool))
            if not isinstance(old, str) or not old.strip() or bad_until or name_problem(old):
                problems.append(
                    Problem(shown, line, f"单位“{name}”的 formerly 应写为 [{{name: 旧名称, until: 年份}}]。")
                )
                continue
            formerly.append(Former(str(old), until))
        order = item.get("order", index)
        if not isinstance(order, int) or isinstance(order, bool):
            problems.append(Problem(shown, line, f"单位“{name}”的 order 应为整数。"))
            order = index
        units.append(
            Unit(
                name=name,
                order=order,
                parent=texts.get("parent", [""])[0],
                aliases=tuple(aliases),
                short=texts.get("short", [""])[0],
                formerly=tuple(formerly),
            )
        )
    return Registry(units, path=shown), problems


def _listed(value: object) -> list:
    """A registry field that may be one value or a list of them, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _plain_fields(item: dict, name: str, shown: str, line: int | None) -> tuple[dict[str, list[str]], list[Problem]]:
    """parent and short (one text each) and aliases (a list of texts), checked to be plain text."""
    texts: dict[str, list[str]] = {}
    problems = []
    for key, many in (("parent", False), ("short", False), ("aliases", True)):
        value = item.get(key)
        values = _listed(value) if many else ([] if value is None else [value])
        if any(not isinstance(v, str | int) or isinstance(v, bool) for v in values):
            kind = "文字或文字的列表，如 [别名一, 别名二]" if many else "文字"
            problems.append(Problem(shown, line, f"单位“{name}”的 {key} 应为{kind}。"))
            continue
        kept = []
        for text in (str(v).strip() for v in values):
            if message := markup_problem(text):
                problems.append(Problem(shown, line, f"单位“{name}”的 {key}“{text[:60]}”{message}。"))
            else:
                kept.append(text)
        texts[key] = kept or [""] if not many else kept
    return texts, problems
