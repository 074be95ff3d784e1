"""CLI contract, run as a user would: a subprocess per call, never a traceback."""

import json
import subprocess
import sys

import pytest

ILO = [sys.executable, "-m", "ilo"]


def ilo(*args, cwd=None, input=None):
    return subprocess.run(ILO + list(args), capture_output=True, text=True, cwd=cwd, input=input,
                          timeout=60)


def assert_clean(p):
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr


def diag(p):
    """The one JSON diagnostic line on stderr (stderr is a pipe, so JSON is the default)."""
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, p.stderr
    return json.loads(lines[0])["error"]


def test_issue_example_prints_5():
    p = ilo("main>n;n=0;wh <n 5{n=+n 1};n")
    assert (p.returncode, p.stdout) == (0, "5\n")


def test_ok_bare_on_stdout_err_on_stderr():
    p = ilo('f x:n>R n t;>x 0 ~x;^"neg"', "3")
    assert (p.returncode, p.stdout, p.stderr) == (0, "3\n", "")
    p = ilo('f x:n>R n t;>x 0 ~x;^"neg"', "-3")
    assert (p.returncode, p.stdout, p.stderr) == (1, "", "^neg\n")


def test_json_flag_wraps_value():
    p = ilo("--json", "f>n;42")
    assert json.loads(p.stdout) == {"ok": 42}


def test_parse_error_exit_2_with_code_and_span():
    p = ilo("f x:n>n;+x")
    assert p.returncode == 2
    d = diag(p)
    assert d["code"].startswith("ILO-P") and d["labels"]
    assert_clean(p)


def test_text_mode_diagnostic():
    p = ilo("--text", "f x:n>n;+x y", "1")
    assert p.returncode == 2
    assert p.stderr.startswith("error[ILO-T004]")
    assert "hint:" in p.stderr


def test_runtime_error_exit_1():
    p = ilo("f x:n>n;/1 x", "0")
    assert p.returncode == 1
    assert diag(p)["code"] == "ILO-R003"


@pytest.mark.parametrize("args, code", [
    (["--bogus", "f>n;1"], "ILO-U001"),
    (["--max-runtime"], "ILO-U002"),
    (["missing-file.ilo"], "ILO-U003"),
    (["--engine", "nope", "f>n;1"], "ILO-U002"),
    (["--explain", "ILO-ZZZZ"], "ILO-U002"),
    ([], "ILO-U001"),
])
def test_usage_errors_are_clean(args, code):
    p = ilo(*args)
    assert p.returncode == 2
    assert diag(p)["code"] == code
    assert_clean(p)


def test_every_engine_is_built():
    from ilo.api import available_engines

    assert available_engines() == ["tree", "vm", "jit"]
    p = ilo("--engine", "cobol", "f>n;1")
    assert p.returncode == 2 and diag(p)["code"] == "ILO-U002"


def test_bad_utf8_file(tmp_path):
    f = tmp_path / "bad.ilo"
    f.write_bytes(b"f>t;\"\xff\xfe\"")
    p = ilo(str(f))
    assert p.returncode == 2 and diag(p)["code"] == "ILO-U004"


def test_directory_is_not_a_file(tmp_path):
    d = tmp_path / "x.ilo"
    d.mkdir()
    p = ilo(str(d))
    assert p.returncode == 2 and diag(p)["code"] == "ILO-U003"


def test_wrong_arity_and_unknown_function(tmp_path):
    f = tmp_path / "p.ilo"
    f.write_text("add a:n b:n>n;+a b\nsub a:n b:n>n;-a b\n")
    p = ilo(str(f), "add", "1")
    assert p.returncode == 2 and "expected 2 args, got 1" in diag(p)["message"]
    p = ilo(str(f), "ad", "1", "2")
    assert p.returncode == 2 and "add" in (diag(p)["hint"] or "")
    p = ilo(str(f), "sub", "5", "2")
    assert (p.returncode, p.stdout) == (0, "3\n")


def test_default_run_picks_main_and_flags_after_program(tmp_path):
    f = tmp_path / "p.ilo"
    f.write_text("helper x:n>n;+x 1\nmain>n;helper 41\n")
    p = ilo(str(f), "--engine", "tree")
    assert (p.returncode, p.stdout) == (0, "42\n")
    p = ilo(str(f), "helper", "9")
    assert p.stdout == "10\n"


def test_cli_arg_coercion():
    assert ilo("f x:t>t;x", "42").stdout == "42\n"
    assert ilo("f xs:L n>n;sum xs", "1,2,3").stdout == "6\n"
    assert ilo("f xs:L n>n;len xs", "[1,2,3,4]").stdout == "4\n"
    assert ilo("f x:n>n;*x 2", "-4").stdout == "-8\n"
    assert ilo("f x:t>n;len x", '"ab cd"').stdout == "5\n"


def test_explain_prints_registry_entry():
    p = ilo("--explain", "ILO-T005")
    assert p.returncode == 0 and "undefined" in p.stdout.lower()


@pytest.mark.parametrize("garbage", ["}}}", "((((", "@", "\"unterminated", "'x'", "f>n;?", "f x:>n;1",
                                     "type{", "f>n;[1 2", "f>L;1", "🙂"])
def test_garbage_never_tracebacks(garbage):
    p = ilo(garbage)
    assert p.returncode == 2, (garbage, p.stdout, p.stderr)
    assert_clean(p)
    diag(p)


def test_long_flags_may_follow_the_arguments():
    p = ilo("f x:n>n;*x 2", "5", "--run-tree", "--json")
    assert (p.returncode, json.loads(p.stdout)) == (0, {"ok": 10})
    p = ilo("f x:n>n;*x 2", "--run", "f", "5")
    assert p.stdout == "10\n"


def test_wrong_arity_hint_mentions_stray_flag():
    p = ilo("f>n;1", "--nosuchflag")
    assert p.returncode == 2 and "flag" in diag(p)["hint"]


@pytest.mark.parametrize("src", [
    "f>n;" + "(" * 3000 + "1" + ")" * 3000,
    "f>n;" + "+1 " * 20000 + "1",
    "f>L n;xs=[];@i 0..100000{xs=[xs]};xs",
    "f n:n>n;r=map (x:n>n;f x) [+n 1];r.0",
])
def test_extreme_nesting_is_a_clean_diagnostic(src):
    p = ilo(src, "1") if src.startswith("f n") else ilo(src)
    assert p.returncode in (1, 2)
    assert_clean(p)
    assert diag(p)["code"] in ("ILO-P003", "ILO-R604")


def test_idiom_hints_after_a_successful_run():
    p = ilo("--text", "f xs:L n>n;length xs", "1,2")
    assert p.stdout == "2\n" and p.stderr == "hint: `length` → `len` (canonical short form)\n"
    p = ilo("f>n;*/6 2 3")
    assert json.loads(p.stderr)["hints"][0].startswith("`*/a b c`")
    assert ilo("--no-hints", "f xs:L n>n;length xs", "1,2").stderr == ""
    assert ilo("f>n;6 / 2 * 3").stderr == ""
    assert ilo("f>n;len [1]").stderr == ""
