"""Importing reports: any supported file -> a checked archive report (docs/reports/<year>/<unit>.md).

Modules: :mod:`.reading` (formats: text, pandoc, LibreOffice for legacy files), :mod:`.wordprep`
and :mod:`.numbering` (Word numbering labels and heading styles), :mod:`.structure` (the Chinese
rules: numbered lines -> headings, lead sentences), :mod:`.meta` and :mod:`.dates` (title, speaker,
date), :mod:`.extract` and :mod:`.verify` (proof that nothing was lost), :mod:`.convert` (one
draft), :mod:`.sources` and :mod:`.batch` (folders, manifests, the run and its outcomes).
"""

from __future__ import annotations

from .batch import ImportOptions, Outcome, read_one, run_import
from .convert import Draft, convert, fields_from_path, pattern_regex, render_report, split_source
from .errors import ImportFailure
from .meta import Detected, clean_name, detect_meta
from .reading import SUPPORTED, Reading, read_bytes
from .sources import Manifest, collect_sources, read_manifest, register_units, write_atomic
from .structure import HEADING_LEVELS, structure_line, to_markdown


def read_text_file(data: bytes, name: str) -> str:
    """A source's text as the Chinese rules see it (any supported format)."""
    return read_bytes(data, name).text


def read_docx(data: bytes) -> str:
    return read_bytes(data, "source.docx").text


__all__ = [
    "HEADING_LEVELS",
    "SUPPORTED",
    "Detected",
    "Draft",
    "ImportFailure",
    "ImportOptions",
    "Manifest",
    "Outcome",
    "Reading",
    "clean_name",
    "collect_sources",
    "convert",
    "detect_meta",
    "fields_from_path",
    "pattern_regex",
    "read_bytes",
    "read_docx",
    "read_manifest",
    "read_one",
    "read_text_file",
    "register_units",
    "render_report",
    "run_import",
    "split_source",
    "structure_line",
    "to_markdown",
    "write_atomic",
]
