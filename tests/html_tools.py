"""Small helpers to read built HTML pages in tests (standard library only)."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):
        self.text.append(data)


def parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def page_file(site: Path, url: str) -> Path:
    """The built file for a site URL path like '/years/2022/'."""
    path = site / unquote(url).lstrip("/")
    return path / "index.html" if url.endswith("/") else path


def resolve(site: Path, page: Path, href: str) -> Path:
    """The file a relative link on ``page`` points at."""
    target = urlsplit(href).path
    base = page.parent.relative_to(site).as_posix()
    joined = posixpath.normpath(posixpath.join(base, unquote(target)))
    result = site / joined
    return result / "index.html" if href.endswith("/") or result.is_dir() else result


def external_loads(path: Path) -> list[str]:
    """URLs of resources the page would load from another host (scripts, styles, images, frames)."""
    loads = []
    for tag, attrs in parse(path).tags:
        urls = []
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed"):
            urls.append(attrs.get("src", ""))
        if tag == "link" and attrs.get("rel", "") in ("stylesheet", "preload", "icon", "modulepreload", "prefetch"):
            urls.append(attrs.get("href", ""))
        loads += [u for u in urls if u.startswith(("http:", "https:", "//"))]
    return loads
