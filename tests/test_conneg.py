"""Content negotiation rules for the published IRIs (Cool URIs, 303 recipe): the
negotiator `kgraph serve` uses, and the shipped `.htaccess` and nginx rules run by
Debian's apache2 and nginx on loopback over a small site tree of the shared layout."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kgraph.site.conneg import MEDIA_TYPES, htaccess, negotiate, nginx_conf, write_conneg_rules
from tests.conftest import require

BASE = "/defdip/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDFLIB_TTL = "text/turtle, application/x-turtle, */*;q=0.1"   # rdflib's Accept for format="turtle"
RDFLIB_XML = "application/rdf+xml, */*;q=0.1"
#: (Accept, extension the rules must choose)
CASES = [
    ("text/turtle", "ttl"), ("application/n-triples", "nt"), ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdf"), ("text/html", "html"), (BROWSER, "html"), ("*/*", "html"),
    (None, "html"), (RDFLIB_TTL, "ttl"), (RDFLIB_XML, "rdf"),
    ("text/turtle;q=0, text/html", "html"), ("TEXT/TURTLE", "ttl"),
    ("text/html;q=0.9, application/ld+json;q=0.5", "jsonld"),   # static rules: data first
]
W3ID_TARGET = "https://example.github.io/defdip"
FILES = ["id/country/USA", "id/agreement/gsomia-JPN", "id/tie/agreement/defcoop-AGO/country/AGO"]


# --- The negotiator -----------------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "ext"), [
    ("text/turtle", "ttl"), ("application/x-turtle", "ttl"), ("application/n-triples", "nt"),
    ("application/ld+json", "jsonld"), ("application/rdf+xml", "rdf"), (BROWSER, "html"),
    ("", "html"), (None, "html"), ("*/*", "html"), (RDFLIB_TTL, "ttl"), (RDFLIB_XML, "rdf"),
    ("text/turtle;q=0, */*", "html"), ("text/html;q=0.5, application/ld+json", "jsonld"),
    ("text/html;q=0.9, application/ld+json;q=0.5", "html"),
    ("text/*;q=0.3, text/turtle;q=0.8, text/html;q=0.5", "ttl"),
    ("*/*;q=0.1, text/turtle;q=0", "html"), ("application/*", "nt"), ("image/png", None),
    ("text/html;q=0, */*;q=0", None), ("text/turtle;q=abc", None),
])
def test_negotiate_weighs_q_values(accept, ext):
    assert negotiate(accept) == ext


def test_rules_name_every_format():
    rules = htaccess(BASE)
    for ext, media in MEDIA_TYPES.items():
        assert f"$1.{ext} [R=303" in rules
        if ext != "html":
            assert f"AddType {media} .{ext}" in rules
            assert f"{media} {ext};" in nginx_conf(BASE)
    assert "RewriteBase /defdip/" in rules
    w3id = htaccess("/defdip/", "https://example.github.io/defdip")
    assert "RewriteRule ^(id/.+)$ https://example.github.io/defdip/$1.ttl [R=303" in w3id


def test_write_conneg_rules(tmp_path):
    written = write_conneg_rules(tmp_path, "/defdip", target="https://example.org/site/")
    assert sorted(p.name for p in written) == [".htaccess", "nginx.conf", "w3id.htaccess"]
    assert (tmp_path / ".htaccess").read_text(encoding="utf-8") == htaccess("/defdip/")
    assert oct((tmp_path / ".htaccess").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- A small site tree and real web servers ----------------------------------------------------

@pytest.fixture(scope="module")
def www() -> Iterator[Path]:
    """A world-readable folder (the servers' workers run as nobody when the tests run
    as root) holding the site at /defdip/."""
    root = Path(tempfile.mkdtemp(prefix="kgraph-conneg-"))
    root.chmod(0o755)
    site = root / "www" / "defdip"
    for stem in FILES:
        for ext in MEDIA_TYPES:
            path = site / f"{stem}.{ext}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{stem} as {ext}\n", encoding="utf-8")
    for ext in MEDIA_TYPES:
        name = "index.html" if ext == "html" else f"ontology.{ext}"
        (site / "ontology").mkdir(exist_ok=True)
        (site / "ontology" / name).write_text(f"ontology as {ext}\n", encoding="utf-8")
    (site / "index.html").write_text("home\n", encoding="utf-8")
    write_conneg_rules(site, BASE)
    # w3id.org's own rules (its repository's folder defdip/), here at /w3id/defdip/.
    w3id = root / "www" / "w3id" / "defdip"
    w3id.mkdir(parents=True)
    (w3id / ".htaccess").write_text(htaccess("/w3id/defdip/", W3ID_TARGET), encoding="utf-8")
    for dirpath, _dirs, _files in os.walk(root):
        Path(dirpath).chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None and proc.returncode != 0:
            pytest.fail(f"server exited {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"server did not listen: {log.read_text(errors='replace')[-2000:] if log.exists() else ''}")


def _user_lines(apache: bool) -> str:
    if os.geteuid() != 0:
        return ""
    return "User nobody\nGroup nogroup\n" if apache else "user nobody nogroup;\n"


@pytest.fixture(scope="module")
def apache(www) -> Iterator[str]:
    binary = shutil.which("apache2") or "/usr/sbin/apache2"
    require(Path(binary).exists(), "needs Debian's apache2: apt-get install apache2 (the .htaccess test)")
    run = Path(tempfile.mkdtemp(prefix="run-", dir=www))
    port = _free_port()
    mods = "/usr/lib/apache2/modules"
    conf = run / "httpd.conf"
    conf.write_text(f"""ServerRoot {run}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {run}/httpd.pid
