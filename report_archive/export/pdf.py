"""Printing a compilation page to PDF with Chromium (Debian's, or ``$CHROMIUM``), through Playwright.

The page's own print styles decide everything: A4, the 公文 margins, each report from a new page
and the page numbers (CSS page-margin boxes). Chromium runs without network access to anything
but the page's own host: the compilation loads nothing from elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TIMEOUT_MS = 300_000


class PdfError(Exception):
    """Printing failed; the message is for the user, in Chinese."""


_NUMBER = 'content: "—\\00a0" counter(page) "\\00a0—"; font-family: "宋体", "SimSun", "Noto Serif CJK SC", serif; '
_NUMBER += "font-size: 14pt;"


def continuing(before: int) -> str:
    """Styles for a part printed after ``before`` pages: numbers go on, each on its outer corner.

    Chromium counts the part's own pages (its first page is a right-hand page, without a number in
    the compilation's styles); after an odd number of pages, right and left swap.
    """
    css = f"html {{ counter-reset: page {before}; }}\n"
    if before % 2:
        left, right = f"{_NUMBER} margin-left: 1em;", f"{_NUMBER} margin-right: 1em;"
        return css + (
            f"@page compilation:right {{ @bottom-right {{ content: none; }} @bottom-left {{ {left} }} }}\n"
            f"@page compilation:left {{ @bottom-left {{ content: none; }} @bottom-right {{ {right} }} }}\n"
        )
    return css + f"@page compilation:first {{ @bottom-right {{ {_NUMBER} margin-right: 1em; }} }}\n"


@contextlib.contextmanager
def _browser(browser=None) -> Iterator[object]:
    """``browser`` (a Playwright Chromium already running in this thread), or a new one for the block."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise PdfError("导出 PDF 需要 Playwright：请运行 pip install -r requirements-dev.txt。") from None
    try:
        if browser is not None:
            yield browser
            return
        if not Path(CHROMIUM).exists():
            raise PdfError(f"找不到 Chromium（{CHROMIUM}）：请安装软件包 chromium，或用环境变量 CHROMIUM 指定。")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                yield launched
            finally:
                launched.close()
    except Error as exc:
        raise PdfError(f"Chromium 打印失败：{str(exc).splitlines()[0]}") from None


def print_pdf(pages: list[tuple[str, Path]], browser=None) -> None:
    """Print each (URL, target) pair: one browser for all of them."""
    with _browser(browser) as chromium:
        page = chromium.new_page()
        try:
            for url, target in pages:
                page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
                page.emulate_media(media="print")
                page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
        finally:
            page.close()


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def print_joined(parts: list[str], target: Path, browser=None) -> None:
    """Print consecutive HTML documents (:func:`..html.print_parts`) as one PDF with running page numbers.

    The parts are printed one after the other (each needs the page count of those before it)
    and joined with ``pdfunite`` (poppler-utils).
    """
    if len(parts) > 1 and not shutil.which("pdfunite"):
        raise PdfError("合并 PDF 需要 pdfunite：请安装软件包 poppler-utils。")
    with tempfile.TemporaryDirectory(prefix="export-pdf-") as name:
        folder, printed, before = Path(name), [], 0
        with _browser(browser) as chromium:
            for number, html in enumerate(parts):
                source, pdf = folder / f"{number}.html", folder / f"{number}.pdf"
                source.write_text(html, encoding="utf-8")
                page = chromium.new_page()
                try:
                    page.goto(source.as_uri(), wait_until="load", timeout=TIMEOUT_MS)
                    if number:
                        page.add_style_tag(content=continuing(before))
                    page.emulate_media(media="print")
                    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
                finally:
                    page.close()
                printed.append(pdf)
                if number + 1 < len(parts):
                    before += _page_count(pdf)
        if len(printed) == 1:
            shutil.copyfile(printed[0], target)
            return
        result = subprocess.run(["pdfunite", *map(str, printed), str(target)], capture_output=True, check=False)
        if result.returncode != 0:
            raise PdfError(f"合并 PDF 失败：{result.stderr.decode('utf-8', 'replace').strip()[:200]}")
