"""Runtime guard (ilo/runtime_guard.py, ilo/sink.py): ILO-R016 / R017 / R601 / R602.

Most tests run ``tests/guard_harness.py`` (the real guard, sink and
supervisor around a Python "program") in a subprocess, since the guard ends
its process.  The ``cli_*`` tests run ``python -m ilo`` and are skipped until
``ilo.cli.main`` exists.  Timing bounds are generous where the machine's
load matters and tight where the design does (watchdog latency).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

import pytest

from ilo import runtime_guard, sink
from ilo.diagnostics.errors import IloRuntimeError, IloUsageError
from ilo.runtime_guard import GuardLimits

import guard_harness as gh

needs_cli = pytest.mark.skipif(not gh.cli_available(), reason="ilo.cli.main not importable yet")


# --------------------------------------------------------------------------
# limits and flag values (in-process)

def test_defaults_match_the_contract():
    lim = GuardLimits()
    assert (lim.max_runtime, lim.max_output_bytes, lim.max_memory_mb, lim.max_idle,
            lim.max_write_bytes, lim.drain_timeout) == \
        (60.0, 104857600, 4096, 0.0, 1 << 30, 5.0)
    assert set(runtime_guard.GUARD_FLAGS) == {
        "--max-runtime", "--max-output-bytes", "--max-memory", "--max-idle",
        "--max-write-bytes", "--drain-timeout"}


@pytest.mark.parametrize("flag,text,value", [
    ("--max-runtime", "0.5", 0.5), ("--max-runtime", "0", 0.0), ("--max-runtime", "60", 60.0),
    ("--max-output-bytes", "0", 0), ("--max-output-bytes", "1048576", 1048576),
    ("--max-memory", "512", 512.0), ("--max-idle", "2.5", 2.5),
])
def test_parse_limit_accepts(flag, text, value):
    got = runtime_guard.parse_limit(flag, text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("flag,text", [
    ("--max-runtime", "-1"), ("--max-runtime", "abc"), ("--max-runtime", ""),
    ("--max-runtime", "nan"), ("--max-runtime", "inf"), ("--max-runtime", None),
    ("--max-output-bytes", "1.5"), ("--max-output-bytes", "-5"), ("--max-output-bytes", "1e6"),
    ("--max-memory", "-0.1"), ("--max-memory", "lots"), ("--max-idle", "-3"),
])
def test_parse_limit_rejects_with_usage_error(flag, text):
    with pytest.raises(IloUsageError) as info:
        runtime_guard.parse_limit(flag, text)
    err = info.value
    assert err.exit_code == 2 and err.code == runtime_guard.USAGE_CODE
    assert flag in err.message and flag in (err.hint or "")


def test_limits_from_flags_and_with_flag():
    lim = runtime_guard.limits_from_flags({"--max-runtime": "1.5", "--max-output-bytes": "0"})
    assert lim == GuardLimits(max_runtime=1.5, max_output_bytes=0)
    assert lim.with_flag("--max-idle", "2").max_idle == 2.0
    assert GuardLimits.disabled() == GuardLimits(0, 0, 0, 0, 0)


def test_messages_and_hints():
    err = runtime_guard.runtime_error(1, 1.0004, "tree")
    assert isinstance(err, IloRuntimeError) and err.code == "ILO-R016"
    assert err.message == "wall-clock runtime exceeded 1000 ms (--max-runtime 1)"
    assert "infinite loop" in err.hint and "--max-runtime" in err.hint
    assert err.extra == {"limit": 1, "unit": "s", "elapsed_ms": 1000, "engine": "tree"}
    assert runtime_guard.runtime_error(0.5, 0.5).message == \
        "wall-clock runtime exceeded 500 ms (--max-runtime 0.5)"
    out = runtime_guard.output_error(100, 98, 5, 0.1, "vm")
    assert out.code == "ILO-R017" and "100 bytes" in out.message and "--max-output-bytes" in out.hint
    assert out.extra["bytes"] == 98 and out.extra["limit"] == 100
    assert runtime_guard.idle_error(2, 2.1, 0, 3).code == "ILO-R601"
    mem = runtime_guard.memory_error(64, 70 * 1048576, 1)
    assert mem.code == "ILO-R602" and "64 MB" in mem.message and mem.extra["rss_mb"] == 70.0


def test_diag_mode():
    class Tty:
        def isatty(self):
            return True

    class Pipe:
        def isatty(self):
            return False

    assert runtime_guard.diag_mode(True, Tty()) == "json"
    assert runtime_guard.diag_mode(False, Tty()) == "text"
    assert runtime_guard.diag_mode(False, Pipe()) == "json"


# --------------------------------------------------------------------------
# in-process: accounting, the exit path, the watchdog (with _exit patched)

class Exited(BaseException):
    pass


@pytest.fixture
def guard(monkeypatch):
    """Install/uninstall around a test; os._exit becomes an exception."""
    def fake_exit(code):
        raise Exited(code)

    monkeypatch.setattr(runtime_guard, "_exit", fake_exit)
    sink.reset()
    yield runtime_guard
    runtime_guard.uninstall()
    sink.reset()


@pytest.mark.timeout(30, method="thread")
def test_record_output_refuses_the_crossing_write(guard, capsys):
    guard.install(GuardLimits(max_runtime=0, max_output_bytes=25, max_memory_mb=0), "json", "t")
    sink.write_stdout("0123456789\n")        # 11
    sink.write_stdout("abcdefghij\n")        # 22
    with pytest.raises(Exited):
        sink.write_stdout("ABCD\n")          # 27 > 25: refused
    captured = capsys.readouterr()
    assert captured.out == "0123456789\nabcdefghij\n"
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    d = json.loads(lines[0])["error"]
    assert d["code"] == "ILO-R017" and d["bytes"] == 22 and d["refused_bytes"] == 5
    assert d["engine"] == "t"


@pytest.mark.timeout(30, method="thread")
def test_exactly_at_the_cap_is_allowed(guard, capsys):
    guard.install(GuardLimits(max_runtime=0, max_output_bytes=22, max_memory_mb=0))
    sink.write_stdout("0123456789\n")
    sink.write_stdout("abcdefghij\n")        # exactly 22
    assert guard.output_bytes() == 22
    with pytest.raises(Exited):
        sink.write_stdout("\n")
    assert capsys.readouterr().out == "0123456789\nabcdefghij\n"


@pytest.mark.timeout(30, method="thread")
def test_zero_output_cap_means_unlimited(guard, capsys):
    guard.install(GuardLimits(max_runtime=0, max_output_bytes=0, max_memory_mb=0))
    for _ in range(1000):
        sink.write_stdout("x" * 999 + "\n")
    assert guard.output_bytes() == 1_000_000
    assert len(capsys.readouterr().out) == 1_000_000


@pytest.mark.timeout(30, method="thread")
def test_abort_is_idempotent_in_process(guard, capsys):
    guard.install(GuardLimits.disabled(), "text")
    with pytest.raises(Exited):
        guard.abort_with("ILO-R016", "first", "hint one", limit=1)
    # a second stop while the first is still "exiting" (same thread: the
    # watchdog's handler nested in the exit path) must write nothing
    assert guard.abort_with("ILO-R017", "second", "hint two") is None
    err = capsys.readouterr().err
    assert err == "error[ILO-R016]: first\n  hint: hint one\n"


@pytest.mark.timeout(30, method="thread")
def test_watchdog_stops_a_pure_python_loop_in_process(guard, capsys):
    guard.install(GuardLimits(max_runtime=0.2, max_memory_mb=0), "json", "tree")
    t0 = time.monotonic()
    with pytest.raises(Exited):
        i = 0
        while True:                           # no call into the guard anywhere
            i += 1
    late = time.monotonic() - t0 - 0.2
    assert -0.005 < late < 0.25, late        # the 100 ms contract: test_r016_pure_python_loop_latency
    d = json.loads(capsys.readouterr().err)["error"]
    assert d["code"] == "ILO-R016" and d["limit"] == 0.2 and 200 <= d["elapsed_ms"] < 450


@pytest.mark.timeout(30, method="thread")
def test_uninstall_stops_the_watchdog_and_restores_sigalrm(guard):
    before = signal.getsignal(signal.SIGALRM)
    guard.install(GuardLimits(max_runtime=0.05))
    assert signal.getsignal(signal.SIGALRM) is not before
    guard.uninstall()
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    time.sleep(0.1)                           # would have fired: nothing happens
    assert not guard.installed()
    sink.write_stdout("")                     # no cap after uninstall
    assert guard.output_bytes() == 0


@pytest.mark.timeout(30, method="thread")
def test_no_timer_when_every_guard_is_off(guard):
    before = signal.getsignal(signal.SIGALRM)
    guard.install(GuardLimits.disabled())
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# --------------------------------------------------------------------------
# subprocess: the harness runs the real supervisor + guard + sink

def test_r016_pure_python_loop_latency():
    late = []
    for _ in range(3):
        r = gh.harness("--max-runtime", "0.3", "loop")
        assert r.rc == 1
        d = r.diag
        assert d["code"] == "ILO-R016"
        assert "backstop" not in d, "the in-process watchdog should have fired"
        assert d["message"] == "wall-clock runtime exceeded 300 ms (--max-runtime 0.3)"
        late.append(d["elapsed_ms"] - 300)
        assert r.wall < 0.3 + 4.0
    late.sort()
    # the contract is "within 100 ms"; the best of three runs must meet it
    assert late[0] >= 0 and late[0] < 100, late


def test_r016_json_and_text_forms():
    r = gh.harness("--max-runtime", "0.2", "loop")            # stderr is a pipe: JSON
    lines = r.err.splitlines()
    assert len(lines) == 1
    d = json.loads(lines[0])["error"]
    assert {"code", "message", "hint", "limit", "elapsed_ms", "engine"} <= set(d)
    assert r.diag["hint"].startswith("an infinite loop is the most common cause")
    r = gh.harness("--text", "--max-runtime", "0.2", "loop")
    lines = r.err.splitlines()
    assert r.rc == 1 and len(lines) == 2
    assert lines[0] == "error[ILO-R016]: wall-clock runtime exceeded 200 ms (--max-runtime 0.2)"
    assert lines[1].startswith("  hint: an infinite loop is the most common cause")
    assert "--max-runtime N" in lines[1]


def test_zero_runtime_disables_the_deadline():
    r = gh.harness("--max-runtime", "0.2", "sleep", "0.5")
    assert r.rc == 1 and r.diag["code"] == "ILO-R016"
    r = gh.harness("--max-runtime", "0", "sleep", "0.5")
    assert (r.rc, r.out, r.err) == (0, b"done\n", "")


@pytest.mark.parametrize("cap,width", [(95, 10), (100, 10), (1_000_000, 10), (5, 10), (100, 7)])
def test_r017_exact_byte_accounting(cap, width):
    r = gh.harness("--max-output-bytes", str(cap), "flood", str(width))
    assert r.rc == 1
    d = r.diag
    assert d["code"] == "ILO-R017" and d["limit"] == cap
    k = cap // width                          # whole lines that fit
    expected = b"".join(b"%0*d\n" % (width - 1, i) for i in range(k))
    assert r.out == expected                  # longest whole-line prefix within the cap
    assert d["bytes"] == len(expected) and d["refused_bytes"] == width


def test_r017_text_form():
    r = gh.harness("--text", "--max-output-bytes", "50", "flood", "10")
    assert r.err.splitlines()[0] == \
        "error[ILO-R017]: stdout output exceeded 50 bytes (--max-output-bytes 50)"
    assert r.err.splitlines()[1].startswith("  hint: ")
    assert len(r.out) == 50


def test_zero_output_cap_disables_it():
    r = gh.harness("--max-output-bytes", "0", "lines", "20000")
    assert r.rc == 0 and r.err == ""
    assert r.out.count(b"\n") == 20000 and r.out.endswith(b"line 19999\n")


def test_output_survives_normal_exit_and_large_volumes():
    r = gh.harness("lines", "200000")
    assert r.rc == 0
    assert r.out == b"".join(b"line %d\n" % i for i in range(200000))


def test_blocked_stdout_pipe_is_still_stopped_in_process():
    # stdout is a pipe nobody reads: the program blocks writing; the watchdog
    # interrupts the wait, the exit path gives up flushing after a bound
    r = gh.harness("--max-runtime", "0.5", "--drain-timeout", "0.25", "flood", "10",
                   read_stdout=False)
    assert r.rc == 1
    d = r.diag
    assert d["code"] == "ILO-R016" and "backstop" not in d
    assert d["elapsed_ms"] < 900 and d["dropped_bytes"] > 0
    assert r.wall < 0.5 + 0.25 + 5       # start-up on a loaded machine included


def test_blocked_stdout_without_a_supervisor():
    r = gh.harness("--max-runtime", "0.5", "flood", "10", read_stdout=False,
                   extra_env={"ILO_NO_FORK": "1"})
    assert r.rc == 1 and r.diag["code"] == "ILO-R016"


def test_r601_idle():
    r = gh.harness("--max-idle", "0.3", "silent")
    assert r.rc == 1 and r.out == b"start\n"
    d = r.diag
    assert d["code"] == "ILO-R601" and "backstop" not in d
    assert 300 <= d["idle_ms"] < 500
    assert d["message"] == "no stdout output for 300 ms (--max-idle 0.3)"


def test_r601_resets_on_output_and_zero_disables_it():
    r = gh.harness("--max-idle", "0.4", "--max-runtime", "1", "tick-idle", "0.1")
    assert r.rc == 1 and r.diag["code"] == "ILO-R016"       # never idle for 0.4 s
    assert r.out.count(b"tick\n") >= 5
    r = gh.harness("--max-idle", "0", "--max-runtime", "0.6", "silent")
    assert r.rc == 1 and r.diag["code"] == "ILO-R016"


def test_r602_memory():
    r = gh.harness("--max-memory", "150", "mem", timeout=30)
    assert r.rc == 1
    d = r.diag
    assert d["code"] == "ILO-R602" and "backstop" not in d
    assert 150 < d["rss_mb"] < 1200         # grows ~1 GB/s; checked every TICK_S
    assert d["message"] == "resident memory exceeded 150 MB (--max-memory 150)"


def test_zero_memory_and_idle_flags_are_accepted():
    r = gh.harness("--max-memory", "0", "--max-idle", "0", "lines", "3")
    assert (r.rc, r.out, r.err) == (0, b"line 0\nline 1\nline 2\n", "")


@pytest.mark.parametrize("flag,value", [
    ("--max-runtime", "-1"), ("--max-runtime", "soon"), ("--max-output-bytes", "1.5"),
    ("--max-memory", "-2"), ("--max-idle", "x"),
])
def test_bad_flag_values_exit_2(flag, value):
    r = gh.harness(flag, value, "lines", "1")
    assert r.rc == 2 and r.out == b""
    d = r.diag
    assert d["code"] == runtime_guard.USAGE_CODE and flag in d["message"]


def test_broken_pipe_stops_quietly():
    import subprocess
    proc = subprocess.Popen([sys.executable, gh.HARNESS, "--max-runtime", "10", "flood", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=gh.env())
    assert proc.stdout.readline() == b"000000000\n"
    proc.stdout.close()                       # the reader goes away (`| head -1`)
    assert proc.wait(timeout=10) == 141
    assert proc.stderr.read() == b""
    proc.stderr.close()


# --------------------------------------------------------------------------
# through the real CLI, on every engine that exists (tree, vm, jit)

LOOP = "main>n;i=0;wh true{i=+i 1};i"
FLOOD = 'main>n;wh true{prnt "."};0'
#: every engine the guard must hold on
ENGINES = gh.ENGINES     # ["tree", "vm", "jit"]: discovered, so a new engine is guarded at once
#: engines whose stops name the running statement (native JIT frames carry no spans yet)
LOCATED = [e for e in ENGINES if e != "jit"]


@needs_cli
@pytest.mark.parametrize("engine", gh.ENGINES)
def test_cli_r016_infinite_loop(engine):
    r = gh.ilo("--engine", engine, "--max-runtime", "0.5", LOOP, timeout=15)
    assert r.rc == 1, r.err
    d = r.diag
    assert d["code"] == "ILO-R016"
    assert d["message"] == "wall-clock runtime exceeded 500 ms (--max-runtime 0.5)"
    assert r.wall < 0.5 + 3.0


@needs_cli
@pytest.mark.parametrize("engine", gh.ENGINES)
def test_cli_r016_empty_loop_text_mode(engine):
    r = gh.ilo("--engine", engine, "--text", "--max-runtime", "0.5", "main>n;wh true{0};0", timeout=15)
    assert r.rc == 1
    assert r.err.splitlines()[0] == \
        "error[ILO-R016]: wall-clock runtime exceeded 500 ms (--max-runtime 0.5)"
    assert any(line.startswith("  hint: ") for line in r.err.splitlines()[1:])


@needs_cli
@pytest.mark.parametrize("engine", gh.ENGINES)
def test_cli_r017_flood_is_cut_on_a_whole_line(engine):
    r = gh.ilo("--engine", engine, "--max-output-bytes", "1000", FLOOD, timeout=15)
    assert r.rc == 1
    assert r.diag["code"] == "ILO-R017"
    assert len(r.out) <= 1000 and r.out.endswith(b"\n")
    lines = r.out.split(b"\n")[:-1]
    assert set(lines) == {b"."} and len(r.out) > 1000 - 20


@needs_cli
@pytest.mark.parametrize("engine", gh.ENGINES)
def test_cli_flood_against_the_clock(engine):
    # 2 s: start-up on a loaded machine must not eat the whole budget
    r = gh.ilo("--engine", engine, "--max-runtime", "2", FLOOD, timeout=15)
    assert r.rc == 1 and r.diag["code"] == "ILO-R016" and r.diag["phase"] == "run"
    assert r.out and r.out.endswith(b".\n")


@needs_cli
@pytest.mark.parametrize("engine", gh.ENGINES)
def test_cli_bad_guard_flag_is_usage_error(engine):
    r = gh.ilo("--engine", engine, "--max-runtime", "-1", "main>n;1", timeout=15)
    assert r.rc == 2 and r.diag["code"].startswith("ILO-U")


@needs_cli
@pytest.mark.parametrize("engine", gh.ENGINES)
def test_cli_guarded_program_runs_normally(engine):
    r = gh.ilo("--engine", engine, "--max-runtime", "5", "main>n;i=0;wh <i 1000{i=+i 1};i", timeout=15)
    assert (r.rc, r.out, r.err) == (0, b"1000\n", "")
    ex = str(gh.ROOT / "examples" / "runtime-guard.ilo")
    r = gh.ilo("--engine", engine, ex, timeout=15)
    assert (r.rc, r.out) == (0, b"1000\n"), r.err


# --------------------------------------------------------------------------
# "say where it was stopped": the stop names the running loop / the print

SPIN = "main>n\n  i=0\n  wh true{\n    i=+i 1\n  }\n  i\n"
PRINTS = 'main>n\n  i=0\n  wh <i 100{\n    prnt "hello"\n    i=+i 1\n  }\n  i\n'


def _label(diag):
    (label,) = diag["labels"]
    return label["line"], label["col"]


@needs_cli
@pytest.mark.parametrize("engine", LOCATED)
def test_cli_r016_names_the_loop_that_never_ends(engine, tmp_path):
    prog = tmp_path / "spin.ilo"
    prog.write_text(SPIN)
    # a budget well past start-up on a busy machine, so the loop is running
    r = gh.ilo("--engine", engine, "--max-runtime", "2", str(prog), timeout=20)
    assert r.rc == 1 and r.diag["code"] == "ILO-R016"
    assert _label(r.diag) == (3, 3)
    r = gh.ilo("--engine", engine, "--text", "--max-runtime", "2", str(prog), timeout=20)
    lines = r.err.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.startswith("3 |"))
    assert "wh true{" in lines[caret] and lines[caret + 1].strip(" |").startswith("^")


@needs_cli
@pytest.mark.parametrize("engine", LOCATED)
def test_cli_r601_names_the_silent_loop(engine, tmp_path):
    prog = tmp_path / "quiet.ilo"
    prog.write_text('main>n\n  prnt "start"\n' + SPIN.split("\n", 1)[1])
    r = gh.ilo("--engine", engine, "--max-idle", "1.5", str(prog), timeout=20)
    assert r.rc == 1 and r.diag["code"] == "ILO-R601"
    assert _label(r.diag) == (4, 3)


@needs_cli
@pytest.mark.parametrize("engine", LOCATED)
def test_cli_r017_names_the_print(engine, tmp_path):
    prog = tmp_path / "prints.ilo"
    prog.write_text(PRINTS)
    r = gh.ilo("--engine", engine, "--max-output-bytes", "20", str(prog), timeout=20)
    assert r.rc == 1 and r.diag["code"] == "ILO-R017"
    assert r.out == b"hello\n" * 3
    assert _label(r.diag) == (4, 5)


@needs_cli
@pytest.mark.parametrize("engine", ENGINES)
def test_cli_r602_memory_on_every_engine(engine):
    r = gh.ilo("--engine", engine, "--max-memory", "150", 'main>n;s="x";wh true{s=+s s};0',
               timeout=30)
    assert r.rc == 1 and r.diag["code"] == "ILO-R602"


@needs_cli
@pytest.mark.parametrize("engine", ENGINES)
def test_cli_runaway_recursion_is_r604(engine):
    r = gh.ilo("--engine", engine, "f x:n>n;+1 f x", "f", "1", timeout=30)
    assert r.rc == 1 and r.diag["code"] == "ILO-R604", r.err
    # the VM counts ilo calls; the tree engine may meet Python's stack first
    assert r.diag["message"].startswith("call depth exceeded")
