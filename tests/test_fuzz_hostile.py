"""Hostile input never gives a traceback, a hang, an internal error or an
exit code other than 0/1/2 (ilo/tools/fuzz.py has the rule).  Bounded for
``make test``; ``scripts/fuzz.py N`` is the long run."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from conftest import ilo_env
from test_fuzz import _front_end_ok as front_end_ok

from ilo.tools import fuzz
from ilo.api import available_engines

ENGINES = available_engines()
CORPUS = fuzz.corpus()
edits = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 1 << 20), st.integers(0, 1 << 20)),
                 min_size=1, max_size=4)
mutants = st.tuples(st.integers(0, len(CORPUS) - 1), edits).map(
    lambda t: fuzz.mutate(CORPUS[t[0]], t[1]))
FAST = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FORKED = settings(max_examples=12, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def clean(outcome, what) -> None:
    why = fuzz.problem(outcome)
    assert why is None, f"{why} for {what!r}: {outcome.stderr[-600:]}"


def test_there_is_a_corpus():
    assert len(CORPUS) >= 10


@FAST
@given(mutants)
def test_mutated_programs_give_only_diagnostics_in_the_front_end(src):
    front_end_ok(src)


@pytest.mark.parametrize("engine", ENGINES)
@FORKED
@given(src=mutants)
def test_mutated_programs_run_cleanly(tmp_path_factory, engine, src):
    work = tmp_path_factory.mktemp("fuzz")
    clean(fuzz.program_run(src, engine, str(work)), src[:200])


@FORKED
@given(st.integers(0, 1 << 32))
def test_mangled_command_lines_end_cleanly(tmp_path_factory, seed):
    argv = fuzz.random_argv(random.Random(seed))
    clean(fuzz.run_cli(argv, cwd=str(tmp_path_factory.mktemp("argv"))), argv[:12])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("hostile", fuzz.HOSTILE, ids=lambda h: repr(h[:12]))
def test_hostile_literals_end_cleanly(tmp_path, engine, hostile):
    clean(fuzz.program_run("main>n;" + hostile, engine, str(tmp_path)), hostile[:40])


@pytest.mark.parametrize("data", [b"main>n;\xff\xfe1", b"main>n;\x001", b"\xef\xbb\xbfmain>n;1",
                                  b"main>n;" + b"(" * 200000])
def test_hostile_bytes_in_files_end_cleanly(tmp_path, data):
    path = tmp_path / "bad.ilo"
    path.write_bytes(data)
    clean(fuzz.run_cli([*fuzz.GUARD, str(path)]), data[:20])


def test_huge_argument_lists_end_cleanly():
    clean(fuzz.run_cli([*fuzz.GUARD, "f x:n>n;x", "f", *["1"] * 50000]), "50000 args")
    clean(fuzz.run_cli([*fuzz.GUARD, "f xs:L n>n;len xs", "f", ",".join(["1"] * 100000)]),
          "a 100000-element list")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", [["--ast", "main>n;1"], ["main>n;prnt 1;2"], ["--version"],
                                  ["--explain", "ILO-R607"]])
def test_unwritable_stdout_ends_in_one_diagnostic(args):
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "ilo", *args], stdout=full,
                              stderr=subprocess.PIPE, text=True, env=ilo_env(), timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "ILO-R606" in proc.stderr and "ILO-R013" not in proc.stderr
