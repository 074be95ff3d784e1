"""The JIT engine against the tree engine, in-process: same output, value and errors.

Each program runs on both engines; printed text, the result and any
runtime error (code, message, hint, span) must be identical. The report
lines check that the interesting functions really ran natively.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time

import pytest

pytest.importorskip("llvmlite")

from ilo.api import load_program, make_engine  # noqa: E402
from ilo.diagnostics.errors import IloRuntimeError  # noqa: E402
from ilo.runtime.values import display  # noqa: E402


def outcome(src, func, args, engine_name):
    program = load_program(src, check=False)
    engine = make_engine(program, engine_name)
    target = engine.fallback if engine_name == "jit" else engine
    out = []
    target.write_stdout = out.append
    try:
        result = engine.run(func, list(args))
    except IloRuntimeError as e:
        return out, ("error", e.code, e.message, e.hint, e.span)
    except (ValueError, OverflowError) as e:
        return out, ("python", type(e).__name__, str(e))
    return out, ("value", type(result).__name__, display(result))


def natives(src):
    engine = make_engine(load_program(src, check=False), "jit")
    return set(engine.native_names)


CASES = [
    ("f n:n>n;s=0;i=1;wh <=i n{s=+s i;i=+i 1};s", "f", [100.0]),
    ("classify x:n>n;>=x 900 30;>=x 700 25;>=x 100 10;5\nf n:n>n;s=0;i=0;wh <i n{s=+s classify i;i=+i 1};s",
     "f", [1000.0]),
    ("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b", "fib", [15.0]),
    ("f x:n>n;=x 1{99};0", "f", [1.0]),
    ("f x:n>n;=x 1{ret 99};0", "f", [1.0]),
    ("f x:n>n;=x 0{10}{20};+x 1", "f", [0.0]),
    ("f x:n>n;=x 0{ret 10}{20}", "f", [0.0]),
    ("f x:n>n;?=x 0 10 20", "f", [0.0]),
    ("f>n;s=0;@i 0..5{s=+s i};s", "f", []),
    ("f a:n b:n>n;s=0;@i a..b{s=+s i};s", "f", [2.7, 6.2]),
    ("f a:n>n;s=0;@i a..3{s=+s i};s", "f", [math.nan]),
    ("f a:n>n;s=0;@i 0..a{s=+s i};s", "f", [math.inf]),
    ("f>n;i=0;wh true{i=+i 1;>=i 3{brk}};i", "f", []),
    ("f>n;i=0;s=0;wh <i 5{i=+i 1;>=i 3{cnt};s=+s i};s", "f", []),
    ("f>n;i=0;wh <i 5{i=+i 1;=i 3{brk 42}}", "f", []),
    ("f>n;i=0;wh <i 5{i=+i 1}", "f", []),
    ("f>n;wh false{1}", "f", []),
    ("f>n;@i 0..4{>i 1{brk *i 10};i}", "f", []),
    ("f>n;@i 0..4{=i 2{cnt};i}", "f", []),
    ('f x:n>n;?x{0:10;1:11;_:12}', "f", [1.0]),
    ('f x:n>n;?x{0:10;1:11}', "f", [7.0]),
    ('f x:n>n;r=?x{0:10;1:ret 5;_:x};+r 1', "f", [1.0]),
    ('f x:n>n;r=?x{0:10;_:x};+r 1', "f", [3.0]),
    ("f x:n>b;>x 2", "f", [3.0]),
    ("f x:b>n;x{1}{2}", "f", [True]),
    ("f x:b y:b>b;&x y", "f", [True, False]),
    ("f x:n y:n>n;|x y", "f", [0.0, 7.0]),
    ("f x:n y:b>b;=x y", "f", [1.0, True]),
    ("f x:n>n;!x", "f", [0.0]),
    ("f x:n>n;/10 x", "f", [0.0]),
    ("f x:n>n;/10 x", "f", [4.0]),
    ("f x:n>n;mod 10 x", "f", [0.0]),
    ("f x:n>n;mod x 3", "f", [-7.5]),
    ("f x:n>n;mod x 3", "f", [math.inf]),
    ("f x:n>n;flr x", "f", [-0.5]),
    ("f x:n>n;r=flr x;/1 r", "f", [-0.0]),
    ("f x:n>n;r=cel x;/1 r", "f", [-0.5]),
    ("f x:n>n;rou x", "f", [-2.5]),
    ("f x:n>n;rou x", "f", [2.5]),
    ("f x:n>n;abs x", "f", [-3.0]),
    ("f x:n>n;sqrt x", "f", [-1.0]),
    ("f x:n y:n>n;min x y", "f", [math.nan, 2.0]),
    ("f x:n y:n>n;max x y", "f", [1.0, math.nan]),
    ("f x:n y:n>n;pow x y", "f", [2.0, 0.5]),
    ("f x:n>n;prnt x;prnt \"hi\";prnt true;+x 1", "f", [2.5]),
    ("f x:n>n;prnt /1 3;x", "f", [1.0]),
    ("f x:n>n;prnt 1e21;prnt 0.1;prnt -0.0;x", "f", [1.0]),
    ("f>n;y=5", "f", []),
    ("f x:n>t;>x 0{\"pos\"}{\"neg\"}", "f", [1.0]),
    ("f x:n>n;-x", "f", [3.0]),
    ("f x:n>n;x??5", "f", [3.0]),
    ("down n:n>n;<=n 0 0;down -n 1\nf n:n>n;down n", "f", [10000.0]),
    ("down n:n>n;<=n 0 0;r=down -n 1;+r 1\nf n:n>n;down n", "f", [3000.0]),
    ("g x:n>t;str x\nf x:n>n;s=g x;prnt s;x", "f", [4.0]),
    ("g x:n>n;s=str x;len s\nf x:n>n;r=g x;*r 2", "f", [12345.0]),
    ("g x:n>n;s=str x;/1 0\nf x:n>n;r=g x;*r 2", "f", [1.0]),
    ("sq x:n>n;*x x\nf xs:L n>n;s=0;@x xs{s=+s sq x};s", "f", [[1.0, 2.0, 3.0]]),
    ("sq x:n>n;*x x\nf xs:L n>L n;map sq xs", "f", [[1.0, 2.0, 3.0]]),
    ("f x:n>n;i=0;wh <i 3{i=+i 1;=i 2{ret 7}};99", "f", [0.0]),
    ("f x:n>n;>x 0{prnt x};x", "f", [1.0]),
    ("f x:n>n;<x 0{ret 0};*x 2", "f", [-1.0]),
    ("f x:n>n;log x", "f", [0.0]),
    ("f x:n>n;sin x", "f", [1.0]),
    ("f x:n>n;clamp x 0 10", "f", [15.0]),
    ("f x:n>n;clamp x \"a\" 10", "f", [15.0]),
    ("f x:n>n;s=0;@i 0..x{s=+s len \"abc\"};s", "f", [4.0]),
    ("tot xs:L n>n;s=0;@x xs{s=+s x};s", "tot", [[1.0, 2.5, -3.0]]),
    ("tot xs:L n>n;s=0;@x xs{s=+s x};s", "tot", [[1.0, "a"]]),
    ("b n:n>L n;xs=[];@i 0..n{xs=+=xs *i i};xs", "b", [50.0]),
    ("h xs:L n>L n;ys=+=xs 1;zs=+=xs 2;+ys zs", "h", [[3.0, 4.0]]),
    ("h xs:L n>L n;ys=+=xs 1;zs=+=ys 2;q=+=ys 7;+zs q", "h", [[]]),
    ("g xs:L n>n;a=xs.0;b=xs.?5;i=1;c=xs.i;+a c", "g", [[3.0, 4.0]]),
    ("g xs:L n>n;a=xs.0;i=1;c=xs.i;+a c", "g", [[3.0]]),
    ("g xs:L n>n;xs.2", "g", [[3.0]]),
    ("g xs:L n i:n>n;at xs i", "g", [[3.0, 4.0, 5.0], -1.5]),
    ("g xs:L n i:n>n;at xs i", "g", [[3.0, 4.0, 5.0], 7.0]),
    ("g xs:L n>n;len xs", "g", [[3.0, 4.0, 5.0]]),
    ("g xs:L n>b;xs{true}{false}", "g", [[]]),
    ("m n:n>L n;[n, *n 2]\nf n:n>n;xs=m n;s=0;@x xs{s=+s x};s", "f", [4.0]),
    ("f n:n>n;xs=[];@i 0..n{xs=+=xs i;prnt xs};len xs", "f", [4.0]),
    ("mk n:n>L _;[n, 2]\nf n:n>n;xs=mk n;len xs", "f", [3.0]),
    ("f n:n>n;<=n 0 /1 0;r=f -n 1;+r 1", "f", [1.0]),
    ("f n:n>n;<=n 0 /1 0;r=f -n 1;+r 1", "f", [3.0]),
    ("f n:n>n;<=n 0{ret 0};=n 2{7}{r=f -n 1;+r 1}", "f", [4.0]),
    ("f n:n>n;i=0;wh <i n{i=+i 1;=i 2{brk}};<=n 0 i;r=f -n 1;+r i", "f", [5.0]),
    ("f n:n>n;prnt n;<=n 0 0;r=f -n 1;+r 1", "f", [4.0]),
    ("g xs:L n>n;+sum xs avg xs", "g", [[0.1, 0.2, 0.3, 1e16, -1e16]]),
    ("g xs:L n>n;avg xs", "g", [[]]),
    ("a n:n>n;<=n 0 0;r=b -n 1;+r 1\nb n:n>n;s=str n;<=n 0 0;r=a -n 1;+r 1", "a", [5000.0]),
    # a name first bound in a `wh` body that ran zero times is unbound afterwards
    ("g x:n>n;i=0;wh <i x{c=i;i=+i 1};c\nf>n;a=g 3;b=g 0;+a b", "f", []),
    ("g x:n>n;i=0;wh <i x{c=i;i=+i 1};c\nf>n;a=g 3;b=g 2;+a b", "f", []),
    ("f x:n>n;i=0;wh <i x{c=*i 2;i=+i 1};i", "f", [0.0]),
]


@pytest.mark.parametrize("src, func, args", CASES)
def test_jit_matches_tree(src, func, args):
    assert outcome(src, func, args, "jit") == outcome(src, func, args, "tree")


@pytest.mark.parametrize("src, func", [(s, f) for s, f, _ in CASES[:3]] + [
    ("f x:n>n;?x{0:10;1:11;_:12}", "f"),
    ("f x:n>n;prnt x;prnt \"hi\";+x 1", "f"),
    ("f>n;i=0;wh <i 5{i=+i 1;=i 3{brk 42}}", "f"),
    ("b n:n>L n;xs=[];@i 0..n{xs=+=xs *i i};xs", "b"),
    ("tot xs:L n>n;s=0;@x xs{s=+s x};s", "tot"),
])
def test_numeric_functions_are_native(src, func):
    assert func in natives(src)


def test_text_functions_fall_back_with_a_reason():
    engine = make_engine(load_program("g x:n>n;s=str x;len s\nf x:n>n;r=g x;*r 2"), "jit")
    report = engine.report()
    assert "jit: f: native" in report
    assert "jit: g: fallback (builtin 'str' with 1 args)" in report


def test_wrong_argument_kinds_run_on_the_fallback():
    # A text argument to an n parameter: the tree engine's own error, not a crash.
    src = "f x:n>n;+x 1"
    assert outcome(src, "f", ["abc"], "jit") == outcome(src, "f", ["abc"], "tree")


GUARDED_SPIN = """
from ilo import api, runtime_guard
engine = api.make_engine(api.load_program("f>n;i=0;wh true{i=+i 1};i"), "jit")
assert engine.native_names == ["f"]
runtime_guard.install(runtime_guard.GuardLimits(0.5, 0, 0, 0), "json", "jit")
engine.run("f", [])
"""


def test_a_native_loop_lets_the_guard_signal_handler_run():
    # No supervisor and no watchdog thread here: only the loop's poll on its
    # back-edge lets the SIGALRM handler end the program with ILO-R016.
    t = time.monotonic()
    p = subprocess.run([sys.executable, "-c", GUARDED_SPIN], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1, p.stderr
    assert '"code":"ILO-R016"' in p.stderr
    assert time.monotonic() - t < 30


def _ilo(*args):
    from conftest import run_ilo

    return run_ilo(*args, timeout=60)


def test_native_print_is_charged_first_so_r017_output_is_byte_exact():
    flood = "f>n;i=0;wh true{i=+i 1;prnt i};i"
    jit = _ilo("--engine", "jit", "--json", "--max-output-bytes", "100", flood)
    tree = _ilo("--engine", "tree", "--json", "--max-output-bytes", "100", flood)
    assert jit.returncode == tree.returncode == 1
    assert jit.stdout == tree.stdout and len(jit.stdout) <= 100
    assert '"code":"ILO-R017"' in jit.stderr


def test_native_list_growth_is_stopped_by_the_memory_budget():
    grow = "f>n;xs=[];i=0;wh true{xs=+=xs i;i=+i 1};i"
    p = _ilo("--engine", "jit", "--json", "--jit-report", "--max-memory", "200", grow)
    assert p.returncode == 1
    assert "jit: f: native" in p.stderr and '"code":"ILO-R602"' in p.stderr


def test_machine_code_cache_is_shared_by_concurrent_runs(tmp_path):
    from conftest import ilo_env

    env = ilo_env({"XDG_CACHE_HOME": str(tmp_path)})
    cmd = [sys.executable, "-m", "ilo", "--engine", "jit", "f n:n>n;s=0;@i 0..n{s=+s i};s", "100"]
    runs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    assert [p.communicate(timeout=60)[0] for p in runs] == ["4950\n", "4950\n"]
    entries = list((tmp_path / "ilo" / "jit").glob("*.o"))
    assert len(entries) == 1 and entries[0].stat().st_size > 0
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert again.stdout == "4950\n"
    assert list((tmp_path / "ilo" / "jit").iterdir()) == entries       # a hit writes nothing new


def test_llvm_refusing_the_module_leaves_everything_on_the_fallback(monkeypatch):
    from ilo.engines.jit import engine as jit_engine

    def refuse(*_args):
        raise RuntimeError("LLVM ERROR: bad IR\nmore")

    monkeypatch.setattr(jit_engine, "NativeCode", refuse)
    engine = make_engine(load_program("f n:n>n;*n 2"), "jit")
    assert engine.native_names == [] and engine.run("f", [4.0]) == 8.0
    assert "jit: f: fallback (LLVM rejected the module: RuntimeError: LLVM ERROR: bad IR)" in engine.report()
