"""Inputs and invariants of the fuzz suite, shared by tests/test_fuzz.py (Hypothesis,
about a minute in CI) and bench/fuzz.py (as long as you like).

The invariant everywhere: a clean KgraphError (exit 1, one message, no
traceback) or a right answer; never another exception, a hang, a crash or a
half-written output.
"""

from __future__ import annotations

import contextlib
import io
import random
from collections.abc import Callable
from pathlib import Path

# --- Seeds: one small valid document per format ------------------------------------------------

TURTLE = """@prefix dd: <https://w3id.org/defdip/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
# Table 1
<https://w3id.org/defdip/id/agreement/x> a dd:Agreement ;
    rdfs:label "GSOMIA"@en, "軍事情報包括保護協定"@ja ;
    dd:signedOn "2016-11-23"^^xsd:date ;
    dd:count 12 ; dd:ratio 1.5e3 ;
    dd:partner [ a dd:Country ; rdfs:label \"\"\"multi
line\"\"\" ] ;
    dd:list ( 1 2 "three" ) .
"""

NTRIPLES = """<http://ex.org/a> <http://ex.org/p> "x"@en .
<http://ex.org/a> <http://ex.org/q> "2001"^^<http://www.w3.org/2001/XMLSchema#gYear> .
_:b1 <http://ex.org/p> <http://ex.org/a> .
<http://ex.org/a> <http://ex.org/r> "tab\\tquote\\"\\u00e9" .
"""

JSONLD = """{
  "@context": {"ex": "http://ex.org/", "name": "ex:name",
               "knows": {"@id": "ex:knows", "@type": "@id"}},
  "@id": "ex:a",
  "name": ["x", {"@value": "y", "@language": "ja"}],
  "knows": "ex:b",
  "ex:n": {"@value": "3", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
  "ex:r": {"@id": "_:b", "ex:p": {"@id": "ex:c"}}
}
"""

RDFXML = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://ex.org/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ex="http://ex.org/">
  <rdf:Description rdf:about="&ex;a">
    <ex:name xml:lang="en">x</ex:name>
    <ex:knows rdf:resource="http://ex.org/b"/>
    <ex:n rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">3</ex:n>
    <ex:p><rdf:Description><ex:q>nested</ex:q></rdf:Description></ex:p>
  </rdf:Description>
</rdf:RDF>
"""

SPARQL = [
    "SELECT ?c ?label WHERE { ?c a dd:Country ; rdfs:label ?label FILTER(LANG(?label) = 'en') } "
    "ORDER BY ?label LIMIT 10",
    "PREFIX ex: <http://ex.org/>\nSELECT (COUNT(*) AS ?n) WHERE { ?s ex:p ?o OPTIONAL { ?o ex:q ?x } }",
    "ASK { ?s ?p \"x\"@en }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
    "SELECT ?s WHERE { VALUES ?s { <http://ex.org/a> dd:x } BIND(STRLEN(STR(?s)) AS ?n) "
    "FILTER(REGEX(STR(?s), \"^h\", \"i\")) } GROUP BY ?s HAVING (COUNT(?s) > 0)",
    "DESCRIBE <http://ex.org/a>",
    "SELECT * WHERE { ?s <http://ex.org/p>/<http://ex.org/q>* ?o . MINUS { ?s a dd:Country } }",
]

DATA_SEEDS: dict[str, str] = {".ttl": TURTLE, ".nt": NTRIPLES, ".jsonld": JSONLD, ".rdf": RDFXML}

#: Fragments that have broken parsers before, spliced into inputs.
HOSTILE = ["<", ">", '"', "'''", '"""', "\\", "\\u", "\\uD800", "\\U0010FFFF", "#", "@", "^^", "_:",
           "(((((", "]]]]", "{{{{", "}", "\ufeff", "\x00", "\u2028", "é", "😀", "SERVICE <http://127.0.0.1:9/> {}",
           "LOAD <http://127.0.0.1:9/>", "INSERT DATA {}", "?load", "country:x\\#y", "@prefix", "PREFIX",
           "<!ENTITY a \"&a;\">", "&a;", '"@context": "http://127.0.0.1:9/c"', '"@id": "a b"',
           "1e999999", "-0", "9" * 40, "a" * 300, "\r\n", "\t", ".", ";", ",", "'", "\"\"\"\"\"\""]


