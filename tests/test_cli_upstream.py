"""The upstream-compatible command line (issue 14), driven as a harness would:
one subprocess per call, every exit code in {0, 1, 2}, never a traceback.
The REPL is driven through a pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, ilo_env

ILO = [sys.executable, "-m", "ilo"]
DEEP = "f>n;" + "+1 " * 300 + "1"


def ilo(*args, input=None, env=None):
    p = subprocess.run(ILO + list(args), capture_output=True, text=True, input=input,
                       env=ilo_env(env), timeout=60, cwd=REPO_ROOT)
    assert p.returncode in (0, 1, 2), (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr + p.stdout, p.stderr
    return p


def code(p) -> str:
    """The code of the one JSON diagnostic on stderr (JSON: stderr is a pipe)."""
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, p.stderr
    body = json.loads(lines[0])
    return (body.get("error") or body["warning"])["code"]


@pytest.fixture
def prog(tmp_path):
    def write(text: str, name: str = "prog.ilo") -> str:
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    return write


# ---- run: the bare form, `run`, stdin, engine flags ----

def test_run_subcommand_matches_the_bare_form(prog):
    f = prog("dbl x:n>n;*x 2\nmain>n;dbl 21\n")
    assert ilo("run", f).stdout == ilo(f).stdout == "42\n"
    assert ilo("run", f, "dbl", "5").stdout == ilo(f, "dbl", "5").stdout == "10\n"
    assert ilo("run", "f x:n>n;+x 1", "1").stdout == "2\n"


def test_program_from_stdin():
    assert ilo("-", input="main>n;1\n").stdout == "1\n"
    assert ilo("run", "-", input="f x:n>n;*x 3\n").returncode == 2     # arity: needs x
    assert ilo("run", "-", "4", input="f x:n>n;*x 3\n").stdout == "12\n"
    p = ilo("run", "-", input=b"\xff".decode("latin-1"))
    assert p.returncode == 2


@pytest.mark.parametrize("flag", ["--vm", "--run-vm", "--jit", "--run-jit", "--engine=vm"])
def test_engine_flags_select_the_engine(flag):
    from ilo.api import available_engines

    engine = flag.split("-")[-1].split("=")[-1]
    p = ilo("run", flag, "main>n;x=0;/1 x")
    if engine not in available_engines():
        assert (p.returncode, code(p)) == (2, "ILO-U007")
        return
    # a runtime error names the engine that ran the program
    assert p.returncode == 1 and json.loads(p.stderr)["error"]["engine"] == engine


def test_tree_engine_flags_run():
    for flag in ("--run-tree", "--engine=tree"):
        assert ilo(flag, "main>n;7").stdout == "7\n"
    assert ilo("run", "main>n;7", "--engine", "tree").stdout == "7\n"


@pytest.mark.parametrize("flags", [["--vm", "--jit"], ["--engine", "tree", "--vm"],
                                   ["--run-tree", "--jit"], ["--jit", "--run-vm"]])
def test_conflicting_engine_flags_are_a_usage_error(flags):
    p = ilo("run", *flags, "main>n;1")
    assert (p.returncode, code(p)) == (2, "ILO-U002")
    assert "conflicting" in p.stderr


def test_same_engine_twice_is_not_a_conflict():
    p = ilo("--vm", "--run-vm", "main>n;1")
    assert (p.returncode, p.stdout) == (0, "1\n")
    assert code(ilo("--vm", "--jit", "main>n;1")) == "ILO-U002"


def test_run_error_paths(prog):
    assert code(ilo("run")) == "ILO-U001"
    assert code(ilo("run", "--bogus", "main>n;1")) == "ILO-U001"
    p = ilo("run", "/no/such/file.ilo")
    assert (p.returncode, code(p)) == (2, "ILO-U003")
    assert ilo("run", prog("main>n;/1 0\n")).returncode == 1


def test_double_dash_ends_the_flags():
    assert ilo("run", "f x:n>n;x", "--", "-5").stdout == "-5\n"
    assert ilo("f x:t y:t>t;+x y", "a", "--", "--json").stdout == "a--json\n"


def test_silent_drops_program_stdout_only():
    src = 'f>R n t;prnt "noise";^"bad"'
    loud = ilo(src)
    assert loud.stdout == "noise\n" and loud.returncode == 1
    for flag in ("--silent", "-s"):
        p = ilo("run", flag, src)
        assert (p.returncode, p.stdout, p.stderr) == (1, "", "^bad\n")
    assert ilo("main>n;42", "--silent").stdout == ""


def test_ast_dumps_json_instead_of_running():
    p = ilo("run", "--ast", 'main>n;prnt "x";1')
    tree = json.loads(p.stdout)
    assert tree["declarations"][0]["name"] == "main" and "x\n" not in p.stdout


# ---- unknown and refused subcommands ----

def test_unknown_subcommand_suggests_the_closest():
    p = ilo("chek", "x.ilo")
    assert (p.returncode, code(p)) == (2, "ILO-U001")
    assert "ilo check" in json.loads(p.stderr)["error"]["hint"]


@pytest.mark.parametrize("word", ["compile", "build", "httpd", "tools"])
def test_upstream_subcommands_not_offered_say_why(word):
    p = ilo(word, "prog.ilo")
    assert (p.returncode, code(p)) == (2, "ILO-U008")
    assert json.loads(p.stderr)["error"]["hint"]


# ---- check ----

def test_check_is_silent_when_fine(prog):
    p = ilo("check", prog("main>n;42\n"))
    assert (p.returncode, p.stdout, p.stderr) == (0, "", "")


def test_check_does_not_run(prog):
    p = ilo("check", prog('main>n;prnt "ran";wh true{x=1};1\n'))
    assert (p.returncode, p.stdout) == (0, "")


def test_check_reports_errors_and_warnings(prog):
    p = ilo("check", prog("f x:n>n;+x y\n"))
    assert (p.returncode, code(p)) == (2, "ILO-T004")
    warn = prog('f x:n>n;fmt "x={}" x;x\n', "warn.ilo")
    p = ilo("check", warn)
    assert (p.returncode, code(p)) == (0, "ILO-T032")
    assert json.loads(p.stderr)["warning"]["severity"] == "warning"
    p = ilo("check", warn, "--strict")
    assert (p.returncode, code(p)) == (1, "ILO-T032")
    p = ilo("--text", "check", "f>n;+1")
    assert p.stderr.startswith("error[ILO-P010]") and "^" in p.stderr


def test_check_error_paths(prog):
    assert code(ilo("check")) == "ILO-U001"
    assert code(ilo("check", "a.ilo", "b.ilo")) == "ILO-U001"
    assert code(ilo("check", "--fast", prog("main>n;1\n"))) == "ILO-U001"
    assert code(ilo("check", "/no/such.ilo")) == "ILO-U003"


def test_max_ast_depth_bounds_every_parsing_subcommand(prog):
    deep = prog(DEEP + "\n")
    for args in (["check", deep], ["run", deep], [deep], ["graph", deep]):
        p = ilo(*args)
        assert (p.returncode, code(p)) == (2, "ILO-P022"), args
    assert ilo("--max-ast-depth", "1000", "check", deep).returncode == 0
    assert ilo("--max-ast-depth", "1000", deep).stdout == "301\n"
    small = prog("f x:n>n;+x 1\n", "small.ilo")     # function > statement > `+` > operand
    assert code(ilo("--max-ast-depth", "3", "check", small)) == "ILO-P022"
    assert ilo("--max-ast-depth", "4", "check", small).returncode == 0
    for bad in ("0", "-3", "x"):
        assert code(ilo("--max-ast-depth", bad, "check", deep)) == "ILO-U002"


# ---- explain, version, spec, help, skill ----

def test_explain_subcommand_and_flag_agree():
    a, b = ilo("explain", "ILO-T004"), ilo("--explain", "ILO-T004")
    assert a.returncode == 0 and a.stdout == b.stdout and "ILO-T004" in a.stdout
    assert code(ilo("explain", "ILO-X999")) == "ILO-U002"
    assert code(ilo("explain")) == "ILO-U001"


def test_version_forms():
    from ilo import __version__

    for args in (["version"], ["--version"], ["-V"]):
        assert ilo(*args).stdout == f"ilo {__version__}\n"
    info = json.loads(ilo("--json", "version").stdout)
    assert info["version"] == __version__ and "tree" in info["engines"]
    assert info["guards"]["max-runtime"] == 60 and "python" in info["sandbox"]
    assert json.loads(ilo("--json", "--max-runtime", "5", "version").stdout)["guards"]["max-runtime"] == 5
    assert code(ilo("version", "extra")) == "ILO-U001"


def test_spec_full_and_compact():
    full = (REPO_ROOT / "SPEC.md").read_text(encoding="utf-8")
    assert ilo("spec").stdout == ilo("spec", "lang").stdout == ilo("help", "lang").stdout == full
    ai = ilo("spec", "ai").stdout
    assert ai == ilo("help", "ai").stdout == ilo("-ai").stdout
    headings = [ln for ln in full.splitlines() if ln.startswith("#")]
    assert len(ai) < len(full) * 0.8 and all(h in ai for h in headings)
    assert code(ilo("spec", "everything")) == "ILO-U002"


def test_help_lists_every_subcommand():
    text = ilo("--help").stdout
    assert text == ilo("help").stdout
    for word in ("run", "check", "test", "repl", "graph", "explain", "version", "spec", "skill",
                 "--vm", "--jit", "--silent", "--dense", "--expanded", "--ast", "--max-ast-depth",
                 "--ansi", "compile", "httpd", "tools"):
        assert word in text, word
    for sub in ("run", "check", "graph", "repl", "skill", "spec", "version", "explain"):
        p = ilo(sub, "--help")
        assert p.returncode == 0 and p.stdout.startswith(f"usage: ilo {sub}"), sub


def test_skill_list_get_path():
    listing = ilo("skill", "list").stdout
    assert listing.startswith("ilo\t")
    rows = json.loads(ilo("--json", "skill", "list").stdout)
    assert rows[0]["name"] == "ilo" and rows[0]["description"]
    path = ilo("skill", "path", "ilo").stdout.strip()
    assert Path(path) == REPO_ROOT / "skills" / "ilo" / "SKILL.md"
    assert ilo("skill", "get", "ilo").stdout == Path(path).read_text(encoding="utf-8")
    assert code(ilo("skill", "get", "nope")) == "ILO-U003"
    assert code(ilo("skill")) == "ILO-U001"
    assert code(ilo("skill", "get")) == "ILO-U001"


# ---- formatter ----

def test_dense_and_expanded_forms(prog):
    f = prog("-- doubles\ndbl x:n>n\n  r=*x 2\n  >r 10{prnt r}\n  r\n")
    dense = ilo("run", f, "--dense").stdout
    assert dense == "dbl x:n>n;r=*x 2;>r 10{prnt r};r\n"
    assert ilo("-d", f).stdout == ilo("--fmt", f).stdout == dense
    expanded = ilo("run", "--expanded", f).stdout
    assert expanded == "dbl x:n>n\n  r=*x 2\n  >r 10{\n    prnt r\n  }\n  r\n"
    for text in (dense, expanded):
        again = prog(text, "again.ilo")
        assert ilo("--dense", again).stdout == dense
        assert ilo("--expanded", again).stdout == expanded
        assert ilo(again, "6").stdout == ilo(f, "6").stdout == "12\n12\n"


def test_formatting_a_bad_program_is_its_diagnostic():
    p = ilo("--dense", "f>n;+1")
    assert (p.returncode, code(p), p.stdout) == (2, "ILO-P010", "")


# ---- graph ----

GRAPH_SRC = "sq x:n>n;*x x\nsum-sq xs:L n>n;s=map (x:n>n;sq x) xs;sum s\nmain>n;sum-sq [1 2 3]\nlone>n;1\n"


def test_graph_text_json_dot(prog):
    f = prog(GRAPH_SRC)
    assert ilo("graph", f).stdout == "sq\nsum-sq -> sq\nmain -> sum-sq\nlone\n"
    data = json.loads(ilo("--json", "graph", f).stdout)
    assert data["edges"] == [["sum-sq", "sq"], ["main", "sum-sq"]]
    assert {r["name"]: r["called_by"] for r in data["functions"]}["sq"] == ["sum-sq"]
    dot = ilo("graph", f, "--dot").stdout
    assert dot.startswith("digraph") and '"main" -> "sum-sq";' in dot


def test_graph_focus_and_reverse(prog):
    f = prog(GRAPH_SRC)
    assert ilo("graph", f, "--fn", "sum-sq").stdout == "sq\nsum-sq -> sq\n"
    assert ilo("graph", f, "--fn", "sq", "--reverse").stdout == "sq\nsum-sq -> sq\nmain -> sum-sq\n"
    assert ilo("graph", f, "--fn", "lone").stdout == "lone\n"


def test_graph_error_paths(prog):
    f = prog(GRAPH_SRC)
    assert code(ilo("graph", f, "--fn", "nope")) == "ILO-U005"
    assert code(ilo("graph", f, "--reverse")) == "ILO-U001"
    assert code(ilo("graph", f, "--fn")) == "ILO-U002"
    assert code(ilo("graph", f, "--sideways")) == "ILO-U001"
    assert code(ilo("graph")) == "ILO-U001"
    assert code(ilo("graph", "/no/such.ilo")) == "ILO-U003"


# ---- output mode and colour ----

def test_ansi_text_json_flags():
    assert "\x1b[" in ilo("--ansi", "f>n;+1").stderr
    assert "\x1b[" in ilo("-a", "check", "f>n;+1").stderr
    plain = ilo("--text", "f>n;+1").stderr
    assert plain.startswith("error[ILO-P010]") and "\x1b[" not in plain
    assert code(ilo("f>n;+1")) == "ILO-P010"        # stderr is a pipe: JSON


def run_on_terminal(args, env):
    """Run ilo with stderr on a pseudo-terminal; return what it wrote there."""
    master, slave = pty.openpty()
    try:
        p = subprocess.run(ILO + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=slave, env=env, timeout=60, cwd=REPO_ROOT)
        os.close(slave)
        slave = -1
        return read_all(master).decode("utf-8", "replace"), p.returncode
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)


def read_all(fd: int) -> bytes:
    out = b""
    while select.select([fd], [], [], 0.5)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


def test_terminal_default_is_colour_unless_no_color():
    env = ilo_env()
    env.pop("NO_COLOR")
    text, rc = run_on_terminal(["f>n;+1"], env)
    assert rc == 2 and "\x1b[" in text and "ILO-P010" in text
    text, rc = run_on_terminal(["f>n;+1"], ilo_env({"NO_COLOR": "1"}))
    assert rc == 2 and "\x1b[" not in text and "error[ILO-P010]" in text


# ---- repl ----

class Terminal:
    """``ilo repl`` on a pseudo-terminal, read until an expected text shows."""

    def __init__(self, *flags):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(ILO + list(flags) + ["repl"], stdin=slave, stdout=slave,
                                     stderr=slave, env=ilo_env(), cwd=REPO_ROOT,
                                     start_new_session=True)
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 30) -> str:
        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            assert left > 0, f"never saw {text!r}; got {self.seen!r}"
            if select.select([self.master], [], [], left)[0]:
                try:
                    self.seen += os.read(self.master, 4096).decode("utf-8", "replace")
                except OSError:
                    break
        got, _, self.seen = self.seen.partition(text)
        return got

    def send(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def close(self) -> int:
        try:
            return self.proc.wait(timeout=30)
        finally:
            os.close(self.master)


@pytest.fixture
def term():
    terms = []

    def start(*flags):
        terms.append(Terminal(*flags))
        return terms[-1]
    yield start
    for t in terms:
        if t.proc.poll() is None:
            t.proc.kill()
            t.proc.wait()


def converse(t: Terminal, *steps) -> int:
    """Each step is (line to type or None, texts to wait for in order);
    then leave with :quit and return the exit code."""
    t.expect("ilo> ")
    for line, wanted in steps:
        if line is not None:
            t.send(line)
        for text in wanted:
            t.expect(text)
    t.send(":quit")
    return t.close()


def test_repl_keeps_definitions_and_bindings(term):
    assert converse(term(),
                    ("dbl x:n>n;*x 2", ["defined dbl"]), ("x=dbl 4", ["ilo> "]), ("+x 1", ["9\r\n"]),
                    ("xs=[1 2]", []), ('prnt "side"', ["side"]), ("len +=xs x", ["3\r\n"])) == 0


def test_repl_shows_diagnostics_with_carets(term):
    assert converse(term(), ("+1 nope", ["error[ILO-T004]", "nope", "^^^^"]),
                    ("+1 1", ["2\r\n"])) == 0


def test_repl_runaway_entry_is_stopped_and_the_session_goes_on(term):
    t = term("--max-runtime", "1")
    t.expect("ilo> ")
    for line, wanted in (("n=5", "ilo> "), ("wh true{n=+n 1}", "ILO-R016"), ("*n 2", "10\r\n")):
        t.send(line)
        t.expect(wanted)
    t.expect("ilo> ")
    os.write(t.master, b"\x04")          # end of input (Ctrl-D at the prompt) leaves
    assert t.close() == 0


def test_repl_multiline_entry_and_reset(term):
    assert converse(term(), ("@i 0..2{", ["...> "]), ("prnt i}", ["0\r\n1\r\n"]),
                    ("y=1", []), (":reset", []), ("y", ["ILO-T004"])) == 0


def test_repl_reads_piped_input_without_prompts():
    p = ilo("repl", input="sq x:n>n;*x x\nsq 7\n")
    assert p.stdout == "defined sq\n49\n"
    assert code(ilo("repl", "extra")) == "ILO-U001"


# ---- the formatter over the shared corpus ----

CORPUS = REPO_ROOT.parent / "shared" / "conformance" / "upstream"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not found")


def shape(program):
    """The parsed program without source positions."""
    from ilo.syntax.dump import to_json

    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items() if k != "span"}
        return [strip(x) for x in o] if isinstance(o, list) else o
    return strip(to_json(program))


@needs_corpus
@pytest.mark.parametrize("style", ["dense", "expanded"])
def test_formatting_round_trips_on_the_whole_corpus(style):
    """Formatting twice changes nothing, and the formatted program parses to
    the same tree (so every engine runs it the same way)."""
    from ilo.diagnostics.errors import IloError
    from ilo.syntax import format as layout
    from ilo.syntax.parser import parse

    fmt = getattr(layout, style)
    checked = 0
    for path in sorted(CORPUS.glob("*.ilo")):
        source = path.read_text(encoding="utf-8")
        try:
            original = shape(parse(source))
        except IloError:
            continue
        once = fmt(source)
        assert fmt(once) == once, path.name
        assert shape(parse(once)) == original, path.name
        checked += 1
    assert checked > 150


@needs_corpus
@pytest.mark.parametrize("style", ["dense", "expanded"])
def test_formatted_corpus_sample_behaves_the_same(style, tmp_path):
    """Run the cases of a spread of corpus files on their formatted copies
    (the whole corpus: python -m ilo.tools.format_corpus --layout STYLE)."""
    from ilo.tools import format_corpus, passlist
    from ilo.tools.annotations import collect_cases, unique_ids

    format_corpus.formatted_copy(CORPUS, tmp_path, style)
    files = sorted(p.name for p in CORPUS.glob("*.ilo"))[::25]
    cases = [c for c in collect_cases(tmp_path) if c.path.name in files]
    assert len(cases) >= 10
    listed = set(passlist.load_passlist(passlist.passlist_path("tree")))
    results = passlist.run_cases(cases, "tree", jobs=2)
    ids = unique_ids(cases, tmp_path)
    lost = [cid for cid, r in zip(ids, results) if cid in listed and r.status != passlist.PASS]
    assert not lost
