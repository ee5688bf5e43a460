"""Where each thing lives in the site, and relative links between pages.

>>> page_of("https://w3id.org/defdip/id/country/USA")
'id/country/USA.html'
>>> relative("id/country/USA.html", "ontology/index.html", "Country")
'../../ontology/index.html#Country'
>>> relative("index.html", "id/agreement/gsomia-JPN.html")
'id/agreement/gsomia-JPN.html'
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

from ..prefixes import BASE, DD

#: The formats written beside each resource page and the ontology page: suffix -> media type.
DATA_FORMATS = {"ttl": "text/turtle", "nt": "application/n-triples",
                "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}
FORMAT_NAMES = {"ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "rdf": "RDF/XML"}

ONTOLOGY_PAGE = "ontology/index.html"
HOME = "index.html"
NETWORK_PAGE = "network/index.html"
CODEBOOK_PAGE = "codebook/index.html"
SPARQL_PAGE = "sparql/index.html"
DUMP_DIR = "dump/"

# A path segment we write as a file name as it is: no "..", no empty segment.
_SEGMENT = re.compile(r"^[A-Za-z0-9_~\-][A-Za-z0-9_.~\-]*$")


def resource_key(iri: str) -> str | None:
    """``<type>/<local>`` of a resource IRI under the id namespace, or None when the
    IRI has no page (outside the namespace, or a path that cannot be a file)."""
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE):]
    parts = rest.split("/")
    if len(parts) < 2 or not all(_SEGMENT.match(p) for p in parts):
        return None
    return rest


def page_of(iri: str) -> str | None:
    """The site path of a resource's page (None if it has none)."""
    key = resource_key(iri)
    return None if key is None else f"id/{key}.html"


def data_of(iri: str, fmt: str) -> str | None:
    key = resource_key(iri)
    return None if key is None else f"id/{key}.{fmt}"


def ontology_anchor(iri: str) -> str | None:
    """The anchor of an ontology term on the ontology page (None for other IRIs)."""
    if iri.startswith(DD) and len(iri) > len(DD):
        return iri[len(DD):]
    return None


def relative(from_page: str, to_path: str, anchor: str | None = None) -> str:
    """A relative URL from the page at ``from_page`` to the file ``to_path``
    (both site paths), percent-encoded, with an optional fragment."""
    start = posixpath.dirname(from_page) or "."
    rel = posixpath.relpath(to_path, start)
    url = quote(rel, safe="/~-._")
    return url + ("#" + quote(anchor, safe="~-._") if anchor else "")


def root_of(page: str) -> str:
    """The relative prefix from ``page`` to the site's root ("" or "../../")."""
    return "../" * page.count("/")
