"""The HTTP side of the endpoint, as a Starlette application: the SPARQL 1.1
Protocol's query operation at ``/sparql`` (GET, POST form, POST direct, HEAD,
OPTIONS), the service description, CORS, the YASGUI query page and its files.

The queries themselves run in the worker pool (:mod:`kgraph.serve.pool`): nothing
here parses or evaluates SPARQL, so a hostile query never holds this process.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..prefixes import BASE, DD, PREFIXES
from ..site import conneg
from . import description, protocol
from .pool import Pool
from .protocol import HttpError

#: The page's policy: everything from this server, nothing from anywhere else.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "connect-src 'self'; img-src 'self' data:; font-src 'self' data:; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'")
_METHODS = "GET, POST, HEAD, OPTIONS"


@dataclass
class Settings:
    """What ``kgraph serve`` is told on its command line."""

    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 10.0
    max_results: int = 10000
    max_body: int = 1_000_000
    workers: int = 2
    memory_limit: int = 1024  # MB each worker may use beyond its loaded store
    cors: str = "*"
    max_connections: int = 1000
    request_timeout: float = 15.0  # seconds a client has to send a whole request
    quiet: bool = False
    site: Path | None = None  # a folder written by `kgraph site`, served at /

    def check(self) -> None:
        from ..errors import KgraphError

        if self.site is not None and not (Path(self.site) / "index.html").is_file():
            raise KgraphError(f"--site {self.site}: not a site folder (no index.html in it)",
                              hint="write one with: kgraph site --out DIR")

        if self.timeout <= 0:
            raise KgraphError(f"--timeout must be positive, not {self.timeout:g}")
        if self.max_results < 1:
            raise KgraphError(f"--max-results must be at least 1, not {self.max_results}")
        if self.max_body < 1:
            raise KgraphError(f"--max-body must be at least 1, not {self.max_body}")
        if not 0 <= self.port <= 65535:
            raise KgraphError(f"--port must be between 0 and 65535, not {self.port}")
        if self.workers < 1:
            raise KgraphError(f"--workers must be at least 1, not {self.workers}")
        if self.memory_limit < 0:
            raise KgraphError(f"--memory-limit must be 0 (none) or more, not {self.memory_limit}")


def _error(exc: HttpError) -> Response:
    return Response((exc.message + "\n").encode("utf-8"), exc.status, exc.headers,
                    media_type="text/plain; charset=utf-8")


def _page(title: str) -> bytes:
    """The query page with its configuration (prefixes, named queries) inlined as JSON."""
    from ..querytext import named_queries

    static = resources.files("kgraph") / "static"
    html = (static / "index.html").read_text(encoding="utf-8")
    config = {"prefixes": PREFIXES, "title": title,
              "queries": [{"name": q.name, "title": q.title, "question": q.question, "text": q.text}
                          for q in named_queries()]}
    # '<' escaped so that no text in a query can close the script element.
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return html.replace("{{config}}", data).encode("utf-8")


class Routes:
    """The routes of the endpoint over a worker pool."""

    def __init__(self, pool: Pool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings
        self.page = _page("kgraph SPARQL endpoint")
        self._stats: dict[str, Any] | None = None

    # --- /sparql -----------------------------------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        try:
            return await self._sparql(request)
        except HttpError as exc:
            return _error(exc)

    async def _sparql(self, request: Request) -> Response:
        method = request.method
        if method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": _METHODS})
        params = _params(request.scope.get("query_string", b"").decode("latin-1"))
        body = await self._body(request)
        text: str | None = None
        if method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")
            if ctype == "application/sparql-query":
                text = _utf8(body)
            elif ctype == "application/x-www-form-urlencoded":
                params += _params(_utf8(body))
            else:
                raise HttpError(415, f"unsupported Content-Type '{ctype or '(none)'}': POST "
                                     "application/sparql-query or application/x-www-form-urlencoded")
        elif body:
            raise HttpError(400, f"a {method} request has no body: send the query in the URL, or POST it")
        if any(k == "update" for k, _ in params):
            raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")
        queries = [v for k, v in params if k == "query"]
        formats = [v for k, v in params if k in ("format", "output", "results")]
        accept = request.headers.get("accept", "")
        if text is None:
            if len(queries) > 1:
                raise HttpError(400, "more than one query parameter: send one query per request")
            if method in ("GET", "HEAD") and not formats and protocol.wants_html(accept):
                return self.page_response()  # a browser: the query page (it reads ?query=)
            if not queries:
                return await self.describe(request, accept, formats)
            text = queries[0]
        job = {"query": text, "accept": accept, "formats": formats,
               "max_results": self.settings.max_results,
               "default_graphs": [v for k, v in params if k == "default-graph-uri"],
               "named_graphs": [v for k, v in params if k == "named-graph-uri"]}
        head, answer = await self.pool.run(job, self.settings.timeout)
        headers = dict(head.get("headers") or {})
        headers["Vary"] = "Accept"
        return Response(answer, head["status"], headers, media_type=head["type"])

    async def _body(self, request: Request) -> bytes:
        limit = self.settings.max_body
        declared = request.headers.get("content-length")
        too_big = HttpError(413, f"request body over the limit of {limit} bytes: send a shorter query, "
                                 "or restart the server with a larger --max-body",
                            headers={"Connection": "close"})
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_big
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)

    async def describe(self, request: Request, accept: str, formats: list[str]) -> Response:
        """The service description (Turtle unless asked otherwise)."""
        media = protocol.negotiate("CONSTRUCT", accept, formats)
        if self._stats is None:
            head, body = await self.pool.run({"kind": "stats"}, max(self.settings.timeout, 30.0))
            if head["status"] != 200:
                raise HttpError(503, "the service description is not available yet: try again")
            self._stats = json.loads(body)
        endpoint = str(request.url.replace(query="", fragment=""))
        body = description.render(description.service_description(endpoint, self._stats), media)
        ctype = media if media.endswith("json") else media + "; charset=utf-8"
        return Response(body, 200, {"Vary": "Accept"}, media_type=ctype)

    # --- The page and its data ------------------------------------------------------------------

    def page_response(self) -> Response:
        return Response(self.page, 200, {"Content-Security-Policy": PAGE_POLICY,
                                         "Referrer-Policy": "no-referrer", "Vary": "Accept"},
                        media_type="text/html; charset=utf-8")

    async def home(self, request: Request) -> Response:
        return self.page_response()

    async def queries(self, request: Request) -> Response:
        from ..querytext import named_queries

        return _json([{"name": q.name, "title": q.title, "question": q.question, "text": q.text}
                      for q in named_queries()])

    async def prefixes(self, request: Request) -> Response:
        return _json(PREFIXES)

    async def favicon(self, request: Request) -> Response:
        return Response(status_code=204)

    # --- Linked data: the dataset's IRIs answered on this host (Cool URIs, 303) ---------------

    async def resource(self, request: Request) -> Response:
        """``/id/<type>/<local>``: 303 to its page or data by Accept; ``/id/<type>/<local>.<ext>``:
        the document, from the site folder or made from the graph."""
        path = request.path_params["path"]
        if not _SAFE_PATH.fullmatch(path) or any(seg in ("", ".", "..") for seg in path.split("/")):
            return _no_resource(BASE + path)
        stem, dot, ext = path.rpartition(".")
        if dot and ext in conneg.MEDIA_TYPES and "/" in stem:
            return await self._document(request, f"id/{path}", BASE + stem, ext)
        iri = BASE + path
        if not await self._known(f"id/{path}.html", iri):
            return _no_resource(iri)
        target = path.rsplit("/", 1)[-1] + ".{ext}"
        return _see_other(request, target, target)

    async def ontology(self, request: Request) -> Response:
        """``/ontology`` (its terms are ``/ontology#Term``): 303 to the documentation or the data."""
        folder = "" if request.url.path.endswith("/") else "ontology/"
        return _see_other(request, folder + "ontology.{ext}", folder + "index.html")

    async def ontology_document(self, request: Request) -> Response:
        name = request.url.path.rsplit("/", 1)[-1]
        ext = "html" if name == "index.html" else name.rpartition(".")[2]
        return await self._document(request, f"ontology/{name}", None, ext)

    async def _known(self, site_file: str, iri: str) -> bool:
        if self.settings.site is not None:
            return _site_file(self.settings.site, site_file) is not None
        job = {"kind": "resource", "iri": iri, "ext": "exists"}
        head, _ = await self.pool.run(job, self.settings.timeout)
        if head["status"] not in (200, 404):
            raise HttpError(head["status"], "the graph cannot be read just now: try again")
        return bool(head["status"] == 200)

    async def _document(self, request: Request, site_file: str, iri: str | None, ext: str) -> Response:
        """A document about ``iri`` (None: the ontology) in format ``ext``."""
        if self.settings.site is not None:
            found = _site_file(self.settings.site, site_file)
            if found is None:
                return _no_resource(iri or ONTOLOGY)
            return FileResponse(found, media_type=conneg.site_media_type(found.suffix.lstrip(".").lower()))
        head, body = await self.pool.run({"kind": "resource", "iri": iri, "ext": ext}, self.settings.timeout)
        if head["status"] == 404:
            return _no_resource(iri or ONTOLOGY)
        return Response(body, head["status"], media_type=head["type"])


ONTOLOGY = DD.rstrip("#")
#: The characters of the dataset's IRI paths (anything else names no resource).
_SAFE_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@/%-]+")


