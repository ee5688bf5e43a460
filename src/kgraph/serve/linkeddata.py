"""Documents about the published IRIs, made from the graph when ``kgraph serve`` has
no built site to serve them from: a resource's description (its own triples, the
triples of the blank nodes it points to, and the labels of what it links to: the
definition of the site's data files) or the whole ontology, in Turtle, N-Triples,
JSON-LD, RDF/XML or a minimal HTML page. The data keep their w3id IRIs; only the
links of the HTML page point at this server.

Runs in the query workers (:mod:`kgraph.serve.worker`), which hold the store.
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

from ..prefixes import BASE, DD, PART_GRAPHS, PREFIXES
from ..site.conneg import MEDIA_TYPES

ONTOLOGY = DD.rstrip("#")
_LABELS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label")

#: The ontology: its named graph, whole.
WHOLE_ONTOLOGY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <" + PART_GRAPHS["ontology"] + "> { ?s ?p ?o } }"


def describe(store: Any, iri: str | None) -> list[Any]:
    """The triples of the document about ``iri`` (None: the ontology), as pyoxigraph
    triples in a fixed order: the resource's triples, those of the blank nodes they
    reach, and the labels (``skos:prefLabel``, ``rdfs:label``) of the IRIs they link to,
    the definition of the site's data files (``kgraph.site.resources.data_triples``)."""
    import pyoxigraph as ox

    if iri is None:
        return sorted({ox.Triple(t.subject, t.predicate, t.object) for t in store.query(WHOLE_ONTOLOGY)},
                      key=str)

    def out(node: Any) -> set[tuple[Any, Any, Any]]:
        # Every graph of the store: the parts are disjoint, the set drops any repeat.
        return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(node, None, None)}

    subject = ox.NamedNode(iri)
    triples = out(subject)
    todo = [o for _, _, o in triples if isinstance(o, ox.BlankNode)]
    done: set[Any] = set()
    while todo:
        blank = todo.pop()
        if blank in done:
            continue
        done.add(blank)
        found = out(blank)
        triples |= found
        todo += [o for _, _, o in found if isinstance(o, ox.BlankNode)]
    targets = {o for _, _, o in triples if isinstance(o, ox.NamedNode) and o != subject}
    for target in targets:
        for label in _LABELS:
            triples |= {(q.subject, q.predicate, q.object)
                        for q in store.quads_for_pattern(target, ox.NamedNode(label), None)}
    return sorted((ox.Triple(*t) for t in triples), key=str)


def exists(store: Any, iri: str) -> bool:
    """Whether the graph says anything about ``iri``."""
    import pyoxigraph as ox

    return bool(store.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True,
                            substitutions={ox.Variable("s"): ox.NamedNode(iri)}))


def local_href(iri: str) -> str:
    """Where this server answers an IRI of the dataset (others stay as they are)."""
    if iri.startswith(BASE):
        return "/id/" + iri[len(BASE):]
    if iri.startswith(DD):
        return "/ontology#" + iri[len(DD):]
    if iri == ONTOLOGY:
        return "/ontology"
    return iri


def _curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def render_html(triples: list[Any], iri: str | None) -> bytes:
    """A minimal page for the resource (or, with ``iri`` None, the ontology: one
    section per term, anchored by its local name)."""
    import pyoxigraph as ox

    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for t in triples:
        if t.predicate.value in _LABELS and isinstance(t.object, ox.Literal):
            lang = t.object.language or ""
            if t.predicate.value == _LABELS[0] or lang not in labels[t.subject.value]:
                labels[t.subject.value][lang] = t.object.value

    def name(node: Any) -> str:
        found = labels.get(node.value, {})
        return found.get("en") or found.get("") or next(iter(found.values()), None) or _curie(node.value)

    def value(node: Any) -> str:
        if isinstance(node, ox.NamedNode):
            return (f'<a href="{html.escape(local_href(node.value))}" title="{html.escape(node.value)}">'
                    f"{html.escape(name(node))}</a>")
        if isinstance(node, ox.Literal):
            lang = f' <span class="lang">@{html.escape(node.language)}</span>' if node.language else ""
            return f'<span lang="{html.escape(node.language or "")}">{html.escape(node.value)}</span>{lang}'
        return "<i>(a node without a name)</i>"

    subjects: dict[str, list[Any]] = defaultdict(list)
    for t in triples:
        subjects[t.subject.value].append(t)
    if iri is None:
        shown = sorted(s for s in subjects if s.startswith(DD) or s == ONTOLOGY)
        title = "Defence Diplomacy Ontology"
    else:
        shown = [iri]
        title = name(ox.NamedNode(iri))
    stem = "ontology/ontology" if iri is None else iri.rsplit("/", 1)[-1]
    formats = " · ".join(f'<a href="{html.escape(stem.rsplit("/", 1)[-1])}.{ext}" type="{media}">{ext}</a>'
                         for ext, media in MEDIA_TYPES.items() if ext != "html")
    parts = [
        "<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>", "</head>", "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p><code>{html.escape(iri or ONTOLOGY)}</code> · data: {formats}</p>",
    ]
    for subject in shown:
        anchor = subject[len(DD):] if subject.startswith(DD) else ""
        if iri is None:
            parts.append(f'<section id="{html.escape(anchor)}"><h2>{html.escape(name(ox.NamedNode(subject)))}'
                         f" <small>{html.escape(_curie(subject))}</small></h2>")
        rows = sorted(subjects[subject], key=lambda t: (_curie(t.predicate.value), str(t.object)))
        parts.append("<table>")
        for t in rows:
            parts.append(f"<tr><th>{value(t.predicate)}</th><td>{value(t.object)}</td></tr>")
        parts.append("</table>")
        if iri is None:
            parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts).encode("utf-8")


def answer(store: Any, job: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """A worker's answer to ``{"kind": "resource", "iri": IRI or None, "ext": EXT}``:
    the document, or 404 when the graph knows nothing of the IRI; ``ext`` "exists"
    answers 200 or 404 with no body."""
    import pyoxigraph as ox

    iri, ext = job.get("iri"), job["ext"]
    if ext == "exists":
        return {"status": 200 if iri is None or exists(store, iri) else 404, "type": "text/plain"}, b""
    triples = describe(store, iri)
    if not triples:
        return {"status": 404, "type": "text/plain; charset=utf-8"}, b""
    if ext == "html":
        return {"status": 200, "type": "text/html; charset=utf-8"}, render_html(triples, iri)
    media = MEDIA_TYPES[ext]
    body = ox.serialize(triples, format=ox.RdfFormat.from_media_type(media), prefixes=PREFIXES) or b""
    return {"status": 200, "type": media if media.endswith("json") else media + "; charset=utf-8"}, body


__all__ = ["answer", "describe", "exists", "local_href", "render_html"]
