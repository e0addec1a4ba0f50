"""`mkdocs serve` (what `make serve` runs) rebuilds pages and indexes when reports change."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from conftest import MKDOCS, ROOT, report_text

from report_archive.processes import interrupt


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except OSError:
        return 0, ""


def _wait_for(url: str, check, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = _get(url)
        if check(status, body):
            return body
        time.sleep(0.3)
    raise AssertionError(f"{url} did not change as expected within {timeout} s (last status {status})")


# What `make serve` adds: rebuild only what a change touches.
SERVE_ARGS = ("--livereload", "--dirty")


def test_make_serve_uses_these_arguments():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"mkdocs serve --dev-addr $(ADDR) {' '.join(SERVE_ARGS)}" in makefile


@pytest.fixture
def served(project):
    project.write("reports/2021/市民政局.md", report_text(year=2021, secretary="张三"))
    project.write("reports/2021/区教育局.md", report_text(year=2021, unit="区教育局", secretary="赵六"))
    port = _free_port()
    # -v: the hooks name the pages a dirty build renders again; -f with a relative path (as the
    # benchmark gives it): MkDocs passes it as typed to the first build only.
    with (project.path / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [*MKDOCS, "serve", "-v", "-f", "mkdocs.yml", "--dev-addr", f"127.0.0.1:{port}", *SERVE_ARGS],
            cwd=project.path,
            env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
            stdout=log,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(base + "/years/", lambda status, body: status == 200)
            yield project, base
        finally:
            interrupt(process, timeout=20)


def _removed(project, since: int) -> list[str]:
    """The pages whose outputs the dirty rebuilds after ``since`` bytes of the serve log removed
    (MkDocs renders them again; its own log names each page only once per process)."""
    log = (project.path / "serve.log").read_bytes()[since:].decode("utf-8", "replace")
    return [
        name
        for line in re.findall(r"dirty build: \d+ outputs removed \(\d+ [^)]*\):(.*)", log)
        for name in line.split()
    ]


def test_edit_add_and_delete_update_pages_and_indexes(served):
    project, base = served
    years = base + "/years/"
    unit = base + "/units/" + quote("市民政局") + "/"
    search = base + "/search/data/docs.json"

    before = (project.path / "serve.log").stat().st_size
    project.write("reports/2021/市民政局.md", report_text(year=2021, secretary="李四"))
    _wait_for(unit, lambda status, body: "李四" in body and "张三" not in body)
    page = _wait_for(base + "/reports/2021/" + quote("市民政局") + "/", lambda status, body: "李四" in body)
    assert "报告人" in page
    # The first rebuild renders the edited report again and not the other one (the serve's first
    # build must leave the page digests a rebuild computes).
    removed = _removed(project, before)
    assert "reports/2021/市民政局.md" in removed
    assert "reports/2021/区教育局.md" not in removed
    _wait_for(search, lambda status, body: status == 200 and sorted(_secretaries(body)) == ["李四", "赵六"])

    project.write("reports/2022/市财政局.md", report_text(year=2022, unit="市财政局", secretary="王五"))
    _wait_for(years, lambda status, body: "2 个年份的 3 份报告" in body)
    _wait_for(base + "/secretaries/" + quote("王五") + "/", lambda status, body: status == 200)
    _wait_for(search, lambda status, body: status == 200 and sorted(_secretaries(body)) == ["李四", "王五", "赵六"])

    (project.docs / "reports/2022/市财政局.md").unlink()
    _wait_for(years, lambda status, body: "1 个年份的 2 份报告" in body)
    _wait_for(base + "/secretaries/" + quote("王五") + "/", lambda status, body: status == 404)
    _wait_for(base + "/reports/2022/" + quote("市财政局") + "/", lambda status, body: status == 404)
    _wait_for(search, lambda status, body: status == 200 and sorted(_secretaries(body)) == ["李四", "赵六"])


def _secretaries(docs_json: str) -> list[str]:
    """The reporters the served search index knows (written after the pages while serving)."""
    return [doc[4] for doc in json.loads(docs_json)["docs"]]