def _see_other(request: Request, data: str, page: str) -> Response:
    """303 See Other to the document the Accept header asks for (``{ext}`` in the
    targets is the extension; the targets are relative to the request's path, so
    the rules hold behind any path prefix)."""
    accept = request.headers.get("accept")
    ext = conneg.negotiate(accept)
    if ext is None:
        offered = ", ".join(conneg.MEDIA_TYPES.values())
        return Response(f"none of the formats of this resource fits Accept: {(accept or '').strip()[:200]}; "
                        f"ask for one of {offered}\n", 406, {"Vary": "Accept"},
                        media_type="text/plain; charset=utf-8")
    target = (page if ext == "html" else data).replace("{ext}", ext)
    return Response(f"See {target}\n", 303, {"Location": target, "Vary": "Accept"},
                    media_type="text/plain; charset=utf-8")


def _no_resource(iri: str) -> Response:
    return Response(
        f"no resource {iri} in this graph.\nResource IRIs look like {BASE}country/USA or "
        f"{BASE}agreement/gsomia-JPN (here: /id/country/USA); list the resources of a class at "
        "/sparql, e.g. SELECT ?s WHERE { ?s a dd:Country }, and the terms at /ontology.\n",
        404, media_type="text/plain; charset=utf-8")


def _site_file(site: Path, relative: str) -> Path | None:
    """The file ``relative`` of the site folder, if it is one and stays inside it."""
    root = Path(site).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


