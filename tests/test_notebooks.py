"""The notebooks of notebooks/ run top to bottom and show the report's numbers.

Each notebook is kept as a jupytext "percent" script without outputs.  Here it is
converted to a notebook in a temporary folder and executed with nbclient on the
python3 kernel (ipykernel), with a temporary working directory (nothing is
written into the repository) and a guard that refuses any connection leaving
the machine.  Then the numbers the notebook *prints* are checked, so a notebook
that runs but shows the wrong thing fails.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from kgraph.site.notebooks import OFFLINE_GUARD

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]-*.py"))

# Seconds one cell may take (the first load of the graph may have to reason).
CELL_TIMEOUT = 300


@dataclass
class Executed:
    """An executed notebook and what its cells wrote."""

    name: str
    notebook: nbformat.NotebookNode
    stdout: str
    stderr: str
    printed: dict[str, str]
    workdir: Path

    def outputs(self, output_type: str | None = None) -> list[nbformat.NotebookNode]:
        return [o for cell in self.notebook.cells for o in cell.get("outputs", [])
                if output_type is None or o.output_type == output_type]

    def count(self, mime: str) -> int:
        return sum(1 for o in self.outputs() if mime in o.get("data", {}))

    def number(self, marker: str) -> float:
        """The number printed after ``marker: ``."""
        value = self.printed[marker]
        m = re.search(r"-?[\d,]+(?:\.\d+)?", value)
        assert m, f"{marker!r}: no number in {value!r}"
        return float(m[0].replace(",", ""))


def printed_lines(stdout: str) -> dict[str, str]:
    """Lines the notebook printed as ``marker: value``, keyed by marker."""
    out: dict[str, str] = {}
    for line in stdout.splitlines():
        marker, sep, value = line.partition(": ")
        if sep:
            out.setdefault(marker.strip(), value.strip())
    return out


def execute(path: Path, tmp: Path) -> Executed:
    notebook = jupytext.read(path)
    nbformat.write(notebook, tmp / f"{path.stem}.ipynb")  # the converted notebook, unexecuted
    # The site's guard, run before the notebook's own cells: no connection leaves the machine.
    guard = nbformat.v4.new_code_cell(OFFLINE_GUARD)
    guard.metadata["tags"] = ["injected-by-test"]
    notebook.cells.insert(0, guard)
    workdir = tmp / "cwd"
    workdir.mkdir()
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    try:
        # TMPDIR: a notebook's temporary folders land here too, and go with the test's.
        client.execute(env={**os.environ, "TMPDIR": str(tmp)})
    except CellExecutionError as exc:
        pytest.fail(f"{path.name} failed:\n{exc}")
    finally:
        # Kept beside the test's other files for looking at a failure.
        nbformat.write(notebook, tmp / f"{path.stem}.executed.ipynb")
    streams = [o for cell in notebook.cells for o in cell.get("outputs", [])
               if o.output_type == "stream"]
    stdout = "".join(o.text for o in streams if o.name == "stdout")
    stderr = "".join(o.text for o in streams if o.name == "stderr")
    return Executed(path.stem, notebook, stdout, stderr, printed_lines(stdout), workdir)


@pytest.fixture(scope="module")
def run_notebook(kg, tmp_path_factory):
    """Execute a notebook once per test session (the kg fixture has already filled the
    private reasoning cache, which the kernel inherits through KGRAPH_CACHE_DIR)."""
    done: dict[str, Executed] = {}

    def _run(name: str) -> Executed:
        if name not in done:
            result = execute(NOTEBOOK_DIR / f"{name}.py", tmp_path_factory.mktemp(name))
            # Every notebook: no error, no Python warning, nothing left in its working folder.
            assert not result.outputs("error")
            assert "Traceback" not in result.stderr, result.stderr
            assert "Warning" not in result.stderr, result.stderr
            assert list(result.workdir.iterdir()) == []
            done[name] = result
        return done[name]

    return _run


# --- The set of notebooks ------------------------------------------------------------

CHECKED = {"01-sparql-tour", "02-partner-network", "03-administrations",
           "04-deployments-and-arms", "05-publishing", "06-adding-records"}


def test_every_notebook_is_checked():
    assert {p.stem for p in NOTEBOOKS} == CHECKED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_a_percent_script_that_opens_with_its_question(path):
    text = path.read_text(encoding="utf-8")
    assert "format_name: percent" in text
    nb = jupytext.read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "**The question:**" in first.source
    assert sum(c.cell_type == "code" for c in nb.cells) >= 5
    # Kept as text: no outputs, and only the public API (no private names of kgraph).
    assert all(not c.get("outputs") for c in nb.cells)
    assert not re.search(r"kgraph(\.\w+)*\._", text)


# --- What each notebook shows ------------------------------------------------------------

def test_01_sparql_tour(run_notebook):
    r = run_notebook("01-sparql-tour")
    # 42, dd:Tie and dd:Territory (ties.ttl), dd:ActingPeriod and dd:InterimActingPresidency
    assert r.number("ontology classes") == 46
    assert r.number("named queries") == 27
    assert r.number("military information agreements") == 26
    assert r.number("agreements under Lee Myung-bak administration") == 34
    assert r.number("agreements under Park Geun-hye administration") == 32
    assert r.number("agreements in all") == 117
    # Reasoning: the data types only the subclasses of dd:Agreement.
    assert r.number("agreements with reasoning") == 117
    assert r.number("agreements without reasoning") == 0
    # dd:party is asserted beside dd:partner (SHACL checks it before reasoning) ...
    assert r.number("dd:party pairs with reasoning") == 234
    assert r.number("dd:party pairs without reasoning") == 234
    assert r.number("dd:party triples added by the reasoner") == 0
    assert r.number("dd:Agreement parties without reasoning") == 0
    # ... while dd:signedOnAsPrinted ⊑ dcterms:date is entailed.
    assert r.number("dcterms:date of defence cooperation agreements with reasoning") == 49
    assert r.number("dcterms:date of defence cooperation agreements without reasoning") == 0
    # The %%sparql magic: -o stored the DataFrame, and a bad query printed one message.
    assert r.number("defence cooperation agreements") == 49
    assert r.printed["first defence cooperation agreement"] == "Germany 1994-05"
    assert "kgraph: error: SPARQL syntax error at line 1" in r.stderr
    assert r.count("image/png") >= 1
    tables = [o["data"]["text/html"] for o in r.outputs("execute_result") if "text/html" in o["data"]]
    assert any("トルコ" in t for t in tables)  # the %%sparql --lang ja cell: Turkey in Japanese


def test_02_partner_network(run_notebook):
    r = run_notebook("02-partner-network")
    assert r.printed["projection ego"] == "92 nodes, 91 edges"
    assert r.printed["projection multiplex"] == "92 nodes, 194 edges"
    # Only contexts the partners really shared: 42 partners, not the 91-node clique.
    assert r.printed["projection partners"] == "42 nodes, 435 edges"
    assert r.number("partners left out of the partners projection (no shared context)") == 49
    assert r.printed["projection bipartite"] == "316 nodes, 255 edges"
    assert r.printed["projection bipartite-projection"] == "91 nodes, 245 edges"
    assert r.printed["computed on"].startswith("ego")
    assert r.printed["top partner by ties (ego)"] == "United States"
    assert r.printed["top partner by betweenness (partners)"] == "United States"
    assert r.printed["second by betweenness (partners)"] == "Singapore"
    # The thesis, measured per administration (new ties, and all reached by the end).
    assert r.printed["new under lee-myung-bak"].startswith("36 partners, 48 ties, 0 with the US")
    assert r.printed["new under moon-jae-in"].startswith("19 partners, 35 ties, 10 with the US")
    assert r.printed["reached by the end of moon-jae-in"].startswith("91 partners")
    assert r.number("ties that straddle a change of administration") == 18
    assert [r.number(f"partners in the {d}") for d in ("1990s", "2000s", "2010s")] == [24, 39, 55]
    assert r.number("US ties since 2008") == 11
    assert r.number("of which 2019 exercises") == 10
    # The page cell: the interactive page (iframe srcdoc, vis-network embedded, no link,
    # no CDN) and a static picture in the same output bundle.
    bundles = [o["data"] for o in r.outputs("display_data")
               if o["data"].get("text/html", "").startswith("<iframe srcdoc=")]
    assert len(bundles) == 1
    assert bundles[0]["image/png"].startswith("iVBORw0KGgo")   # a PNG, base64
    page = html.unescape(bundles[0]["text/html"].split('srcdoc="', 1)[1].split('" style=', 1)[0])
    assert "new vis.Network" in page and "South Korea" in page
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']?(https?:)?//""", page)
    assert r.count("image/png") >= 3


