"""Supervisor (ilo/supervise.py): the backstop behind the in-process guard.

Covers a program stuck in one C call that holds the GIL (the in-process
watchdog cannot run), a child killed by a signal (ILO-R603), exactly one
diagnostic when two stops race, no orphaned processes whatever happens to
the parent, and the cost of forking.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from ilo import supervise

import guard_harness as gh


# --------------------------------------------------------------------------
# the backstop

def test_long_c_call_holding_the_gil_is_stopped_by_the_parent():
    r = gh.harness("--max-runtime", "0.5", "cloop")
    assert r.rc == 1
    d = r.diag
    assert d["code"] == "ILO-R016" and d["backstop"] is True
    assert d["message"] == "wall-clock runtime exceeded 500 ms (--max-runtime 0.5)"
    assert 1000 <= d["elapsed_ms"] < 1600               # budget + 0.5 s grace
    assert r.wall < 0.5 + supervise.GRACE_S + 5.0   # start-up on a loaded machine included


def test_the_in_process_watchdog_alone_cannot_stop_a_c_call():
    # why the supervisor exists: with ILO_NO_FORK=1 the same program is not
    # stopped at the deadline (the test kills it)
    with pytest.raises(subprocess.TimeoutExpired):
        gh.harness("--max-runtime", "0.2", "cloop", timeout=1.5, extra_env={"ILO_NO_FORK": "1"})


def test_output_buffered_in_a_killed_child_is_rescued():
    r = gh.harness("--max-runtime", "0.3", "print-cloop")
    assert r.rc == 1 and r.diag["code"] == "ILO-R016" and r.diag["backstop"]
    assert r.out == b"line 0\nline 1\nline 2\n"


def test_zero_runtime_means_no_parent_deadline():
    r = gh.harness("--max-runtime", "0", "sleep", "1.2", extra_env={})
    assert (r.rc, r.out) == (0, b"done\n")


def test_memory_backstop_for_a_child_stuck_in_c():
    # 170 MB: over the budget, under the hard data limit (1.25 x 150 + 32 MB)
    r = gh.harness("--max-memory", "150", "--max-runtime", "20", "mem-c", "170", timeout=30)
    assert r.rc == 1
    d = r.diag
    assert d["code"] == "ILO-R602" and d["rss_mb"] > 150
    assert r.wall < 10


def test_idle_backstop_for_a_child_stuck_in_c():
    r = gh.harness("--max-idle", "0.3", "--max-runtime", "0", "print-cloop")
    assert r.rc == 1
    d = r.diag
    assert d["code"] == "ILO-R601" and d["backstop"] is True
    assert r.out == b"line 0\nline 1\nline 2\n"
    assert r.wall < 0.3 + supervise.GRACE_S + 5.0


# --------------------------------------------------------------------------
# crashes

@pytest.mark.parametrize("scenario,name,signo", [("segv", "SIGSEGV", 11), ("abort", "SIGABRT", 6)])
def test_child_killed_by_a_signal_is_r603(scenario, name, signo):
    r = gh.harness(scenario)
    assert r.rc == 1
    d = r.diag
    assert d["code"] == "ILO-R603"
    assert d["message"] == f"engine crashed: {name}"
    assert d["signal"] == name and d["signo"] == signo and d["engine"] == "harness"
    if scenario == "segv":
        assert r.out == b"before\n"


def test_r603_text_form():
    r = gh.harness("--text", "segv")
    lines = r.err.splitlines()
    assert lines[0] == "error[ILO-R603]: engine crashed: SIGSEGV"
    assert lines[1].startswith("  hint: ") and len(lines) == 2


def test_signal_to_diagnostic():
    d = supervise.signal_to_diagnostic(signal.SIGKILL, "jit")
    assert d.code == "ILO-R603" and d.message == "engine crashed: SIGKILL"
    assert "out-of-memory" in d.hint and d.extra == {"signal": "SIGKILL", "signo": 9, "engine": "jit"}
    assert "segmentation fault" in supervise.signal_to_diagnostic(signal.SIGSEGV).hint
    assert supervise.signal_to_diagnostic(99).message == "engine crashed: signal 99"


def test_exit_codes_pass_through():
    r = gh.harness("exit", "3")
    assert (r.rc, r.out, r.err) == (3, b"bye\n", "")
    r = gh.harness("exit", "0")
    assert (r.rc, r.out, r.err) == (0, b"bye\n", "")


def test_uncaught_exception_in_the_child_is_one_r013_diagnostic():
    r = gh.harness("raise")
    assert r.rc == 1 and r.diag["code"] == "ILO-R013"
    assert "RuntimeError: boom" in r.diag["message"] and "Traceback" not in r.err


def _pids(**extra_env):
    proc = subprocess.Popen([sys.executable, gh.HARNESS, "pid"], stdout=subprocess.PIPE,
                            env=gh.env(**extra_env))
    out, _ = proc.communicate(timeout=20)
    return proc.pid, tuple(map(int, out.split()))


def test_child_runs_in_its_own_session():
    harness_pid, (pid, ppid, sid) = _pids()
    assert ppid == harness_pid != pid and sid == pid
    harness_pid, (pid, ppid, sid) = _pids(ILO_NO_FORK="1")
    assert pid == harness_pid                 # the escape hatch runs in-process


# --------------------------------------------------------------------------
# exactly one diagnostic

def test_parent_and_child_racing_for_the_deadline_report_once():
    # --grace 0: the parent's backstop and the child's watchdog aim at the
    # same moment; whoever claims first reports, the other stays silent
    codes = []
    for _ in range(6):
        r = gh.harness("--grace", "0", "--max-runtime", "0.2", "loop")
        assert r.rc == 1
        assert len(r.err.splitlines()) == 1, r.err
        codes.append(r.diag["code"])
    assert set(codes) == {"ILO-R016"}


def test_backstop_during_the_childs_own_exit_path_reports_once():
    # R017 fires at ~0.15 s and its exit path waits (stdout unread) while the
    # parent's deadline (0.3 s, no grace) passes: still one diagnostic
    r = gh.harness("--grace", "0", "--max-runtime", "0.3", "--max-output-bytes", "150000",
                   "--drain-timeout", "0.5", "double", read_stdout=False)
    assert r.rc == 1
    assert r.diag["code"] == "ILO-R017"


def test_nested_abort_in_the_exit_path_stays_silent(tmp_path):
    marker = tmp_path / "nested"
    r = gh.harness("--max-output-bytes", "150000", "--drain-timeout", "0.5", "abort-twice",
                   read_stdout=False,
                   extra_env={"GUARD_MARKER": str(marker)})
    assert r.rc == 1
    assert r.diag["code"] == "ILO-R017"
    assert marker.exists(), "the second abort_with should have run and returned"


# --------------------------------------------------------------------------
# no orphans

def _start(scenario: str, *flags: str):
    proc = subprocess.Popen([sys.executable, gh.HARNESS, "--max-runtime", "0", *flags, scenario],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=gh.env())
    line = proc.stdout.readline()
    child, grandchild = map(int, line.split())
    assert gh.alive(child) and gh.alive(grandchild)
    return proc, child, grandchild


@pytest.mark.parametrize("scenario,sig", [
    ("grandchild", signal.SIGTERM), ("grandchild-c", signal.SIGTERM),
    ("grandchild", signal.SIGINT), ("grandchild-c", signal.SIGHUP),
])
def test_stopping_the_parent_stops_the_whole_group(scenario, sig):
    proc, child, grandchild = _start(scenario)
    try:
        time.sleep(0.1)
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == -sig    # dies of the same signal
        assert gh.wait_dead([child, grandchild]) == []
    finally:
        for p in (child, grandchild):
            if gh.alive(p):
                os.kill(p, signal.SIGKILL)
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.parametrize("scenario", ["grandchild", "grandchild-c"])
def test_sigkill_to_the_parent_leaves_no_orphan(scenario):
    # the lifeline pipe: the kernel SIGKILLs the child's group when the
    # parent's end closes, even with the child stuck in C
    proc, child, grandchild = _start(scenario)
    try:
        time.sleep(0.1)
        proc.kill()
        proc.wait(timeout=10)
        assert gh.wait_dead([child, grandchild]) == []
    finally:
        for p in (child, grandchild):
            if gh.alive(p):
                os.kill(p, signal.SIGKILL)
        proc.stdout.close()
        proc.stderr.close()


def test_leftover_grandchildren_are_killed_after_a_timeout():
    proc, child, grandchild = _start("grandchild-c")
    proc.stdout.close()
    proc.stderr.close()
    proc.kill()
    proc.wait()
    assert gh.wait_dead([child, grandchild]) == []
    r = gh.harness("--max-runtime", "0.3", "grandchild-c")
    child, grandchild = map(int, r.out.split())
    assert r.rc == 1 and r.diag["code"] == "ILO-R016"
    assert gh.wait_dead([child, grandchild]) == []


# --------------------------------------------------------------------------
# reusable pieces, in-process

@pytest.mark.timeout(60, method="thread")
def test_low_level_pieces_compose():
    before = set(supervise._lifelines)       # workers other tests keep (the API's)

    def stuck():
        gh.c_forever()

    child = supervise.spawn_in_session(stuck)
    try:
        reason, elapsed = supervise.wait_with_deadline(child, deadline_s=0.2, grace_s=0.0)
        assert reason == "runtime" and 0.2 <= elapsed < 1.5
        assert supervise.claim(child) and not supervise.claim(child)   # one claim only
        supervise.kill_group(child.pgid)
        code, signo = supervise.exit_code_of(supervise.reap(child))
        assert (code, signo) == (None, signal.SIGKILL)
    finally:
        child.close()

    child = supervise.spawn_in_session(lambda: 7)
    try:
        assert supervise.wait_with_deadline(child, deadline_s=None) == ("exited", None)
        assert supervise.exit_code_of(supervise.reap(child)) == (7, None)
    finally:
        child.close()
    assert supervise._lifelines == before
