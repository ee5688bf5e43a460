"""SHACL validation with pySHACL, and a report a person can read.

The data graph is the asserted data with the ontology and the derived facts,
*without* OWL inferences: a range axiom must not make an unknown partner look
valid.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def validate_graph(data: Graph, shapes: Graph) -> ValidationReport:
    """Run pySHACL on ``data`` with ``shapes``; no inference."""
    from pyshacl import validate as shacl

    conforms, results, _ = shacl(data, shacl_graph=shapes, inference="none",
                                 advanced=True, allow_warnings=True)
    violations = []
    for r in results.subjects(SH.resultSeverity, None):
        focus = results.value(r, SH.focusNode)
        msg = results.value(r, SH.resultMessage)
        sev = results.value(r, SH.resultSeverity)
        label = data.value(focus, RDFS.label) if focus is not None else None
        for lbl in data.objects(focus, RDFS.label) if focus is not None else ():
            if isinstance(lbl, Literal) and lbl.language == "en":
                label = lbl
        violations.append(Violation(
            focus=curie(focus) or "?",
            label=str(label) if label is not None else None,
            path=curie(results.value(r, SH.resultPath)),
            value=curie(results.value(r, SH.value)),
            message=str(msg) if msg is not None else "constraint failed",
            severity=(curie(sev) or "sh:Violation").replace("sh:", ""),
        ))
    violations.sort(key=lambda v: (v.focus, v.path or "", v.message))
    return ValidationReport(bool(conforms), tuple(violations))


def validate(kg: KnowledgeGraph) -> ValidationReport:
    """Validate the asserted data (with ontology and derived facts) against
    the bundled shapes."""
    data = Graph()
    for part in (kg.ontology, kg.asserted, kg.derived):
        for t in part:
            data.add(t)
    return validate_graph(data, kg.shapes)
