"""Publishing the graph into a triple store over the SPARQL 1.1 Graph Store
Protocol, staged and verified, with a completion marker.

The four parts go into four named graphs under the dataset IRI ``D``:
``D/ontology``, ``D/asserted``, ``D/inferred``, ``D/derived``
(``prefixes.part_graph``, the names the build artifact and the N-Quads dump use); the VoID
description of the dataset and the completion marker go into ``D/void``.

How a publish runs:

1. check that ``--store`` answers like a Graph Store Protocol endpoint;
2. PUT each part (sorted N-Triples) into a staging graph ``D/staging/<part>``
   and check its triple count with a SPARQL ``COUNT``;
3. drop ``D/void`` (the previous completion marker);
4. swap: one SPARQL Update request of four ``MOVE D/staging/<part> TO D/<part>``
   (``MOVE`` replaces the target, so nothing of the previous version remains);
5. check the four live graphs' counts again;
6. make them durable: on Virtuoso a ``checkpoint`` (through SPARQL's
   ``bif:exec`` as the publishing user, else ``isql-vt`` on loopback), since
   Virtuoso keeps bulk-loaded graphs only in memory until a checkpoint while
   it replays the small marker from its transaction log: without it, a crash
   after a publish left the marker beside partial graphs;
7. PUT ``D/void``: the VoID description, whose ``void:triples`` of each part
   graph are the verified counts, each part's SHA-256 over its canonical
   N-Triples (blank nodes canonically labelled; ``spdx:checksum``), and the
   marker ``D prov:wasGeneratedBy D/publication`` (a ``prov:Activity`` with
   the data version, ``prov:endedAtTime`` and ``prov:generated`` for each
   part graph); then checkpoint again, so the marker is durable too.

``kgraph publish --verify`` (:func:`verify`) reads the marker back, counts
and checksums the live graphs, and says whether the dataset is complete.

The guarantee:

- **If the marker is there, the dataset is complete**: it is removed before
  the first live graph changes and written only after each of the four live
  graphs was counted in the store and holds the number of triples this
  publish uploaded (``void:triples`` states it).  A reader that asks
  ``ASK { GRAPH <D/void> { <D> prov:wasGeneratedBy ?p } }`` first never
  takes a half-published dataset for a complete one.
- **A failure before the swap changes nothing live**: uploading and
  counting touch only the staging graphs; the previous version and its
  marker stay as they were, and the staging graphs are dropped.
- **A failure during or after the swap leaves the marker absent** (the
  dataset reads as incomplete) until the next successful publish; the
  staging graphs are dropped.  Virtuoso reports the four ``MOVE``s of step 4
  as one commit, so there readers see the old or the new graphs; on a store
  that does not, a reader who ignores the marker may see a mix during that
  one request.
- Not covered: two publishes to the same dataset at once (they share the
  staging graphs), or other clients writing to these graphs meanwhile.

Blank nodes are scoped to the graph they are uploaded in (the store gives
each PUT its own), as in any quad store.
"""

from __future__ import annotations

import re
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from .errors import KgraphError
from .prefixes import PARTS, part_graph
from .remote import Response, check_url, open_url, parse_json_results, server_message

if TYPE_CHECKING:
    from rdflib import Graph

    from .build import KnowledgeGraph

#: Seconds one upload (PUT of a part) may take.
UPLOAD_TIMEOUT = 300.0
#: Seconds a probe, a COUNT query or an update may take.
REQUEST_TIMEOUT = 120.0


_GSP_HINT = "--store must name one (Virtuoso: http://HOST:8890/sparql-graph-crud-auth)"
_RDF_MEDIA = ("text/turtle", "application/n-triples", "text/plain", "application/rdf+xml",
              "application/ld+json", "application/n-quads", "application/trig", "text/rdf+n3",
              "text/n3", "application/x-turtle")
_IRI = re.compile(r"^https?://[^\s<>\"{}|^`\\]+$")


def default_update_endpoint(store: str) -> str:
    """The SPARQL Update endpoint that goes with a Graph Store Protocol URL:
    Virtuoso's ``/sparql-graph-crud-auth`` -> ``/sparql-auth``, Fuseki's
    ``/DATASET/data`` -> ``/DATASET`` (which takes queries and updates)."""
    p = urllib.parse.urlsplit(store)
    path = p.path.rstrip("/")
    for gsp, sparql in (("/sparql-graph-crud-auth", "/sparql-auth"), ("/sparql-graph-crud", "/sparql"),
                        ("/data", "")):
        if path.endswith(gsp):
            return urllib.parse.urlunsplit((p.scheme, p.netloc, path[:-len(gsp)] + sparql, "", ""))
    raise KgraphError(f"cannot tell the SPARQL Update endpoint that goes with {store}; give it with "
                      "--update URL (an endpoint that takes SPARQL queries and updates)")


