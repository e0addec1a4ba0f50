"""Publishing: releases with an atomic switch, served by a real nginx with the sample config."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shlex
import shutil
import signal
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

from report_archive.publish import (
    MARKER,
    RELEASES,
    PublishError,
    current,
    incomplete,
    prune,
    publish,
    releases,
    rollback,
)

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


def _half_built(target: Path, name: str, marker: str | None = None) -> Path:
    """A release folder as a killed publish leaves it: files, but no valid completion marker."""
    folder = target / RELEASES / name
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("写了一半", encoding="utf-8")
    if marker is not None:
        (folder / MARKER).write_text(marker, encoding="utf-8")
    return folder


def test_incomplete_releases_are_never_counted_switched_to_or_rolled_back_to(tmp_path):
    stale = _half_built(tmp_path, "20000101T000000.000000Z")
    copied = _half_built(tmp_path, "20000101T000001.000000Z", marker="别人的 release.txt\n")
    future = _half_built(tmp_path, "99991231T235959.999999Z")  # newer than any publish: left alone
    first = publish(tmp_path, _fake_build("一"))
    assert releases(tmp_path) == [first]
    assert stale not in releases(tmp_path) and copied not in releases(tmp_path)
    assert not stale.exists() and not copied.exists()  # older than the publish holding the lock
    assert incomplete(tmp_path) == [future]
    with pytest.raises(PublishError, match="没有更早的完整版本"):
        rollback(tmp_path)
    assert current(tmp_path) == first.resolve()


def test_prune_keeps_current_and_the_release_before_it(tmp_path):
    a, b, c = (publish(tmp_path, _fake_build(text), keep=5) for text in "甲乙丙")
    assert rollback(tmp_path) == b
    assert prune(tmp_path, keep=1) == []  # c is the newest, b is current, a is before current
    assert releases(tmp_path) == [a, b, c]
    assert rollback(tmp_path) == a
    assert prune(tmp_path, keep=1) == [b]  # c newest, a current, nothing before a
    assert releases(tmp_path) == [a, c]


def test_build_without_output_is_refused(tmp_path):
    with pytest.raises(PublishError, match="没有生成任何文件"):
        publish(tmp_path, lambda folder: None)
    assert current(tmp_path) is None and releases(tmp_path) == []


# --- scripts/publish.py as real processes, with a fake build --------------------------------------

FAKE_BUILD = """
import pathlib, sys, time
log, pause, folder = pathlib.Path(sys.argv[1]), float(sys.argv[2]), pathlib.Path(sys.argv[3])
folder.mkdir(parents=True)
with log.open("a") as out:
    out.write(f"start {folder.name} {time.time()}\\n")
(folder / "index.html").write_text("<p>" + folder.name + "</p>")
time.sleep(pause)
(folder / "later.html").write_text("<p>later</p>")
with log.open("a") as out:
    out.write(f"end {folder.name} {time.time()}\\n")
"""


def _fake_command(tmp_path: Path, pause: float) -> str:
    script = tmp_path / "fake_build.py"
    script.write_text(FAKE_BUILD, encoding="utf-8")
    return shlex.join([sys.executable, str(script), str(tmp_path / "build.log"), str(pause)])


def _publish_args(target: Path, *extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "scripts" / "publish.py"), "--to", str(target), *extra]


def _log(tmp_path: Path) -> list[tuple[str, str, float]]:
    lines = (tmp_path / "build.log").read_text(encoding="utf-8").split("\n")
    return [(kind, name, float(at)) for kind, name, at in (line.split() for line in lines if line)]


def test_concurrent_publishes_take_turns(tmp_path):
    target = tmp_path / "site"
    command = _fake_command(tmp_path, pause=1.0)
    processes = [
        subprocess.Popen(
            _publish_args(target, "--build-command", command),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    assert any("等待它结束" in err for _, err in outputs)  # at least one found the lock busy
    events = sorted(_log(tmp_path), key=lambda event: event[2])
    assert [kind for kind, _, _ in events] == ["start", "end"] * 3  # builds never overlapped
    assert [name for _, name, _ in events][::2] == [name for _, name, _ in events][1::2]
    done = releases(target)
    assert len(done) == 3 and incomplete(target) == []
    assert current(target) == done[-1].resolve()
    assert done[-1].name == events[-1][1]  # the newest release is the one built last
    assert (target / "current" / "index.html").is_file()
    assert (target / "current" / MARKER).read_text(encoding="utf-8").strip() == done[-1].name


def test_sigkill_mid_publish_leaves_current_and_rollback_alone(tmp_path):
    target = tmp_path / "site"
    fast, slow = _fake_command(tmp_path, pause=0), _fake_command(tmp_path, pause=60)
    first = subprocess.run(_publish_args(target, "--build-command", fast), cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    [good] = releases(target)

    killed = subprocess.Popen(
        _publish_args(target, "--build-command", slow), cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while len(_log(tmp_path)) < 3:  # the slow build has started and written its first page
        assert time.monotonic() < deadline and killed.poll() is None
        time.sleep(0.05)
    os.killpg(killed.pid, signal.SIGKILL)  # the publish and its build, as a hard kill or a crash
    killed.wait(timeout=10)
    [half] = incomplete(target)
    assert (half / "index.html").is_file() and not (half / MARKER).exists()
    assert current(target) == good.resolve() and releases(target) == [good]

    back = subprocess.run(_publish_args(target, "--rollback"), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert back.returncode == 1 and "没有更早的完整版本" in back.stderr, back.stderr
    assert current(target) == good.resolve()

    again = subprocess.run(
        _publish_args(target, "--keep", "1", "--build-command", fast),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )  # the kernel dropped the dead publish's lock: this one does not wait
    assert again.returncode == 0, again.stderr
    [_, newest] = releases(target)  # --keep 1 still keeps the release before current
    assert current(target) == newest.resolve() and newest.name > half.name
    assert not half.exists() and incomplete(target) == []  # stale: older than the lock holder's release
    back = subprocess.run(_publish_args(target, "--rollback"), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert back.returncode == 0 and current(target) == good.resolve(), back.stderr


def _unwritable_directory(tmp_path: Path) -> Path | None:
    """A directory this process cannot create files in (root ignores permission bits: try /sys)."""
    candidate = Path("/sys") if os.geteuid() == 0 else tmp_path / "readonly"
    if candidate != Path("/sys"):
        candidate.mkdir()
        candidate.chmod(0o555)
    try:
        (candidate / ".publish-probe").open("a").close()
    except OSError:
        return candidate
    (candidate / ".publish-probe").unlink()
    return None


@pytest.mark.parametrize("kind", ["file", "under a file", "unwritable"])
def test_bad_target_is_a_clear_message(tmp_path, kind):
    a_file = tmp_path / "site.txt"
    a_file.write_text("不是目录", encoding="utf-8")
    if kind == "file":
        target, expected = a_file, "不是目录"
    elif kind == "under a file":
        target, expected = a_file / "site", "路径中有一部分是文件"
    else:
        target, expected = _unwritable_directory(tmp_path), "无法"
        if target is None:
            pytest.skip("no directory here is unwritable for this user")
    for extra in ([], ["--rollback"]):
        result = subprocess.run(
            _publish_args(target, "--build-command", "true", *extra),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1, result.stderr
        assert expected in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert a_file.read_text(encoding="utf-8") == "不是目录"


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
