"""SHACL validation with pySHACL, and a report a person can read.

The data graph is the asserted data with the ontology and the derived facts,
*without* OWL inferences: a range axiom must not make an unknown partner look
valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import RDFS, Graph, Literal
from rdflib.namespace import SH

from .build import KnowledgeGraph
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


def _label(data: Graph, focus: Any) -> str | None:
    label = None
    for lbl in data.objects(focus, RDFS.label) if focus is not None else ():
        if isinstance(lbl, Literal) and (label is None or lbl.language == "en"):
            label = lbl
    return str(label) if label is not None else None


def validate_graph(data: Graph, shapes: Graph, engine: str = "fast") -> ValidationReport:
    """Validate ``data`` against ``shapes`` without inference.

    ``engine``: "fast" (kgraph.shacl_fast, the default) or "pyshacl" (the
    reference); both report the same violations for the bundled shapes.
    """
    if engine == "pyshacl":
        return _validate_pyshacl(data, shapes)
    if engine != "fast":
        raise ValueError(f"unknown SHACL engine {engine!r}; choose one of {ENGINES}")
    from .gcpause import gc_paused
    from .shacl_fast import validate_fast

    with gc_paused():
        results = validate_fast(data, shapes)
    violations = [Violation(focus=curie(r.focus) or "?", label=_label(data, r.focus),
                            path=curie(r.path), value=curie(r.value), message=r.message,
                            severity=(curie(r.severity) or "sh:Violation").replace("sh:", ""))
                  for r in results]
    violations = sorted(set(violations), key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))
    return ValidationReport(not violations, tuple(violations))


def _validate_pyshacl(data: Graph, shapes: Graph) -> ValidationReport:
    from pyshacl import validate as shacl

    conforms, results, _ = shacl(data, shacl_graph=shapes, inference="none",
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
    violations = sorted(set(violations), key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))
    return ValidationReport(bool(conforms), tuple(violations))


def validate(kg: KnowledgeGraph, engine: str = "fast") -> ValidationReport:
    """Validate the asserted data (with ontology and derived facts) against
    the bundled shapes."""
    return validate_graph(kg.validation_data, kg.shapes, engine)
