"""Out of the archive: Word files in the official document format, compilations, printed PDF.

Modules: :mod:`.selection` (which reports, in which order, under which cover), :mod:`.reference`
(the reference document that carries the GB/T 9704-2012 format), :mod:`.word` (Markdown -> .docx
through pandoc, then what pandoc cannot set, with python-docx), :mod:`.html` (the compilation as
HTML, for the site page and for printing), :mod:`.pdf` (printing with Chromium), :mod:`.pages`
(the compilation pages and download links in the site) and :mod:`.downloads` (the Word files
written at publish time, converted only when a report changed).
"""

from __future__ import annotations

from .selection import Selection, select_paths, select_unit, select_year

__all__ = ["Selection", "select_paths", "select_unit", "select_year"]
