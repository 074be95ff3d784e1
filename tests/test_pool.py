"""The isolated parallel runner behind ``ilo test`` (ilo/tools/pool.py).

Stall windows and halving need a case the in-process guard cannot stop: one
C call that holds the GIL.  Workers are forks of this process, so a builtin
patched here before the pool starts misbehaves in every worker.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ilo.runtime import builtins as B
from ilo.tools import pool
from ilo.tools.guard_audit import processes_with, wait_gone

import guard_harness as gh


def write_cases(folder: Path, n: int, body: str = "main>n;{i}") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"c{i:02d}.ilo"
        p.write_text(body.format(i=i) + f"\n-- run: main\n-- out: {i}\n")
        paths.append(p)
    return paths


def jobs_for(paths, engine="tree") -> list[pool.Job]:
    return [pool.Job(p.name, p, ("main",), engine) for p in paths]


def run_pool(jobs, **kw):
    got = {}
    p = pool.Pool(jobs, on_result=lambda job, o: got.setdefault(job.key, o), **kw)
    p.run()
    return got, p


@pytest.fixture
def patched_now(monkeypatch):
    """``now`` misbehaves in workers forked after this: how is the argument."""
    def patch(how):
        def bad(ctx, args):
            if how == "gil":
                collections.deque(itertools.repeat(1), maxlen=0)   # C loop, GIL held
            os.kill(os.getpid(), signal.SIGSEGV)
        spec = B.lookup("now")
        monkeypatch.setitem(B.BUILTINS, "now", spec.replace(fn=bad))
    return patch


def test_each_case_gets_its_own_result_in_process_isolation(tmp_path):
    paths = write_cases(tmp_path, 12)
    got, p = run_pool(jobs_for(paths), workers=2, timeout=10)
    assert set(got) == {q.name for q in paths}
    for i, q in enumerate(paths):
        assert (got[q.name].returncode, got[q.name].stdout) == (0, f"{i}\n")
    assert p.stalls == 0


def test_a_case_guard_stop_ends_the_case_not_the_worker(tmp_path):
    paths = write_cases(tmp_path / "a", 4)
    loop = tmp_path / "a" / "loop.ilo"
    loop.write_text("main>n;i=0;wh true{i=+i 1};i\n")
    jobs = jobs_for(paths) + [pool.Job("loop", loop, ("main",), "tree")]
    got, p = run_pool(jobs, workers=1, timeout=1.5, batch=8)
    o = got["loop"]
    assert o.returncode == 1 and o.timed_out and '"ILO-R016"' in o.stderr
    assert all(got[q.name].returncode == 0 for q in paths)
    assert p.stalls == 0                      # the guard did it, in-process


def test_stalled_batch_is_halved_and_the_others_finish(tmp_path, patched_now):
    paths = write_cases(tmp_path, 7)
    stuck = tmp_path / "stuck.ilo"
    stuck.write_text("main>n;now\n")
    patched_now("gil")
    jobs = [pool.Job("stuck", stuck, ("main",), "tree")] + jobs_for(paths)
    t = time.monotonic()
    got, p = run_pool(jobs, workers=2, timeout=0.5, batch=4)
    assert set(got) == {"stuck", *(q.name for q in paths)}
    assert all(got[q.name].stdout == f"{i}\n" for i, q in enumerate(paths))
    o = got["stuck"]
    assert o.timed_out and o.code == "ILO-R016" and '"stalled":true' in o.stderr
    assert p.stalls == 3                      # B = 4, then 2, then 1: recorded
    assert time.monotonic() - t < 30


def test_a_worker_killed_by_a_signal_costs_only_its_case(tmp_path, patched_now):
    paths = write_cases(tmp_path, 6)
    crash = tmp_path / "crash.ilo"
    crash.write_text("main>n;now\n")
    patched_now("segv")
    jobs = jobs_for(paths[:3]) + [pool.Job("crash", crash, ("main",), "tree")] + \
        jobs_for(paths[3:])
    got, _p = run_pool(jobs, workers=1, timeout=5, batch=8)
    assert got["crash"].code == "ILO-R603" and "SIGSEGV" in got["crash"].stderr
    assert all(got[q.name].returncode == 0 for q in paths)


# --------------------------------------------------------------------------
# through `ilo test`

def ilo_test(*args, **kw):
    return gh.run([sys.executable, "-m", "ilo", "test", *map(str, args)], **kw)


def test_results_file_integrity_json_and_junit(tmp_path):
    write_cases(tmp_path / "s", 9)
    (tmp_path / "s" / "bad.ilo").write_text("main>n;1\n-- run: main\n-- out: 2\n")
    res, junit = tmp_path / "r.jsonl", tmp_path / "j.xml"
    r = ilo_test("-j", "2", "--results", res, "--junit", junit, tmp_path / "s", timeout=60)
    assert r.rc == 1 and r.out.decode().splitlines()[-1] == "9 passed, 1 failed"
    lines = res.read_text().splitlines()
    recs = [json.loads(x) for x in lines]
    assert len(recs) == 10 and len({(x["id"], x["engine"]) for x in recs}) == 10
    assert {x["status"] for x in recs} == {"pass", "fail"}
    suite = ET.parse(junit).getroot()
    assert suite.get("tests") == "10" and suite.get("failures") == "1"


def test_shards_partition_the_suite(tmp_path):
    write_cases(tmp_path / "s", 20)
    seen = []
    for k in (1, 2, 3):
        r = ilo_test("--json", "--shard", f"{k}/3", tmp_path / "s", timeout=60)
        ids = [json.loads(x)["id"] for x in r.out.decode().splitlines()
               if json.loads(x)["type"] == "case"]
        seen.append(set(ids))
    assert sum(len(s) for s in seen) == 20 and len(set().union(*seen)) == 20
    again = ilo_test("--json", "--shard", "2/3", tmp_path / "s", timeout=60)
    ids = {json.loads(x)["id"] for x in again.out.decode().splitlines()
           if json.loads(x)["type"] == "case"}
    assert ids == seen[1]                     # deterministic


def test_resume_after_kill_9_runs_no_case_twice(tmp_path):
    write_cases(tmp_path / "s", 16, body="main>n;sleep 250;{i}")
    res = tmp_path / "r.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "ilo", "test", "-j", "1", "--results",
                             str(res), str(tmp_path / "s")], env=gh.env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    end = time.monotonic() + 60
    while time.monotonic() < end and (not res.exists() or len(res.read_text().splitlines()) < 4):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)         # the parent: workers die by their lifeline
    proc.wait()
    assert not wait_gone(str(tmp_path / "s"), 2.0), "a worker outlived its parent"
    with open(res, "a") as fh:                # a torn last line, as a power cut leaves it
        fh.write('{"id": "c15.ilo::main", "engine": "tr')
    first = [json.loads(x) for x in res.read_text().splitlines()[:-1]]
    assert 4 <= len(first) < 16
    r = ilo_test("-j", "2", "--results", res, "--resume", tmp_path / "s", timeout=60)
    assert r.rc == 0 and r.out.decode().splitlines()[-1] == "16 passed, 0 failed"
    recs = [json.loads(x) for x in res.read_text().splitlines()]
    ids = [x["id"] for x in recs]
    assert len(ids) == 16 and len(set(ids)) == 16      # whole lines, none twice
    assert recs[:len(first)] == first


def test_ctrl_c_leaves_no_worker(tmp_path):
    write_cases(tmp_path / "s", 6, body="main>n;i=0;wh true{{i=+i 1}};{i}")
    marker = str(tmp_path / "s")
    res = tmp_path / "r.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "ilo", "test", "-j", "2", "--results",
                             str(res), marker], env=gh.env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    end = time.monotonic() + 30
    while time.monotonic() < end and len(processes_with(marker)) < 3:
        time.sleep(0.05)
    assert len(processes_with(marker)) >= 3    # parent + 2 workers
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=5) == -signal.SIGINT
    assert not wait_gone(marker, 1.0)
    for line in res.read_text().splitlines():  # consistent: whole JSON lines
        json.loads(line)


def test_case_timeout_0_runs_in_the_parent(tmp_path):
    write_cases(tmp_path / "s", 3)
    r = ilo_test("--case-timeout", "0", "-v", tmp_path / "s", timeout=60)
    assert r.rc == 0 and r.out.decode().splitlines()[-1] == "3 passed, 0 failed"


def test_engine_all_runs_every_engine(tmp_path):
    from ilo.api import available_engines

    write_cases(tmp_path / "s", 2)
    r = ilo_test("--engine", "all", "--json", tmp_path / "s", timeout=60)
    rows = [json.loads(x) for x in r.out.decode().splitlines()]
    engines = {x["engine"] for x in rows if x["type"] == "case"}
    assert engines == set(available_engines()) and rows[-1]["passed"] == 2 * len(engines)
