"""Small helpers to read built HTML pages in tests (standard library only)."""

from __future__ import annotations

import html
import posixpath
import re
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


def report_fields(path: Path) -> list[str]:
    """Title, unit, secretary and visible body text of a built report page (raw, not normalised).

    The body leaves out what is not the report's own text: the archive header and last year's panel.
    """
    page = path.read_text(encoding="utf-8")
    title = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)).rsplit(" - ", 1)[0]
    article = page[page.index("<article") : page.index("</article>")]
    header = re.search(r'<nav class="report-header".*?</nav>', article, re.S).group(0)
    panel = re.search(r'<aside class="report-panel".*?</aside>', article, re.S)
    facts = [html.unescape(t) for t in re.findall(r"<dd><a [^>]*>(.*?)</a></dd>", header)]
    body = article.replace(header, "").replace(panel.group(0), "") if panel else article.replace(header, "")
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return [title, facts[1], facts[2], html.unescape(re.sub(r"<[^>]+>", " ", body))]
