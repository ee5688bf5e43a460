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


def _get(host: str, path: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(host, timeout=10)
    try:
        conn.request("GET", path, headers={"Accept": accept} if accept is not None else {})
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
