"""Tree engine semantics, run in-process through the Python API."""

import pytest

from ilo.api import load_program, make_engine, run_source
from ilo.diagnostics.errors import IloCheckError, IloRuntimeError
from ilo.runtime.values import Err, Ok, display


def run(src, *args, func=None):
    return run_source(src, func, [float(a) if isinstance(a, int) else a for a in args])


@pytest.mark.parametrize("src, args, want", [
    ("main>n;n=0;wh <n 5{n=+n 1};n", (), "5"),
    ("fac n:n>n;<=n 1 1;r=fac -n 1;*n r", (10,), "3628800"),
    ("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b", (15,), "610"),
    ('cls sp:n>t;>=sp 1000 "gold";>=sp 500 "silver";"bronze"', (700,), "silver"),
    ("f x:n>n;=x 1{99};0", (1,), "0"),
    ("f x:n>n;=x 1{ret 99};0", (1,), "99"),
    ("f x:n>n;=x 0{10}{20};+x 1", (0,), "1"),
    ('f x:n>t;=x 1{"yes"}{"no"}', (2,), "no"),
    ("f x:n>n;?=x 0 10 20", (0,), "10"),
    ("f>n;s=0;@i 0..5{s=+s i};s", (), "10"),
    ("f>L n;xs=[];@i 0..3{xs=+=xs i};xs", (), "[0, 1, 2]"),
    ("f>n;i=0;wh true{i=+i 1;>=i 3{brk}};i", (), "3"),
    ("f>n;i=0;s=0;wh <i 5{i=+i 1;>=i 3{cnt};s=+s i};s", (), "3"),
    ("f xs:L n>n;m=0;@x xs{>x m{m=x}};m", ([3.0, 9.0, 2.0],), "9"),
    ('f x:n>t;?x{0:"zero";1:"one";_:"many"}', (5,), "many"),
    ("f x:n>n;x??0", (None,), "0"),
    ("f>n;xs=[1, 2, 3];ys=+=xs 99;len xs", (), "3"),
    ("f xs:L n t:n>L n;flt (x:n>b;>x t) xs", ([1.0, 5.0, 3.0], 2), "[5, 3]"),
    ("f xs:L n>n;fld (a:n x:n>n;+a *x x) xs 0", ([1.0, 2.0, 3.0],), "14"),
    ("f>n;+*2 3 4", (), "10"),
    ("f>n;*/6 2 3", (), "9"),
    ("f>n;2 * 3 + 1", (), "7"),
    ("f>n;- 0 5", (), "-5"),
    ("f>n;/1 4", (), "0.25"),
    ("f>n;1e21", (), "1000000000000000000000"),
    ("f>n;0.0000001", (), "0.0000001"),
])
def test_programs(src, args, want):
    assert display(run(src, *args)) == want


def test_records_with_and_destructure():
    src = "type pt{x:n;y:n}\nf>n;p=pt x:1 y:2;q=p with x:10;{x;y}=q;+x y"
    assert run(src, func="f") == 12.0


def test_result_propagation_and_match():
    src = ('inner x:n>R n t;>x 0 ~x;^"neg"\n'
           'outer x:n>R n t;d=inner! x;~+d 1')
    assert run(src, 5, func="outer") == Ok(6.0)
    assert run(src, -1, func="outer") == Err("neg")


def test_panic_unwrap_raises_runtime_error():
    src = 'inner x:n>R n t;^"bad"\nmain>n;inner!! 1'
    with pytest.raises(IloRuntimeError) as e:
        run(src, func="main")
    assert e.value.code == "ILO-R026" and "bad" in e.value.message


def test_runaway_recursion_is_a_clean_diagnostic():
    with pytest.raises(IloRuntimeError) as e:
        run("f n:n>n;r=f +n 1;r", 1)
    assert e.value.code == "ILO-R604"


def test_division_by_zero():
    with pytest.raises(IloRuntimeError) as e:
        run("f x:n>n;/1 x", 0)
    assert e.value.code == "ILO-R003" and e.value.span is not None


def test_closure_captures_by_value():
    src = "f>n;t=2;g=(x:n>n;*x t);t=100;r=map g [1 2 3];sum r"
    assert run(src) == 12.0


@pytest.mark.parametrize("src, code", [
    ("f x:n>n;+x y", "ILO-T004"),
    ("f x:n>n;fooo x", "ILO-T005"),
    ("g a:n b:n>n;+a b\nf>n;g 1", "ILO-T006"),
    ("f>n;brk", "ILO-T028"),
    ("f>n;1\nf>n;2", "ILO-T002"),
])
def test_verifier_codes(src, code):
    with pytest.raises(IloCheckError) as e:
        load_program(src)
    assert e.value.code == code


def test_did_you_mean_suggestion():
    with pytest.raises(IloCheckError) as e:
        load_program("total x:n>n;*x 2\nf>n;totl 3")
    assert e.value.extra["suggestion"] == "did you mean 'total'?"


def test_engine_names():
    prog = load_program("f>n;1")
    assert make_engine(prog, "tree").name == "tree"


@pytest.mark.parametrize("src, func, args, want", [
    ("neg x:n>n;- 0 x f>L n;rsrt neg [3,1,2]", "f", (), "[1, 2, 3]"),
    ("fc s:t>t;hd s f xs:L t>L t;uniqby fc xs", "f", (["ab", "ac", "b"],), "[ab, b]"),
    ("type pt{x:n;y:n} f>n;p=pt x:3 y:4;+p.x p.y", "f", (), "7"),
    ("f>n 5", "f", (), "5"),
])
def test_sibling_declarations_on_one_line(src, func, args, want):
    assert display(run(src, *args, func=func)) == want


@pytest.mark.parametrize("src", [
    "main>R n t;x=42;x!",
    "main>n;x=42;x!!",
    "main>R n t;r=~1;r!",
])
def test_bang_on_a_local_value_is_an_error(src):
    # The verifier rejects these (ILO-T034); the engine still guards unchecked programs.
    with pytest.raises(IloCheckError) as e:
        run(src)
    assert e.value.code == "ILO-T034"
    with pytest.raises(IloRuntimeError) as e:
        make_engine(load_program(src, check=False)).run("main", [])
    assert "auto-unwrap" in str(e.value)


def test_bang_on_a_call_still_unwraps():
    assert display(run("h>R n t;~42\nmain>R n t;v=h!;~v")) == "~42"


def test_engine_is_reusable_after_runaway_recursion():
    prog = load_program("f n:n>n;r=f +n 1;r\ng n:n>n;<=n 0 0;r=g -n 1;+r 1")
    eng = make_engine(prog)
    with pytest.raises(IloRuntimeError):
        eng.run("f", [1.0])
    assert eng.depth == 0
    assert eng.run("g", [3000.0]) == 3000.0
