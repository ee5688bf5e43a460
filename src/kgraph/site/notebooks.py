"""The notebooks of ``notebooks/`` executed and rendered as HTML pages.

jupytext reads each percent script, nbclient runs it on the python3 kernel in
a scratch folder (so nothing is written beside the site), nbconvert's "basic"
template renders cells and outputs (images inline), and the site's own page
frame wraps it: no script or stylesheet from a CDN.  Executed outputs change
from run to run (timings, object ids), so these pages are the one part of the
site that is not byte-identical between builds.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import KgraphError

#: Seconds one cell may take (the first may build the graph).
CELL_TIMEOUT = 600


# Run before a notebook's own cells, and left out of its page: kgraph runs offline, so a
# connection that leaves the machine is refused (the kernel talks to nbclient over loopback).
OFFLINE_GUARD = """
import socket as _socket
_connect = _socket.socket.connect

def _loopback_only(self, address):
    if self.family in (_socket.AF_INET, _socket.AF_INET6):
        host = str(address[0])
        if not (host.startswith("127.") or host in ("localhost", "::1")):
            raise OSError(f"the notebook tried to reach {host}: nothing may leave the machine")
    return _connect(self, address)

_socket.socket.connect = _loopback_only
del _loopback_only
"""


@dataclass(frozen=True)
class Notebook:
    name: str
    title: str
    body: str     # nbconvert's HTML of the cells, outputs included


def notebook_dir() -> Path | None:
    """The repository's notebooks/ folder (a source checkout only), or None."""
    here = Path(__file__).resolve().parents[3] / "notebooks"
    return here if here.is_dir() else None


def sources(folder: Path | None = None) -> list[Path]:
    folder = folder or notebook_dir()
    return sorted(folder.glob("[0-9][0-9]-*.py")) if folder else []


def _title(nb: object, fallback: str) -> str:
    for cell in getattr(nb, "cells", []):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def render(path: Path, *, timeout: int = CELL_TIMEOUT) -> Notebook:
    """Execute the notebook ``path`` (a jupytext percent script) and render it."""
    try:
        import jupytext
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
        from nbconvert import HTMLExporter
    except ImportError as exc:
        raise KgraphError(f"rendering notebooks needs {exc.name}",
                          hint="pip install 'kgraph[site]', or use --no-notebooks") from exc
    nb = jupytext.read(path)
    nb.cells.insert(0, nbformat.v4.new_code_cell(OFFLINE_GUARD))
    with tempfile.TemporaryDirectory(prefix="kgraph-notebook-") as tmp:
        # The kernel warns on stderr that it talks over loopback TCP: true, and nothing to act on.
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": tmp}},
                                extra_arguments=["--IPKernelApp.log_level=ERROR"])
        try:
            client.execute(env={**os.environ, "TMPDIR": tmp})
        except CellExecutionError as exc:
            first = str(exc).strip().splitlines()[-1] if str(exc).strip() else "a cell failed"
            raise KgraphError(f"{path}: the notebook failed: {first}",
                              hint="run it in Jupyter to see the cell, or use --no-notebooks") from exc
    del nb.cells[0]   # the guard
    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb)
    return Notebook(path.stem, _title(nb, path.stem), body)
