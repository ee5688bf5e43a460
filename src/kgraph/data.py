"""Where the bundled ontology, shapes and graph files are.

An installed wheel carries them as package data (``kgraph/data/``); an
editable install or a source checkout finds them at the repository root.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import KgraphError


@dataclass(frozen=True)
class Bundle:
    """The files of one dataset: ontology, SHACL shapes and instance data."""

    ontology: tuple[Path, ...]
    shapes: tuple[Path, ...]
    graph: tuple[Path, ...]

    @property
    def all_files(self) -> tuple[Path, ...]:
        return self.ontology + self.shapes + self.graph


def _root() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "data"
    if (packaged / "ontology").is_dir():
        return packaged
    checkout = here.parent.parent  # src/kgraph -> repository root
    if (checkout / "ontology").is_dir() and (checkout / "graph").is_dir():
        return checkout
    raise KgraphError(
        "The bundled ontology and graph were not found next to the package.",
        hint="reinstall kgraph (pip install --force-reinstall kgraph)",
    )


def is_shapes_file(path: Path) -> bool:
    """Shapes files are named ``shapes*.ttl`` inside ``ontology/``."""
    return path.name.startswith("shapes")


def bundled() -> Bundle:
    """The ontology, shapes and graph files shipped with the package, sorted by name."""
    root = _root()
    onto = sorted((root / "ontology").glob("*.ttl"))
    return Bundle(
        ontology=tuple(p for p in onto if not is_shapes_file(p)),
        shapes=tuple(p for p in onto if is_shapes_file(p)),
        graph=tuple(sorted((root / "graph").glob("*.ttl"))),
    )


def citation_file() -> Path:
    """The project's CITATION.cff: at the repository root, or packaged beside the data."""
    return _root() / "CITATION.cff"


def queries_dir() -> Path:
    """The folder of named SPARQL queries (``*.rq``)."""
    return Path(__file__).resolve().parent / "queries"
