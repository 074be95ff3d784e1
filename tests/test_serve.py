"""``ilo serv``, the Python API and ``ilo mcp`` (ilo/serve/).

Misbehaviour that only a forked worker can show (a C call holding the GIL, a
segfault) is staged by patching a builtin in this process before the workers
fork from it (tests use :class:`ilo.serve.workers.Workers` directly).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import os
import signal
import subprocess
import sys
import time

import pytest

import ilo
from ilo.runtime import builtins as B
from ilo.runtime_guard import GuardLimits
from ilo.serve import core
from ilo.serve.workers import Workers
from ilo.tools.guard_audit import processes_with

import guard_harness as gh

DOUBLE = "f x:n>n;*x 2"


def serv(lines: list, *flags: str, jobs: int = 1, timeout: float = 60) -> list[dict]:
    data = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    p = subprocess.run([sys.executable, "-m", "ilo", *flags, "serv", "-j", str(jobs)],
                       input=data.encode(),
                       capture_output=True, timeout=timeout, env=gh.env())
    assert p.returncode == 0, p.stderr
    return [json.loads(x) for x in p.stdout.decode().splitlines()]


@pytest.mark.parametrize("engine", gh.ENGINES)
def test_shapes_and_order(engine):
    out = serv([{"program": DOUBLE, "args": ["21"], "id": 1},
                {"program": DOUBLE, "func": "f", "args": [5]},
                "{not json",
                {"program": 'main>R n t;prnt "hi";^"bad"'},
                {"program": "main>n;x"},
                {"program": "main>n;+"},
                {"args": []},
                {"program": DOUBLE, "args": [1], "max_runtime": "soon"}], "--engine", engine)
    assert len(out) == 8
    assert out[0]["ok"] == 42 and out[0]["id"] == 1 and out[0]["engine"] == engine
    assert isinstance(out[0]["ms"], int) and out[1]["ok"] == 10
    assert out[2]["error"]["phase"] == "request"
    assert out[3]["error"] == {"phase": "program", "value": "bad"} and out[3]["stdout"] == "hi\n"
    assert out[4]["error"]["phase"] == "verify"
    assert out[4]["error"]["diagnostics"][0]["code"] == "ILO-T004"
    assert out[5]["error"]["phase"] == "parse"
    assert out[6]["error"]["phase"] == "request" and out[7]["error"]["phase"] == "request"


@pytest.mark.parametrize("engine", gh.ENGINES)
def test_runaways_answered_within_budget_and_the_server_goes_on(engine):
    reqs = [{"program": DOUBLE, "args": [1], "id": "a"},
            {"program": "main>n;i=0;wh true{i=+i 1};i", "max_runtime": 0.5, "id": "loop"},
            {"program": 'main>n;wh true{prnt "x"};0', "max_output_bytes": 20, "id": "flood"},
            {"program": 'main>n;s="xxxxxxxx";wh true{s=+s s};0', "max_memory": 150,
             "id": "mem"},
            {"program": DOUBLE, "args": [2], "id": "b"}]
    t = time.monotonic()
    out = serv(reqs, "--engine", engine)
    assert [r["id"] for r in out] == ["a", "loop", "flood", "mem", "b"]
    codes = [r["error"]["diagnostics"][0]["code"] for r in out[1:4]]
    assert codes == ["ILO-R016", "ILO-R017", "ILO-R602"]
    assert out[1]["ms"] < 500 + 200
    assert out[2]["stdout"] == "x\n" * 10
    assert out[0]["ok"] == 2 and out[4]["ok"] == 4
    assert time.monotonic() - t < 30


@pytest.fixture
def patched(monkeypatch):
    """Make ``now`` hold the GIL forever or crash, in workers forked later."""
    def patch(how):
        def bad(ctx, args):
            if how == "gil":
                collections.deque(itertools.repeat(1), maxlen=0)
            os.kill(os.getpid(), signal.SIGSEGV)
        monkeypatch.setitem(B.BUILTINS, "now", B.lookup("now").replace(fn=bad))
    return patch


def test_a_c_call_holding_the_gil_is_killed_at_budget_plus_200ms(patched):
    patched("gil")
    w = Workers(1, GuardLimits.disabled())
    try:
        t = time.monotonic()
        r = w.call({"program": "main>n;now", "max_runtime": 0.5, "id": 7})
        took = time.monotonic() - t
        assert r["id"] == 7 and r["error"]["diagnostics"][0]["code"] == "ILO-R016"
        assert r["error"]["diagnostics"][0]["backstop"] is True
        assert 0.5 <= took < 0.5 + 0.2 + 0.3      # + the fork of the first worker
        assert w.call({"program": DOUBLE, "args": [3]})["ok"] == 6
    finally:
        w.close()


def test_a_crashing_worker_is_r603_and_replaced(patched):
    patched("segv")
    w = Workers(1, GuardLimits.disabled())
    try:
        r = w.call({"program": "main>n;now"})
        d = r["error"]["diagnostics"][0]
        assert d["code"] == "ILO-R603" and d["signal"] == "SIGSEGV"
        assert w.call({"program": DOUBLE, "args": [4]})["ok"] == 8
    finally:
        w.close()


def test_concurrent_workers_answer_with_ids():
    out = serv([{"program": "main>n;sleep 300;1", "id": "slow"}] +
               [{"program": DOUBLE, "args": [i], "id": i} for i in range(5)], jobs=2)
    assert sorted(map(str, (r["id"] for r in out))) == sorted(["slow", *map(str, range(5))])
    assert out[-1]["id"] == "slow"            # the quick ones did not wait for it
    assert all(r["ok"] == 2 * r["id"] for r in out if r["id"] != "slow")


def test_sigterm_ends_serv_and_its_workers():
    p = subprocess.Popen([sys.executable, "-m", "ilo", "serv", "-j", "2"], env=gh.env(),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    for i in range(2):
        p.stdin.write((json.dumps({"program": "main>n;i=0;wh true{i=+i 1};i"}) + "\n").encode())
    p.stdin.flush()
    end = time.monotonic() + 20
    workers = []
    while len(workers) < 2 and time.monotonic() < end:
        time.sleep(0.05)
        workers = [pid for pid in processes_with("ilo") if _ppid(pid) == p.pid]
    assert len(workers) == 2
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=5) == -signal.SIGTERM
    end = time.monotonic() + 1
    while any(_running(pid) for pid in workers) and time.monotonic() < end:
        time.sleep(0.02)
    assert not any(_running(pid) for pid in workers)


def _ppid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):
        return -1


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def test_cache_skips_the_front_end(monkeypatch):
    calls = []
    from ilo import api
    real = api.load_program
    monkeypatch.setattr(api, "load_program", lambda *a, **k: calls.append(1) or real(*a, **k))
    src = "g x:n>n;+x 1 -- unique to this test"
    for i in range(3):
        assert core.execute({"program": src, "args": [i]})["ok"] == i + 1
    assert len(calls) == 1


# --------------------------------------------------------------------------
# Python API

def test_api_run_and_check():
    r = ilo.run(DOUBLE, args=[21])
    assert (r.ok, r.value, r.stdout, r.diagnostics, r.phase) == (True, 42, "", [], None)
    r = ilo.run('main>R n t;prnt "a";^"e"')
    assert (r.ok, r.phase, r.value, r.stdout) == (False, "program", "e", "a\n")
    assert ilo.check("f x:n>n;+x y")[0]["code"] == "ILO-T004"
    assert ilo.check(DOUBLE) == []


def test_api_runaway_never_takes_the_host_down():
    t = time.monotonic()
    r = ilo.run("main>n;i=0;wh true{i=+i 1};i", max_runtime=0.5)
    assert not r.ok and r.phase == "runtime" and r.diagnostics[0]["code"] == "ILO-R016"
    assert time.monotonic() - t < 5
    r = ilo.run('main>n;wh true{prnt "y"};0', max_output_bytes=6)
    assert r.diagnostics[0]["code"] == "ILO-R017" and r.stdout == "y\ny\ny\n"
    assert ilo.run(DOUBLE, args=[2], max_runtime=5).value == 4   # the worker is reused


# --------------------------------------------------------------------------
# MCP, end to end with the SDK's own stdio client

mcp = pytest.importorskip("mcp")


async def _mcp_session(calls):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "ilo", "mcp"],
                                   env=gh.env())
    results = []
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = await session.list_tools()
            results.append(sorted(t.name for t in tools.tools))
            for name, args in calls:
                res = await session.call_tool(name, args)
                results.append("".join(getattr(c, "text", "") for c in res.content))
    return results


@pytest.mark.timeout(120)
def test_mcp_tools_end_to_end():
    names, ran, runaway, checked, explained = asyncio.run(asyncio.wait_for(_mcp_session([
        ("run", {"program": DOUBLE, "args": ["21"]}),
        ("run", {"program": "main>n;i=0;wh true{i=+i 1};i", "max_runtime": 0.5}),
        ("check", {"program": "f x:n>n;+x y"}),
        ("explain", {"code": "ILO-R016"}),
    ]), 100))
    assert names == ["check", "explain", "run"]
    assert json.loads(ran)["ok"] == 42
    assert json.loads(runaway)["error"]["diagnostics"][0]["code"] == "ILO-R016"
    assert json.loads(checked)["diagnostics"][0]["code"] == "ILO-T004"
    assert "runtime" in explained.lower()
