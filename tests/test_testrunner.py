"""Tests of the annotation parser (ilo.tools.annotations), the case runner and
``ilo test`` reporting (ilo.tools.testrunner), and the pass-list helpers."""

from __future__ import annotations

import functools
import json
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ilo.diagnostics.errors import IloUsageError

from ilo.tools import annotations as ann
from ilo.tools import passlist
from ilo.tools import testrunner as tr
from ilo.tools.testrunner import Outcome


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode("utf-8"))
    return path


def parse(text: str) -> ann.ParsedFile:
    return ann.parse_text(textwrap.dedent(text).lstrip("\n"), "t.ilo")


# ---------------------------------------------------------------------------
# annotation parsing


def test_run_out_pair_line_numbers_and_args():
    p = parse("""
        fac n:n>n;<=n 1 1;r=fac -n 1;*n r
        -- run: fac 10
        -- out: 3628800
        -- run:   nth  [10,20,30]   1
        -- out: 20
    """)
    assert [(c.line, c.args, c.kind, c.expected, c.expect_line) for c in p.cases] == [
        (2, ("fac", "10"), "out", "3628800", 3),
        (4, ("nth", "[10,20,30]", "1"), "out", "20", 5),
    ]


def test_args_are_whitespace_split_without_quoting():
    p = parse("""
        -- run: sev {"baseSeverity":"HIGH"} -3 "a b"
        -- out: x
    """)
    assert p.cases[0].args == ("sev", '{"baseSeverity":"HIGH"}', "-3", '"a', 'b"')


def test_err_case_and_expected_is_trimmed():
    p = parse("-- run: parse three\n-- err:    ^three   \n")
    (c,) = p.cases
    assert (c.kind, c.expected, c.args) == ("err", "^three", ("parse", "three"))


def test_empty_out_and_no_args():
    p = parse("""
        -- run:
        -- out:
    """)
    (c,) = p.cases
    assert (c.args, c.kind, c.expected) == ((), "out", "")


def test_prose_mentions_are_not_directives():
    p = parse("""
        -- file's `-- err:` matcher can't pin against; that surface is covered
        -- run before this landed.
        -- line `-- out:` assertion happy.
        --run: f 1
        --out: 1
        x="-- run: g"
        -- run: real 1
        -- out: ok
    """)
    assert [(c.line, c.args, c.expected) for c in p.cases] == [(7, ("real", "1"), "ok")]
    assert p.dangling_runs == [] and p.orphans == []


def test_indented_directives_count():
    p = parse("    -- run: f 2\n\t-- out: 4\n")
    assert [(c.args, c.expected) for c in p.cases] == [(("f", "2"), "4")]


def test_orphan_out_and_second_out_are_ignored():
    p = parse("""
        -- out: orphan
        -- run: f
        -- out: first
        -- out: second
        -- err: third
    """)
    assert [(c.line, c.expected) for c in p.cases] == [(2, "first")]
    assert p.orphans == [1, 4, 5]


def test_run_pairs_with_next_expectation_and_earlier_run_dangles():
    p = parse("""
        -- run: a
        -- run: b
        code>n;1
        -- err: boom
        -- run: c
    """)
    assert [(c.args, c.line, c.kind) for c in p.cases] == [(("b",), 2, "err")]
    assert p.dangling_runs == [1, 5]


def test_engine_skip_collects_all_lines_and_aliases_cranelift():
    p = parse("""
        -- run: f
        -- out: 1
        -- engine-skip: vm
        -- engine-skip: cranelift TREE
    """)
    assert p.engine_skips == frozenset({"vm", "jit", "tree"})
    c = p.cases[0]
    assert c.skipped_on("vm") and c.skipped_on("jit") and c.skipped_on("cranelift")
    assert parse("-- run: f\n-- out: 1\n").cases[0].skipped_on("vm") is False


def test_crlf_and_odd_line_separators_keep_line_numbers():
    text = "a\r\n-- run: f 1\r\n-- out: 7 \r\nx\x0cy\u2028z\n-- run: g\n-- out: 8\n"
    p = ann.parse_text(text, "t.ilo")
    assert [(c.line, c.args, c.expected) for c in p.cases] == [(2, ("f", "1"), "7"), (5, ("g",), "8")]