class SiteFiles(StaticFiles):
    """The built site's files, with the media types of its data files (Turtle,
    N-Triples, JSON-LD, RDF/XML, N-Quads) that Python's mimetypes does not know."""

    def file_response(self, full_path: Any, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        ext = os.path.splitext(str(full_path))[1].lstrip(".").lower()
        response = FileResponse(full_path, status_code=status_code, stat_result=stat_result,
                                media_type=conneg.site_media_type(ext))
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            from starlette.staticfiles import NotModifiedResponse

            return NotModifiedResponse(response.headers)
        return response


def _json(value: Any) -> Response:
    return Response(json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8"), 200,
                    media_type="application/json")


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpError(400, f"the request body is not UTF-8 (byte {exc.start})") from exc


def _params(qs: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(qs, keep_blank_values=True, max_num_fields=100, errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpError(400, f"malformed parameters: {exc}") from exc


class _Log:
    """One line per request on stderr (method, path, status, milliseconds), and
    the headers every answer carries."""

    def __init__(self, app: ASGIApp, quiet: bool) -> None:
        self.app = app
        self.quiet = quiet

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [0]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-content-type-options", b"nosniff")]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if not self.quiet:
                client = (scope.get("client") or ("-",))[0]
                ms = (time.perf_counter() - start) * 1000
                sys.stderr.write(f"kgraph: {client} {scope['method']} {scope['path']} {status[0]} "
                                 f"{ms:.1f} ms\n")


async def _not_found(request: Request, exc: Exception) -> Response:
    return Response(f"no such page: {request.url.path} (the endpoint is /sparql, the query page is /)\n",
                    404, media_type="text/plain; charset=utf-8")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return Response(f"{request.method} is not allowed here\n", 405, {"Allow": "GET, HEAD"},
                    media_type="text/plain; charset=utf-8")


def make_app(pool: Pool, settings: Settings) -> ASGIApp:
    """The ASGI application over a started pool."""
    endpoint = Routes(pool, settings)
    static = StaticFiles(packages=[("kgraph", "static")])
    get = ["GET", "HEAD"]
    routes = [
        Route("/sparql", endpoint.sparql, methods=["GET", "POST", "HEAD", "OPTIONS"]),
        Route("/queries", endpoint.queries, methods=get),
        Route("/prefixes", endpoint.prefixes, methods=get),
        Mount("/static", static, name="static"),
        # Linked data: the dataset's IRIs, with content negotiation.
        Route("/id/{path:path}", endpoint.resource, methods=get),
        Route("/ontology", endpoint.ontology, methods=get),
        Route("/ontology/", endpoint.ontology, methods=get),
        Route("/ontology/index.html", endpoint.ontology_document, methods=get),
        *(Route(f"/ontology/ontology.{ext}", endpoint.ontology_document, methods=get)
          for ext in conneg.MEDIA_TYPES if ext != "html"),
    ]
    if settings.site is None:
        routes += [Route("/", endpoint.home, methods=get), Route("/index.html", endpoint.home, methods=get),
                   Route("/favicon.ico", endpoint.favicon, methods=get)]
    else:
        # The site at /, its home page included; the query page stays at /sparql (browsers).
        routes.append(Mount("/", SiteFiles(directory=settings.site, html=True), name="site"))
    middleware = []
    origins = [o.strip() for o in settings.cors.split(",") if o.strip()]
    if origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
            allow_headers=["*"], expose_headers=["X-Kgraph-Truncated", "X-Kgraph-Result-Limit",
                                                 "Retry-After"], max_age=86400))
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={404: _not_found, 405: _not_allowed})
    app.state.endpoint = endpoint
    return _Log(app, settings.quiet)


__all__ = ["PAGE_POLICY", "Routes", "Settings", "SiteFiles", "make_app"]
