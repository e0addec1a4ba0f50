"""Publishing: releases with an atomic switch, served by a real nginx with the sample config."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import ROOT

from report_archive.publish import MARKER, PublishError, current, publish, releases, rollback

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SAMPLE = ROOT / "deploy" / "nginx.conf"


# --- the release folder, without a web server -------------------------------------------------


def _fake_build(text: str):
    def build(folder: Path) -> None:
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(text, encoding="utf-8")

    return build


def test_publish_switches_keeps_and_rolls_back(tmp_path):
    first = publish(tmp_path, _fake_build("一"), keep=2)
    assert current(tmp_path) == first.resolve()
    assert (tmp_path / "current").is_symlink()
    assert (tmp_path / "current" / MARKER).read_text(encoding="utf-8").strip() == first.name
    second = publish(tmp_path, _fake_build("二"), keep=2)
    third = publish(tmp_path, _fake_build("三"), keep=2)
    assert [r.name for r in releases(tmp_path)] == [second.name, third.name]  # the oldest was pruned
    assert (tmp_path / "current" / "index.html").read_text(encoding="utf-8") == "三"
    assert rollback(tmp_path) == second
    assert (tmp_path / "current" / "index.html").read_text(encoding="utf-8") == "二"
    with pytest.raises(PublishError):
        rollback(tmp_path)


def test_failed_build_leaves_current_untouched(tmp_path):
    good = publish(tmp_path, _fake_build("好"))

    def broken(folder: Path) -> None:
        folder.mkdir(parents=True)
        (folder / "half.html").write_text("写了一半", encoding="utf-8")
        raise PublishError("构建失败")

    with pytest.raises(PublishError):
        publish(tmp_path, broken)
    assert current(tmp_path) == good.resolve()
    assert releases(tmp_path) == [good]


# --- a real nginx -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, b"", dict(exc.headers)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The demo site published twice with scripts/publish.py into one folder."""
    target = tmp_path_factory.mktemp("publish")
    return target


def _publish_cli(target: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "publish.py"), "--to", str(target), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def nginx(published, tmp_path_factory):
    """nginx serving <published>/current with the server block of deploy/nginx.conf."""
    prefix = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    server = SAMPLE.read_text(encoding="utf-8")
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
    server = re.sub(r"root [^;]+;", f"root {published / 'current'};", server)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n include /etc/nginx/mime.types;\n default_type application/octet-stream;\n"
        f" access_log off;\n client_body_temp_path {prefix}/body;\n{server}\n}}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_publish_while_serving_then_rollback(published, nginx):
    first = _publish_cli(published)
    assert first.returncode == 0, first.stderr
    old = _get(nginx + "/release.txt")[1].decode().strip()
    assert old and _get(nginx + "/")[0] == 200

    results: list[tuple[str, int, str]] = []
    stop = threading.Event()

    def load() -> None:  # bounded: at most 20,000 requests or 120 s, loopback only
        deadline = time.monotonic() + 120
        paths = ["/release.txt", "/", "/years/", "/search/data/docs.json", "/reports/2019/" + quote("国务院") + "/"]
        while not stop.is_set() and len(results) < 20_000 and time.monotonic() < deadline:
            for path in paths:
                status, body, _ = _get(nginx + path)
                results.append(
                    (path, status, body.decode("utf-8", "replace").strip() if path == "/release.txt" else "")
                )

    worker = threading.Thread(target=load)
    worker.start()
    second = _publish_cli(published)
    time.sleep(0.5)
    stop.set()
    worker.join()
    assert second.returncode == 0, second.stderr
    new = _get(nginx + "/release.txt")[1].decode().strip()
    assert new != old
    assert len(results) > 50
    assert {status for _, status, _ in results} == {200}
    assert {body for path, _, body in results if path == "/release.txt"} <= {old, new}

    rolled = _publish_cli(published, "--rollback")
    assert rolled.returncode == 0, rolled.stderr
    assert _get(nginx + "/release.txt")[1].decode().strip() == old


def test_security_headers_and_compression(nginx, published):
    if current(published) is None:
        assert _publish_cli(published).returncode == 0
    status, _, headers = _get(nginx + "/")
    assert status == 200
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    request = urllib.request.Request(nginx + "/search/data/docs.json", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Content-Security-Policy" in response.headers
    asset = next((Path(current(published)) / "assets" / "stylesheets").glob("main.*.min.css")).name
    _, _, headers = _get(nginx + "/assets/stylesheets/" + asset)
    assert "max-age=31536000" in headers["Cache-Control"]


def test_csp_allows_every_inline_script(demo_site):
    """The script hashes in deploy/nginx.conf cover every inline script the theme writes."""
    policy = re.search(r'Content-Security-Policy "([^"]+)"', SAMPLE.read_text(encoding="utf-8")).group(1)
    allowed = set(re.findall(r"'sha256-([^']+)'", policy))
    found = set()
    for page in demo_site.rglob("*.html"):
        for attrs, body in re.findall(r"<script(\b[^>]*)>(.*?)</script>", page.read_text(encoding="utf-8"), re.S):
            if "src=" not in attrs and "application/json" not in attrs:
                found.add(base64.b64encode(hashlib.sha256(body.encode()).digest()).decode())
    assert found and found <= allowed


def test_browser_through_nginx_reports_no_csp_violation(browser, nginx, published):
    if current(published) is None:
        assert _publish_cli(published).returncode == 0
    context = browser.new_context()
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    for path in (
        "/",
        "/years/",
        "/units/" + quote("国务院") + "/",
        "/reports/2022/" + quote("市民政局") + "/?h=三会一课",
    ):
        page.goto(nginx + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__csp") == [], path
    page.goto(nginx + "/search/?q=" + quote("三会一课"))
    page.wait_for_selector(".search-result__snippet mark")
    assert page.evaluate("window.__csp") == []
    assert page.locator("mark.search-hit").count() == 0  # highlighting belongs to report pages
    assert not [m for m in console if "Content Security Policy" in m]
    context.close()
