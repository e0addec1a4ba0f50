"""Printing a compilation page to PDF with Chromium (Debian's, or ``$CHROMIUM``), through Playwright.

The page's own print styles decide everything: A4, the 公文 margins, each report from a new page
and the page numbers (CSS page-margin boxes). Chromium runs without network access to anything
but the page's own host: the compilation loads nothing from elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TIMEOUT_MS = 300_000


class PdfError(Exception):
    """Printing failed; the message is for the user, in Chinese."""


def print_pdf(pages: list[tuple[str, Path]]) -> None:
    """Print each (URL, target) pair: one browser for all of them."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise PdfError("导出 PDF 需要 Playwright：请运行 pip install -r requirements-dev.txt。") from None
    if not Path(CHROMIUM).exists():
        raise PdfError(f"找不到 Chromium（{CHROMIUM}）：请安装软件包 chromium，或用环境变量 CHROMIUM 指定。")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = browser.new_page()
                for url, target in pages:
                    page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
                    page.emulate_media(media="print")
                    page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
            finally:
                browser.close()
    except Error as exc:
        raise PdfError(f"Chromium 打印失败：{str(exc).splitlines()[0]}") from None
