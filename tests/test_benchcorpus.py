"""The benchmark corpus: archive-like spread, valid reports, statistics close to the demo's, deterministic."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from conftest import ROOT

from report_archive import benchcorpus, load_archive
from report_archive.search import normalize

TEMPLATES = ROOT / "docs" / "reports"


@pytest.fixture(scope="module")
def generated():
    return benchcorpus.generate(400, TEMPLATES, seed=7)


@pytest.fixture(scope="module")
def figures(generated):
    demo = benchcorpus.read_demo(TEMPLATES)
    sample = sum(len(normalize(e.body)) for e in demo.entries)
    return {
        "demo": benchcorpus.statistics(demo, sample),
        "generated": benchcorpus.statistics(generated, sample),
        "copies": benchcorpus.statistics(benchcorpus.copies(400, TEMPLATES), sample),
    }


def test_same_seed_same_corpus_other_seed_other_corpus(generated):
    again = benchcorpus.generate(400, TEMPLATES, seed=7)
    assert [(e.path, e.text) for e in again.entries] == [(e.path, e.text) for e in generated.entries]
    other = benchcorpus.generate(400, TEMPLATES, seed=8)
    assert [e.text for e in other.entries] != [e.text for e in generated.entries]


def test_units_report_over_runs_of_consecutive_years(generated):
    assert len(generated.entries) == 400
    years = defaultdict(list)
    for entry in generated.entries:
        years[entry.unit].append(entry.year)
    assert set(years) == set(generated.units) and len(generated.units) > 10
    for unit_years in years.values():
        assert unit_years == list(range(unit_years[0], unit_years[0] + len(unit_years)))
    assert len({e.year for e in generated.entries}) > 15
    assert len({e.path for e in generated.entries}) == 400


def test_written_project_is_a_valid_archive(tmp_path, generated):
    benchcorpus.write_project(tmp_path, generated, ROOT)
    archive = load_archive(tmp_path / "docs", tmp_path / "units.yml")
    assert archive.problems == []
    assert len(archive.reports) == 400 and not archive.excluded
    assert set(archive.units) == set(generated.units)
    # reporting persons change every few years, so a unit has several
    assert len(archive.secretaries) > len(archive.units)
    for name in ("mkdocs.yml", "nosearch.yml", "bare.yml", "docs/index.md", "docs/guide.md"):
        assert (tmp_path / name).is_file()
    assert (tmp_path / "hooks").resolve() == ROOT / "hooks"


def test_reports_keep_the_structure_of_real_reports(generated):
    headings = Counter()
    for entry in generated.entries:
        for line in entry.body.splitlines():
            if line.startswith("## "):
                headings[line.split()[1][:2]] += 1
    assert headings["一、"] > 100 and headings["二、"] > 100
    body = generated.entries[0].body
    assert body.lstrip().startswith(f"# {generated.entries[0].year}年") and "\n\n\n" not in body


def test_statistics_close_to_the_demo_and_far_from_copies(figures):
    demo, generated, copies = figures["demo"], figures["generated"], figures["copies"]
    for key, band in (("unique_bigrams", 0.06), ("reuse_anywhere", 0.05), ("reuse_previous", 0.03)):
        assert abs(generated[key] - demo[key]) <= band, (key, generated[key], demo[key])
    assert abs(generated["distinct_bigrams"] / demo["distinct_bigrams"] - 1) <= 0.3
    assert abs(generated["mean_chars"] / demo["mean_chars"] - 1) <= 0.25
    # copies, the old method, are far off: almost all of their text is found in another report
    assert copies["reuse_anywhere"] > 0.9 > 3 * generated["reuse_anywhere"]
    assert copies["unique_bigrams"] < generated["unique_bigrams"] - 0.05


def test_copies_are_the_demo_reports_under_new_unit_names():
    demo = benchcorpus.read_demo(TEMPLATES)
    copies = benchcorpus.copies(2 * len(demo.entries), TEMPLATES)
    assert len({e.path for e in copies.entries}) == len(copies.entries)
    first, second = copies.entries[0], copies.entries[len(demo.entries)]
    assert first.body == second.body == demo.entries[0].body and first.unit != second.unit
