"""Content negotiation for the published IRIs, after the W3C note "Cool URIs for
the Semantic Web" (the 303 recipe): a resource IRI names a thing, not a document,
so the server answers it with ``303 See Other`` pointing at a document about it,
chosen by the request's ``Accept`` header.

The site layout (shared with :mod:`kgraph.site`): ``id/<type>/<local>`` has its page
at ``id/<type>/<local>.html`` and its data beside it (``.ttl``, ``.nt``,
``.jsonld``, ``.rdf``); ``ontology`` (the terms are ``ontology#Term``, and a
fragment never reaches a server) has ``ontology/index.html`` and
``ontology/ontology.<ext>``.

Three places apply the same rules:

- :func:`negotiate`, for ``kgraph serve`` (full ``q``-value negotiation);
- an Apache ``.htaccess`` (mod_rewrite, as w3id.org uses) and
- an nginx configuration, both written into the site by :func:`write_conneg_rules`.

mod_rewrite and nginx's ``map`` match the ``Accept`` header with regular
expressions and cannot weigh ``q``-values, so the static rules pick, among the
types a client names without ``q=0``, the first of Turtle, N-Triples, JSON-LD,
RDF/XML, and HTML otherwise (browsers name none of the RDF types, and RDF
clients such as rdflib name HTML, if at all, with a low weight: data first is
the order that serves both). Every 303 carries ``Vary: Accept`` so that caches
keep one answer per ``Accept``.
"""

from __future__ import annotations

from pathlib import Path

#: File extension -> media type of each document about a resource, in the order
#: the static rules prefer them (HTML is the default, so it comes last there).
MEDIA_TYPES: dict[str, str] = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "html": "text/html",
}
#: Other names clients use for the same formats.
_ALIASES: dict[str, str] = {
    "application/x-turtle": "ttl",
    "text/n-triples": "nt",   # not registered, but sent by some clients
    "application/xhtml+xml": "html",
}
#: Extra media types the site's files need (for the web server rules).
_SITE_TYPES: dict[str, str] = {
    "nq": "application/n-quads", "trig": "application/trig", "json": "application/json",
    "js": "text/javascript", "mjs": "text/javascript", "css": "text/css", "svg": "image/svg+xml",
    "png": "image/png", "wasm": "application/wasm", "csv": "text/csv", "md": "text/markdown",
    "txt": "text/plain", "gz": "application/gzip", "ipynb": "application/x-ipynb+json",
}
#: Types written with "; charset=utf-8".
_TEXT = ("html", "ttl", "nt", "nq", "trig", "js", "mjs", "css", "csv", "md", "txt", "svg")


def media_type(ext: str) -> str:
    """The Content-Type to send for a file with extension ``ext`` (no dot).

    >>> media_type("ttl"), media_type("jsonld")
    ('text/turtle; charset=utf-8', 'application/ld+json')
    """
    media = MEDIA_TYPES.get(ext) or _SITE_TYPES.get(ext, "application/octet-stream")
    return f"{media}; charset=utf-8" if ext in _TEXT else media


def site_media_type(ext: str) -> str | None:
    """``media_type(ext)`` for the extensions of the site's files; None for others."""
    return media_type(ext) if ext in MEDIA_TYPES or ext in _SITE_TYPES else None