@dataclass(frozen=True)
class _Part:
    name: str
    live: str
    staging: str
    payload: bytes
    triples: int


class _PreemptiveDigest(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication that, once challenged, signs later requests up front.

    Virtuoso answers an unsigned PUT with 401 and closes the connection at
    once; with a body of a few megabytes the client is still sending and
    gets a broken pipe instead of the challenge.  So the first (small)
    request learns the challenge and every later one goes out signed with
    the next nonce count; a stale nonce still gets urllib's usual retry.
    """

    def __init__(self, passwd: urllib.request.HTTPPasswordMgr) -> None:
        super().__init__(passwd)
        self.challenge: dict[str, str] | None = None

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> object:
        _, challenge = auth.split(" ", 1)
        self.challenge = urllib.request.parse_keqv_list(
            [p for p in urllib.request.parse_http_list(challenge) if p])
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self.challenge is not None and not req.has_header(self.auth_header):
            auth = self.get_authorization(req, self.challenge)
            if auth:
                req.add_unredirected_header(self.auth_header, f"Digest {auth}")
        return req

    https_request = http_request


class _Store:
    """One store: its GSP and update endpoints and an authenticating opener."""

    def __init__(self, store: str, update: str, user: str | None, password: str | None,
                 auth: str) -> None:
        self.store = store
        self.update_url = update
        self.user = user
        self.auth = auth
        handlers: list[urllib.request.BaseHandler] = []
        if user is not None:
            roots = {f"{p.scheme}://{p.netloc}/" for p in map(urllib.parse.urlsplit, (store, update))}
            if auth == "basic":
                # Sent with the first request: a store that only challenges for Digest
                # would otherwise never see the Basic credentials at all.
                prior = urllib.request.HTTPPasswordMgrWithPriorAuth()
                for root in roots:
                    prior.add_password(None, root, user, password or "", is_authenticated=True)
                handlers.append(urllib.request.HTTPBasicAuthHandler(prior))
            else:
                mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                for root in roots:
                    mgr.add_password(None, root, user, password or "")
                handlers.append(_PreemptiveDigest(mgr))
        self.opener = urllib.request.build_opener(*handlers)
        self.password = password
        self.virtuoso = False

    # --- requests ---

    def _send(self, method: str, url: str, body: bytes | None = None,
              headers: Mapping[str, str] | None = None, timeout: float = REQUEST_TIMEOUT) -> Response:
        req = urllib.request.Request(url, data=body, method=method,
                                     headers={"User-Agent": "kgraph", **(headers or {})})
        return open_url(self.opener, req, timeout)

    def _graph_url(self, iri: str) -> str:
        sep = "&" if urllib.parse.urlsplit(self.store).query else "?"
        return self.store + sep + urllib.parse.urlencode({"graph": iri})

    def refused(self, resp: Response) -> KgraphError:
        """The error for a 401/403 answer."""
        msg = server_message(resp.body)
        if self.user is None:
            return KgraphError(f"the store wants credentials (HTTP {resp.status}); give --user and "
                               "--password, or set $KGRAPH_STORE_USER and $KGRAPH_STORE_PASSWORD")
        challenge = resp.headers.get("WWW-Authenticate", "") or resp.headers.get("Www-Authenticate", "")
        if self.auth == "basic" and not challenge.lower().startswith("basic"):
            # Virtuoso answers a Basic attempt with a bare 401 (no challenge) and takes only Digest.
            advice = "check --user and --password, or use --auth digest (Virtuoso takes only Digest)"
        elif resp.status == 403:
            advice = ("the user needs the right to update graphs (Virtuoso: "
                      f"GRANT SPARQL_UPDATE TO \"{self.user}\")")
        else:
            advice = "check --user and --password"
        detail = f" (HTTP {resp.status}{': ' + msg if msg else ''})"
        return KgraphError(f"the store refused the credentials for user {self.user}{detail}; {advice}")

    def not_gsp(self, what: str, resp: Response) -> KgraphError:
        msg = server_message(resp.body)
        return KgraphError(f"{self.store} is not a Graph Store Protocol endpoint ({what} answered "
                           f"HTTP {resp.status}{': ' + msg if msg else ''}); {_GSP_HINT}")

    def probe(self, iri: str) -> None:
        """Fail early, with a clear message, on a URL that is no GSP endpoint,
        on refused credentials, or on a store that is not running."""
        resp = self._send("GET", self._graph_url(iri),
                          headers={"Accept": "application/n-triples, text/turtle;q=0.9"})
        server = resp.headers.get("Server", "") or resp.headers.get("server", "")
        self.virtuoso = server.startswith("Virtuoso")
        if resp.status in (401, 403):
            raise self.refused(resp)
        if resp.status == 404:
            return  # no such graph yet (or no such path: the first PUT will tell)
        if resp.status == 200 and resp.media_type in _RDF_MEDIA:
            return
        raise self.not_gsp("GET ?graph=", resp)

    def put(self, iri: str, payload: bytes, what: str) -> None:
        """Replace graph ``iri`` with ``payload`` (N-Triples)."""
        resp = self._send("PUT", self._graph_url(iri), payload,
                          {"Content-Type": "application/n-triples; charset=utf-8"}, UPLOAD_TIMEOUT)
        if resp.status in (200, 201, 204):
            return
        if resp.status in (401, 403):
            raise self.refused(resp)
        if resp.status in (404, 405, 501):
            raise self.not_gsp("PUT", resp)
        raise KgraphError(f"the store rejected {what} (HTTP {resp.status}): "
                          f"{server_message(resp.body) or 'no message'}")

    def update(self, sparql: str, what: str) -> None:
        """Run a SPARQL Update."""
        resp = self._send("POST", self.update_url, urllib.parse.urlencode({"update": sparql}).encode(),
                          {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                           "Accept": "application/sparql-results+json, */*;q=0.1"})
        if resp.status in (200, 204):
            return
        if resp.status in (401, 403):
            raise self.refused(resp)
        raise KgraphError(f"the store rejected {what} at {self.update_url} (HTTP {resp.status}): "
                          f"{server_message(resp.body) or 'no message'}; --update must name the store's "
                          "SPARQL Update endpoint")

    def select(self, sparql: str, failure: str | None = None) -> list[list[str | None]]:
        """A SELECT at the update endpoint (as the publishing user); rows of strings.
        ``failure`` words the error of a non-200 answer ({status}, {message})."""
        resp = self._send("POST", self.update_url, urllib.parse.urlencode({"query": sparql}).encode(),
                          {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                           "Accept": "application/sparql-results+json"})
        if resp.status in (401, 403):
            raise self.refused(resp)
        if resp.status != 200:
            message = server_message(resp.body) or "no message"
            raise KgraphError((failure or "{url} answered HTTP {status}: {message}").format(
                url=self.update_url, status=resp.status, message=message))
        return [[None if v is None else str(v) for v in row]
                for row in parse_json_results(resp.body, self.update_url).rows]

    def sql_checkpoint(self) -> str | None:
        """Virtuoso's checkpoint through SPARQL (``bif:exec``); None if done, else why not."""
        try:
            rows = self.select("SELECT (bif:exec('checkpoint') AS ?x) {}")
        except KgraphError as exc:
            return exc.message
        return None if rows and rows[0] and rows[0][0] == "0" else f"exec returned {rows!r}"

    def sql_port(self) -> int | None:
        """Virtuoso's SQL port, from its configuration (None if it does not say)."""
        try:
            rows = self.select("SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), 'Parameters', "
                               "'ServerPort') AS ?p) {}")
            return int(str(rows[0][0]).rsplit(":", 1)[-1])
        except (KgraphError, IndexError, TypeError, ValueError):
            return None

    def get(self, iri: str) -> bytes:
        """Graph ``iri`` as N-Triples (empty if absent)."""
        resp = self._send("GET", self._graph_url(iri), headers={"Accept": "application/n-triples"},
                          timeout=UPLOAD_TIMEOUT)
        if resp.status == 404:
            return b""
        if resp.status in (401, 403):
            raise self.refused(resp)
        if resp.status != 200:
            raise self.not_gsp("GET ?graph=", resp)
        return resp.body

    def counts(self, iris: list[str]) -> dict[str, int]:
        """The number of triples in each named graph (absent graphs: 0)."""
        values = " ".join(f"<{i}>" for i in iris)
        sparql = (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                  "GROUP BY ?g")
        rows = self.select(sparql, failure="cannot count the published triples at {url} (HTTP {status}): "
                                            "{message}; --update must name an endpoint that takes "
                                            "SPARQL queries and updates")
        out = dict.fromkeys(iris, 0)
        for g, n in rows:
            if g is not None and n is not None:
                out[g] = int(n)
        return out


#: Fault injection for tests: called with "before", "uploaded", "loaded",
#: "durable" and "marked"; a test replaces it to kill the store at that point.
def _hook(point: str) -> None:
    return None


SPDX = "http://spdx.org/rdf/terms#"
PROV_NS = "http://www.w3.org/ns/prov#"
VOID_NS = "http://rdfs.org/ns/void#"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


_NUMERIC = re.compile(r'"([^"\\]*)"\^\^<http://www\.w3\.org/2001/XMLSchema#(decimal|integer|int|long|short|'
                      r'byte|nonNegativeInteger|positiveInteger|negativeInteger|nonPositiveInteger|'
                      r'unsignedInt|unsignedLong|unsignedShort|unsignedByte|double|float|boolean)> \.$')


def _canonical_lexical(m: re.Match[str]) -> str:
    from decimal import Decimal, InvalidOperation

    text, dt = m[1].strip(), m[2]
    try:
        if dt == "boolean":
            value = "true" if text in ("true", "1") else "false"
        elif dt in ("double", "float"):
            value = repr(float(text))
        else:   # stores write decimals in their own form (Virtuoso: "2.0" -> "2")
            d = Decimal(text)
            value = format(d.normalize() if d != 0 else Decimal(0), "f")
    except (ValueError, InvalidOperation):
        return m[0]
    return m[0].replace(f'"{m[1]}"', f'"{value}"', 1)


def checksum(ntriples_text: str) -> str:
    """SHA-256 of a graph's canonical N-Triples (sorted distinct lines, blank
    nodes canonically labelled by kgraph.export.ntriples, numbers and booleans
    in canonical lexical form, as a store may rewrite them), as hex."""
    import hashlib

    lines = sorted({_NUMERIC.sub(_canonical_lexical, line) for line in ntriples_text.splitlines()
                    if line.strip()})
    return hashlib.sha256(("\n".join(lines) + "\n").encode("utf-8")).hexdigest()


def _checkpoint(client: _Store, isql_port: int | None) -> str:
    """Make what the store holds durable; returns how (for the report).

    Virtuoso only: other stores commit each request durably themselves."""
    if not client.virtuoso:
        return "the store's own commits"
    why = client.sql_checkpoint()
    if why is None:
        return "Virtuoso checkpoint"
    import shutil
    import subprocess

    host = urllib.parse.urlsplit(client.store).hostname or ""
    isql = shutil.which("isql-vt") or shutil.which("isql")
    port = isql_port or client.sql_port()
    if host not in _LOOPBACK or isql is None or port is None or client.user is None:
        raise KgraphError(f"cannot make the published graphs durable: Virtuoso's checkpoint over "
                          f"HTTP failed ({why}) and isql cannot reach it on loopback",
                          hint="publish as a user allowed to run checkpoint (dba), or run "
                               "'checkpoint;' in isql yourself and publish again")
    try:
        r = subprocess.run([isql, f"127.0.0.1:{port}", client.user, client.password or "",
                            "exec=checkpoint;"], capture_output=True, text=True, timeout=REQUEST_TIMEOUT,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KgraphError(f"cannot make the published graphs durable: isql failed ({exc})") from exc
    if r.returncode != 0 or "Error" in r.stdout + r.stderr:
        detail = (r.stderr or r.stdout).strip().splitlines()[-1:] or ["no message"]
        raise KgraphError(f"cannot make the published graphs durable: isql checkpoint failed "
                          f"({detail[0][:200]})")
    return "Virtuoso checkpoint (isql)"


def _check_counts(store: _Store, expected: Mapping[str, int], when: str) -> None:
    got = store.counts(list(expected))
    wrong = [f"<{g}> holds {got[g]} of {n}" for g, n in expected.items() if got[g] != n]
    if wrong:
        raise KgraphError(f"triple counts do not match {when}: {', '.join(wrong)}; are --store and "
                          "--update endpoints of the same store?")


def _payload(g: Graph) -> tuple[bytes, int]:
    """Sorted N-Triples and the number of distinct triples in them."""
    from .export import ntriples

    try:
        text = ntriples(g)
    except Exception as exc:  # rdflib refuses invalid IRIs with a bare Exception
        raise KgraphError(f"cannot write the graph as N-Triples: {exc}; fix the data "
                          "(kgraph validate shows what is wrong)") from exc
    return text.encode("utf-8"), len(set(text.splitlines()))


def _void(kg: KnowledgeGraph, dataset: str, counts: Mapping[str, int],
          sums: Mapping[str, str] | None = None) -> Graph:
    """The VoID description under ``dataset`` plus the completion marker."""
    from rdflib import RDF, RDFS, Literal, URIRef
    from rdflib.namespace import OWL, PROV, XSD

    from .dcat import DATASET_IRI, VOID, version_info, void_graph
    from .namespaces import BASE

    version, date = version_info(kg.ontology)
    parts = {"ontology": kg.ontology, "asserted": kg.asserted, "inferred": kg.inferred,
             "derived": kg.derived}
    described = void_graph(parts, {}, version=version, date=date, base=BASE)
    old = str(DATASET_IRI)

    def moved(t: object) -> object:
        s = str(t)
        if isinstance(t, URIRef) and (s == old or s.startswith(old + "/")):
            return URIRef(dataset + s[len(old):])
        return t

    g = type(described)()
    for s, p, o in described:
        g.add((moved(s), p, moved(o)))  # type: ignore[arg-type]
    ds = URIRef(dataset)
    for name in PARTS:  # the counts checked in the store, not recomputed
        g.set((URIRef(part_graph(name, dataset)), URIRef(VOID + "triples"),
               Literal(counts[name], datatype=XSD.integer)))
    run = URIRef(f"{dataset}/publication")
    g.add((ds, PROV.wasGeneratedBy, run))
    g.add((run, RDF.type, PROV.Activity))
    g.add((run, RDFS.label, Literal("kgraph publish", lang="en")))
    g.add((run, OWL.versionInfo, Literal(version)))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    g.add((run, PROV.endedAtTime, Literal(now.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)))
    for name in PARTS:
        g.add((run, PROV.generated, URIRef(part_graph(name, dataset))))
    from rdflib import BNode

    for name, value in (sums or {}).items():
        node = BNode(f"sum-{name}")
        g.add((URIRef(part_graph(name, dataset)), URIRef(SPDX + "checksum"), node))
        g.add((node, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")))
        g.add((node, URIRef(SPDX + "checksumValue"), Literal(value)))
    return g


def publish(kg: KnowledgeGraph, *, store: str, update: str | None, user: str | None,
            password: str | None, auth: str, dataset: str, isql_port: int | None = None) -> str:
    """Load the four parts into ``<dataset>/<part>`` named graphs of the store
    behind ``store`` (a Graph Store Protocol endpoint), replacing the previous
    version, then write ``<dataset>/void`` with the completion marker.
    Returns a short report; raises KgraphError on any failure (after dropping
    the staging graphs).  See the module docstring for the guarantee."""
    started = time.monotonic()
    check_url(store, "--store")
    update = check_url(update, "--update") if update else default_update_endpoint(store)
    dataset = dataset.rstrip("/")
    if not _IRI.match(dataset):
        raise KgraphError(f"--dataset {dataset!r} is not an absolute http(s) IRI; for example "
                          "--dataset https://example.org/defdip/dataset")
    if auth not in ("digest", "basic"):
        raise KgraphError(f"unknown --auth {auth!r}; use digest or basic")
    if user is not None and password is None:
        raise KgraphError(f"no password for user {user}; give --password or set $KGRAPH_STORE_PASSWORD")

    parts = []
    for name in PARTS:
        payload, n = _payload(getattr(kg, name))
        parts.append(_Part(name, part_graph(name, dataset), f"{dataset}/staging/{name}", payload, n))
    void_iri = f"{dataset}/void"
    client = _Store(store, update, user, password, auth)
    client.probe(void_iri)
    sums = {p.name: checksum(p.payload.decode("utf-8")) for p in parts}

    swapped = False
    try:
        _hook("before")
        for part in parts:
            if part.triples:
                client.put(part.staging, part.payload, f"the {part.name} part")
        _check_counts(client, {p.staging: p.triples for p in parts}, "after uploading into staging graphs")
        _hook("uploaded")
        client.update(f"DROP SILENT GRAPH <{void_iri}>", "removing the old completion marker")
        swapped = True
        client.update(" ;\n".join(f"MOVE <{p.staging}> TO <{p.live}>" if p.triples
                                  else f"DROP SILENT GRAPH <{p.live}>" for p in parts),
                      "moving the staging graphs into place")
        _check_counts(client, {p.live: p.triples for p in parts}, "after moving them into place")
        _hook("loaded")
        durable = _checkpoint(client, isql_port)
        _hook("durable")
        void = _void(kg, dataset, {p.name: p.triples for p in parts}, sums)
        void_payload, void_triples = _payload(void)
        client.put(void_iri, void_payload, "the VoID description")
        _check_counts(client, {void_iri: void_triples}, "after writing the completion marker")
        _checkpoint(client, isql_port)
        _hook("marked")
    except BaseException as exc:
        note = _drop_staging(client, parts)
        if isinstance(exc, KgraphError):
            state = ("the previous version is still in place" if not swapped
                     else "the dataset has no completion marker until the next publish")
            raise KgraphError(f"{exc.message} ({state}{note})", hint=exc.hint) from exc
        raise

    took = time.monotonic() - started
    width = max(len(p.live) for p in parts) + 5
    lines = [f"Published to {store} in {took:.1f} s:"]
    lines += [f"  <{p.live}>".ljust(width) + f"{p.triples:>7} triples" for p in parts]
    lines.append(f"  <{void_iri}>".ljust(width) + f"{void_triples:>7} triples "
                 "(VoID description and completion marker)")
    lines.append(f"  total: {sum(p.triples for p in parts)} triples in {len(parts)} graphs; "
                 f"made durable by {durable}")
    return "\n".join(lines)


def verify(*, store: str, update: str | None, user: str | None, password: str | None, auth: str,
           dataset: str) -> tuple[bool, str]:
    """Read the completion marker back and check the live graphs against it:
    their triple counts and their SHA-256 over canonical N-Triples.
    Returns (complete, a report that starts with ``complete`` or ``incomplete``)."""
    from .export import ntriples
    from .parsing import new_graph

    check_url(store, "--store")
    update = check_url(update, "--update") if update else default_update_endpoint(store)
    dataset = dataset.rstrip("/")
    client = _Store(store, update, user, password, auth)
    void_iri = f"{dataset}/void"
    client.probe(void_iri)
    rows = client.select(f"""
        SELECT ?g ?n ?sum ?ended ?version WHERE {{ GRAPH <{void_iri}> {{
          <{dataset}> <{PROV_NS}wasGeneratedBy> ?run . ?run <{PROV_NS}generated> ?g .
          OPTIONAL {{ ?run <{PROV_NS}endedAtTime> ?ended }}
          OPTIONAL {{ ?run <http://www.w3.org/2002/07/owl#versionInfo> ?version }}
          OPTIONAL {{ ?g <{VOID_NS}triples> ?n }}
          OPTIONAL {{ ?g <{SPDX}checksum> ?c . ?c <{SPDX}checksumValue> ?sum }} }} }}""")
    if not rows:
        return False, f"incomplete: <{dataset}> has no completion marker in <{void_iri}>; publish again"
    expected = {str(g): (int(str(n)) if n is not None else None, s) for g, n, s, _, _ in rows}
    ended, version = rows[0][3], rows[0][4]
    got = client.counts(list(expected))
    problems = []
    for g, (n, want) in sorted(expected.items()):
        if n is None or want is None:
            problems.append(f"<{g}>: the marker states no count or checksum")
        elif got.get(g) != n:
            problems.append(f"<{g}> holds {got.get(g)} of {n} triples")
        else:
            graph = new_graph()
            graph.parse(data=client.get(g).decode("utf-8"), format="nt")
            if checksum(ntriples(graph)) != want:
                problems.append(f"<{g}>: checksum differs from the marker's")
    total = sum(n or 0 for n, _ in expected.values())
    if problems:
        return False, f"incomplete: <{dataset}>: " + "; ".join(problems) + "; publish again"
    return True, (f"complete: <{dataset}> version {version} published {ended}: {len(expected)} graphs, "
                  f"{total} triples, counts and checksums match the marker")


def _drop_staging(client: _Store, parts: list[_Part]) -> str:
    """Drop the staging graphs after a failure; a note when that fails too."""
    try:
        client.update(" ;\n".join(f"DROP SILENT GRAPH <{p.staging}>" for p in parts),
                      "dropping the staging graphs")
    except KgraphError:
        return "; the staging graphs could not be dropped: " + ", ".join(f"<{p.staging}>" for p in parts)
    except Exception:  # noqa: BLE001 - the first failure is the one to report
        return "; the staging graphs may remain"
    return ""


__all__ = ["checksum", "default_update_endpoint", "publish", "verify"]
