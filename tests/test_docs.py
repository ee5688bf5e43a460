"""Ontology documentation with pyLODE (generated in CI)."""

from __future__ import annotations

import subprocess

from tests.conftest import require


def test_ontology_html(tmp_path):
    try:
        import pylode  # noqa: F401
    except Exception:
        require(False, "needs pyLODE for the ontology documentation: pip install 'pylode==3.3.4'")
    r = subprocess.run(["kgraph", "export", "--out", str(tmp_path), "--docs"], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    html = (tmp_path / "ontology.html").read_text(encoding="utf-8")
    for term in ("DefenseCooperationAgreement", "MilitaryInformationAgreement", "duringAdministration",
                 "国防協力協定", "CC BY 4.0" if "CC BY 4.0" in html else "creativecommons.org/licenses/by/4.0"):
        assert term in html, term
    assert "<script src=\"http" not in html and "<link href=\"http" not in html
    assert "INFO:" not in r.stderr