def negotiate(accept: str | None) -> str | None:
    """The extension of the document to send for ``accept``: the client's highest
    ``q`` wins; among equals, the more specific range, then the client's order, then
    HTML. No Accept (or ``*/*``) gives HTML; None if the client accepts none of them
    (the caller answers 406).

    >>> negotiate("text/turtle"), negotiate(None), negotiate("*/*")
    ('ttl', 'html', 'html')
    >>> negotiate("application/rdf+xml, */*;q=0.1")   # rdflib's Accept for RDF/XML
    'rdf'
    >>> negotiate("text/html;q=0.5, application/ld+json")
    'jsonld'
    >>> negotiate("image/png") is None
    True
    """
    if not accept or not accept.strip():
        return "html"
    from ..serve.protocol import accept_ranges

    # The endpoint's one Accept parser; the position breaks ties in the client's order.
    ranges = [(rng, q, pos) for pos, (rng, q) in enumerate(accept_ranges(accept))]
    best: tuple[float, int, int, int] | None = None
    choice = None
    for rank, (ext, media) in enumerate(sorted(MEDIA_TYPES.items(), key=lambda kv: kv[0] != "html")):
        names = {media} | {a for a, e in _ALIASES.items() if e == ext}
        kind = media.split("/")[0]
        # The most specific range that matches decides this type's weight (RFC 9110, 12.5.1).
        match: tuple[int, float, int] | None = None
        for rng, q, pos in ranges:
            specificity = 2 if rng in names else 1 if rng == f"{kind}/*" else 0 if rng == "*/*" else -1
            if specificity >= 0 and (match is None or specificity > match[0]):
                match = (specificity, q, pos)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], match[0], -match[2], -rank)
        if best is None or key > best:
            best, choice = key, ext
    return choice


# --- The static rules ------------------------------------------------------------------------

def _accept_regex(media: str) -> str:
    """A PCRE that holds when an Accept header names ``media`` without q=0."""
    name = media.replace("+", r"\+").replace(".", r"\.")
    return rf"(^|,)\s*{name}\s*(,|$|;(?!\s*q\s*=\s*0(\.0*)?\s*(,|$)))"


def _normal_base(base_path: str) -> str:
    base = "/" + base_path.strip("/")
    return base if base == "/" else base + "/"


def htaccess(base_path: str = "/", target: str | None = None) -> str:
    """An Apache ``.htaccess`` (mod_rewrite) for the site root served at ``base_path``;
    with ``target`` (an absolute URL where the site is hosted, e.g. on GitHub Pages),
    the redirects go there instead: the file to propose to w3id.org's repository
    (folder ``defdip/``)."""
    base = _normal_base(base_path)
    to = (target.rstrip("/") + "/") if target else ""
    data = [ext for ext in MEDIA_TYPES if ext != "html"]
    lines = [
        "# Content negotiation for the defdip IRIs (written by kgraph; Cool URIs for the",
        "# Semantic Web, 303 recipe).  /id/<type>/<local> and /ontology answer 303 See Other",
        "# to the page (text/html, the default) or to a data file, by Accept; mod_rewrite",
        "# cannot weigh q-values, so among the types named without q=0 the first of",
        "# Turtle, N-Triples, JSON-LD and RDF/XML wins, and HTML otherwise.",
        "# Needs mod_rewrite (and mod_headers for Vary) and AllowOverride FileInfo.",
        "",
        "<IfModule mod_mime.c>",
        *(f"    AddType {MEDIA_TYPES[ext]} .{ext}" for ext in data),
        "    AddType application/n-quads .nq",
        "    AddType application/trig .trig",
        "    AddType application/wasm .wasm",
        "    AddType text/javascript .js",
        "    AddType text/markdown .md",
        "    AddCharset utf-8 .html .ttl .nt .nq .trig .js .css .md .csv .txt",
        "</IfModule>",
        "",
        "# Never let mod_negotiation answer /id/x/y from y.html by itself (MultiViews gives",
        "# 200, not 303, and no fixed preference).",
        "Options -MultiViews",
        "DirectorySlash Off",
        "RewriteEngine on",
        f"RewriteBase {base}",
        "",
        "# /ontology/ (a folder) is the same as /ontology.",
        "RewriteRule ^ontology/$ ontology [DPI]",
    ]
    for ext in data:
        rx = _accept_regex(MEDIA_TYPES[ext])
        lines += [
            "",
            f"# {MEDIA_TYPES[ext]}",
            f"RewriteCond %{{HTTP_ACCEPT}} {rx} [NC]",
            "RewriteCond %{REQUEST_URI} !\\.(html|ttl|nt|jsonld|rdf)$",
            f"RewriteRule ^(id/.+)$ {to}$1.{ext} [R=303,L,E=DEFDIP_VARY:1]",
            f"RewriteCond %{{HTTP_ACCEPT}} {rx} [NC]",
            f"RewriteRule ^ontology$ {to}ontology/ontology.{ext} [R=303,L,E=DEFDIP_VARY:1]",
        ]
    lines += [
        "",
        "# Everything else (browsers, */*, no Accept): the page.",
        "RewriteCond %{REQUEST_URI} !\\.(html|ttl|nt|jsonld|rdf)$",
        f"RewriteRule ^(id/.+)$ {to}$1.html [R=303,L,E=DEFDIP_VARY:1]",
        f"RewriteRule ^ontology$ {to}ontology/index.html [R=303,L,E=DEFDIP_VARY:1]",
        "",
        "<IfModule mod_headers.c>",
        "    Header always merge Vary Accept env=DEFDIP_VARY",
        "    Header always merge Vary Accept env=REDIRECT_DEFDIP_VARY",
        "</IfModule>",
        "",
    ]
    return "\n".join(lines)


