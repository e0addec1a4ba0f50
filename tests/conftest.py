"""Shared fixtures: small archives written on the fly, and real MkDocs builds."""

from __future__ import annotations

import contextlib
import filecmp
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Fixtures copied into the repository: the tests need nothing outside it.
DATA = ROOT / "tests" / "data"
SEED = DATA / "seed.txt"
CORPUS = DATA / "corpus"
MKDOCS = [sys.executable, "-m", "mkdocs"]
UNITS = "- name: 市民政局\n- name: 市财政局\n- name: 区教育局\n"


# A report using the Markdown features the site's setup and its HTML allowlist accept.
TRICKY_BODY = """# 标题

## 一、工作情况 {#work}

正文**加粗**、*斜体*、`代码`，脚注[^1]，回到[上文](#work)，外链[网站](https://example.org/x)。

| 项目 | 数量 |
|:-----|-----:|
| 甲 | 1 |

```
<script>alert(1)</script>
```

!!! note "注意"
    提示内容。

<div markdown="1" id="raw">
**块内** Markdown
</div>

## 一、工作情况

二级标题重复。

### 3.1 小节

[^1]: 脚注内容。
"""


def report_text(year=2022, unit="市民政局", secretary="张三", body="# 标题\n\n正文。\n", **extra) -> str:
    lines = ["---", f"year: {year}", f"unit: {unit}", f"secretary: {secretary}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n---\n\n" + body


class Project:
    """A site project in a temporary folder that uses this repository's hooks and theme."""

    def __init__(self, path: Path, units: str = UNITS):
        self.path = path
        self.docs = path / "docs"
        (self.docs / "reports").mkdir(parents=True)
        for name in ("mkdocs.yml",):
            shutil.copy(ROOT / name, path / name)
        for name in ("hooks", "overrides", "report_archive"):
            (path / name).symlink_to(ROOT / name)
        for name in ("index.md", "guide.md"):
            shutil.copy(ROOT / "docs" / name, self.docs / name)
        (path / "units.yml").write_text(units, encoding="utf-8")

    def write(self, rel: str, text: str | bytes) -> Path:
        target = self.docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return target

    def build(self, *extra: str) -> subprocess.CompletedProcess:
        return build_site(self.path, self.path / "site", *extra)


def build_site(project: Path, site: Path, *extra: str) -> subprocess.CompletedProcess:
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [*MKDOCS, "build", "--strict", "-d", str(site), *extra],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "project")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo archive as shipped, built with --strict."""
    site = tmp_path_factory.mktemp("demo") / "site"
    result = build_site(ROOT, site)
    assert result.returncode == 0, result.stderr
    return site


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # Debian's; CI on GitHub points it at Chrome
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser page that records every request it makes and every failure it sees."""
    context = browser.new_context()
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.failures = []
    page.on("requestfailed", lambda request: page.failures.append(request.url))
    page.on("pageerror", lambda error: page.failures.append(str(error)))
    yield page
    context.close()


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` over HTTP on a free loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def demo_server(demo_site):
    """The built demo site served on loopback."""
    with serve(demo_site) as base:
        yield base


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def tree_differences(left: Path, right: Path) -> list[str]:
    """Files that differ, or exist on one side only (sitemaps carry the build date: same day, same bytes)."""
    found = []
    compared = filecmp.dircmp(left, right)
    stack = [(compared, "")]
    while stack:
        node, prefix = stack.pop()
        found += [f"{prefix}{name}（只在一边）" for name in node.left_only + node.right_only]
        for name in node.common_files:
            if not filecmp.cmp(Path(node.left) / name, Path(node.right) / name, shallow=False):
                found.append(f"{prefix}{name}")
        stack += [(sub, f"{prefix}{name}/") for name, sub in node.subdirs.items()]
    return sorted(found)