def test_trim_is_rust_trim():
    assert ann.trim("\u3000 x \xa0\n") == "x"
    assert ann.trim("\x1cx\x1f") == "\x1cx\x1f"  # not whitespace for Rust


def test_occurrence_key_and_case_id(tmp_path):
    f = write(tmp_path / "sub" / "m.ilo", """
        -- run: f 1
        -- out: 1
        -- run: f 1
        -- out: 1
        -- run:
        -- out: 2
    """)
    cases = ann.parse_file(f).cases
    assert [c.key for c in cases] == ["f 1", "f 1::#2", ""]
    assert [ann.case_id(c, tmp_path) for c in cases] == ["sub/m.ilo::f 1", "sub/m.ilo::f 1::#2", "sub/m.ilo::"]
    assert ann.case_id(cases[0]) == "m.ilo::f 1"
    assert ann.case_id(cases[0], f) == "m.ilo::f 1"
    assert ann.case_id(cases[0], tmp_path / "elsewhere") == "m.ilo::f 1"


def test_case_id_survives_edits_elsewhere_in_file(tmp_path):
    f = tmp_path / "m.ilo"
    f.write_text("-- run: f 1\n-- out: 1\n")
    before = ann.case_id(ann.parse_file(f).cases[0], tmp_path)
    f.write_text("-- a comment\n\nf x:n>n;x\n-- run: f 1\n-- out: 1\n")
    (after_case,) = ann.parse_file(f).cases
    assert after_case.line == 4
    assert ann.case_id(after_case, tmp_path) == before


def test_unique_ids_rejects_duplicates(tmp_path):
    f = write(tmp_path / "a.ilo", "-- run: f\n-- out: 1\n")
    cases = ann.collect_cases(f)
    assert list(ann.unique_ids(cases, tmp_path)) == ["a.ilo::f"]
    with pytest.raises(ValueError, match="duplicate case id"):
        ann.unique_ids(cases + cases, tmp_path)


def test_discover_files_recursive_sorted_and_filtered(tmp_path):
    for rel in ["b.ilo", "a/z.ilo", "a/b/c.ilo", "A.ilo", ".hidden/x.ilo", "__pycache__/y.ilo",
                "notes.txt", "a/.dot.ilo", "ab.ilo"]:
        write(tmp_path / rel, "")
    found = [p.relative_to(tmp_path).as_posix() for p in ann.discover_files(tmp_path)]
    assert found == ["A.ilo", "a/b/c.ilo", "a/z.ilo", "ab.ilo", "b.ilo"]
    assert ann.discover_files(tmp_path / "b.ilo") == [tmp_path / "b.ilo"]


def test_collect_cases_spans_files_in_order(tmp_path):
    write(tmp_path / "b.ilo", "-- run: b\n-- out: 2\n")
    write(tmp_path / "a.ilo", "-- run: a\n-- out: 1\n-- engine-skip: vm\n")
    cases = ann.collect_cases(tmp_path)
    assert [(c.path.name, c.args, c.engine_skips) for c in cases] == [
        ("a.ilo", ("a",), frozenset({"vm"})),
        ("b.ilo", ("b",), frozenset()),
    ]


# ---------------------------------------------------------------------------
# judging


def case(kind="out", expected="42", args=("f",), path="dir/x.ilo", line=3, skips=()):
    return ann.Case(Path(path), line, tuple(args), kind, expected, line + 1, frozenset(skips))


@pytest.mark.parametrize(
    "c, outcome, ok, detail",
    [
        (case(), Outcome(0, "  42\n", ""), True, ""),
        (case(), Outcome(0, "41\n", ""), False, 'expected "42" got "41"'),
        (case(), Outcome(1, "42\n", "boom\n"), False, 'expected "42" got exit 1, stderr "boom"'),
        (case(expected=""), Outcome(0, "\n\n", "noise"), True, ""),
        (case("err", "^abc"), Outcome(1, "", "^abc\nhint: try x\n  hint: indented\n"), True, ""),
        (case("err", "^abc"), Outcome(2, "", "\n^abc\n\n"), True, ""),
        (case("err", "^abc"), Outcome(1, "", "^abd\nhint: h"), False,
         'expected error "^abc" got exit 1, stderr "^abd"'),
        (case("err", "^abc"), Outcome(0, "^abc", "^abc"), False,
         'expected error "^abc" got exit 0, stdout "^abc"'),
        (case("err", "a b"), Outcome(1, "", "a\nhint: x\nb"), False,
         'expected error "a b" got exit 1, stderr "a\\nb"'),
        (case("err", "x"), Outcome(-9, "", "x"), True, ""),
        (case(), Outcome(None, "42", "", timed_out=True), False, 'expected "42" got timeout after 5s'),
        (case(), Outcome(None, error="OSError: nope"), False, 'expected "42" got could not run: OSError: nope'),
    ],
)
def test_judge(c, outcome, ok, detail):
    assert tr.judge(c, outcome, 5) == (ok, detail)


