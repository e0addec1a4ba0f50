"""Reading a report file: bytes to text, then front matter (with line numbers) and body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml

from .model import Problem

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is many times faster


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that leaves dates as text, so a bad date is a validation message, not a crash."""

    yaml_implicit_resolvers: ClassVar[dict] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }


# The same front matter block MkDocs recognises: '---' line, YAML, '---' or '...' line.
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)

_ENCODING_NAMES = {
    "gb2312": "GBK/GB18030",
    "gbk": "GBK/GB18030",
    "gb18030": "GBK/GB18030",
    "hz": "GBK/GB18030",
    "big5": "Big5（繁体中文）",
    "big5hkscs": "Big5（繁体中文）",
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16",
    "utf_16_be": "UTF-16",
    "utf_32": "UTF-32",
}


def guess_encoding(data: bytes) -> str | None:
    """Name the encoding that non-UTF-8 ``data`` most likely uses, for a message to the user."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    try:
        data.decode("gb18030")
        return "GBK/GB18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    return _ENCODING_NAMES.get(best.encoding, best.encoding)


def decode(data: bytes) -> str | None:
    """UTF-8 text (a byte-order mark is allowed) or None."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _refuse(problem: str, mark: yaml.Mark | None) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=problem, problem_mark=mark)


def _check_nodes(node: yaml.Node | None) -> None:
    """Refuse duplicate keys anywhere in the tree (YAML would keep the last one silently)."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise _refuse(f"键“{key.value}”重复出现", key.start_mark)
                    seen.add(key.value)
                stack += [key, value]
        elif isinstance(current, yaml.SequenceNode):
            stack += current.value


def parse_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document; return the data and its node tree (for line numbers).

    Anchors and aliases (``&a``, ``*a``: a few hundred bytes of them expand to gigabytes) and
    duplicate keys are refused with a ``yaml.MarkedYAMLError``.
    """
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _refuse("不允许使用 YAML 锚点和别名（& 和 *）", event.start_mark)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        _check_nodes(node)
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def mapping_lines(node: yaml.Node | None, offset: int = 0) -> dict[str, int]:
    """1-based line of each key of a YAML mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 + offset for k, _ in node.value}


def sequence_lines(node: yaml.Node | None, offset: int = 0) -> list[int]:
    """1-based line of each item of a YAML sequence node."""
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 + offset for item in node.value]


def yaml_error_line(exc: yaml.YAMLError, offset: int = 0) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 + offset if mark is not None else None


@dataclass
class Source:
    """A report file split into front matter and body."""

    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # 1-based line number of the body's first line
    key_lines: dict[str, int] = field(default_factory=dict)


def split(text: str, file: str) -> tuple[Source | None, list[Problem]]:
    """Split ``text`` into front matter and body; problems if the block is missing or malformed."""
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        if text.startswith("---"):
            return None, [Problem(file, 1, "文件头（front matter）没有结束：缺少单独一行的 ---。")]
        return None, [Problem(file, 1, "缺少文件头（front matter）：文件应以 --- 开始，写明 year、unit、secretary。")]
    yaml_text = match.group(1) or ""
    body = text[match.end() :]
    body_line = text.count("\n", 0, match.end()) + 1
    try:
        meta, node = parse_yaml(yaml_text)
    except yaml.YAMLError as exc:
        detail = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(file, yaml_error_line(exc, 1), f"文件头的 YAML 格式错误：{detail}。")]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return None, [Problem(file, 2, "文件头应是“键: 值”的映射。")]
    return Source(meta, body, body_line, mapping_lines(node, 1)), []
