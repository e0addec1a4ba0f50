"""Rewrite Word constructs whose text pandoc drops into plain runs and paragraphs.

Found by the lossless check, each verified in tests/test_import_word.py: the result of a field
other than a hyperlink (pandoc drops ``w:fldSimple`` results), and text boxes (pandoc keeps the
text box but drops the text of the paragraph that anchors it). Text boxes are moved after their
anchor paragraph, the reading order :mod:`.extract` uses as well.
"""

from __future__ import annotations

from lxml import etree

from .wordxml import NS, in_fallback, wtag

_LINK_FIELD = "HYPERLINK"


def _unwrap(element: etree._Element) -> None:
    parent = element.getparent()
    at = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(at + offset, child)
    parent.remove(element)


def _simple_fields(root: etree._Element) -> None:
    for field in list(root.iter(wtag("fldSimple"))):
        if (field.get(wtag("instr")) or "").strip().upper().startswith(_LINK_FIELD):
            continue
        _unwrap(field)


def _complex_fields(root: etree._Element) -> None:
    """Keep the shown result of complex fields other than hyperlinks; drop their codes and marks."""
    for paragraph in root.iter(wtag("p")):
        stack: list[list] = []  # per open field: [is_link, in_code, runs to drop]
        for run in paragraph.findall(".//w:r", NS):
            mark = run.find("w:fldChar", NS)
            kind = mark.get(wtag("fldCharType")) if mark is not None else None
            if kind == "begin":
                stack.append([False, True, [run]])
            elif stack and kind == "separate":
                stack[-1][1] = False
                stack[-1][2].append(run)
            elif stack and kind == "end":
                is_link, _, runs = stack.pop()
                if not is_link:
                    for dropped in [*runs, run]:
                        dropped.getparent().remove(dropped)
            elif stack and stack[-1][1]:
                code = "".join(t.text or "" for t in run.findall("w:instrText", NS))
                stack[-1][0] = stack[-1][0] or code.strip().upper().startswith(_LINK_FIELD)
                stack[-1][2].append(run)


def _text_boxes(root: etree._Element) -> None:
    for box in list(root.iter(wtag("txbxContent"))):
        if in_fallback(box) or box.getparent() is None:
            continue
        run = next((a for a in box.iterancestors(wtag("r"))), None)
        host = None if run is None else next(run.iterancestors(wtag("p")), None)
        if host is None:
            continue
        paragraphs = box.findall("w:p", NS) + box.findall("w:tbl", NS)
        run.getparent().remove(run)
        at = host.getparent().index(host)
        for offset, paragraph in enumerate(paragraphs, start=1):
            host.getparent().insert(at + offset, paragraph)


def clean(document: etree._Element) -> None:
    _simple_fields(document)
    _complex_fields(document)
    _text_boxes(document)