def test_long_actual_is_cut():
    ok, detail = tr.judge(case(), Outcome(0, "y" * 5000, ""))
    assert not ok and len(detail) < tr.MAX_QUOTE + 40 and detail.endswith('..."')
    ok, detail = tr.judge(case(), Outcome(1, "", "Traceback\n" + "x" * 5000 + "\nValueError: last"))
    assert not ok and len(detail) < tr.MAX_QUOTE + 60
    assert detail.endswith('xx\\nValueError: last"') and 'stderr "...x' in detail
    assert tr.quote("abc", 5) == '"abc"' and tr.quote("abcdef", 6) == '"a..."' and tr.quote("abcdef", 6, tail=True) == '"...f"'


def test_strip_hints_keeps_other_lines():
    assert tr.strip_hints("a\nhint: b\n  hint:c\nhints: d\nx hint: e") == "a\nhints: d\nx hint: e"


# ---------------------------------------------------------------------------
# runner main() with an injected executor


class FakeRunner:
    """Answers by the case's first argument; records every call."""

    def __init__(self, table=None):
        self.calls = []
        self.table = table or {}

    def __call__(self, c, engine, flags, timeout):
        self.calls.append((c.path.name, c.args, engine, tuple(flags), timeout))
        result = self.table.get(c.args[0] if c.args else "")
        if isinstance(result, Exception):
            raise result
        return result or Outcome(0, "ok\n", "")


def run_main(capsys, argv, global_flags=None, runner=None):
    code = tr.main(argv, global_flags, runner=runner or FakeRunner())
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def suite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "t" / "a.ilo", """
        f>t;"ok"
        -- run: good 1
        -- out: ok
        -- run: bad
        -- out: ok
    """)
    write(tmp_path / "t" / "sub" / "b.ilo", """
        -- run: errs
        -- err: ^e
    """)
    return tmp_path / "t"


def test_all_pass_exit_0_and_summary_last(capsys, suite):
    runner = FakeRunner({"errs": Outcome(1, "", "^e\nhint: x")})
    code, out, err = run_main(capsys, ["t"], runner=runner)
    assert code == 0
    assert out == "3 passed, 0 failed\n"
    assert err == ""
    assert [call[:2] for call in runner.calls] == [("a.ilo", ("good", "1")), ("a.ilo", ("bad",)), ("b.ilo", ("errs",))]


def test_failure_lines_and_exit_1(capsys, suite):
    runner = FakeRunner({"bad": Outcome(0, "nope\n", ""), "errs": Outcome(0, "fine", "")})
    code, out, _ = run_main(capsys, ["t"], runner=runner)
    assert code == 1
    assert out.splitlines() == [
        'FAIL t/a.ilo:4 [tree] bad: expected "ok" got "nope"',
        'FAIL t/sub/b.ilo:1 [tree] errs: expected error "^e" got exit 0, stdout "fine"',
        "1 passed, 2 failed",
    ]


def test_verbose_prints_pass_lines(capsys, suite):
    runner = FakeRunner({"errs": Outcome(1, "", "^e")})
    code, out, _ = run_main(capsys, ["-v", "t/a.ilo"], runner=runner)
    assert code == 0
    assert out.splitlines() == ["PASS t/a.ilo:2 [tree] good 1", "PASS t/a.ilo:4 [tree] bad",
                                  "2 passed, 0 failed"]


