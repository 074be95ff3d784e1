"""The bytecode VM: same values, errors and spans as the tree engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ilo import api
from ilo.diagnostics.errors import IloRuntimeError
from ilo.engines.vm import opcodes
from ilo.engines.vm.dis import disassemble
from ilo.runtime.values import display


def outcome(source: str, engine: str, func: str, args):
    program = api.load_program(source)
    eng = api.make_engine(program, engine)
    try:
        return "value", display(eng.run(func, list(args)))
    except IloRuntimeError as err:
        span = None if err.span is None else source[err.span.start:err.span.end]
        return "error", err.code, err.message, span


# (source, function, args): each runs on both engines and must agree exactly
CASES = [
    ("f n:n>n;s=0;i=0;wh <i n{s=+s i;i=+i 1};s", "f", [10.0]),
    ("f>n;i=0;wh <i 5{i=+i 1;>=i 3{brk i}}", "f", []),               # brk value is the loop's
    ("f>n;i=0;wh <i 5{i=+i 1;=i 2{cnt};i}", "f", []),                 # cnt keeps the last value
    ("f>n;@x [1,2,3]{x}", "f", []),
    ("f>n;@i 0..4{>i 1{brk};i}", "f", []),
    ("f x:n>n;=x 1{ret 10}{ret 20};5", "f", [1.0]),                  # ret inside guard-else
    ("f x:n>n;v=?x{1:ret 7;_:8};+v 1", "f", [1.0]),                  # ret inside a match expr
    ("f x:n>n;>x 0{x};99", "f", [3.0]),
    ("f x:n>n;>x 0{x};99", "f", [-3.0]),
    ("f x:n>t;?x{1:\"one\";2:\"two\";_:\"many\"}", "f", [2.0]),
    ("f>n;x=5;?{5:1;_:2}", "f", []),                                   # subject-less match: last value
    ("f>n;i=0;wh <i 3{c=*i 2;i=+i 1};c", "f", []),                   # wh bodies bind outside
    ("f>n;i=0;wh <i 0{c=*i 2;i=+i 1};c", "f", []),                   # ...unless they never ran
    ("g x:n>R n t;>x 0 ~x;^\"neg\"\nf x:n>R n t;v=g! x;~+v 1", "f", [2.0]),
    ("g x:n>R n t;>x 0 ~x;^\"neg\"\nf x:n>R n t;v=g! x;~+v 1", "f", [-2.0]),
    ("g x:n>R n t;^\"bad\"\nf>n;g!! 1", "f", []),
    ("f>n;x=1;x!", "f", []),
    ("f>n;/1 0", "f", []),
    ("f x:_ y:_>_;+x y", "f", [1.0, "a"]),
    ("f>t;s=\"\";@i 0..5{s=+s \"ab\"};s", "f", []),
    ("f>L n;xs=[];@i 0..5{xs=+=xs i};xs", "f", []),
    ("f>t;s=\"a\";t=s;s=+s \"b\";+t s", "f", []),                   # the old value is not touched
    ("f>L n;xs=[1];ys=xs;xs=+=xs 2;+ys xs", "f", []),
    ("g xs:L n>L n;xs=+=xs 9;xs\nf>L n;a=[1];b=g a;+a b", "f", []),    # the caller's list is untouched
    ("f>L L n;xs=[1];box=[xs];xs=+=xs 2;+=box xs", "f", []),          # held inside another list
    ("type pt{x:n;y:n}\nf>t;p=pt x:1 y:2;q=[p, p];jdmp q", "f", []),    # specialised literals
    ("type w{s:t;v:_}\nf>t;jdmp [w s:\"q\\\"\" v:0.5, w s:\"\" v:1e-7, w s:\"\" v:[1e20, -0]]", "f", []),
    ("f>M t n;m=mmap;m=mset m \"a\" 1;n=m;m=mset m \"b\" 2;n", "f", []),
    ("type pt{x:n;y:n}\nf>n;p=pt x:1 y:2;q=p with x:5;+q.x p.y", "f", []),
    ("type pt{x:n;y:n}\nf>n;p=pt x:1 y:2;p.z", "f", []),
    ("f>n;xs=[4,5,6];i=1;xs.i", "f", []),
    ("f>n;xs=[4,5,6];xs.0", "f", []),
    ("f>n;xs=[4,5,6];xs.7", "f", []),
    ("f k:n>n;m=map (x:n>n;+x k) [1,2,3];sum m", "f", [10.0]),
    ("f>n;??nil 4", "f", []),
    ("f>b;&true false", "f", []),
    ("f>n;|0 7", "f", []),
    ("f x:n>n;f x", "f", [1.0]),                                       # runaway recursion
    ("f>n;@x 5{x}", "f", []),
    ("f>n;{a;b}=3;a", "f", []),
    # fused guards (RET_IF, MOVE_IF), ARITH_CALL1 and the leaf-guard shortcut
    ("f x:t>t;=x \"a\" \"yes\";\"no\"", "f", ["a"]),
    ("f x:_>n;<x 1 5;7", "f", ["a"]),                                 # the test's error and span
    ("g x:_>n;>=x 10 1;2\nf>n;a=g 12;b=g 3;c=g \"z\";+a b", "f", []),  # inlined: MOVE_IF
    ("f n:n>n;<n 2 1;a=f -n 1;*n a", "f", [10.0]),
    ("f n:n>n;<=n 0 0;r=f /n 0;r", "f", [3.0]),                       # the fused arithmetic fails
    ("f n:_>n;<=n 0 0;r=f -n 1;+r 1", "f", ["x"]),
    ("f n:n>n;<=n 0 0;r=f -n 1;+r 1", "f", [3998.0]),                 # around the depth limit:
    ("f n:n>n;<=n 0 0;r=f -n 1;+r 1", "f", [3999.0]),                 # a leaf still counts
    ("f n:n>n;<=n 0 0;r=f -n 1;+r 1", "f", [4000.0]),
    ("f n:n>n;<=n 0 0;r=f n;+r 1", "f", [4000.0]),
    ("f n:n>n;>=1 n n;a=f -n 1;b=f -n 2;+a b", "f", [12.0]),        # the constant on the left
    ("f n:n>n;<n 1 0;a=f /n 2;+a 1", "f", [100.0]),
    ("f n:n>n;=n 0 7;a=f -n 1;*a 2", "f", [float("nan")]),           # NaN never meets the guard
    ("f x:_>n;+x 1", "f", ["a"]),                                      # ARITH_RET's error and span
    ("f x:n>n;/x 0", "f", [3.0]),
    ("f x:_>t;str x", "f", [2.5]),                                     # UNARY: the fast entry of `str`
    ("f x:_>t;str x", "f", [float("inf")]),
    ("f x:_>t;str x", "f", [1e20]),
    ("f x:_>t;str x", "f", ["a"]),                                     # ...and the builtin's error
    ("f x:_>t;str x", "f", [True]),
    ("f xs:L n>n;s=0;@x xs{s=+s *x x};s", "f", [[1.0, 2.0, 3.0]]),      # ARITH_ACC
    ("f a:_ b:_>_;s=a;s=+s +b 1;s", "f", ["x", 2.0]),                   # the sum's error, at its site
    ("f a:_ b:_>_;s=a;s=+s *b 2;s", "f", [1.0, "y"]),                   # the product's error
    ("f a:_>n;s=1;s=+s /a 0;s", "f", [4.0]),
    # records kept as registers (scalars.py), and the shapes that must stay records
    ("type pt{x:n;y:n}\nf n:n>n;s=0;i=0;wh <i n{yv=*i 2;p=pt x:i y:yv;i=+i 1;s=+s +p.x p.y};s", "f", [5.0]),
    ("type pt{x:n;y:n}\nf>n;p=pt x:1 y:2;q=p.?x;+q p.y", "f", []),
    ("type pt{x:n;y:n}\nf>pt;p=pt x:1 y:2;a=p.x;p", "f", []),                  # escapes: returned
    ("type pt{x:n;y:n}\nf>n;p=pt x:1 y:2;p=pt x:5 y:6;p.x", "f", []),          # bound twice
    ("type pt{x:n;y:n}\nf n:n>n;i=0;wh <i n{p=pt x:i y:0;i=+i 1};p.x", "f", [0.0]),  # unbound after
    ("type pt{x:n;y:n}\nf n:n>n;i=0;wh <i n{p=pt x:i y:0;i=+i 1};p.x", "f", [3.0]),
    ("type pt{x:n;y:n}\ng p:n>n;+p 1\nf>n;p=pt x:1 y:2;a=g p.x;+a p.y", "f", []),   # inlined callee's p
    ("type pt{x:_;y:n}\nf>_;p=pt x:\"a\" y:2;+p.x p.y", "f", []),              # a field's error
    # EXT_APPEND: a record or list built only to be appended
    ("type it{k:n}\nf n:n>L it;xs=[];i=0;wh <i n{r=it k:i;xs=+=xs r;i=+i 1};xs", "f", [3.0]),
    ("f n:n>L L n;xs=[];ys=xs;i=0;wh <i n{p=[i, i];xs=+=xs p;i=+i 1};+ys xs", "f", [2.0]),
    ("f n:n>n;xs=5;i=0;wh <i n{p=[i];xs=+=xs p;i=+i 1};xs", "f", [2.0]),
    # producers fused into a literal's builder (builders.fused): values, order, error sites
    ("type it{a:t;b:n}\nf n:n>L it;xs=[];i=0;wh <i n{a=str i;b=*i 3;r=it a:a b:b;xs=+=xs r;i=+i 1};xs",
     "f", [3.0]),
    ("type it{a:_;b:_}\nf x:_ y:_>it;a=str x;b=-y 1;it a:a b:b", "f", ["s", "t"]),      # str fails first
    ("type it{a:_;b:_}\nf x:_ y:_>it;a=str x;b=-y 1;it a:a b:b", "f", [1.0, "t"]),      # then the -
    ("type it{a:_;b:_}\nf x:_ y:_>it;a=str x;b=/y 0;it a:a b:b", "f", [1.0, 2.0]),      # / by zero
    ("type it{a:_;b:_}\nf x:_ y:_>it;a=str x;b=/y 0;it a:a b:b", "f", [1.0, -0.0]),
    ("type it{a:_;b:_}\nf x:_ y:_>it;a=/1 x;b=-2 y;it a:a b:b", "f", [0.0, "t"]),      # constants on the left
    ("type it{a:_;b:_}\nf x:_ y:_>it;a=/1 x;b=-2 y;it a:a b:b", "f", [4.0, 0.5]),
    ("f x:_ y:_>L _;a=+x y;b=*x y;[b a b]", "f", [2.0, 5.0]),                          # b read twice
    ("f x:_ y:_>L _;a=+x y;b=*x y;[a b]", "f", ["p", "q"]),                            # text + text
    ("f x:_ y:_>L _;a=+x y;b=*x y;[a b]", "f", ["p", 2.0]),
    ("f n:n>L L n;xs=[];i=0;wh <i n{a=+i 1;b=*a 2;xs=+=xs [a b];i=+i 1};xs", "f", [3.0]),  # a read twice
    ("f n:n>n;xs=[];i=0;wh <i n{a=*i i;xs=+=xs [a];i=+i 1};a", "f", [3.0]),           # a read after
]


@pytest.mark.parametrize("source,func,args", CASES)
def test_vm_matches_tree(source, func, args):
    try:
        api.load_program(source)
    except Exception:  # noqa: BLE001 -- a case the checker rejects says nothing about engines
        pytest.skip("rejected by the static checks")
    assert outcome(source, "vm", func, args) == outcome(source, "tree", func, args)


def test_bench_kernels_agree():
    bench = Path(api.__file__).resolve().parents[2] / "shared" / "bench"
    if not bench.is_dir():
        pytest.skip("no ../shared/bench")
    for path in sorted(bench.glob("*.ilo")):
        func = "fib" if path.stem == "recurse" else "f"
        source = path.read_text()
        assert outcome(source, "vm", func, [12.0]) == outcome(source, "tree", func, [12.0]), path.name


def test_loop_comments_name_the_opcodes():
    text = (Path(opcodes.__file__).parent / "loop.py").read_text()
    pairs = re.findall(r"op == (\d+):  # (\w+)", text)
    assert len(pairs) >= 20
    for number, name in pairs:
        assert opcodes.NAMES[int(number)] == name, (number, name)


def test_disassembler_shows_lines_registers_and_targets():
    source = "f n:n>n\n  s=0\n  @i 0..n{\n    s=+s i\n  }\n  s\n"
    text = disassemble(api.make_engine(api.load_program(source), "vm"))
    assert text.startswith("function f(n)")
    assert "-- line 4: s=+s i" in text
    assert "ADD_SELF     r" in text and "(s)" in text
    assert ">>" in text and "FOR" in text


def test_native_functions_replace_bytecode():
    source = "sq x:n>n;*x x\nf n:n>n;+ (sq n) 1"
    eng = api.make_engine(api.load_program(source), "vm")
    assert eng.run("f", [3.0]) == 10.0
    seen = []
    eng.native_functions["sq"] = lambda args: seen.append(args) or 100.0
    assert eng.run("f", [3.0]) == 101.0
    assert seen == [[3.0]]


def test_fused_producers_leave_the_loop_one_instruction():
    source = ("type it{a:t;b:n}\n"
              "f n:n>L it;xs=[];i=0;wh <i n{a=str i;b=*i 3;r=it a:a b:b;xs=+=xs r;i=+i 1};xs")
    text = disassemble(api.make_engine(api.load_program(source), "vm"))
    fused = [line for line in text.splitlines() if "EXT_APPEND" in line and "<- UNARY" in line]
    assert len(fused) == 1 and "; MUL" in fused[0], text
    source = "type it{a:_;b:_}\nf x:_ y:_>it;a=str x;b=-y 1;it a:a b:b"
    text = disassemble(api.make_engine(api.load_program(source), "vm"))
    assert "EXT_SKIP" in text and "<- UNARY" in text and "; SUB" in text, text


def test_dis_command(run_ilo, tmp_path):
    prog = tmp_path / "p.ilo"
    prog.write_text("dbl x:n>n;*x 2\n")
    r = run_ilo("dis", str(prog))
    assert r.returncode == 0, r.stderr
    assert "function dbl(x)" in r.stdout and "MUL" in r.stdout and "-- line 1:" in r.stdout
    r = run_ilo("dis", str(prog), "nope")
    assert r.returncode == 2 and "ILO-U005" in r.stderr