DefaultRuntimeDir {run}
Mutex file:{run} default
ErrorLog {run}/error.log
LogLevel warn rewrite:warn
{_user_lines(True)}LoadModule mpm_event_module {mods}/mod_mpm_event.so
LoadModule authz_core_module {mods}/mod_authz_core.so
LoadModule mime_module {mods}/mod_mime.so
LoadModule dir_module {mods}/mod_dir.so
LoadModule rewrite_module {mods}/mod_rewrite.so
LoadModule headers_module {mods}/mod_headers.so
TypesConfig /etc/mime.types
DocumentRoot {www}/www
DirectoryIndex index.html
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory {www}/www>
    AllowOverride All
    Options FollowSymLinks
    Require all granted
</Directory>
""", encoding="utf-8")
    proc = subprocess.Popen([binary, "-f", str(conf), "-DFOREGROUND"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _wait(port, proc, run / "error.log")
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def nginx(www) -> Iterator[str]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    require(Path(binary).exists(), "needs Debian's nginx: apt-get install nginx (the nginx rules test)")
    run = Path(tempfile.mkdtemp(prefix="run-", dir=www))
    port = _free_port()
    snippet = (www / "www" / "defdip" / "nginx.conf").read_text(encoding="utf-8")
    snippet = snippet.replace("listen 8080;", f"listen 127.0.0.1:{port};").replace(
        "root /srv/www;", f"root {www}/www;")
    temps = "\n".join(f"    {k}_temp_path {run}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = run / "nginx.conf"
    conf.write_text(f"""{_user_lines(False)}worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temps}
{snippet}
}}
""", encoding="utf-8")
    proc = subprocess.Popen([binary, "-p", str(run), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait(port, proc, run / "error.log")
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


def _get(host: str, path: str, accept: str | None = None,
         method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(host, timeout=10)
    try:
        conn.request(method, path, headers={"Accept": accept} if accept is not None else {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def _location_path(headers: dict[str, str]) -> str:
    loc = headers["location"]
    return "/" + loc.split("://", 1)[1].split("/", 1)[1] if "://" in loc else loc


@pytest.fixture(scope="module", params=["apache", "nginx"])
def server(request) -> str:
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize(("accept", "ext"), CASES)
@pytest.mark.parametrize("stem", FILES)
def test_resource_iri_answers_303_by_accept(server, stem, accept, ext):
    status, headers, _ = _get(server, BASE + stem, accept)
    assert status == 303, (server, stem, accept)
    assert _location_path(headers) == f"{BASE}{stem}.{ext}"
    assert "accept" in headers.get("vary", "").lower()
    status, headers, body = _get(server, f"{BASE}{stem}.{ext}", accept)
    assert status == 200
    assert headers["content-type"].split(";")[0].strip() == MEDIA_TYPES[ext]
    assert body == f"{stem} as {ext}\n".encode()


@pytest.mark.parametrize(("accept", "ext"), CASES)
@pytest.mark.parametrize("path", ["ontology", "ontology/"])
def test_ontology_answers_303_by_accept(server, path, accept, ext):
    status, headers, _ = _get(server, BASE + path, accept)
    assert status == 303
    target = "ontology/index.html" if ext == "html" else f"ontology/ontology.{ext}"
    assert _location_path(headers) == BASE + target
    assert "accept" in headers.get("vary", "").lower()
    status, headers, body = _get(server, BASE + target)
    assert status == 200 and headers["content-type"].split(";")[0].strip() == MEDIA_TYPES[ext]
    assert body == f"ontology as {ext}\n".encode()


def test_files_are_served_as_they_are(server):
    for ext, media in MEDIA_TYPES.items():
        status, headers, body = _get(server, f"{BASE}id/country/USA.{ext}", "text/turtle")
        assert (status, headers["content-type"].split(";")[0]) == (200, media)
    status, headers, body = _get(server, BASE + "id/country/USA.ttl")
    assert "utf-8" in headers["content-type"].lower()
    assert _get(server, BASE, BROWSER)[2] == b"home\n"


def test_unknown_resource_redirects_then_404(server):
    status, headers, _ = _get(server, BASE + "id/country/XXX", "text/turtle")
    assert status == 303 and _location_path(headers) == BASE + "id/country/XXX.ttl"
    assert _get(server, BASE + "id/country/XXX.ttl")[0] == 404


@pytest.mark.parametrize(("accept", "ext"), CASES[:6])
def test_w3id_rules_send_to_the_host(apache, accept, ext):
    status, headers, _ = _get(apache, "/w3id/defdip/id/agreement/gsomia-JPN", accept)
    assert (status, headers["location"]) == (303, f"{W3ID_TARGET}/id/agreement/gsomia-JPN.{ext}")
    assert "accept" in headers["vary"].lower()
    status, headers, _ = _get(apache, "/w3id/defdip/ontology", accept)
    target = "ontology/index.html" if ext == "html" else f"ontology/ontology.{ext}"
    assert (status, headers["location"]) == (303, f"{W3ID_TARGET}/{target}")


# --- `kgraph serve`: the IRIs of its own host -----------------------------------------------

ID = "https://w3id.org/defdip/id/"
DD = "https://w3id.org/defdip/ontology#"
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}


def _serve(artifact: Path, **options):
    from kgraph.serve.app import Settings
    from kgraph.serve.http import Endpoint

    settings = Settings(host="127.0.0.1", port=0, quiet=True, workers=1, timeout=30.0, **options)
    return Endpoint(artifact, settings).start()


@pytest.fixture(scope="module")
def graph_server(kg) -> Iterator[str]:
    """`kgraph serve` with no site: documents made from the graph."""
    endpoint = _serve(Path(kg.artifact))
    yield endpoint.url.split("://", 1)[1].rstrip("/")
    endpoint.stop()


@pytest.fixture(scope="module")
def site_server(kg, www) -> Iterator[str]:
    """`kgraph serve --site DIR` over the small site tree."""
    endpoint = _serve(Path(kg.artifact), site=www / "www" / "defdip")
    yield endpoint.url.split("://", 1)[1].rstrip("/")
    endpoint.stop()


def _curl(*args: str) -> subprocess.CompletedProcess:
    require(shutil.which("curl") is not None, "needs curl: apt-get install curl")
    return subprocess.run(["curl", "-sS", "--noproxy", "*", "--max-time", "60", *args],
                          capture_output=True, text=True, timeout=90)


@pytest.mark.parametrize("ext", ["html", "ttl", "nt", "jsonld", "rdf"])
def test_serve_negotiates_with_curl(graph_server, kg, ext, tmp_path):
    from rdflib import Graph, Literal, URIRef
    from rdflib.compare import isomorphic

    from kgraph.serve import linkeddata
    from kgraph.site.conneg import MEDIA_TYPES

    url = f"http://{graph_server}/id/country/USA"
    accept = BROWSER if ext == "html" else MEDIA_TYPES[ext]
    head = _curl("-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", f"Accept: {accept}", url)
    assert head.stdout == f"303 {url}.{ext}", head.stderr
    out = tmp_path / "body"
    got = _curl("-L", "-o", str(out), "-w", "%{http_code} %{num_redirects} %{content_type}",
                "-H", f"Accept: {accept}", url)
    assert got.stdout.split(";")[0] == f"200 1 {MEDIA_TYPES[ext]}"
    body = out.read_text(encoding="utf-8")
    if ext == "html":
        assert "<title>United States</title>" in body and 'href="/ontology#Country"' in body
        assert 'href="USA.ttl"' in body
        return
    g = Graph().parse(data=body, format=RDFLIB_FORMATS[ext])
    usa = URIRef(ID + "country/USA")
    assert (usa, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("United States", lang="en")) in g
    assert (usa, URIRef(DD + "iso3"), Literal("USA")) in g
    # The same description as the site's data files: its triples plus the labels of what it links to.
    expected = Graph().parse(data="\n".join(f"{t} ." for t in linkeddata.describe(kg.ox.store, str(usa))),
                             format="nt")
    assert isomorphic(g, expected)
    assert all(not str(s).startswith("http://127.0.0.1") for s in g.subjects())   # w3id IRIs kept


def test_rdflib_follows_the_303(graph_server):
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, RDFS

    g = Graph().parse(f"http://{graph_server}/id/agreement/gsomia-JPN")
    gsomia = URIRef(ID + "agreement/gsomia-JPN")
    assert (gsomia, RDF.type, URIRef(DD + "MilitaryInformationAgreement")) in g
    assert (gsomia, URIRef(DD + "partner"), URIRef(ID + "country/JPN")) in g
    # 資料4: the Korea–Japan GSOMIA was signed on 2016-11-23.
    assert str(g.value(gsomia, URIRef(DD + "signedOn"))) == "2016-11-23"
    assert (URIRef(ID + "country/JPN"), RDFS.label, Literal("Japan", lang="en")) in g   # a linked label


def test_serve_ontology(graph_server):
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, RDF

    status, headers, _ = _get(graph_server, "/ontology", "text/turtle")
    assert (status, headers["location"]) == (303, "ontology/ontology.ttl") and "Accept" in headers["vary"]
    assert _get(graph_server, "/ontology/", "text/turtle")[1]["location"] == "ontology.ttl"
    g = Graph().parse(f"http://{graph_server}/ontology", format="turtle")
    assert (URIRef(DD + "Country"), RDF.type, OWL.Class) in g
    assert (URIRef(ID + "country/USA"), None, None) not in g   # the ontology only
    status, headers, _ = _get(graph_server, "/ontology", BROWSER)
    assert (status, headers["location"]) == (303, "ontology/index.html")
    status, headers, body = _get(graph_server, "/ontology/index.html")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b'<section id="Country">' in body and b'<section id="signedOn">' in body


def test_serve_unknown_and_unacceptable(graph_server):
    status, headers, body = _get(graph_server, "/id/country/XXX", "text/turtle")
    assert status == 404
    assert b"no resource https://w3id.org/defdip/id/country/XXX" in body and b"/id/country/USA" in body
    assert _get(graph_server, "/id/country/XXX.ttl")[0] == 404
    assert _get(graph_server, "/id/country/../../sparql")[0] in (404, 303)
    assert _get(graph_server, "/id/country/US<A")[0] == 404
    status, headers, body = _get(graph_server, "/id/country/USA", "image/png")
    assert status == 406 and b"text/turtle" in body
    status, headers, body = _get(graph_server, "/id/country/USA", "text/turtle", method="HEAD")
    assert (status, headers["location"], body) == (303, "USA.ttl", b"")
    status, headers, body = _get(graph_server, "/id/country/USA.nt", method="HEAD")
    assert (status, headers["content-type"].split(";")[0], body) == (200, "application/n-triples", b"")
    # Still an endpoint: the query page at /, SPARQL at /sparql.
    assert b"kgraph SPARQL endpoint" in _get(graph_server, "/", BROWSER)[2]


def test_serve_site(site_server):
    assert _get(site_server, "/", BROWSER)[2] == b"home\n"
    for stem in FILES:
        for ext in MEDIA_TYPES:
            accept = BROWSER if ext == "html" else MEDIA_TYPES[ext]
            status, headers, _ = _get(site_server, f"/{stem}", accept)
            assert (status, headers["location"]) == (303, f"{stem.rsplit('/', 1)[1]}.{ext}")
            assert "Accept" in headers["vary"]
            status, headers, body = _get(site_server, f"/{stem}.{ext}")
            assert status == 200 and headers["content-type"].split(";")[0] == MEDIA_TYPES[ext]
            assert body == f"{stem} as {ext}\n".encode()
    status, headers, body = _get(site_server, "/ontology/ontology.jsonld")
    assert (status, headers["content-type"], body) == (200, "application/ld+json", b"ontology as jsonld\n")
    assert _get(site_server, "/id/country/XXX", "text/turtle")[0] == 404
    assert _get(site_server, "/nginx.conf")[0] == 200
    # The endpoint's query page moves to /sparql; its scripts are still served.
    assert b"kgraph SPARQL endpoint" in _get(site_server, "/sparql", BROWSER)[2]
    assert _get(site_server, "/static/yasgui.min.js")[0] == 200


def test_site_option_must_name_a_site(tmp_path):
    from kgraph.errors import KgraphError
    from kgraph.serve.app import Settings

    with pytest.raises(KgraphError, match="not a site folder"):
        Settings(site=tmp_path).check()