def test_03_administrations(run_notebook):
    r = run_notebook("03-administrations")
    assert r.printed["interim administration 2017"] == "2017-03-11 to 2017-05-09"
    assert r.number("records under the 2017 interim administration") == 1
    assert r.number("agreements in all") == 117
    assert r.number("agreements under Lee Myung-bak") == 34
    assert r.number("agreements whose date straddles a change") == 3
    assert r.number("deployments started per administration, in all") == 53
    assert r.number("arms sales under the 2017 interim administration") == 1
    assert r.number("records during an acting presidency (agreements, deployments, sales)") == 7
    assert r.number("agreements without an administration (date straddles a change)") == 3
    assert r.number("arms sales without an administration (no date)") == 5
    assert r.number("agreements per year in office, Lee Myung-bak administration") == 6.8
    assert r.number("records during an acting presidency") == 7
    assert r.number("Goh Kun acting for the suspended Roh Moo-hyun (2004)") == 1
    assert r.number("Hwang Kyo-ahn acting for the suspended Park Geun-hye (2016–2017)") == 6
    assert r.number("records with uncertain administration") == 47   # 46 + the Iraq War (2003-11)
    assert r.number("agreements with uncertain administration") == 3
    assert r.count("image/png") >= 2  # Figures 4-6 rebuilt, and the side-by-side bars


