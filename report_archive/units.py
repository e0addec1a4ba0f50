"""The units registry: ``units.yml``, a YAML list of mappings with at least ``name``."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import Problem
from .source import parse_yaml, sequence_lines, yaml_error_line

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
    if not path.exists():
        return Registry(path=shown), [Problem(shown, None, "找不到单位登记表 units.yml。")]
    text = path.read_text(encoding="utf-8-sig")
    try:
        data, node = parse_yaml(text)
    except yaml.YAMLError as exc:
        return Registry(path=shown), [Problem(shown, yaml_error_line(exc), f"YAML 格式错误：{exc}")]
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
        if _BAD_NAME_RE.search(name):
            problems.append(Problem(shown, line, f"单位名称“{name}”含有空格或不能用于文件名的字符。"))
        if name in seen:
            problems.append(Problem(shown, line, f"单位“{name}”重复登记（另见第 {seen[name]} 行）。"))
            continue
        seen[name] = line or 0
        aliases = item.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [aliases]
        formerly = []
        for entry in item.get("formerly") or []:
            old = entry.get("name") if isinstance(entry, dict) else entry
            until = entry.get("until") if isinstance(entry, dict) else None
            if not old or (until is not None and (not isinstance(until, int) or isinstance(until, bool))):
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
                parent=str(item.get("parent") or ""),
                aliases=tuple(str(a) for a in aliases),
                short=str(item.get("short") or ""),
                formerly=tuple(formerly),
            )
        )
    return Registry(units, path=shown), problems
