"""Issue 16: the language gaps a new user hits.

Statement-start infix comparisons, sum-type matches, `!` on builtins,
diagnostics that lead to a fix (suggestion key, loop control, early-return
hint), runtime diagnostics a harness can rely on, blank lines and `fmt`.
Programs run on every engine that exists; near misses must keep their
old meaning or code.
"""

from __future__ import annotations

import json

import pytest

from ilo.api import available_engines, load_program, make_engine
from ilo.checks.warnings import find_warnings
from ilo.diagnostics.errors import IloError
from ilo.diagnostics.render import render_text, to_dict
from ilo.diagnostics.suggest import closest, levenshtein
from ilo.runtime.values import display
from tests.conftest import run_ilo

ENGINES = available_engines()


def run(src: str, engine: str, *args, func: str | None = None):
    program = load_program(src)
    name = func or next(d.name for d in program.decls if hasattr(d, "body"))
    return make_engine(program, engine).run(name, list(args))


def fails(src: str) -> IloError:
    with pytest.raises(IloError) as e:
        load_program(src)
    return e.value


# ---- 1. a statement that starts with an infix comparison ----

@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("src, arg, want", [
    ("f x:n>b;x > 2", 5.0, True),
    ("f x:n>b;x > 2", 1.0, False),
    ("f x:n>b;x < 2", 1.0, True),
    ("f x:n>b;x >= 5", 5.0, True),
    ("f x:n>b;x <= 4", 5.0, False),
    ("f x:n>b;x != 2", 2.0, False),
    ("f x:n>n;x + 2", 5.0, 7.0),
    ("f x:n>b;y=+x 1;y > 2", 2.0, True),
    ("f x:n>b;y=1;x > y", 2.0, True),
    ("f a:n>b;n=3;a > n", 4.0, True),
    ("f x:n>b\n  y=*x 2\n  y > 9\n", 5.0, True),
])
def test_statement_start_comparison(engine, src, arg, want):
    assert run(src, engine, arg, func="f") == want


@pytest.mark.parametrize("engine", ENGINES)
def test_headers_after_a_body_still_split(engine):
    # near misses: `name>type` after `;` or a newline is still a new function
    assert run("f x:n>n;+x 1;g>n;5", engine, func="g") == 5.0
    assert run("type pt{x:n} f x:n>n;+x 1;g>pt;pt x:1", engine, func="g").fields == {"x": 1.0}
    assert run("f x:n>n;+x 1;g>L n;[1]", engine, func="g") == [1.0]
    # an undeclared type name after `>` on a new line still starts a header
    # (the verifier then reports T003 for the unknown type)
    program = load_program("f x:n>n\n  +x 1\ng>point;3\n", check=False)
    assert [d.name for d in program.decls] == ["f", "g"]


def test_unindented_header_with_undeclared_type_name_is_a_header():
    program = load_program("f x:n>n;+x 1\ng>n;3\n")
    assert [d.name for d in program.decls] == ["f", "g"]


@pytest.mark.parametrize("engine", ENGINES)
def test_double_equals_binds_and_warns(engine):
    src = "f x:n>n;x == 3;+x 1"
    assert run(src, engine, 10.0) == 4.0          # upstream's reading: a binding
    [w] = find_warnings(load_program(src))
    assert w.code == "ILO-W002" and "=x 3" in w.hint and w.exit_code == 0
    assert run("f x:n>b;(x == 3)", engine, 3.0) is True
    assert find_warnings(load_program("f x:n>n;x=3;+x 1")) == []


# ---- 2. sum types in matches ----

COLOR = 'color x:S red green blue>t;?x{red:"ff0000";green:"00ff00";blue:"0000ff"}'


@pytest.mark.parametrize("engine", ENGINES)
def test_sum_match_by_variant_name(engine):
    assert run(COLOR, engine, "green") == "00ff00"
    assert run(COLOR, engine, "blue") == "0000ff"
    quoted = 'c x:S a b>n;?x{"a":1;"b":2}'
    assert run(quoted, engine, "b") == 2.0
    alias = "alias col S a b\nc x:col>n;?x{a:1;b:2}"
    assert run(alias, engine, "a", func="c") == 1.0
    wild = "c x:S a b c>n;?x{a:1;_:9}"
    assert run(wild, engine, "c") == 9.0
    expr = "c x:S a b>n;v=?x{a:10;b:20};+v 1"
    assert run(expr, engine, "b") == 21.0


