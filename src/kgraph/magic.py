"""The ``%%sparql`` cell magic for IPython and Jupyter.

``%load_ext kgraph`` registers it; then a cell such as::

    %%sparql --lang ja -o gsomia
    SELECT ?partner ?signed WHERE { ?a a dd:MilitaryInformationAgreement ;
                                       dd:partner ?partner ; dd:signedOn ?signed }

runs the query on the bundled graph (built once per kernel, with the project
prefixes predeclared) and shows the result as a pandas DataFrame.  The cell may
also hold a named query's name (``k9-contracts``) or a ``.rq`` file's path.

Options on the magic line: ``--lang`` for labels (en, ja, ko), ``--iris`` to
show IRIs instead of labels, ``-o NAME`` to keep the DataFrame in the
notebook's namespace.  A query the package rejects prints the CLI's one-line
message (``kgraph: error: ...``) instead of a traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from .errors import KgraphError

if TYPE_CHECKING:
    import pandas as pd


def run_cell_query(cell: str, *, lang: str = "en", iris: bool = False) -> pd.DataFrame:
    """A cell's SELECT query (or a named query's name) on the bundled graph,
    as a DataFrame; raises KgraphError on a query the package rejects."""
    import kgraph

    text = cell.strip()
    if not text:
        raise KgraphError("the %%sparql cell is empty", hint="write a SELECT query below the magic line")
    # The same door as kgraph.query(): the bundled graph's Oxigraph store, opened once per kernel.
    return kgraph.query(text, lang=lang, labels=not iris)


@magics_class
class SparqlMagics(Magics):
    """Holds the ``%%sparql`` cell magic."""

    @magic_arguments(name="%sparql")  # usage reads "%%sparql"
    @argument("--lang", default="en",
              help="language of the labels shown for IRIs (en, ja, ko; default en)")
    @argument("--iris", action="store_true", help="show IRIs instead of labels")
    @argument("-o", "--output", metavar="NAME",
              help="also store the DataFrame in the notebook's namespace as NAME")
    @cell_magic
    def sparql(self, line: str, cell: str) -> pd.DataFrame | None:
        """Run the cell's SPARQL SELECT on the bundled kgraph graph and show a
        DataFrame (prefixes dd:, country:, agr:, adm:, ... are predeclared)."""
        args = parse_argstring(self.sparql, line)
        try:
            if args.output is not None and not args.output.isidentifier():
                raise KgraphError(f"-o {args.output!r} is not a valid Python name",
                                  hint="use letters, digits and underscores, e.g. -o agreements")
            df = run_cell_query(cell, lang=args.lang, iris=args.iris)
        except KgraphError as exc:
            # The CLI's own words, without a traceback: the user fixes the query.
            print(f"kgraph: error: {exc}", file=sys.stderr)
            return None
        if args.output and self.shell is not None:  # the shell is set by register_magics
            self.shell.user_ns[args.output] = df
        return df


def register(ipython: Any) -> None:
    """Register ``%%sparql`` with an IPython shell (``%load_ext kgraph`` calls this)."""
    ipython.register_magics(SparqlMagics)


__all__ = ["SparqlMagics", "register", "run_cell_query"]