def mutate(rng: random.Random, text: str, rounds: int | None = None) -> str:
    """``text`` with a few random edits: deletions, duplications, swaps, hostile splices."""
    s = text
    for _ in range(rounds if rounds is not None else rng.randint(1, 6)):
        op = rng.randrange(6)
        i = rng.randrange(len(s) + 1)
        j = min(len(s), i + rng.randint(0, 20))
        if op == 0:
            s = s[:i] + s[j:]
        elif op == 1:
            s = s[:i] + s[i:j] * rng.randint(2, 5) + s[i:]
        elif op == 2:
            s = s[:i] + rng.choice(HOSTILE) + s[i:]
        elif op == 3 and len(s) > 1:
            k = rng.randrange(len(s))
            s = s[:k] + chr(rng.choice([rng.randint(32, 126), rng.randint(0, 0x2FFF)])) + s[k + 1:]
        elif op == 4:
            a, b = sorted((rng.randrange(len(s) + 1), rng.randrange(len(s) + 1)))
            s = s[:a] + s[b:] + s[a:b]
        else:
            s = s[:i] + rng.choice(HOSTILE) * rng.randint(1, 50) + s[j:]
    return s


# --- Invariants ---------------------------------------------------------------------------------

class Fault(AssertionError):
    """An input broke the invariant: kgraph raised something other than KgraphError."""


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def check_data_file(folder: Path, suffix: str, text: str) -> str:
    """Parse ``text`` as a data file: triples or a clean KgraphError naming the file.
    Returns "ok" or "error" (Fault on anything else)."""
    from kgraph.errors import KgraphError
    from kgraph.parsing import read_triples

    f = folder / f"fuzz{suffix}"
    f.write_bytes(_encode(text))
    try:
        read_triples(f)
        return "ok"
    except KgraphError as exc:
        if str(f) not in str(exc):
            raise Fault(f"the error does not name the file: {exc}") from exc
        return "error"
    except Exception as exc:  # noqa: BLE001 - the fault being looked for
        raise Fault(f"{type(exc).__name__}: {exc}") from exc


_STORE: object | None = None


def small_store() -> object:
    """An OxGraph over the Turtle seed (built once)."""
    global _STORE
    if _STORE is None:
        import pyoxigraph as ox

        from kgraph.oxstore import OxGraph

        store = ox.Store()
        store.load(TURTLE.encode(), ox.RdfFormat.TURTLE, base_iri="http://ex.org/")
        store.load(NTRIPLES.encode(), ox.RdfFormat.N_TRIPLES)
        _STORE = OxGraph(store)
    return _STORE


def check_query(text: str) -> str:
    """Run ``text`` on both engines over a small graph: an answer or a clean KgraphError."""
    from rdflib import Graph

    from kgraph.errors import KgraphError
    from kgraph.sparql import run

    outcome = []
    ox = small_store()
    for engine in ("oxigraph", "rdflib"):
        try:
            if engine == "oxigraph":
                ox.query(text)  # type: ignore[attr-defined]
            else:
                res = run(_rdflib_graph(), text)
                if getattr(res, "type", None) == "SELECT":
                    list(res)
            outcome.append("ok")
        except KgraphError:
            outcome.append("error")
        except Exception as exc:  # noqa: BLE001
            if engine == "rdflib":
                # rdflib evaluates lazily and has known bugs of its own; kgraph's CLI turns
                # those into one line (tested below), the API lets them through.
                outcome.append("rdflib-bug")
                continue
            raise Fault(f"{engine}: {type(exc).__name__}: {exc}") from exc
    del Graph
    return "/".join(outcome)


_RDFLIB: object | None = None


def _rdflib_graph() -> object:
    global _RDFLIB
    if _RDFLIB is None:
        from rdflib import Graph

        g = Graph()
        g.parse(data=TURTLE, format="turtle", publicID="http://ex.org/")
        _RDFLIB = g
    return _RDFLIB


def check_cli(args: list[str]) -> int:
    """Run the CLI in-process: exit 0 or 1 and, on 1, one ``kgraph: error:`` message."""
    from kgraph.cli import main

    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            rc = main(args)
        except SystemExit as exc:   # argparse's usage errors
            rc = int(exc.code or 0)
    text = err.getvalue()
    if rc not in (0, 1, 2) or "Traceback" in text:
        raise Fault(f"exit {rc}: {text[-500:]}")
    if rc == 1 and not text.startswith("kgraph: error:"):
        raise Fault(f"exit 1 without a kgraph error line: {text[-300:]}")
    return rc


def check_output_set(folder: Path, names: list[str]) -> str:
    """Write a set of files with fuzzed names: a whole set or a clean refusal."""
    from kgraph.errors import KgraphError
    from kgraph.outputset import is_complete, write_set

    target = folder / "set"

    def fill(staging: Path) -> None:
        for n in names:
            (staging / n).write_text(n, encoding="utf-8")

    try:
        write_set(target, fill)
    except KgraphError:
        return "error"
    except (OSError, ValueError):
        return "bad-name"   # a name the file system refuses is the caller's problem, not a half set
    if not is_complete(target):
        raise Fault(f"half-written set: {sorted(p.name for p in target.iterdir())}")
    return "ok"


CHECKS: dict[str, Callable[..., str]] = {"data": check_data_file, "query": check_query}