def test_default_path_is_current_dir(capsys, suite, monkeypatch):
    monkeypatch.chdir(suite / "sub")
    runner = FakeRunner({"errs": Outcome(1, "", "^e")})
    code, out, _ = run_main(capsys, [], runner=runner)
    assert (code, out) == (0, "1 passed, 0 failed\n")


def test_no_cases_is_an_error(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e" / "x.ilo", "-- just a comment\n-- out: orphan\n")
    runner = FakeRunner()
    code, out, err = run_main(capsys, ["e"], runner=runner)
    assert code == 1
    assert out == "0 passed, 0 failed\n"
    assert "no test cases" in err and "e" in err
    assert runner.calls == []


def test_missing_path(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(IloUsageError) as e:
        run_main(capsys, ["nope.ilo"])
    assert e.value.code == "ILO-U003" and "no such file" in e.value.message


def test_engine_skip_counts_as_skipped(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "s.ilo", "-- run: a\n-- out: ok\n-- engine-skip: vm\n")
    write(tmp_path / "u.ilo", "-- run: b\n-- out: ok\n")
    runner = FakeRunner()
    code, out, _ = run_main(capsys, ["-v", "--engine", "vm", "."], runner=runner)
    assert code == 0
    assert out.splitlines() == ["SKIP s.ilo:1 [vm] a (engine-skip: vm)", "PASS u.ilo:1 [vm] b",
                                  "1 passed, 0 failed, 1 skipped"]
    assert [c[0] for c in runner.calls] == ["u.ilo"]
    # Only skipped cases: nothing failed, so exit 0.
    code, out, _ = run_main(capsys, ["--engine", "vm", "s.ilo"], runner=FakeRunner())
    assert (code, out) == (0, "0 passed, 0 failed, 1 skipped\n")


def test_engine_timeout_and_flags_reach_the_runner(capsys, suite):
    runner = FakeRunner({"errs": Outcome(1, "", "^e")})
    code, _, _ = run_main(capsys, ["--timeout", "2.5", "t/sub", "--", "--max-steps", "9"],
                          ["--max-runtime", "5", "--engine", "vm"], runner)
    assert code == 0
    assert runner.calls == [("b.ilo", ("errs",), "vm", ("--max-runtime", "5", "--max-steps", "9"), 2.5)]
    runner = FakeRunner({"errs": Outcome(1, "", "^e")})
    run_main(capsys, ["--engine", "jit", "t/sub"], ["--engine=vm"], runner)
    assert runner.calls[0][2:4] == ("jit", ())
    runner = FakeRunner({"errs": Outcome(1, "", "^e")})
    run_main(capsys, ["t/sub"], None, runner)
    assert runner.calls[0][2:] == ("tree", (), tr.DEFAULT_TIMEOUT)


def test_split_global_flags():
    assert tr.split_global_flags(["--max-runtime", "5", "--engine", "jit", "-x"]) == ("jit", ["--max-runtime", "5", "-x"])
    assert tr.split_global_flags(["--engine=vm"]) == ("vm", [])
    assert tr.split_global_flags(None) == (None, [])


def test_json_output(capsys, suite):
    runner = FakeRunner({"bad": Outcome(3, "", "E"), "errs": Outcome(1, "", "^e")})
    code, out, _ = run_main(capsys, ["--json", "t"], runner=runner)
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["type"] for r in rows] == ["case", "case", "case", "summary"]
    assert rows[1] == {
        "type": "case", "id": "a.ilo::bad", "file": os.path.join("t", "a.ilo"), "line": 4,
        "args": ["bad"], "kind": "out", "expected": "ok", "engine": "tree", "status": "fail",
        "detail": 'expected "ok" got exit 3, stderr "E"', "exit": 3, "timed_out": False,
        "stdout": "", "stderr": "E", "ms": 0,
    }
    assert rows[2]["id"] == "sub/b.ilo::errs" and rows[2]["status"] == "pass"
    assert rows[3] == {"type": "summary", "engine": "tree", "passed": 2, "failed": 1, "skipped": 0, "total": 3}


def test_json_no_cases(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "x.ilo", "")
    code, out, _ = run_main(capsys, ["--json", "."])
    assert code == 1
    assert json.loads(out)["error"] == "no test cases found"


@pytest.mark.parametrize("argv", [["--engine", "cobol"], ["--timeout", "-1"], ["-j", "0"], ["--bogus"],
                                  ["--resume"], ["--shard", "3/2"], ["--shard", "x"]])
def test_usage_errors_exit_2(capsys, suite, argv):
    with pytest.raises(IloUsageError) as e:
        run_main(capsys, argv)
    assert e.value.exit_code == 2 and e.value.message.startswith("ilo test:")


def test_unknown_global_engine_is_usage_error(capsys, suite):
    with pytest.raises(IloUsageError) as e:
        run_main(capsys, ["t"], ["--engine", "cobol"])
    assert e.value.exit_code == 2 and "unknown engine" in e.value.message


def test_help_goes_to_report(capsys):
    code, out, _ = run_main(capsys, ["--help"])
    assert code == 0 and "usage: ilo test" in out


def test_runner_exception_is_a_failure(capsys, suite):
    runner = FakeRunner({"bad": RuntimeError("kaboom"), "errs": Outcome(1, "", "^e")})
    code, out, _ = run_main(capsys, ["t"], runner=runner)
    assert code == 1
    assert 'FAIL t/a.ilo:4 [tree] bad: expected "ok" got could not run: RuntimeError: kaboom' in out
    assert out.endswith("2 passed, 1 failed\n")


def test_dangling_run_warns(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "d.ilo", "-- run: a\n-- run: b\n-- out: ok\n")
    code, out, err = run_main(capsys, ["d.ilo"])
    assert code == 0 and out == "1 passed, 0 failed\n"
    assert "d.ilo:1: `-- run:` has no" in err


def test_jobs_keep_case_order(tmp_path):
    cases = [case(args=(f"c{i}",), line=i) for i in range(20)]

    def slow_first(c, engine, flags, timeout):
        if c.args == ("c0",):
            time.sleep(0.2)
        return Outcome(0, "42", "")

    results = list(tr.run_cases(cases, "tree", jobs=4, runner=slow_first))
    assert [r.case.args[0] for r in results] == [f"c{i}" for i in range(20)]
    assert all(r.passed for r in results)


def test_output_goes_through_sink(monkeypatch, suite):
    seen = []
    monkeypatch.setattr(tr.sink, "write_report", seen.append)
    runner = FakeRunner({"errs": Outcome(1, "", "^e")})
    assert tr.main(["t"], runner=runner) == 0
    assert seen == ["3 passed, 0 failed\n"]


def test_sources_do_not_print():
    for mod in (tr, ann, passlist):
        src = Path(mod.__file__).read_text()
        assert "print(" not in src and "sys.stdout" not in src, mod.__name__


# ---------------------------------------------------------------------------
# the real subprocess executor, driven by a stand-in for `python -m ilo`

FAKE_ILO = r'''
import json, os, subprocess, sys, time
argv = sys.argv[1:]
assert argv[:2] == ["--engine", "tree"], argv
rest = argv[2:]
i = next(k for k, a in enumerate(rest) if a.endswith(".ilo"))
flags, file, args = rest[:i], rest[i], rest[i + 1:]
cmd = args[0] if args else ""
if cmd == "show":
    print(json.dumps({"cwd": os.getcwd(), "file": file, "flags": flags, "args": args[1:],
                      "exists": os.path.exists(file), "no_color": os.environ.get("NO_COLOR")}))
elif cmd == "fail":
    sys.stderr.write(args[1] + "\nhint: something\n")
    sys.exit(1)
elif cmd == "hang":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open(args[1], "w") as fh:
        fh.write(str(child.pid))
    time.sleep(60)
else:
    print("\u00e9t\u00e9")
'''


@pytest.fixture
def fake_runner(tmp_path):
    script = tmp_path / "fake_ilo.py"
    script.write_text(FAKE_ILO)
    return functools.partial(tr.execute_case, command=[sys.executable, str(script)])


def test_execute_case_runs_in_file_folder(tmp_path, fake_runner):
    f = write(tmp_path / "proj" / "p.ilo", "-- run: show -3 {\"a\":1}\n-- out: x\n")
    (c,) = ann.parse_file(f).cases
    out = fake_runner(c, "tree", ["--max-runtime", "5"], 20)
    assert out.returncode == 0 and not out.timed_out
    seen = json.loads(out.stdout)
    assert seen == {"cwd": str(f.parent.resolve()), "file": "p.ilo", "flags": ["--max-runtime", "5"],
                    "args": ["-3", '{"a":1}'], "exists": True, "no_color": "1"}


def test_execute_case_decodes_utf8_and_captures_stderr(tmp_path, fake_runner):
    f = write(tmp_path / "q.ilo", "-- run: other\n-- out: \u00e9t\u00e9\n-- run: fail ^bad\n-- err: ^bad\n")
    results = list(tr.run_cases(ann.parse_file(f).cases, "tree", timeout=20, runner=fake_runner))
    assert [r.status for r in results] == ["pass", "pass"]
    assert results[1].outcome.returncode == 1
    assert "hint: something" in results[1].outcome.stderr


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs process groups")
def test_execute_case_timeout_kills_process_group(tmp_path, fake_runner):
    pidfile = tmp_path / "grandchild.pid"
    f = write(tmp_path / "h.ilo", f"-- run: hang {pidfile}\n-- out: never\n")
    (c,) = ann.parse_file(f).cases
    start = time.monotonic()
    result = tr.run_case(c, "tree", (), 1.5, fake_runner)
    assert time.monotonic() - start < 15
    assert result.status == "fail" and result.outcome.timed_out
    assert result.detail == 'expected "never" got timeout after 1.5s'
    pid = int(pidfile.read_text())
    for _ in range(100):  # the grandchild was killed with the group
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"grandchild {pid} survived the timeout")


