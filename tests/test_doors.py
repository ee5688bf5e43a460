"""One question, one answer: every door reads the same store.

The ad-hoc corpus (tests/adhoc_queries.py) goes through ``kgraph query`` (the
CLI), ``kgraph.query()`` and ``%%sparql`` in a real Jupyter kernel; the rows
must be identical (as sets, unless an ORDER BY fixes the order).  The same
corpus on Virtuoso after ``kgraph publish`` is in tests/test_virtuoso.py.
"""

from __future__ import annotations

import io
import json
import os
from contextlib import redirect_stdout
from datetime import date
from typing import Any

import pytest

import kgraph
from kgraph.cli import main
from tests.adhoc_queries import QUERIES, ordered

SELECTS = [(n, q, c) for n, q, c in QUERIES if not q.lstrip().upper().startswith("ASK")]


def norm(v: Any) -> Any:
    """One comparable form for a value, whichever door it came through: dates as
    ISO days, whole numbers as int, NaN/None as None, numpy scalars as Python."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()   # numpy scalar
    if isinstance(v, float):
        if v != v:
            return None
        return int(v) if v.is_integer() else round(v, 9)
    if isinstance(v, date) or hasattr(v, "isoformat"):
        return v.isoformat()[:10] if type(v).__name__ in ("date", "Timestamp") else v.isoformat()
    return v


def rows_of(columns: list[str], records: list[dict[str, Any]], query: str) -> Any:
    rows = [tuple(norm(r.get(c)) for c in columns) for r in records]
    return rows if ordered(query) else sorted(rows, key=repr)


def cli_rows(query: str) -> tuple[list[str], Any]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["query", query, "--format", "json", "--iris"]) == 0
    records = json.loads(out.getvalue())
    columns = list(records[0]) if records else []
    return columns, rows_of(columns, records, query)


def api_rows(query: str, columns: list[str]) -> Any:
    df = kgraph.query(query, labels=False)
    records = df.astype(object).where(df.notna(), None).to_dict("records")
    return rows_of(columns, records, query)


@pytest.mark.parametrize("name,query,check", SELECTS, ids=[n for n, _, _ in SELECTS])
def test_cli_and_api_give_the_same_rows(kg, name, query, check):
    columns, cli = cli_rows(query)
    assert cli, f"{name}: every query of the corpus answers something"
    assert api_rows(query, columns) == cli
    if check is not None:
        assert [list(r) for r in cli] == [[norm(v) for v in row] for row in check]


def test_ask_through_cli_and_api(kg, capsys):
    for _name, query, check in QUERIES:
        if query.lstrip().upper().startswith("ASK"):
            assert main(["query", query, "--format", "json"]) == 0
            assert json.loads(capsys.readouterr().out) is check
            assert kg.ox.query(query).answer is check


def test_sparql_magic_in_a_real_kernel_gives_the_same_rows(kg, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("%load_ext kgraph\nresults = {}"))
    for i, (_name, query, _check) in enumerate(SELECTS):
        nb.cells.append(nbformat.v4.new_code_cell(f"%%sparql --iris -o r{i}\n{query}"))
        nb.cells.append(nbformat.v4.new_code_cell(
            f"results[{i}] = r{i}.astype(object).where(r{i}.notna(), None).to_dict('records')"))
    out = tmp_path / "magic.json"
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json\n"
        "def day(v):  # pandas' datetime64 days cross as ISO days, as the CLI prints them\n"
        "    return v.date().isoformat() if hasattr(v, 'date') else str(v)\n"
        f"json.dump(results, open({str(out)!r}, 'w', encoding='utf-8'), default=day)"))
    NotebookClient(nb, timeout=120, kernel_name="python3").execute(
        env={**os.environ, "TMPDIR": str(tmp_path)})
    magic = json.loads(out.read_text(encoding="utf-8"))
    for i, (name, query, _check) in enumerate(SELECTS):
        columns, cli = cli_rows(query)
        # Dates crossed the kernel as JSON text (ISO days), which is what norm() makes of them.
        assert rows_of(columns, magic[str(i)], query) == cli, name


def test_an_unknown_engine_is_an_error_not_a_fallback():
    from kgraph.errors import KgraphError

    with pytest.raises(KgraphError, match="unknown query engine 'Sparkle'"):
        kgraph.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", engine="Sparkle")
    # A name in another case is the same engine, not a silent switch to another.
    df = kgraph.query("SELECT (COUNT(*) AS ?n) WHERE { ?a a dd:Agreement }", engine="Oxigraph")
    assert df["n"].tolist() == [117]
