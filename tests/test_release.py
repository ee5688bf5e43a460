"""Release and citation: licences, CITATION.cff (root and dump), the changelog,
packaging metadata, ``python -m kgraph``, the README's Python examples as
doctests, and the mode of the files kgraph writes."""

from __future__ import annotations

import doctest
import os
import re
import stat
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT

REPORT_URL = "https://www.spf.org/security/publications/20200623.html"


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")   # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


# --- Licences ---------------------------------------------------------------------------

def test_licence_files_match_the_declared_licence():
    assert _pyproject()["project"]["license"] == "CC-BY-4.0 AND MIT"
    mit = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert mit.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in mit
    cc = (ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International Public License" in cc
    # The whole legal code, not a summary: its eight sections and the closing notice.
    for section in ("Section 1 -- Definitions.", "Section 3 -- License Conditions.",
                    "Section 8 -- Interpretation."):
        assert section in cc, section
    assert cc.rstrip().endswith("Creative Commons may be contacted at creativecommons.org.")


# --- Citation ---------------------------------------------------------------------------

def test_root_citation_names_dataset_and_report():
    cff = _cff()
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "date-released", "license"):
        assert cff.get(key), key
    refs = {r["type"]: r for r in cff["references"]}
    assert refs["data"]["license"] == "CC-BY-4.0"
    report = refs["report"]
    assert report["authors"][0]["family-names"] == "Ito"
    assert report["authors"][0]["given-names"] == "Kotaro"
    assert report["authors"][0]["alias"] == "伊藤弘太郎"
    assert report["year"] == 2020
    assert "笹川平和財団" in report["institution"]["name"]
    assert report["title"] == "韓国の「国防外交」―「国家生存」から「多様な国益実現」の手段へ"
    assert report["url"] == REPORT_URL


def test_versions_agree():
    """pyproject, the package, the ontology header and CITATION.cff give one version."""
    import kgraph

    version = _pyproject()["project"]["version"]
    assert kgraph.__version__ == version
    assert str(_cff()["version"]) == version


def test_dump_citation_is_the_root_file(kg, tmp_path):
    from kgraph.export import citation_cff, version_info

    version, date = version_info(kg.ontology)
    root = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert version == str(_cff()["version"]) and date == str(_cff()["date-released"])
    assert citation_cff(version, date) == root     # same version: the very same text
    other = yaml.safe_load(citation_cff("9.9.9", "2031-01-02"))
    assert other["version"] == "9.9.9" and other["date-released"] == "2031-01-02"
    data_ref = next(r for r in other["references"] if r["type"] == "data")
    assert data_ref["version"] == "9.9.9"
    assert other["references"] == [dict(r, **({"version": "9.9.9", "date-released": "2031-01-02"}
                                             if r["type"] == "data" else {}))
                                   for r in _cff()["references"]]


def test_changelog_follows_keep_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, flags=re.M)
    assert headings[0] == ("Unreleased", "")
    released = dict(headings[1:])
    assert released[_pyproject()["project"]["version"]] == "2026-11-27"
    assert "keepachangelog.com" in text


# --- Packaging ----------------------------------------------------------------------------

def test_packaging_metadata():
    project = _pyproject()["project"]
    assert project["urls"]["Source report"] == REPORT_URL
    assert "Typing :: Typed" in project["classifiers"]
    assert (ROOT / "src" / "kgraph" / "py.typed").is_file()
    forced = _pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert forced["CITATION.cff"] == "kgraph/data/CITATION.cff"


def test_python_m_kgraph():
    r = subprocess.run([sys.executable, "-m", "kgraph", "--version"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"kgraph {_pyproject()['project']['version']}"
    r = subprocess.run([sys.executable, "-m", "kgraph", "no-such-command"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.startswith("usage: kgraph")


# --- The README's Python examples -------------------------------------------------------

def _python_blocks(text: str) -> list[tuple[int, str]]:
    return [(text[:m.start()].count("\n") + 2, m.group(1))
            for m in re.finditer(r"^```python\n(.*?)^```", text, flags=re.M | re.S)]


def test_readme_python_blocks_run_as_doctests(kg, monkeypatch):
    import kgraph

    monkeypatch.setattr(kgraph, "_default", kg)   # the session's graph, not a second build
    blocks = _python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks, "the README has no python block"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for line, block in blocks:
        assert ">>>" in block, f"README.md line {line}: write API examples as doctests (>>>)"
        test = parser.get_doctest(block, {}, f"README.md:{line}", str(ROOT / "README.md"), line)
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    assert runner.tries >= 5


def test_module_doctests():
    import kgraph.atomic

    assert doctest.testmod(kgraph.atomic).failed == 0


def test_validate_engines_agree(kg):
    import kgraph

    fast, ref = kgraph.validate(kg), kgraph.validate(kg, engine="pyshacl")
    assert fast.conforms and ref.conforms
    with pytest.raises(ValueError, match="unknown SHACL engine"):
        kgraph.validate(kg, engine="jena")


# --- Modes of the files kgraph writes -----------------------------------------------------

@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_outputs_readable_by_others(kg, tmp_path, umask_022):
    """network.html, GraphML, GEXF, the figures and the dump: 0644, like any new file."""
    from kgraph import network
    from kgraph.cli import main
    from kgraph.export import export
    from kgraph.viz import write_network_page

    written = [write_network_page(kg, tmp_path)]
    g = network.projection(kg, "partners")
    for fmt in ("graphml", "gexf"):
        network.to_file(g, tmp_path / f"partners.{fmt}", fmt)
        written.append(tmp_path / f"partners.{fmt}")
    written += list(export(kg, tmp_path / "dump", formats=("nt",)).files)
    assert main(["figures", "--out", str(tmp_path / "figures")]) == 0
    written += sorted((tmp_path / "figures").iterdir())
    assert len(written) >= 3 + 7 + 4
    assert {p.name: oct(_mode(p)) for p in written} == {p.name: oct(0o644) for p in written}
    # No temporary file left; the output-set writer's manifest and lock are kept on purpose.
    from kgraph.outputset import MANIFEST

    assert not [p for p in tmp_path.rglob(".*") if p.is_file()
                and p.name != MANIFEST and not p.name.endswith(".kgraph-lock")]


def test_failed_write_leaves_no_file(tmp_path, umask_022):
    from kgraph.atomic import atomic_path

    target = tmp_path / "page.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_atomic_path_respects_the_umask(tmp_path):
    from kgraph.atomic import atomic_path

    old = os.umask(0o077)
    try:
        with atomic_path(tmp_path / "private.txt") as tmp:
            tmp.write_text("x", encoding="utf-8")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "private.txt") == 0o600