def test_execute_case_missing_interpreter(tmp_path):
    f = write(tmp_path / "m.ilo", "-- run: f\n-- out: 1\n")
    (c,) = ann.parse_file(f).cases
    out = tr.execute_case(c, "tree", (), 5, command=[str(tmp_path / "no-such-python")])
    assert out.returncode is None and out.error and "FileNotFoundError" in out.error


def test_build_argv_default_command():
    c = case(args=("f", "-1"), path="/x/y/z.ilo")
    assert tr.build_argv(c, "vm", ["--max-runtime", "3"]) == [
        sys.executable, "-m", "ilo", "--engine", "vm", "--max-runtime", "3", "z.ilo", "f", "-1"]


# ---------------------------------------------------------------------------
# pass-list helpers


def test_load_skips_and_reasons(tmp_path):
    p = tmp_path / "skips.txt"
    p.write_text("# comment\n\nnet.ilo::get x -- needs the network\nwhole.ilo -- needs npx\n")
    skips = passlist.load_skips(p)
    assert skips == {"net.ilo::get x": "needs the network", "whole.ilo": "needs npx"}
    assert passlist.skip_reason("net.ilo::get x", skips) == "needs the network"
    assert passlist.skip_reason("whole.ilo::anything", skips) == "needs npx"
    assert passlist.skip_reason("net.ilo::other", skips) is None
    p.write_text("no-reason.ilo::f\n")
    with pytest.raises(ValueError, match="reason"):
        passlist.load_skips(p)


