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
from urllib.parse import quote, unquote

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

# A class index's file name as it is (letters, digits, "_", "-", "."; no leading dot).
_SEGMENT = re.compile(r"^[A-Za-z0-9_~\-][A-Za-z0-9_.~\-]*$")
# Bytes a file name may hold on common file systems, less room for ".jsonld".
_MAX_NAME = 240


def _segment_ok(name: str) -> bool:
    return (name not in ("", ".", "..") and not name.startswith(".") and "\0" not in name
            and "/" not in name and "\\" not in name and len(name.encode("utf-8")) <= _MAX_NAME)


def resource_key(iri: str) -> str | None:
    """``<type>/<local>`` of a resource IRI under the id namespace, as the file path a
    web server maps the IRI's path to (percent-escapes decoded: ``C%C3%B4te`` and
    ``Côte`` are the same file), or None when the IRI has no page: outside the
    namespace, or a segment no file can be named (empty, ``..``, a leading dot).

    >>> resource_key("https://w3id.org/defdip/id/country/C%C3%B4te-d-Ivoire")
    'country/Côte-d-Ivoire'
    >>> resource_key("https://w3id.org/defdip/id/x/..") is None
    True
    """
    if not iri.startswith(BASE):
        return None
    parts = [unquote(p) for p in iri[len(BASE):].split("/")]
    if len(parts) < 2 or not all(_segment_ok(p) for p in parts):
        return None
    return "/".join(parts)


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