def test_sum_match_missing_variants():
    e = fails('color x:S red green blue>t;?x{red:"ff0000"}')
    assert e.code == "ILO-T024" and "`green`" in e.message and "`blue`" in e.message
    assert "blue:" in e.hint


def test_sum_match_arm_outside_the_variants():
    e = fails('color x:S red green>t;?x{red:"a";purple:"b";_:"c"}')
    assert e.code == "ILO-T024" and "purple" in e.message


def test_text_outside_the_variants_is_a_verifier_error():
    e = fails('color x:S red green>t;x\nmain>t;color "purple"')
    assert e.code == "ILO-T007" and '"red"' in e.hint
    load_program('color x:S red green>t;x\nmain>t;color "red"')


def test_returning_text_outside_the_variants():
    e = fails('pick x:n>S lo hi;>x 5 "hi";"mid"')
    assert e.code == "ILO-T008" and '"lo"' in e.hint
    load_program('pick x:n>S lo hi;>x 5 "hi";"lo"')


def test_bare_name_pattern_on_a_known_non_sum_is_p011():
    e = fails('f x:n>t;?x{1:"a";y:"b";_:"c"}')
    assert e.code == "ILO-P011" and '"y"' in e.hint


# ---- 3. `!` on a builtin where the function cannot propagate ----

@pytest.mark.parametrize("src", ["f s:t>n;num! s", "f s:t>L n;v=num! s;[v]",
                                 "f s:t>t;v=num! s;str v"])
def test_t026_for_builtins(src):
    e = fails(src)
    assert e.code == "ILO-T026" and "num!!" in e.hint


@pytest.mark.parametrize("engine", ENGINES)
def test_propagating_builtin_where_allowed(engine):
    assert display(run("f s:t>R n t;v=num! s;~*v 2", engine, "21")) == "~42"
    assert display(run("f s:t>R n t;v=num! s;~*v 2", engine, "x")).startswith("^")
    assert run("f s:t>n;num!! s", engine, "7") == 7.0


# ---- 4. diagnostics that lead to a fix ----

@pytest.mark.parametrize("word", ["cnt", "brk"])
def test_loop_control_as_a_value(word):
    e = fails(f'f xs:L t>n;c=0;@x xs{{=x "skip" {word};c=+c 1}};c')
    assert e.code == "ILO-T004" and "loop control" in e.message and f"{{{word}}}" in e.hint


@pytest.mark.parametrize("engine", ENGINES)
def test_braced_loop_control_works(engine):
    assert run('f xs:L t>n;c=0;@x xs{=x "skip"{cnt};c=+c 1};c', engine, ["a", "skip", "b"]) == 2.0


def test_braceless_guard_call_hint_keeps_the_early_return():
    e = fails('f x:n>t;>x 9 str x;"small"')
    assert e.code == "ILO-P016"
    assert "r=str x;>x 9 r" in e.hint and ">x 9{ret str x}" in e.hint


@pytest.mark.parametrize("engine", ENGINES)
def test_the_suggested_fixes_return_early(engine):
    assert run('f x:n>t;r=str x;>x 9 r;"small"', engine, 12.0) == "12"
    assert run('f x:n>t;>x 9{ret str x};"small"', engine, 12.0) == "12"
    assert run('f x:n>t;>x 9{ret str x};"small"', engine, 2.0) == "small"


@pytest.mark.parametrize("src, code, want", [
    ("f x:n>n;total=1;+x totl", "ILO-T004", "total"),
    ("fac n:n>n;<=n 1 1;r=fax 1;*n r", "ILO-T005", "fac"),
    ("f x:n>n;r=lenn [1];r", "ILO-T005", "len"),
    ("type pt{name:n;yy:n}\nf p:pt>n;p.y", "ILO-T019", "yy"),
])
def test_did_you_mean_goes_in_suggestion(src, code, want):
    e = fails(src)
    assert e.code == code
    assert e.extra["suggestion"] == f"did you mean '{want}'?"
    assert "did you mean" not in (e.hint or "")
    assert to_dict(e, src)["error"]["suggestion"] == f"did you mean '{want}'?"
    assert f"  = suggestion: did you mean '{want}'?" in render_text(e, src).splitlines()


def test_no_suggestion_when_nothing_is_close():
    e = fails("f x:n>n;+x zzzzzz")
    assert e.code == "ILO-T004" and "suggestion" not in e.extra
    assert "suggestion" not in to_dict(e, "")["error"]