def test_write_and_load_passlist_roundtrip(tmp_path):
    p = tmp_path / "tree.txt"
    passlist.write_passlist(p, ["b.ilo::x", "a.ilo::", "b.ilo::x"], "tree")
    assert passlist.load_passlist(p) == ["a.ilo::", "b.ilo::x"]
    assert p.read_text().startswith("# ")
    assert passlist.load_passlist(tmp_path / "missing.txt") == []


def test_run_corpus_skips_retries_and_summary(tmp_path):
    write(tmp_path / "a.ilo", "-- run: ok\n-- out: 1\n-- run: slow\n-- out: 1\n-- run: bad\n-- out: 1\n")
    write(tmp_path / "b.ilo", "-- run: x\n-- out: 1\n-- engine-skip: vm\n")
    write(tmp_path / "c.ilo", "-- run: net\n-- out: 1\n")
    timeouts_seen = []

    def runner(c, engine, flags, timeout):
        timeouts_seen.append((c.args[0], timeout))
        if c.args[0] == "slow" and timeout < 3:
            return Outcome(None, timed_out=True)
        return Outcome(0, "2" if c.args[0] == "bad" else "1", "")

    run = passlist.run_corpus("vm", corpus=tmp_path, skips={"c.ilo": "needs the network"},
                              jobs=2, timeout=1.0, runner=runner)
    assert run.passing == {"a.ilo::ok", "a.ilo::slow"}
    assert set(run.failing) == {"a.ilo::bad"}
    assert run.skipped == {"b.ilo::x": "engine-skip: vm", "c.ilo::net": "needs the network"}
    assert sorted(timeouts_seen) == [("bad", 1.0), ("ok", 1.0), ("slow", 1.0), ("slow", 3.0)]
    assert run.summary() == "conformance [vm]: 2/3 cases pass (66.7%), 2 skipped, 5 in corpus"
    # retry_ids limits the retries.
    run = passlist.run_corpus("vm", corpus=tmp_path, skips={}, timeout=1.0, runner=runner, retry_ids=set())
    assert "a.ilo::slow" in run.failing


