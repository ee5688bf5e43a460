"""SHACL validation, and a report a person can read.

The data graph is the asserted data with the ontology and the derived facts,
*without* OWL inferences: a range axiom must not make an unknown partner look
valid.  Two engines: the fast one (``kgraph.shacl_fast``, the default) and
pySHACL (the reference).  When the shapes use a feature the fast engine
refuses, validation falls back to pySHACL with a one-line notice on stderr.
Whatever the engine, every literal of the data graph must be well-formed for
its datatype, with a well-formed language tag (``kgraph.literals``): an
ill-typed literal is a violation naming the record, the property and the value.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import RDFS, Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

from .build import KnowledgeGraph
from .errors import KgraphError
from .namespaces import curie


@dataclass(frozen=True)
class Violation:
    """One failed constraint."""

    focus: str
    label: str | None
    path: str | None
    value: str | None
    message: str
    severity: str

    def __str__(self) -> str:
        who = self.focus + (f" ({self.label})" if self.label else "")
        where = f" {self.path}:" if self.path else ""
        val = f" [value: {self.value}]" if self.value is not None else ""
        return f"{self.severity}: {who}{where} {self.message}{val}"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]

    def text(self) -> str:
        if self.conforms:
            return "valid: 0 violations"
        lines = [f"invalid: {len(self.violations)} violation(s)"]
        lines += [f"  {v}" for v in self.violations]
        return "\n".join(lines)


ENGINES = ("fast", "pyshacl")

#: Severities that do not make a report non-conforming (pySHACL's allow_warnings).
_LENIENT = ("Warning", "Info")


def _label(data: Graph, focus: Any) -> str | None:
    label = None
    for lbl in data.objects(focus, RDFS.label) if focus is not None else ():
        if isinstance(lbl, Literal) and (label is None or lbl.language == "en"):
            label = lbl
    return str(label) if label is not None else None


def validate_graph(data: Graph, shapes: Graph, engine: str = "fast") -> ValidationReport:
    """Validate ``data`` against ``shapes`` without inference.

    ``engine``: "fast" (kgraph.shacl_fast, the default) or "pyshacl" (the
    reference); both report the same violations for the bundled shapes.  If
    the shapes use a feature the fast engine refuses (or it meets one while
    validating: recursive shapes), pySHACL validates instead, with a one-line
    notice on stderr.  Either way every ill-typed literal of ``data`` is a
    violation too.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}; choose one of {ENGINES}")
    from .shacl_fast import unsupported

    refused = unsupported(shapes) if engine == "fast" else {}
    if refused:
        feature, shape = next(iter(refused.items()))
        print(f"kgraph: the fast SHACL engine does not support {feature} (shape {curie(shape)}); "
              "validating with pySHACL instead", file=sys.stderr)
        engine = "pyshacl"
    found: list[Violation] | None = None
    if engine == "fast":
        try:
            found = _validate_fast(data, shapes, refused)
        except KgraphError as exc:
            print(f"kgraph: {exc.message}; validating with pySHACL instead", file=sys.stderr)
    if found is None:
        found = _validate_pyshacl(data, shapes) + _ill_typed(data, data)
    violations = sorted(set(found), key=lambda v: (v.focus, v.path or "", v.message, v.value or "",
                                                   v.severity))
    conforms = not any(v.severity not in _LENIENT for v in violations)
    return ValidationReport(conforms, tuple(violations))


def _validate_fast(data: Graph, shapes: Graph, refused: dict[str, Node]) -> list[Violation]:
    from .gcpause import gc_paused
    from .shacl_fast import FastValidator

    with gc_paused():
        validator = FastValidator(shapes, refused)
        results = validator.validate(data)
    return [Violation(focus=curie(r.focus) or "?", label=_label(data, r.focus),
                      path=curie(r.path), value=curie(r.value), message=r.message,
                      severity=(curie(r.severity) or "sh:Violation").replace("sh:", ""))
            for r in results] + _ill_typed(data, validator.literal_triples)


def _ill_typed(data: Graph, triples: Iterable[tuple[Node, Node, Node]]) -> list[Violation]:
    """One violation per ill-formed literal among ``triples`` (all of ``data``'s,
    or the fast engine's list of those with a literal), whatever the property:
    the SHACL engines check well-formedness only where a shape says sh:datatype."""
    from .literals import ill_typed

    return [Violation(focus=curie(s) or "?", label=_label(data, s), path=curie(p),
                      value=curie(lit), message=f"ill-typed literal: {why}", severity="Violation")
            for s, p, lit, why in ill_typed(triples)]


def _validate_pyshacl(data: Graph, shapes: Graph) -> list[Violation]:
    from pyshacl import validate as shacl

    _, results, _ = shacl(data, shacl_graph=shapes, inference="none",
                                 advanced=True, allow_warnings=True)
    violations = []
    for r in results.subjects(SH.resultSeverity, None):
        focus = results.value(r, SH.focusNode)
        msg = results.value(r, SH.resultMessage)
        sev = results.value(r, SH.resultSeverity)
        violations.append(Violation(
            focus=curie(focus) or "?",
            label=_label(data, focus),
            path=curie(results.value(r, SH.resultPath)),
            value=curie(results.value(r, SH.value)),
            message=str(msg) if msg is not None else "constraint failed",
            severity=(curie(sev) or "sh:Violation").replace("sh:", ""),
        ))
    return violations


def validate(kg: KnowledgeGraph, engine: str = "fast") -> ValidationReport:
    """Validate the asserted data (with ontology and derived facts) against
    the bundled shapes."""
    return validate_graph(kg.validation_data, kg.shapes, engine)
