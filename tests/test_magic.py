"""The %%sparql cell magic, in IPython's InteractiveShell (no kernel needed)."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell


@pytest.fixture(scope="module")
def shell(kg):
    """An IPython shell with ``%load_ext kgraph`` done (the kg fixture has filled the
    private reasoning cache, so the magic's first kgraph.load() is quick)."""
    sh = InteractiveShell.instance()
    result = sh.run_cell("%load_ext kgraph", store_history=False)
    assert result.success
    yield sh
    InteractiveShell.clear_instance()


def cell(shell, text: str):
    return shell.run_cell(text, store_history=False)


def test_counts_defence_cooperation_agreements(shell):
    r = cell(shell, "%%sparql\nSELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:DefenseCooperationAgreement }")
    assert r.success
    assert isinstance(r.result, pd.DataFrame)
    assert r.result.to_dict("records") == [{"n": 49}]


def test_output_variable_holds_the_dataframe(shell):
    r = cell(shell, """%%sparql -o gsomia
SELECT ?partner ?signed WHERE {
  ?a a dd:MilitaryInformationAgreement ; dd:partner ?partner ; dd:signedOn ?signed ;
     dd:signedOnEarliest ?d .
} ORDER BY ?d""")
    assert r.success
    df = shell.user_ns["gsomia"]
    assert df is r.result
    assert len(df) == 26
    # Labels in English by default; the earliest GSOMIA is the one with the United States.
    assert df["partner"].iloc[0] == "United States"
    assert "Japan" in set(df["partner"])


def test_lang_and_iris_options(shell):
    q = "SELECT ?c WHERE { agr:gsomia-JPN dd:partner ?c }"
    assert cell(shell, f"%%sparql --lang ja\n{q}").result["c"].tolist() == ["日本"]
    assert cell(shell, f"%%sparql --lang ko\n{q}").result["c"].tolist() == ["일본"]
    assert cell(shell, f"%%sparql --iris\n{q}").result["c"].tolist() == [
        "https://w3id.org/defdip/id/country/JPN"]


def test_named_query_in_a_cell(shell):
    df = cell(shell, "%%sparql -o k9\nk9-contracts").result
    assert len(df) == 6
    assert int(df["quantity"].sum()) == 584
    assert int(df["value_usd"].sum()) == 2_370_000_000


def test_syntax_error_prints_one_message_without_traceback(shell, capsys):
    r = cell(shell, "%%sparql -o broken\nSELECT ?a WHERE { ?a a dd:Agreement")
    out, err = capsys.readouterr()
    assert r.result is None and r.error_in_exec is None
    assert err.startswith("kgraph: error: SPARQL syntax error at line 1, column ")
    assert "Traceback" not in out + err
    assert "broken" not in shell.user_ns


def test_other_errors_speak_like_the_cli(shell, capsys):
    cell(shell, "%%sparql\nSELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    cell(shell, "%%sparql\nASK { ?a a dd:Agreement }")
    cell(shell, "%%sparql\nno-such-named-query")
    cell(shell, "%%sparql -o 2x\nk9-contracts")
    cell(shell, "%%sparql\n   ")
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.startswith("kgraph: error: ")]
    assert lines == [
        "kgraph: error: SPARQL SERVICE is not allowed: kgraph never fetches data from other hosts",
        "kgraph: error: expected a SELECT query, got ASK",
        "kgraph: error: no named query 'no-such-named-query'",
        "kgraph: error: -o '2x' is not a valid Python name",
        "kgraph: error: the %%sparql cell is empty",
    ]
    assert "Traceback" not in out + err


def test_help_names_the_options(shell):
    from kgraph.magic import SparqlMagics

    doc = SparqlMagics.sparql.__doc__ or ""
    assert "%%sparql [--lang LANG] [--iris] [-o NAME]" in doc