def test_passlist_main_write_refuses_regressions(tmp_path, monkeypatch, capsys):
    write(tmp_path / "corpus" / "a.ilo", "-- run: ok\n-- out: 1\n-- run: bad\n-- out: 1\n-- run: new\n-- out: 1\n")
    target = tmp_path / "tree.txt"
    target.write_text("a.ilo::bad\na.ilo::ok\n")
    monkeypatch.setattr(passlist, "passlist_path", lambda engine, root=None: target)
    monkeypatch.setattr(passlist, "load_skips", lambda path: {})
    real = passlist.run_corpus

    def fake_run_corpus(engine, **kw):
        def runner(c, engine, flags, timeout):
            return Outcome(0, "2" if c.args[0] == "bad" else "1", "")
        return real(engine, runner=runner, **kw)

    monkeypatch.setattr(passlist, "run_corpus", fake_run_corpus)
    argv = ["--engine", "tree", "--corpus", str(tmp_path / "corpus")]
    assert passlist.main(argv) == 1  # report only: a listed case regressed
    out = capsys.readouterr().out
    assert "REGRESSION (listed, fails now): a.ilo::bad" in out and "new pass: a.ilo::new" in out
    assert passlist.main(argv + ["--write"]) == 1
    assert "not writing" in capsys.readouterr().err
    assert passlist.load_passlist(target) == ["a.ilo::bad", "a.ilo::ok"]
    assert passlist.main(argv + ["--write", "--force"]) == 0
    assert passlist.load_passlist(target) == ["a.ilo::new", "a.ilo::ok"]
    assert passlist.main(argv) == 0
    assert "0 new, 0 regressed, 0 stale" in capsys.readouterr().out


def test_passlist_paths_are_in_project():
    assert passlist.passlist_path("tree") == Path(__file__).resolve().parent / "conformance" / "tree.txt"
    assert passlist.skips_path().name == "skips.txt"


# ---------------------------------------------------------------------------
# through the real CLI (skipped until ilo.cli.main exists)


def _cli_available() -> bool:
    try:
        import ilo.cli.main  # noqa: F401
    except Exception:
        return False
    return True


cli = pytest.mark.skipif(not _cli_available(), reason="ilo.cli.main not importable yet")


@cli
def test_cli_test_subcommand_no_cases(tmp_path, run_ilo):
    write(tmp_path / "x.ilo", "-- nothing here\n")
    proc = run_ilo("test", tmp_path, timeout=60)
    assert proc.returncode == 1
    assert "no test cases" in proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "0 passed, 0 failed"


@cli
def test_cli_test_subcommand_pass_and_fail(tmp_path, run_ilo):
    write(tmp_path / "d.ilo", """
        dbl x:n>n;*x 2
        -- run: dbl 21
        -- out: 42
    """)
    proc = run_ilo("test", tmp_path / "d.ilo", timeout=60)
    assert (proc.returncode, proc.stdout.strip()) == (0, "1 passed, 0 failed"), proc.stderr
    proc = run_ilo("--engine", "tree", "test", "-v", tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[0].startswith("PASS ")
    write(tmp_path / "e.ilo", """
        dbl x:n>n;*x 2
        -- run: dbl 21
        -- out: 43
    """)
    proc = run_ilo("test", tmp_path, timeout=60)
    assert proc.returncode == 1
    assert 'dbl 21: expected "43" got "42"' in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "1 passed, 1 failed"