def test_04_deployments_and_arms(run_notebook):
    r = run_notebook("04-deployments-and-arms")
    assert r.number("deployments since 1991") == 53
    assert r.number("with National Assembly consent") == 20
    assert r.number("still under way at the end of 2019") == 14
    assert r.printed["category UN peacekeeping operations"] == "14 deployments, 17047 people in all"
    assert r.number("people sent by deployments with consent") == 53137
    assert r.printed["largest destination by personnel"] == "Iraq (20308 people, 7 deployments)"
    # The table's printed totals against its rows: 1,039 / 55,483 against 1,036 / 55,467.
    assert r.printed["current personnel"] == "printed 1039, sum of rows 1036, difference 3"
    assert r.printed["total personnel"] == "printed 55483, sum of rows 55467, difference 16"
    assert r.number("current personnel, rows summed in pandas") == 1036
    assert r.number("total personnel, rows summed in pandas") == 55467
    assert r.number("K-9 contracts") == 6
    assert r.number("K-9 units") == 584
    assert r.printed["K-9 value"] == "US$2.37 billion"
    assert r.printed["Vietnam 1970"] == "printed 48510, sum of services 48512, difference -2"
    assert r.printed["Vietnam years where the printed total differs"] == "1970"
    assert r.count("image/png") >= 4


def test_05_publishing(run_notebook, kg):
    r = run_notebook("05-publishing")
    total = len(kg.ontology) + len(kg.asserted) + len(kg.inferred) + len(kg.derived)
    # (5 parts x 3 syntaxes + the N-Quads file) x gzip x versioned name, void.ttl,
    # context.jsonld, CITATION.cff
    assert r.number("files written") == 67
    assert r.number("triples in all") == r.number("sum of the four parts") == total
    assert r.number("void triples") == total
    # 1086, + 255 derived ties and 22 terms of ontology/ties.ttl, + 26 for the
    # administrations to 2025 and the prose facts, + 17 date terms of ontology/defdip.ttl
    # (the …AsPrinted and …Precision properties, dd:precision, dd:DatePrecision, its
    # scheme and four precisions)
    assert r.number("void entities") == 1407   # 1406 + dd:accessedOn (sources of added records)
    from rdflib import RDF

    assert r.number("void classes") == len(set(kg.graph.objects(None, RDF.type)))
    assert r.printed["licence"] == "https://creativecommons.org/licenses/by/4.0/"
    assert r.number("subsets") == 4
    assert r.printed["subset triples add up to the dataset's"] == "True"
    assert r.number("distributions") == 64
    assert r.printed["distributions listed that were written"] == "True"
    assert r.number("triples loaded from kgraph-all.nt") == total
    for name, rows in (("k9-contracts", 6), ("agreements-per-administration", 9),
                       ("deployment-totals-check", 2)):
        assert r.printed[f"same answer from kgraph-all.nt (rdflib), {name}"] == f"True ({rows} rows)"
        if "triples loaded into pyoxigraph" in r.printed:
            assert r.printed[f"same answer from kgraph-all.nt (pyoxigraph), {name}"] == f"True ({rows} rows)"


def test_06_adding_records(run_notebook):
    r = run_notebook("06-adding-records")
    assert r.number("template columns") == 15
    assert r.number("records written") == 3
    assert r.printed["valid"] == "True"
    assert r.number("violations") == 0
    # The report's 2019 has 3 agreements (資料3-5); the fictitious ones add one each year.
    assert r.printed["agreements in 2019"] == "3 in the report, 4 with mine"
    assert r.printed["agreements in 2021"] == "0 in the report, 1 with mine"
    assert r.printed["agreements in 2023"] == "0 in the report, 1 with mine"
    assert r.number("agreements in all") == 117 + 3
    assert r.printed["Korea–Poland defence cooperation agreement (fictitious example)"] == \
        "month precision, 2023-05-01 to 2023-05-31, under Yoon Suk-yeol administration"
    assert r.printed["Korea–Norway defence-industry MOU (fictitious example)"] == \
        "year precision, 2021-01-01 to 2021-12-31, under Moon Jae-in administration"
    errors = [line for line in r.stdout.splitlines() if line.startswith("error: ")]
    assert errors[0] == ("error: broken-agreements.csv, row 4, column signedOn_as_printed: "
                         "'2023-02-30' is not a valid xsd:date: 2023-02 has no day 30")
    assert errors[1].startswith("error: corrections.ttl:4: <https://w3id.org/defdip/id/agreement/defcoop-DEU> "
                                'already has dd:signedOnAsPrinted "1994-05"')
    assert r.printed["Korean label of agr:defcoop-DEU"] == "한국-독일 국방협력협정 (예)"