def test_levenshtein():
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "abc") == 3 and levenshtein("abc", "abc") == 0
    assert closest("totl", ["x", "total", "tot"]) == "total"
    assert closest("x", ["y"]) == "y" and closest("x", ["yyyy"]) is None


# ---- 5. runtime diagnostics carry engine and elapsed_ms ----

@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("src, args, code", [
    ("f x:n>n;/x 0", [3.0], "ILO-R003"),
    ("f s:t>n;num!! s", ["x"], "ILO-R026"),
    ("f xs:L n>n;at xs 9", [[1.0]], None),
])
def test_runtime_errors_are_stamped(engine, src, args, code):
    program = load_program(src)
    with pytest.raises(IloError) as e:
        make_engine(program, engine).run("f", args)
    err = e.value
    assert err.code.startswith("ILO-R") and (code is None or err.code == code)
    assert err.extra["engine"] == engine
    assert isinstance(err.extra["elapsed_ms"], int) and err.extra["elapsed_ms"] >= 0


def test_cli_runtime_json_has_engine_and_elapsed():
    r = run_ilo("--json", "f x:n>n;/x 0", "3")   # the default engine: vm
    d = json.loads(r.stderr.strip().splitlines()[-1])["error"]
    assert r.returncode == 1 and d["code"] == "ILO-R003"
    assert d["engine"] == "vm" and isinstance(d["elapsed_ms"], int)


def test_guard_diagnostic_states_its_unit():
    r = run_ilo("--json", "--max-runtime", "0.5", "f>n;wh true{}", timeout=30)
    d = json.loads(r.stderr.strip().splitlines()[-1])["error"]
    assert d["code"] == "ILO-R016" and d["unit"] == "s" and "engine" in d and "elapsed_ms" in d


# ---- 6. blank lines, fmt ----

def test_blank_line_ends_the_declaration():
    e = fails("f x:n>n\n  a=+x 1\n\n  *a 2\n")
    assert e.code == "ILO-P001" and "blank line" in e.message


@pytest.mark.parametrize("engine", ENGINES)
def test_blank_lines_between_declarations_and_comment_spacing(engine):
    src = "f x:n>n\n  a=+x 1\n  -- spacing\n  *a 2\n\n\ng>n;f 1\n"
    assert run(src, engine, func="g") == 4.0
    assert run("f x:n>n\n  a=+x 1\n  *a 2\n   \ng>n;f 2\n", engine, func="g") == 6.0


@pytest.mark.parametrize("engine", ENGINES)
def test_fmt_leaves_unfilled_placeholders_and_warns(engine):
    src = 'f>t;fmt "{} {}" 1'
    assert run(src, engine) == "1 {}"
    [w] = find_warnings(load_program(src))
    assert w.code == "ILO-W003" and "2 `{}` but 1 value" in w.message
    [w] = find_warnings(load_program('f>t;fmt "{}" 1 2'))
    assert w.code == "ILO-W003" and "dropped" in w.message
    assert find_warnings(load_program('f x:n>t;fmt "{} {}" x x')) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_documented_behaviour(engine):
    assert run("f>L n;[rou 2.5, rou -2.5, rou 0.5, rou 1.5]", engine) == [3.0, -3.0, 1.0, 2.0]
    src = "f xs:L n>n\n  xs\n  >>flt pos\n  >>sum\npos x:n>b;>x 0\n"
    assert run(src, engine, [-1.0, 2.0, 3.0], func="f") == 5.0
    block = "f xs:L n>n\n  c=0\n  @x xs{\n    >x 9{c=+c 1}\n  }\n  c\n"
    assert run(block, engine, [5.0, 10.0, 20.0]) == 2.0


def test_rd_picks_the_format_from_the_extension(tmp_path):
    (tmp_path / "a.csv").write_text("x,y\n1,2\n")
    (tmp_path / "a.json").write_text('{"k": [1, 2]}')
    (tmp_path / "a.txt").write_text("x,y")
    for engine in ENGINES:
        csv = run(f'f>R _ t;rd "{tmp_path / "a.csv"}"', engine)
        assert display(csv) == "~[[x, y], [1, 2]]"
        assert display(run(f'f>R _ t;rd "{tmp_path / "a.txt"}"', engine)) == "~x,y"
        assert display(run(f'f>R _ t;rd "{tmp_path / "a.csv"}" "raw"', engine)) == "~x,y\n1,2\n"
        assert run(f'f>R n t;r=rd! "{tmp_path / "a.json"}";~r.k.1', engine).value == 2.0
