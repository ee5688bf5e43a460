"""Fuzzing: random and mutated Turtle, N-Triples, JSON-LD, RDF/XML and SPARQL
through the API and the CLI.  The invariant: a clean KgraphError (exit 1) or a
right answer; never a traceback, a hang, a crash or a half-written output.

Bounded to about a minute (profile ``ci``, the default); longer by hand with
``python bench/fuzz.py --minutes 10`` or ``HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import fuzzkit

settings.register_profile("ci", max_examples=150, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

_TMP = Path(tempfile.mkdtemp(prefix="kgraph-fuzz-"))


@pytest.mark.parametrize("suffix", sorted(fuzzkit.DATA_SEEDS))
@given(rng=st.randoms(use_true_random=False))
def test_mutated_data_files_parse_or_fail_cleanly(suffix, rng):
    fuzzkit.check_data_file(_TMP, suffix, fuzzkit.mutate(rng, fuzzkit.DATA_SEEDS[suffix]))


@pytest.mark.parametrize("suffix", sorted(fuzzkit.DATA_SEEDS))
@given(text=st.text(max_size=300))
def test_random_data_files_parse_or_fail_cleanly(suffix, text):
    fuzzkit.check_data_file(_TMP, suffix, text)


def test_the_seeds_are_valid():
    for suffix, text in fuzzkit.DATA_SEEDS.items():
        assert fuzzkit.check_data_file(_TMP, suffix, text) == "ok", suffix
    for q in fuzzkit.SPARQL:
        assert fuzzkit.check_query(q).startswith("ok"), q


@given(rng=st.randoms(use_true_random=False), seed=st.sampled_from(fuzzkit.SPARQL))
def test_mutated_queries_answer_or_fail_cleanly(rng, seed):
    fuzzkit.check_query(fuzzkit.mutate(rng, seed))


@given(text=st.text(max_size=200))
def test_random_queries_answer_or_fail_cleanly(text):
    fuzzkit.check_query(text)


@settings(max_examples=40)
@given(rng=st.randoms(use_true_random=False), seed=st.sampled_from(fuzzkit.SPARQL))
def test_mutated_queries_through_the_cli(kg, rng, seed):
    fuzzkit.check_cli(["query", "--format", "csv", fuzzkit.mutate(rng, seed)])


@settings(max_examples=40)
@given(names=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=5, unique=True))
def test_output_sets_are_whole_or_refused(tmp_path_factory, names):
    fuzzkit.check_output_set(tmp_path_factory.mktemp("set"), names)


@settings(max_examples=60)
@given(value=st.text(max_size=40) | st.sampled_from(["https://ex.org/", "http://a/b#", "https://x/\"/"]))
def test_base_iris_are_checked_not_crashed_on(value):
    from kgraph.errors import KgraphError
    from kgraph.remote import check_base_iri

    try:
        check_base_iri("https://ex.org/" + value)
    except KgraphError:
        pass


def test_a_few_mutants_through_the_real_cli(tmp_path):
    """The subprocess path: exit codes and stderr as a shell sees them."""
    import random

    rng = random.Random(15)
    for i in range(4):
        suffix = sorted(fuzzkit.DATA_SEEDS)[i]
        f = tmp_path / f"m{i}{suffix}"
        f.write_bytes(fuzzkit.mutate(rng, fuzzkit.DATA_SEEDS[suffix]).encode("utf-8", "surrogatepass"))
        r = subprocess.run([sys.executable, "-m", "kgraph.cli", "validate", str(f)], capture_output=True,
                           text=True, timeout=300, env=os.environ.copy())
        assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stderr[-500:]
        q = fuzzkit.mutate(rng, fuzzkit.SPARQL[i])
        r = subprocess.run([sys.executable, "-m", "kgraph.cli", "query", q], capture_output=True,
                           text=True, timeout=300, env=os.environ.copy())
        assert r.returncode in (0, 1) and "Traceback" not in r.stderr, (q, r.stderr[-500:])