def nginx_conf(base_path: str = "/", root: str = "/srv/www") -> str:
    """An nginx configuration to ``include`` inside ``http { }``: a ``map`` from
    ``Accept`` to the document's extension and a ``server`` serving the site with
    the same 303s as the ``.htaccess``. The site folder must be ``root`` +
    ``base_path`` (edit ``listen``, ``server_name`` and ``root``)."""
    base = _normal_base(base_path)
    maps = "\n".join(f'    "~*{_accept_regex(MEDIA_TYPES[ext])}" {ext};'
                     for ext in MEDIA_TYPES if ext != "html")
    types = {**{e: m for e, m in MEDIA_TYPES.items()}, **_SITE_TYPES}
    type_lines = "\n".join(f"        {m} {e};" for e, m in sorted(types.items()))
    charset_types = " ".join(sorted({MEDIA_TYPES.get(e) or _SITE_TYPES[e] for e in _TEXT} - {"text/html"}))
    return f"""# Content negotiation for the defdip IRIs (written by kgraph; Cool URIs for the
# Semantic Web, 303 recipe).  Include this file inside http {{ }}:
#     include /path/to/site/nginx.conf;
# {base}id/<type>/<local> and {base}ontology answer 303 See Other to the page
# (text/html, the default) or to a data file, by Accept: among the types named
# without q=0, the first of Turtle, N-Triples, JSON-LD and RDF/XML wins.

map $http_accept $defdip_ext {{
    default html;
{maps}
}}

server {{
    listen 8080;
    server_name localhost;
    # The site written by `kgraph site` is the folder root + {base}
    root {root};
    absolute_redirect off;
    charset utf-8;
    charset_types {charset_types};

    location {base} {{
        types {{
{type_lines}
        }}
        default_type application/octet-stream;
        index index.html;

        location ~ ^{base}id/.+\\.(html|ttl|nt|jsonld|rdf)$ {{
        }}
        location ~ ^{base}id/.+$ {{
            add_header Vary Accept always;
            return 303 $uri.$defdip_ext;
        }}
        location ~ ^{base}ontology/?$ {{
            add_header Vary Accept always;
            if ($defdip_ext = html) {{
                return 303 {base}ontology/index.html;
            }}
            return 303 {base}ontology/ontology.$defdip_ext;
        }}
    }}
}}
"""


def write_conneg_rules(out_dir: Path, base_path: str = "/", *, target: str | None = None) -> list[Path]:
    """Write ``.htaccess`` and ``nginx.conf`` into the site root ``out_dir`` (served
    at ``base_path``); with ``target`` also ``w3id.htaccess``, the rules for
    w3id.org's repository that send ``https://w3id.org/defdip/...`` to the host at
    ``target``. Returns the files written."""
    from ..atomic import atomic_path

    files = {".htaccess": htaccess(base_path), "nginx.conf": nginx_conf(base_path)}
    if target:
        files["w3id.htaccess"] = htaccess("/defdip/", target)
    written = []
    for name, text in files.items():
        path = Path(out_dir) / name
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        written.append(path)
    return written


__all__ = ["MEDIA_TYPES", "htaccess", "media_type", "negotiate", "nginx_conf", "site_media_type",
           "write_conneg_rules"]
