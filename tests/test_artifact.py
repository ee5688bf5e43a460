"""The build artifact can be trusted: keyed by everything that shapes it (the
package's code included), checked on every load, rebuilt when damaged, never
half-written, and --no-cache really rebuilds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kgraph import artifact, cache
from tests.conftest import ROOT

COUNT_AGREEMENTS = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:Agreement }"
COUNT_EXERCISE_TIES = "SELECT (COUNT(?t) AS ?n) WHERE { ?t dd:tieKind concept:tie-exercise }"


def kgraph(*args: str, cache_dir: Path, pythonpath: Path | None = None,
           timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KGRAPH_CACHE_DIR": str(cache_dir)}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([sys.executable, "-m", "kgraph.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def count(r: subprocess.CompletedProcess[str]) -> int:
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return int(r.stdout.split()[1])   # TSV: the header line, then the count


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory, kg) -> Path:
    """A cache folder holding a built artifact of the bundled graph."""
    folder = tmp_path_factory.mktemp("warm-cache")
    assert count(kgraph("query", COUNT_AGREEMENTS, "--format", "tsv", cache_dir=folder)) == 117
    return folder


@pytest.fixture
def cache_copy(warm: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    shutil.copytree(warm, folder)
    return folder


def the_artifact(folder: Path) -> Path:
    (path,) = folder.glob("graph-*.nq")
    return path


def test_the_artifact_keeps_the_parts_apart_with_a_verified_header(warm: Path, kg):
    found = artifact.read(the_artifact(warm))
    assert found is not None
    assert found.sizes == kg.sizes
    assert sum(found.sizes.values()) == found.body.count(b"\n") == len(kg.ox)
    # The parts are named graphs: a GRAPH query reaches each one.
    rows = kg.ox.select("""SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }
                           GROUP BY ?g ORDER BY ?g""", labels=False).rows
    assert {g.rsplit("/", 1)[-1]: n for g, n in rows} == kg.sizes
    assert kg.ox.select("""SELECT (COUNT(*) AS ?n) WHERE {
        GRAPH <https://w3id.org/defdip/dataset/asserted> { ?a a dd:MilitaryInformationAgreement } }""",
                        labels=False).rows == [[26]]


@pytest.mark.parametrize("damage", ["truncate", "empty", "garble", "header", "not-nquads"])
def test_a_damaged_artifact_is_rebuilt_not_served(cache_copy: Path, damage: str):
    path = the_artifact(cache_copy)
    payload = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(payload[: len(payload) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "garble":
        middle = len(payload) // 2
        path.write_bytes(payload[:middle] + b"\x00garbled\xff" + payload[middle + 10:])
    elif damage == "header":
        path.write_bytes(b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")
    else:   # whole by its own checksum, but not N-Quads
        artifact.write(path, b"this is not N-Quads\n", {"asserted": 1})
    r = kgraph("query", COUNT_AGREEMENTS, "--format", "tsv", cache_dir=cache_copy)
    assert count(r) == 117
    assert "damaged" in r.stderr and "rebuilding" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert artifact.read(path) is not None, "the rebuilt artifact replaced the damaged one"
    # The next run reads it without a word.
    r = kgraph("query", COUNT_AGREEMENTS, "--format", "tsv", cache_dir=cache_copy)
    assert count(r) == 117 and r.stderr == ""


def test_a_damaged_reasoning_cache_is_computed_again(cache_copy: Path, kg):
    the_artifact(cache_copy).unlink()
    (inferred,) = cache_copy.glob("inferred-*.nt")
    inferred.write_bytes(inferred.read_bytes()[:1000])
    r = kgraph("query", "SELECT (COUNT(?x) AS ?n) WHERE { ?x a dd:Record }", "--format", "tsv",
               cache_dir=cache_copy)
    # Records are typed by subclass: the count needs the inferred part whole.
    records = kg.ox.select("SELECT (COUNT(?x) AS ?n) WHERE { ?x a dd:Record }", labels=False).rows[0][0]
    assert count(r) == records > 500
    assert "damaged cache file" in r.stderr


def test_no_cache_rebuilds_even_a_consistent_but_wrong_artifact(cache_copy: Path):
    # A file with a valid header and checksum but the wrong content (say, written by an
    # older kgraph with the same key): only --no-cache can tell, by not reading it.
    path = the_artifact(cache_copy)
    body = (b"<https://w3id.org/defdip/id/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            b"<https://w3id.org/defdip/ontology#Agreement> .\n")
    artifact.write(path, body, {"asserted": 1})
    assert count(kgraph("query", COUNT_AGREEMENTS, "--format", "tsv", cache_dir=cache_copy)) == 1
    assert count(kgraph("query", COUNT_AGREEMENTS, "--format", "tsv", "--no-cache",
                        cache_dir=cache_copy)) == 117
    assert count(kgraph("query", COUNT_AGREEMENTS, "--format", "tsv", cache_dir=cache_copy)) == 117


def test_a_change_to_a_rule_in_the_code_changes_the_answer(cache_copy: Path, tmp_path: Path):
    # A copy of the package whose tie rule leaves out exercises, reading the same cache
    # (and the same bundled data) as the real one.
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("ontology", "graph"):
        (tree / folder).symlink_to(ROOT / folder)
    ties = tree / "src" / "kgraph" / "ties.py"
    source = ties.read_text(encoding="utf-8")
    rule = 'add(r, p, "exercise", None)'
    assert rule in source
    ties.write_text(source.replace(rule, "pass"), encoding="utf-8")

    before = count(kgraph("query", COUNT_EXERCISE_TIES, "--format", "tsv", cache_dir=cache_copy))
    after = count(kgraph("query", COUNT_EXERCISE_TIES, "--format", "tsv", cache_dir=cache_copy,
                         pythonpath=tree / "src"))
    assert (before, after) == (27, 0)
    assert len(list(cache_copy.glob("graph-*.nq"))) == 2, "each code version has its own artifact"


def test_the_key_covers_the_code(monkeypatch: pytest.MonkeyPatch):
    from kgraph import data

    files = data.bundled().all_files
    key = cache.graph_key(files, True)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another-version-of-the-code")
    assert cache.graph_key(files, True) != key


def test_two_builds_at_once_leave_a_valid_artifact(tmp_path: Path):
    folder = tmp_path / "cache"
    env = {**os.environ, "KGRAPH_CACHE_DIR": str(folder)}
    cmd = [sys.executable, "-m", "kgraph.cli", "query", COUNT_AGREEMENTS, "--format", "tsv", "--no-cache"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert int(out.split()[1]) == 117
    assert artifact.read(the_artifact(folder)) is not None
    assert not list(folder.glob(".tmp-*")), "no temporary file left behind"


def test_a_damaged_main_job_output_is_made_again(cache_copy: Path, tmp_path: Path):
    out = tmp_path / "out"
    first = kgraph("--out", str(out), cache_dir=cache_copy)
    assert first.returncode == 0, first.stderr
    (kept,) = cache_copy.glob("main-*")
    (kept / "out" / "network.html").unlink()
    (out / "network.html").unlink()
    again = kgraph("--out", str(out), cache_dir=cache_copy)
    assert again.returncode == 0, again.stderr
    assert "damaged" in again.stderr
    assert (out / "network.html").stat().st_size > 10_000
    assert again.stdout.splitlines()[0] == first.stdout.splitlines()[0]
