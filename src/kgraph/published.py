"""Stable IRIs: the record of published IRIs, and the check that none is removed.

The rule (README, "Stable IRIs"; graph/README.md): an IRI once published is
never removed.  A retired resource stays in ``graph/`` (an ontology term in
``ontology/``) as ``<old> owl:deprecated true ; dcterms:isReplacedBy <new>``;
``ontology/shapes-deprecation.ttl`` makes the build check that every
deprecated IRI names its replacement.

``graph/published-iris.txt`` lists every IRI published so far: the ontology's
terms and every resource the curated data describes (the subjects under
``https://w3id.org/defdip/`` of the ontology and asserted parts).  Derived
resources (``id/tie/…``) are views computed from those and are not listed.
The list only grows: :func:`record` adds the current IRIs to it and keeps
the old ones; :func:`missing` names the listed IRIs the graph no longer has.

>>> sorted(missing({"https://w3id.org/defdip/id/country/JPN"}, set()))
['https://w3id.org/defdip/id/country/JPN']
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import KgraphError

if TYPE_CHECKING:
    from .build import KnowledgeGraph

#: IRIs under this stem are the project's own (instances, ontology, dataset).
STEM = "https://w3id.org/defdip/"
#: The derived resources, views computed from the curated ones (not listed).
DERIVED = (STEM + "id/tie/",)

HEADER = """\
# IRIs published by kgraph: the ontology's terms and every resource of graph/.
# An IRI listed here is never removed. To retire one, keep it in graph/ (or
# ontology/) as
#     <old> owl:deprecated true ; dcterms:isReplacedBy <new> .
# (graph/README.md, "Stable IRIs"). The list only grows; at a release, add the
# new IRIs with:
#     python -c "import kgraph, kgraph.published as p; p.record(kgraph.load())"
"""


def list_file() -> Path:
    """graph/published-iris.txt of the bundled data."""
    from .data import bundled

    return bundled().graph[0].parent / "published-iris.txt"


def current(kg: KnowledgeGraph) -> set[str]:
    """The IRIs the graph publishes now: subjects under the stem in the
    ontology and asserted parts, derived resources left out."""
    found: set[str] = set()
    for part in (kg.ontology, kg.asserted):
        for s in part.subjects():
            iri = str(s)
            if iri.startswith(STEM) and not iri.startswith(DERIVED):
                found.add(iri)
    return found


def read(path: Path | None = None) -> set[str]:
    """The IRIs listed in ``path`` (default: graph/published-iris.txt)."""
    path = path or list_file()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise KgraphError(f"{path}: cannot read the list of published IRIs ({exc.strerror or exc})",
                          hint="restore it from version control; it is never made anew") from exc
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def missing(listed: Iterable[str], now: Iterable[str]) -> list[str]:
    """The listed IRIs that ``now`` no longer has, sorted."""
    present = set(now)
    return sorted(set(listed) - present)


def record(kg: KnowledgeGraph, path: Path | None = None) -> Path:
    """Add the graph's current IRIs to the list (never removing one); refuses
    while a listed IRI is missing from the graph."""
    path = path or list_file()
    listed = read(path) if path.exists() else set()
    gone = missing(listed, current(kg))
    if gone:
        raise KgraphError(f"{len(gone)} published IRI(s) are gone from the graph, e.g. {gone[0]}",
                          hint="keep each as `<old> owl:deprecated true ; dcterms:isReplacedBy <new> .`")
    body = "".join(f"{iri}\n" for iri in sorted(listed | current(kg)))
    tmp = path.with_suffix(".txt.tmp")
    tmp.write_text(HEADER + body, encoding="utf-8", newline="\n")
    tmp.replace(path)
    return path


__all__ = ["current", "list_file", "missing", "read", "record"]
