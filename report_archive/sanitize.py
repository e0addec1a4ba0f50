"""The HTML a report may contain: an allowlist applied to every report page after Markdown.

Reports arrive through pull requests and imports, so their HTML is untrusted. ``clean`` keeps only
what a report needs (headings, paragraphs, lists, tables, emphasis, footnotes, admonitions, links
to http/https/mailto or within the site, images from the site itself) and drops everything else;
the published page is always its output. ``removals`` says what ``clean`` would drop, so that
validation and ``mkdocs build --strict`` fail instead of dropping it silently.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

import lxml.html
import nh3
from lxml import etree

TAGS = frozenset(
    {
        *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span", "blockquote"),
        *("ul", "ol", "li", "dl", "dt", "dd"),
        *("table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col"),
        *("strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup", "mark", "small", "abbr"),
        *("code", "pre", "kbd", "a", "img", "details", "summary"),
    }
)
ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "col": {"span"},
    "ol": {"start", "type"},
    "details": {"open"},
}
# Classes that the Markdown extensions (footnotes, admonitions) put on what they generate.
CLASSES = {
    "div": {"footnote", "admonition", "note", "info", "tip", "success", "warning", "danger", "example", "quote"},
    "p": {"admonition-title"},
    "a": {"footnote-ref", "footnote-backref"},
}
LINK_SCHEMES = {"http", "https", "mailto"}
# Content that is never text to show: dropped with the tag.
DROPPED_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "svg", "math"}
_ID_RE = re.compile(r"^(?!__)[\w:.-]{1,80}$")
# Document-level tags: a fragment parser drops them without a trace, a browser merges their
# attributes (onload=…) into the page's own element. Each is reported as removed.
_DOCUMENT_TAG_RE = re.compile(r"<(html|head|body)\b[^<>]{0,2000}>", re.IGNORECASE)


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """Values the allowlist of names cannot judge: image sources, ids."""
    if tag == "img" and name == "src":
        parts = urlsplit(value)
        return None if parts.scheme or parts.netloc or value.lstrip().startswith(("//", "\\")) else value
    if name == "id":
        return value if _ID_RE.match(value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
    attribute_filter=_attribute_filter,
    strip_comments=False,
    link_rel=None,
    url_schemes=LINK_SCHEMES,
    allowed_classes={tag: set(names) for tag, names in CLASSES.items()},
)


def clean(html: str) -> str:
    """``html`` with everything outside the allowlist removed."""
    return _CLEANER.clean(html)


def _tokens(html: str) -> list[tuple[str, ...]]:
    """Elements (tag and attributes) and text of a fragment, in document order, as parsed by libxml2."""
    tokens: list[tuple[str, ...]] = []

    def text(value: str | None) -> None:
        if value and value.strip():
            tokens.append(("text", " ".join(value.split())))

    if not html.strip():
        return tokens
    try:
        fragments = lxml.html.fragments_fromstring(html)
    except (etree.ParserError, ValueError):
        return [("text", html)]
    for fragment in fragments:
        if isinstance(fragment, str):
            text(fragment)
            continue
        for element in fragment.iter():
            if isinstance(element, etree._Comment):
                tokens.append(("comment", element.text or ""))
            elif isinstance(element.tag, str):
                tokens.append(("tag", element.tag, *(f"{k}={v}" for k, v in sorted(element.attrib.items()))))
            text(element.text)
            if element is not fragment:
                text(element.tail)
        text(fragment.tail)
    return tokens


# Attributes most elements carry; a removed element is found in the source by its other ones first.
_COMMON = ("src=", "alt=", "href=", "title=", "id=", "class=")


def _describe(token: tuple[str, ...]) -> tuple[str, list[str]]:
    """A description of a removed token, and strings that find it in the Markdown source."""
    kind, *rest = token
    if kind == "tag":
        name, attributes = rest[0], rest[1:]
        shown = "".join(f' {a.split("=", 1)[0]}="{a.split("=", 1)[1][:40]}"' for a in attributes)
        names = [a.split("=", 1)[0] for a in attributes if not a.startswith(_COMMON)]
        values = [a.split("=", 1)[1] for a in attributes if len(a.split("=", 1)[1]) > 3]
        return f"<{name}{shown}>", [*names, f"<{name}", *values]
    if kind == "comment":
        return f"<!--{rest[0][:40]}-->", ["<!--"]
    return f"文字“{rest[0][:40]}”", [rest[0][:20]]


def removals(html: str, cleaned: str | None = None) -> list[tuple[str, list[str]]]:
    """What cleaning ``html`` removes or changes: (description, where to look in the source) each."""
    cleaned = clean(html) if cleaned is None else cleaned
    found = [(m.group(0)[:120], [m.group(0)[:40]]) for m in _DOCUMENT_TAG_RE.finditer(html)]
    if cleaned == html:  # nothing dropped (the usual case): no need to parse both
        return found
    before, after = Counter(_tokens(html)), Counter(_tokens(cleaned))
    if before == after:
        return found
    return found + [_describe(token) for token in before - after]


def clean_and_report(html: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """``clean(html)`` and what it removed (``removals``), cleaning once."""
    cleaned = clean(html)
    return cleaned, removals(html, cleaned)
