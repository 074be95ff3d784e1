"""Unit tests for the builtin library (ilo/runtime/builtins).

Many cases transcribe the conformance corpus (examples/*.ilo from upstream):
the calls a program would make are issued directly through the registry, and
the printed form of the result (``display``) is compared with the ``-- out:``
line. The rest pin upstream behaviours found in its interpreter source.
"""

from __future__ import annotations

import http.server
import json
import math
import threading

import pytest

from ilo.diagnostics.errors import IloRuntimeError
from ilo.runtime.builtins import ALIASES, BUILTINS, call, lookup
from ilo.runtime.values import Err, FnVal, IloMap, Ok, Record, display


class FakeCtx:
    """Minimal engine stand-in: user functions are Python callables by name."""

    def __init__(self, **fns):
        self.fns = fns
        self.out: list[str] = []

    def call(self, fn, args):
        args = list(args) + list(fn.captures)
        if fn.name in self.fns:
            return self.fns[fn.name](*args)
        return call(fn.name, self, args)

    def write_stdout(self, text):
        self.out.append(text)


def run(name, *args, ctx=None, **fns):
    return call(name, ctx or FakeCtx(**fns), list(args))


def show(name, *args, **fns):
    return display(run(name, *args, **fns))


def L(*xs):
    """A list literal with numbers as floats."""
    return [float(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in xs]


def raises(code, name, *args, **fns):
    with pytest.raises(IloRuntimeError) as info:
        run(name, *args, **fns)
    assert info.value.code == code
    return info.value.message


# ── registry ──────────────────────────────────────────────────────────────────

ALL_NAMES = """len str num abs min max mod flr cel rou pow sqrt exp log log10 log2 sin cos tan
asin acos atan atan2 trm spl fmt fmt2 cat has hd tl rev srt rsrt unq slc at lst take drop sum
avg median quantile stdev variance map flt fld ct grp flat flatmap mapr partition uniqby zip
enumerate range chunks window clamp cumsum frq mmap mget mset mhas mkeys mvals mdel chars ord
chr upr lwr cap padl padr prnt jpar jdmp jpth rgx rgxall rgxall1 rgxsub rnd rndn now dtfmt
dtparse sleep env rd rdl rdb rdjl wr wrl transpose matmul dot solve inv det fft ifft setunion
setinter setdiff get post get-many""".split()


def test_registry_has_exactly_the_builtin_set():
    assert set(BUILTINS) == set(ALL_NAMES)
    for name, spec in BUILTINS.items():
        assert spec.name == name and callable(spec.fn) and spec.ret


def test_aliases_resolve():
    assert lookup("floor").name == "flr"
    assert lookup("filter").name == "flt"
    assert lookup("lset").name == "lst"
    assert lookup("regex_sub").name == "rgxsub"
    assert lookup("count") is None  # deliberately not an alias upstream
    assert lookup("nosuch") is None
    assert all(target in BUILTINS for target in ALIASES.values())
    assert show("length", "abc") == "3"


def test_parser_arity_table_matches_upstream():
    pa = {n: s.parse_arity for n, s in BUILTINS.items()}
    assert (pa["srt"], pa["rsrt"], pa["slc"], pa["fld"], pa["mset"], pa["prnt"]) == (2, 2, 3, 3, 3, 1)
    for n in ("fmt", "rnd", "now", "mmap", "get", "post", "rd", "rdb", "rdl", "env", "take", "tan"):
        assert pa[n] is None, n
    assert BUILTINS["fmt"].arities is None
    assert BUILTINS["rnd"].arities == (0, 2)
    assert BUILTINS["padl"].arities == (2, 3)
    assert BUILTINS["fld"].arities == (3, 4)
    for n in ("map", "flt", "fld", "ct", "grp", "uniqby", "partition", "flatmap", "mapr", "srt", "rsrt"):
        assert BUILTINS[n].fn_slots == (0,), n
    assert BUILTINS["len"].fn_slots == ()


def test_wrong_arity_through_call_is_r009():
    raises("ILO-R009", "len", "a", "b")


# ── numbers ───────────────────────────────────────────────────────────────────

def test_results_are_always_float():
    for name, args in [("len", ["abc"]), ("abs", [-3.0]), ("flr", [2.5]), ("ord", ["A"]),
                       ("sum", [[]]), ("ct", [FnVal("p"), [1.0]]), ("mod", [7.0, 3.0])]:
        v = run(name, *args, p=lambda x: True)
        assert type(v) is float, name
    assert all(type(x) is float for x in run("range", 0.0, 3.0))
    assert all(type(p[0]) is float for p in run("enumerate", ["a"]))


def test_corpus_math_basics():
    assert show("mod", 10.0, 3.0) == "1"
    assert show("abs", -7.0) == "7"
    assert show("min", 3.0, 5.0) == "3"
    assert show("max", 3.0, 5.0) == "5"
    assert show("flr", 3.7) == "3"
    assert show("cel", 3.2) == "4"
    assert show("rou", 3.5) == "4"
    assert show("clamp", 5.0, 0.0, 10.0) == "5"
    assert show("clamp", 15.0, 0.0, 10.0) == "10"
    assert show("clamp", -5.0, 0.0, 10.0) == "0"
    assert show("atan2", 1.0, 1.0) == "0.7853981633974483"
    assert display(20 * run("log10", 100.0)) == "40"
    assert show("cel", run("log2", 256.0)) == "8"
    assert show("tan", 0.0) == "0"


def test_rou_rounds_half_away_from_zero_not_bankers():
    # SPEC.md says banker's, but upstream's code uses f64::round.
    assert [run("rou", x) for x in (0.5, 1.5, 2.5, -0.5, -2.5, 2.4999)] == [1, 2, 3, -1, -3, 2]
    assert math.copysign(1, run("rou", -0.4)) == -1


def test_min_max_list_form():
    xs = L(3, 1, 4, 1, 5, 9, 2, 6)
    assert show("min", xs) == "1" and show("max", xs) == "9"
    assert run("max", L(10, 4, 22, 7)) - run("min", L(10, 4, 22, 7)) == 18
    assert "empty list" in raises("ILO-R009", "max", [])
    assert math.isnan(run("min", [1.0, math.nan]))
    assert run("min", math.nan, 2.0) == 2.0  # f64::min ignores a NaN operand


def test_mod_errors_and_sign():
    assert raises("ILO-R003", "mod", 1.0, 0.0) == "modulo by zero"
    assert run("mod", -7.0, 3.0) == -1.0  # sign follows the dividend (fmod)
    raises("ILO-R009", "mod", "a", 1.0)


def test_math_edge_values_do_not_raise():
    assert math.isnan(run("sqrt", -1.0))
    assert run("log", 0.0) == -math.inf
    assert math.isnan(run("log", -1.0))
    assert run("exp", 1000.0) == math.inf
    assert math.isnan(run("asin", 2.0))
    assert math.isnan(run("sin", math.inf))
    assert math.isnan(run("pow", -8.0, 1 / 3))
    assert run("pow", 0.0, -1.0) == math.inf
    assert run("pow", 10.0, 400.0) == math.inf
    assert run("pow", 2.0, 10.0) == 1024.0
    assert run("flr", math.inf) == math.inf


def test_type_errors_are_r009():
    for name, args in [("abs", ["x"]), ("sqrt", [None]), ("pow", [1.0, "2"]), ("clamp", [1.0, 2.0, "3"])]:
        raises("ILO-R009", name, *args)


def test_rnd_and_rndn():
    for _ in range(50):
        x = run("rnd")
        assert 0.0 <= x < 1.0
        k = run("rnd", 1.0, 3.0)
        assert k in (1.0, 2.0, 3.0) and type(k) is float
    assert "lower bound" in raises("ILO-R009", "rnd", 5.0, 1.0)
    assert run("rndn", 10.0, 0.0) == 10.0
    # corpus rndn.ilo: the mean of 100 standard normals is close to 0.
    s = sum(run("rndn", 0.0, 1.0) for _ in range(100))
    assert abs(s / 100) < 0.5


# ── text ──────────────────────────────────────────────────────────────────────

def test_str_and_num():
    assert run("str", 42.0) == "42"
    assert run("str", 3.14) == "3.14"
    assert run("str", -7.0) == "-7"
    assert run("str", 1e20) == "100000000000000000000"
    assert run("str", 0.1 + 0.2) == "0.30000000000000004"
    assert run("str", -0.0) == "0"
    raises("ILO-R009", "str", "x")  # upstream's str takes numbers only
    assert run("num", "42") == Ok(42.0)
    assert run("num", "abc") == Err("abc")
    for good, val in [("1e3", 1000.0), (".5", 0.5), ("5.", 5.0), ("+2", 2.0), ("-0.25", -0.25)]:
        assert run("num", good) == Ok(val)
    assert run("num", "inf").value == math.inf
    for bad in [" 1", "1 ", "1_000", "", ".", "1e", "0x10", "--1"]:
        assert run("num", bad) == Err(bad), bad


def test_len_counts_utf8_bytes_for_text():
    assert run("len", "hello") == 5
    assert run("len", "café") == 5
    assert run("len", L(1, 2, 3)) == 3
    m = run("mset", IloMap(), "a", 1.0)
    assert run("len", m) == 1
    raises("ILO-R009", "len", 3.0)


def test_spl_cat_trm():
    assert show("spl", "hello-world-foo", "-") == "[hello, world, foo]"
    assert run("spl", "abc", "") == ["", "a", "b", "c", ""]  # Rust's empty-separator shape
    assert run("spl", "", ",") == [""]
    assert run("cat", ["a", "b"], ", ") == "a, b"
    assert run("cat", ["apples  ", "00012"], "") == "apples  00012"
    assert "text" in raises("ILO-R009", "cat", ["a", 1.0], "")
    assert run("trm", "  hello  ") == "hello"
    assert run("trm", "\u00a0x\u3000\n") == "x"
    assert run("trm", "\x1fx") == "\x1fx"  # not Unicode White_Space


def test_fmt():
    assert run("fmt", "x={}", 42.0) == "x=42"
    assert run("fmt", "hi {} from {}", "world", "ilo") == "hi world from ilo"
    assert run("fmt", "{} hits across {} files", 3.0, 1.0) == "3 hits across 1 files"
    assert run("fmt", "{}%", run("fmt2", 0.12345 * 100, 1.0)) == "12.3%"
    assert run("fmt", "{} {}", 1.0) == "1 {}"
    assert run("fmt", "{}", L(1, 2)) == "[1, 2]"
    assert run("fmt", "a{b}c", 1.0) == "a{b}c"
    assert run("fmt", "err: {}", "abc") == "err: abc"
    msg = raises("ILO-R009", "fmt", "{:06d}", 1.0)
    assert "{:06d}" in msg and "fmt2" in msg


def test_fmt2_corpus_and_rounding():
    assert run("fmt2", 3.14159265, 2.0) == "3.14"
    assert run("fmt2", 1.0, 0.0) == "1"
    assert run("fmt2", 0.85025037, 4.0) == "0.8503"
    assert run("fmt2", 1.5, 0.0) == "2"
    assert run("fmt2", 2.5, 0.0) == "2"
    assert run("fmt2", 3.7, -1.0) == "4"
    assert run("fmt2", 0.987654, 2.0) == "0.99"
    assert len(run("fmt2", 1.0, 99.0)) == 22  # digits clamp to 20
    assert run("fmt2", math.nan, 2.0) == "NaN"
    assert run("fmt2", -math.inf, 2.0) == "-inf"


def test_case_chars_ord_chr():
    assert run("upr", "hello world") == "HELLO WORLD"
    assert run("lwr", "HELLO WORLD") == "hello world"
    assert run("cap", "hello world") == "Hello world"
    assert run("cap", "") == ""
    assert show("chars", "café") == "[c, a, f, é]"
    assert run("chars", "") == []
    assert run("len", run("chars", "hello")) == 5
    assert run("ord", "H") == 72 and run("ord", "0") == 48
    assert run("chr", 72.0) == "H"
    assert run("chr", run("ord", "z")) == "z"
    assert run("ord", run("chr", 0.0)) == 0
    raises("ILO-R009", "ord", "")
    raises("ILO-R009", "chr", 1.5)
    assert "not a valid Unicode" in raises("ILO-R009", "chr", float(0xD800))


def test_padding_corpus():
    assert run("padl", "hi", 5.0) == "   hi"
    assert run("padr", "hi", 5.0) == "hi   "
    assert run("padl", "exact", 5.0) == "exact"
    assert run("padr", "already-wider", 4.0) == "already-wider"
    assert run("padl", "42", 5.0, "0") == "00042"
    assert run("padl", "1234567", 5.0, "0") == "1234567"
    assert run("padr", "log", 6.0, ".") == "log..."
    assert run("padl", run("str", 42.0), 6.0) == "    42"
    assert run("padl", "é", 3.0) == "  é"  # width counts chars, not bytes
    raises("ILO-R009", "padl", "x", 3.0, "ab")
    raises("ILO-R009", "padl", "x", -1.0)
    raises("ILO-R009", "padr", "x", 2.5)


# ── lists and text indexing ───────────────────────────────────────────────────

def test_hd_tl_at_corpus():
    xs = L(10, 20, 30)
    assert run("hd", xs) == 10 and show("tl", xs) == "[20, 30]"
    assert run("at", xs, 1.0) == 20 and run("at", xs, -1.0) == 30 and run("at", xs, -2.0) == 20
    assert run("at", xs, 1.7) == 20  # floats floor
    assert run("at", xs, -0.5) == 30
    assert run("at", xs, -1.5) == 20
    assert run("at", L(10, 20, 30, 40, 50), 2.5) == 30
    assert run("hd", "hello") == "h" and run("tl", "hello") == "ello"
    assert run("at", "naïve", 2.0) == "ï" and run("at", "naïve", -1.0) == "e"
    assert "out of range" in raises("ILO-R009", "at", xs, 3.0)
    assert "text of length 5" in raises("ILO-R009", "at", "naïve", 9.0)
    raises("ILO-R009", "hd", [])
    raises("ILO-R009", "tl", "")
    raises("ILO-R009", "at", xs, "1")


def test_slc_take_drop_corpus():
    xs = L(10, 20, 30, 40, 50)
    assert show("slc", xs, 1.0, 3.0) == "[20, 30]"
    assert show("slc", L(10, 20, 30), 1.0, 999.0) == "[20, 30]"
    assert run("slc", "hello", 1.0, 999.0) == "ello"
    assert show("slc", xs, -1.0, 5.0) == "[50]"
    assert show("slc", xs, 0.0, -1.0) == "[10, 20, 30, 40]"
    assert show("slc", xs, -2.0, 5.0) == "[40, 50]"
    assert run("slc", "(quoted)", 1.0, -1.0) == "quoted"
    assert run("slc", xs, 4.0, 2.0) == []
    assert run("slc", run("fmt", "abcdef={}", 9.0), 0.0, 5.0) == "abcde"
    assert show("take", -1.0, xs) == "[10, 20, 30, 40]"
    assert show("drop", -2.0, xs) == "[40, 50]"
    assert show("take", 2.0, L(1, 2)) == "[1, 2]"
    assert run("drop", 2.0, L(1, 2)) == []
    assert run("take", 3.0, "hello") == "hel" and run("drop", 2.0, "hello") == "llo"
    assert run("take", -99.0, xs) == [] and run("drop", -99.0, xs) == xs
    assert "integer" in raises("ILO-R009", "slc", xs, 0.5, 2.0)
    raises("ILO-R009", "take", 1.5, xs)


def test_inputs_are_never_mutated():
    xs = L(3, 1, 2)
    run("srt", xs), run("rev", xs), run("lst", xs, 0.0, 9.0), run("take", 1.0, xs)
    assert xs == L(3, 1, 2)
    m = IloMap({"a": 1.0})
    run("mset", m, "b", 2.0), run("mdel", m, "a")
    assert m == {"a": 1.0}


def test_lst():
    assert show("lst", L(10, 20, 30), 1.0, 99.0) == "[10, 99, 30]"
    assert show("lst", L(1, 2, 3), 1.0, 99.0) == "[1, 99, 3]"
    assert "non-negative integer" in raises("ILO-R009", "lst", L(1), -1.0, 0.0)
    assert "out of range" in raises("ILO-R009", "lst", L(1), 1.0, 0.0)


def test_has_rev_unq():
    assert run("has", L(1, 2, 3), 2.0) is True
    assert run("has", L(1, 2, 3), "2") is False
    assert run("has", [True], 1.0) is False
    assert run("has", "AILMFWVYC", "L") is True
    assert run("has", [L(1, 2)], L(1, 2)) is True
    raises("ILO-R009", "has", "abc", 1.0)
    assert run("rev", L(1, 2, 3, 4, 5)) == L(5, 4, 3, 2, 1) and run("rev", "hello") == "olleh"
    assert run("unq", "abracadabra") == "abrcd"
    assert show("unq", L(1, 2, 2, 3)) == "[1, 2, 3]"
    assert show("unq", L(0, -3, 5, -3, 0, 5)) == "[0, -3, 5]"
    assert show("unq", [1.5, 2.5, 1.5, 2.5]) == "[1.5, 2.5]"
    assert run("unq", [1.0, "1", True]) == [1.0, "1", True]
    assert run("len", run("unq", L(1, 1, 2, 2, 3, 3, 4))) == 4


def test_srt_rsrt_natural():
    assert show("srt", L(3, 1, 4, 1, 5, 9, 2, 6)) == "[1, 1, 2, 3, 4, 5, 6, 9]"
    assert run("srt", "dcba") == "abcd"
    assert show("rsrt", L(3, 1, 4, 1, 5, 9, 2, 6)) == "[9, 6, 5, 4, 3, 2, 1, 1]"
    assert show("rsrt", ["banana", "apple", "cherry"]) == "[cherry, banana, apple]"
    assert run("rsrt", "abc") == "cba"
    assert run("srt", []) == []
    assert "all numbers or all text" in raises("ILO-R009", "srt", [1.0, "a"])


def test_srt_rsrt_by_key_and_ctx():
    absv = dict(absv=lambda n: abs(n))
    xs = L(-3, 1, -2, 4, -1)
    assert show("srt", FnVal("absv"), xs, **absv) == "[1, -1, -2, -3, 4]"
    assert show("rsrt", FnVal("absv"), xs, **absv) == "[4, -3, -2, 1, -1]"
    slen = dict(slen=lambda s: float(len(s)))
    assert show("srt", FnVal("slen"), ["banana", "fig", "apple"], **slen) == "[fig, apple, banana]"
    assert show("rsrt", FnVal("slen"), ["fig", "banana", "apple"], **slen) == "[banana, apple, fig]"
    # ctx form: fn receives (item, ctx)
    seen = []
    score = dict(score=lambda x, c: seen.append(c) or x * c)
    assert show("rsrt", FnVal("score"), 2.0, L(1, 3, 2, 5, 4), **score) == "[5, 4, 3, 2, 1]"
    assert set(seen) == {2.0}
    # closures: captures are appended after the per-item args by ctx.call
    near = dict(near=lambda x, t: abs(x - t))
    assert run("srt", FnVal("near", (10.0,)), L(1, 12, 9), **near) == L(9, 12, 1)
    raises("ILO-R009", "srt", 3.0, L(1))


# ── higher-order functions ────────────────────────────────────────────────────

def test_corpus_closure_bind_ctx_forms():
    m = run("mset", run("mset", run("mset", IloMap(), "a", 2.0), "b", 3.0), "c", 1.0)
    pri = dict(pri=lambda sym, pm: run("mget", pm, sym))
    assert show("srt", FnVal("pri"), m, ["a", "b", "c"], **pri) == "[c, a, b]"
    pm = run("mset", run("mset", IloMap(), "a", 10.0), "b", 20.0)
    look = dict(look=lambda sym, pm: run("mget", pm, sym))
    assert show("map", FnVal("look"), pm, ["a", "b", "a"], **look) == "[10, 20, 10]"


def test_corpus_top_words():
    fr = run("frq", ["apple", "apple", "banana", "apple", "cherry", "banana"])
    pairs = [[run("mget", fr, k), k] for k in run("mkeys", fr)]
    first = dict(first=lambda p: p[0])
    assert show("srt", FnVal("first"), pairs, **first) == "[[1, cherry], [2, banana], [3, apple]]"



def test_map_flt_fld_ct_corpus():
    assert show("map", FnVal("sq"), L(1, 2, 3, 4, 5), sq=lambda x: x * x) == "[1, 4, 9, 16, 25]"
    assert show("map", FnVal("abs"), L(-1, 2, -3)) == "[1, 2, 3]"  # builtins as HOF args
    assert show("flt", FnVal("pos"), L(-3, -1, 0, 2, 4), pos=lambda x: x > 0) == "[2, 4]"
    assert run("fld", FnVal("add"), L(1, 2, 3, 4, 5), 0.0, add=lambda a, b: a + b) == 15
    assert run("fld", FnVal("max"), L(3, 9, 2), 0.0) == 9
    assert run("fld", FnVal("min"), L(3, 9, 2), 99999.0) == 2
    assert run("ct", FnVal("pos"), L(-3, 0, 2, 4, -1, 5), pos=lambda x: x > 0) == 3
    assert run("ct", FnVal("gt"), 4.0, L(1, 5, 3, 8, 2, 7), gt=lambda x, c: x > c) == 3
    assert run("ct", FnVal("pos"), [], pos=lambda x: x > 0) == 0
    # fld with ctx: fn acc item ctx
    assert run("fld", FnVal("f"), 10.0, L(1, 2), 0.0, f=lambda a, x, c: a + x * c) == 30
    assert run("map", FnVal("f"), 3.0, L(1, 2), f=lambda x, c: x + c) == L(4, 5)
    # function named by text (CLI-passed names)
    assert run("map", "sq", L(2), sq=lambda x: x * x) == L(4)


def test_predicates_must_return_bool():
    assert "bool" in raises("ILO-R009", "flt", FnVal("f"), L(1), f=lambda x: 1.0)
    raises("ILO-R009", "ct", FnVal("f"), L(1), f=lambda x: "yes")
    raises("ILO-R009", "partition", FnVal("f"), L(1), f=lambda x: None)
    raises("ILO-R009", "map", 3.0, L(1))
    raises("ILO-R009", "map", FnVal("abs"), "abc")


def test_partition_flatmap_mapr_uniqby():
    pos = dict(pos=lambda x: x > 0)
    assert show("partition", FnVal("pos"), L(-1, 2, -3, 4), **pos) == "[[2, 4], [-1, -3]]"
    assert show("partition", FnVal("pos"), [], **pos) == "[[], []]"
    rep = dict(rep=lambda n: [n] * int(n))
    assert show("flatmap", FnVal("rep"), L(1, 2, 3), **rep) == "[1, 2, 2, 3, 3, 3]"
    assert "list" in raises("ILO-R009", "flatmap", FnVal("abs"), L(1))
    tonum = dict(tonum=lambda s: run("num", s))
    assert run("mapr", FnVal("tonum"), ["1", "2"], **tonum) == Ok(L(1, 2))
    assert run("mapr", FnVal("tonum"), ["1", "x", "y"], **tonum) == Err("x")
    raises("ILO-R009", "mapr", FnVal("abs"), L(1))
    assert run("uniqby", FnVal("len"), ["a", "bb", "c", "dd", "eee"]) == ["a", "bb", "eee"]
    # type-tagged keys: 1 and "1" stay distinct
    ident = dict(ident=lambda x: x)
    assert run("uniqby", FnVal("ident"), [1.0, "1", 1.0], **ident) == [1.0, "1"]
    raises("ILO-R009", "uniqby", FnVal("ident"), [L(1)], **ident)


def test_grp_and_frq():
    par = dict(par=lambda n: run("str", math.fmod(n, 2)))
    assert show("grp", FnVal("par"), L(1, 2, 3, 4, 5, 6), **par) == "{0: [2, 4, 6]; 1: [1, 3, 5]}"
    m = run("grp", FnVal("flr"), [1.5, 1.2, 2.0])
    assert m == {1: [1.5, 1.2], 2: [2.0]}  # numeric keys floor to integers
    assert run("grp", FnVal("b"), L(1, 2), b=lambda x: x > 1) == {"false": [1.0], "true": [2.0]}
    words = ["the", "cat", "sat", "on", "the", "mat", "the", "cat"]
    assert run("mget", run("frq", words), "the") == 3
    assert run("mget", run("frq", run("spl", "mississippi", "")), "s") == 4
    nums = run("frq", L(1, 2, 1, 3, 1, 2))
    assert run("mget", nums, 1.0) == 3 and run("mhas", nums, "1") is False
    assert run("frq", [True, True]) == {"true": 2.0}
    raises("ILO-R009", "frq", [math.nan])


# ── list construction ─────────────────────────────────────────────────────────

def test_flat_zip_enumerate_range():
    assert show("flat", [L(1, 2), L(3, 4)]) == "[1, 2, 3, 4]"
    assert show("flat", [L(1), [], L(2)]) == "[1, 2]"
    assert show("flat", [L(1, 2), 3.0, L(4, 5)]) == "[1, 2, 3, 4, 5]"
    assert run("sum", run("flat", [L(1, 2), L(3, 4)])) == 10
    assert show("zip", L(1, 2, 3), ["a", "b"]) == "[[1, a], [2, b]]"
    assert show("enumerate", L(10, 20, 30)) == "[[0, 10], [1, 20], [2, 30]]"
    assert show("enumerate", ["a", "b", "c"]) == "[[0, a], [1, b], [2, c]]"
    assert show("range", 0.0, 5.0) == "[0, 1, 2, 3, 4]"
    assert run("range", 3.0, 3.0) == [] and run("range", 5.0, 3.0) == []
    assert show("range", -2.0, 3.0) == "[-2, -1, 0, 1, 2]"
    assert "integers" in raises("ILO-R009", "range", 1.5, 4.0)
    assert "too large" in raises("ILO-R009", "range", 0.0, 2e6)


def test_chunks_window():
    assert show("chunks", 2.0, L(1, 2, 3, 4, 5)) == "[[1, 2], [3, 4], [5]]"
    assert show("chunks", 3.0, L(1, 2, 3, 4, 5, 6)) == "[[1, 2, 3], [4, 5, 6]]"
    assert show("chunks", 10.0, L(1, 2, 3)) == "[[1, 2, 3]]"
    assert show("chunks", 1.0, L(1, 2, 3)) == "[[1], [2], [3]]"
    assert run("chunks", 2.0, []) == []
    raises("ILO-R009", "chunks", 0.0, L(1))
    assert show("window", 3.0, L(10, 20, 30, 40)) == "[[10, 20, 30], [20, 30, 40]]"
    sums = run("map", FnVal("sum"), run("window", 3.0, L(1, 2, 3, 4, 5)))
    assert show("fmt", "{}", sums) == "[6, 9, 12]"
    assert run("window", 10.0, L(1, 2, 3)) == [] and run("window", 3.0, []) == []
    hassum = dict(hassum=lambda w: run("sum", w) > 5)
    assert show("flt", FnVal("hassum"), run("window", 2.0, L(1, 2, 3, 4)), **hassum) == "[[3, 4]]"
    raises("ILO-R009", "window", 1.5, L(1))
    # corpus window-listview-perf: 15-wide windows of all-hydrophobic chars
    cs = run("chars", "AAAAAAAAAAAAAAAILMFWVYCAK")
    allh = dict(allh=lambda w: all(c in "AILMFWVYC" for c in w))
    assert run("len", run("flt", FnVal("allh"), run("window", 15.0, cs), **allh)) == 10


def test_set_operations_sort_by_tagged_text_key():
    a = ["rust", "vm", "jit", "types"]
    b = ["types", "jit", "gc", "async"]
    assert show("setinter", a, b) == "[jit, types]"
    assert run("setunion", L(10, 2, 2), L(1)) == L(1, 10, 2)  # text order: "n:1" < "n:10" < "n:2"
    assert run("setdiff", L(3, 1, 2, 3), L(2)) == L(1, 3)
    assert run("setunion", ["b", 1.0, True], []) == [True, 1.0, "b"]
    raises("ILO-R009", "setunion", [L(1)], [])


# ── aggregates ────────────────────────────────────────────────────────────────

def test_sum_avg_cumsum_corpus():
    assert show("sum", L(1, 2, 3, 4)) == "10" and show("sum", []) == "0"
    assert show("avg", L(1, 2, 3, 4)) == "2.5" and show("avg", L(42)) == "42"
    assert show("avg", L(2, 4, 6)) == "4"
    assert "empty" in raises("ILO-R009", "avg", [])
    assert show("cumsum", L(1, 2, 3, 4)) == "[1, 3, 6, 10]"
    assert run("cumsum", []) == []
    raises("ILO-R009", "sum", ["1"])


def test_sum_is_plain_left_to_right():
    xs = [1e16, 1.0, -1e16]
    assert run("sum", xs) == 0.0  # a compensated sum would give 1.0


def test_median_quantile_stdev_variance():
    assert run("median", L(3, 1, 2)) == 2 and run("median", L(4, 1, 3, 2)) == 2.5
    assert run("quantile", L(1, 2, 3, 4, 5), 0.5) == 3
    assert run("quantile", L(1, 2, 3, 4), 0.25) == 1.75
    assert run("quantile", L(1, 2, 3), 7.0) == 3  # p clamps to [0, 1]
    assert run("quantile", L(9), 0.3) == 9
    assert run("variance", L(2, 4, 4, 4, 5, 5, 7, 9)) == pytest.approx(32 / 7)
    assert run("stdev", L(1, 2, 3, 4)) == pytest.approx(math.sqrt(5 / 3))
    assert "2 samples" in raises("ILO-R009", "stdev", L(1))
    raises("ILO-R009", "median", [])
    assert math.isnan(run("median", [1.0, math.nan]))


# ── maps ──────────────────────────────────────────────────────────────────────

def test_maps_corpus():
    m = run("mset", run("mmap"), "name", "alice")
    assert run("mget", m, "name") == "alice"
    assert run("mget", m, "zz") is None
    assert run("mhas", run("mset", IloMap(), "x", "1"), "x") is True
    m2 = run("mset", run("mset", IloMap(), "b", "2"), "a", "1")
    assert show("mkeys", m2) == "[a, b]"
    assert run("mhas", run("mdel", run("mset", IloMap(), "x", "1"), "x"), "x") is False
    vals = run("mvals", run("mset", run("mset", IloMap(), "b", 2.0), "a", 1.0))
    assert show("fmt", "{}", vals) == "[1, 2]"
    m3 = run("mdel", run("mset", run("mset", IloMap(), "a", 1.0), "b", 2.0), "a")
    assert show("mkeys", m3) == "[b]"
    assert type(run("mset", IloMap(), "a", 1.0)) is IloMap


def test_map_number_keys():
    m = run("mset", IloMap(), 7.9, "seven")
    assert run("mget", m, 7.0) == "seven" and run("mhas", m, "7") is False
    mixed = run("mset", run("mset", IloMap(), "b", 1.0), 2.0, 2.0)
    assert run("mkeys", mixed) == [2.0, "b"]  # integer keys first
    raises("ILO-R009", "mset", IloMap(), math.inf, 1.0)
    raises("ILO-R009", "mget", L(1), "a")


# ── JSON ──────────────────────────────────────────────────────────────────────

def test_jdmp():
    assert run("jdmp", L(1, 2, 3)) == "[1,2,3]"
    assert run("jdmp", 42.0) == "42"
    assert run("jdmp", "hello") == '"hello"'
    assert run("jdmp", Record("pt", {"y": 2.0, "x": 1.0})) == '{"x":1,"y":2}'
    m = run("mset", run("mset", IloMap(), "x", 1.0), 3.0, [True, None])
    assert run("jdmp", m) == '{"3":[true,null],"x":1}'
    assert run("jdmp", 1.5) == "1.5"
    assert run("jdmp", 1e15) == "1000000000000000.0"
    assert run("jdmp", 1e16) == "1e16"
    assert run("jdmp", 1.5e-7) == "1.5e-7"
    assert run("jdmp", math.nan) == "null"
    assert run("jdmp", Ok("a\n\"\x01")) == '"a\\n\\"\\u0001"'
    assert run("jdmp", FnVal("f")) == '"<fn:f>"'


def test_jpar_records_and_values():
    r = run("jpar", '{"b":{"label":"low"},"a":[1,2.5,null,true]}')
    assert isinstance(r, Ok) and r.value.type_name == "json"
    assert list(r.value.fields) == ["a", "b"]  # fields in key order
    assert display(r) == "~json {a: [1, 2.5, nil, true], b: json {label: low}}"
    assert run("jpar", '{"baseSeverity":"HIGH"}').value.fields["baseSeverity"] == "HIGH"
    assert run("jpar", "[1, 2]") == Ok(L(1, 2))
    assert run("jpar", '"x"') == Ok("x")
    raises("ILO-R009", "jpar", 1.0)


def test_jpar_errors_match_serde_json():
    assert run("jpar", "") == Err("EOF while parsing a value at line 1 column 0")
    assert run("jpar", "abc") == Err("expected value at line 1 column 1")
    assert run("jpar", "{\"a\":1,}") == Err("trailing comma at line 1 column 8")
    assert run("jpar", "[1 2]") == Err("expected `,` or `]` at line 1 column 4")
    assert run("jpar", "1 2") == Err("trailing characters at line 1 column 3")
    assert run("jpar", "{\n  \"a\" 1}") == Err("expected `:` at line 2 column 7")
    assert run("jpar", "NaN") == Err("expected value at line 1 column 1")
    assert run("jpar", "01") == Err("invalid number at line 1 column 2")


def test_jpth():
    assert run("jpth", '{"a":1}', "a") == Ok("1")
    assert run("jpth", '{"user":{"name":"bo"}}', "user.name") == Ok("bo")
    assert run("jpth", '{"items":[{"name":"x"}]}', "items.0.name") == Ok("x")
    assert run("jpth", '{"a":[1.0,{"z":1,"y":[]}]}', "a") == Ok('[1.0,{"y":[],"z":1}]')
    assert run("jpth", '{"a":1}', "b") == Err("key not found: b")
    assert run("jpth", '{"0":1}', "0") == Err("key not found: 0")
    assert run("jpth", "{", "a").value.startswith("EOF while parsing")
    raises("ILO-R009", "jpth", '{"a":1}', 1.0)


# ── regex ─────────────────────────────────────────────────────────────────────

def test_regex_corpus():
    assert show("rgx", r"\d+", "a1 b22 c333") == "[1, 22, 333]"
    assert show("rgx", r"\d+", "abc123def456") == "[123, 456]"
    assert show("rgxall", r"\d+", "a1 b22 c333") == "[[1], [22], [333]]"
    assert show("rgxall", "<h2>([^<]+)</h2>", "<h2>One</h2> <h2>Two</h2> <h2>Three</h2>") == \
        "[[One], [Two], [Three]]"
    assert show("rgxall", r"(\w+)=(\d+)", "x=1 y=22 z=333") == "[[x, 1], [y, 22], [z, 333]]"
    assert run("rgxall", r"\d+", "no digits here") == []
    assert show("rgxall1", r"\d+", "a1 b22 c333") == "[1, 22, 333]"
    assert show("rgxall1", "<h2>([^<]+)</h2>", "<h2>Foo</h2><h2>Bar</h2><h2>Baz</h2>") == "[Foo, Bar, Baz]"
    assert run("rgxsub", r"\d+", "X", "a1b22c333") == "aXbXcX"
    assert run("rgxsub", r"(\w+)-(\w+)", "$2-$1", "hello-world") == "world-hello"
    assert run("rgxsub", r"\d+", "X", "nodigits") == "nodigits"


def test_regex_semantics():
    assert run("rgx", r"(\d)(x)?", "a1b2") == ["1"]  # first match only, absent groups skipped
    assert run("rgxall", r"(a)|(b)", "ab") == [["a"], ["b"]]
    assert "2 capture groups" in raises("ILO-R009", "rgxall1", r"(a)(b)", "ab")
    assert run("rgxsub", "x*", "-", "abxd") == "-a-b-d-"  # Rust's empty-match rule
    assert run("rgxsub", r"(\w+)", "$1a", "hi") == ""  # $1a names group "1a"
    assert run("rgxsub", r"(\w+)", "${1}a", "hi") == "hia"
    assert run("rgxsub", r"(?P<w>\w+)", "<$w>", "hi yo") == "<hi> <yo>"
    assert run("rgxsub", r"\d", "$$", "a1") == "a$"
    assert run("rgxsub", r"\d", "$", "a1") == "a$"
    assert run("rgx", r"\w+", "café au lait") == ["café", "au", "lait"]  # Unicode \w
    assert run("rgx", r"[\d]+", "x٣4") == ["٣4"]
    assert run("rgx", r"^a", "ba") == []
    assert "invalid regex" in raises("ILO-R009", "rgx", "(", "x")


# ── time ──────────────────────────────────────────────────────────────────────

def test_dtfmt_dtparse_corpus():
    assert run("dtfmt", 0.0, "%Y-%m-%d") == Ok("1970-01-01")
    assert run("dtfmt", 1735689600.0, "%Y-%m-%d") == Ok("2025-01-01")
    assert run("dtparse", "1970-01-01", "%Y-%m-%d") == Ok(0.0)
    assert run("dtfmt", 99999999999999.0, "%Y") == Err("dtfmt: timestamp out of range (99999999999999)")
    assert run("dtfmt", math.inf, "%Y") == Err("dtfmt: epoch is not finite (inf)")


def test_dtfmt_specifiers():
    ts = 1700000000.0  # 2023-11-14 22:13:20 UTC, a Tuesday
    assert run("dtfmt", ts, "%Y-%m-%d %H:%M:%S").value == "2023-11-14 22:13:20"
    assert run("dtfmt", ts, "%a %A %b %B %e %j").value == "Tue Tuesday Nov November 14 318"
    assert run("dtfmt", ts, "%I %p %P %y %C %u %w").value == "10 PM pm 23 20 2 2"
    assert run("dtfmt", ts, "%F %T %D %R").value == "2023-11-14 22:13:20 11/14/23 22:13"
    assert run("dtfmt", ts, "%s %Z %z %:z %%").value == "1700000000 UTC +0000 +00:00 %"
    assert run("dtfmt", ts, "%G-W%V %U %W").value == "2023-W46 46 46"
    assert run("dtfmt", ts, "%c").value == "Tue Nov 14 22:13:20 2023"
    assert run("dtfmt", ts, "%-d/%-m %.3f").value == "14/11 .000"
    assert run("dtfmt", 1.9, "%S").value == "01"  # truncates to whole seconds
    assert run("dtfmt", -1.0, "%Y-%m-%d %H:%M:%S").value == "1969-12-31 23:59:59"
    assert run("dtfmt", 253402300800.0, "%Y").value == "+10000"  # years past 9999 carry a sign
    assert run("dtfmt", 0.0, "%+").value == "1970-01-01T00:00:00+00:00"


def test_dtparse_forms_and_errors():
    assert run("dtparse", "2024-01-15", "%Y-%m-%d") == Ok(1705276800.0)
    assert run("dtparse", "2024-01-15 10:30", "%Y-%m-%d %H:%M") == Ok(1705314600.0)
    assert run("dtparse", "15 Jan 2024", "%d %b %Y") == Ok(1705276800.0)
    assert run("dtparse", "January 15, 2024", "%B %d, %Y") == Ok(1705276800.0)
    assert run("dtparse", "1700000000", "%s") == Ok(1700000000.0)
    assert run("dtparse", "03:04:05 PM 2024-01-01", "%I:%M:%S %p %Y-%m-%d") == Ok(1704121445.0)
    assert run("dtparse", "abc", "%Y-%m-%d") == Err("dtparse: input contains invalid characters")
    assert run("dtparse", "2024-01", "%Y-%m-%d") == Err("dtparse: premature end of input")
    assert run("dtparse", "2024-01-15x", "%Y-%m-%d") == Err("dtparse: trailing input")
    assert run("dtparse", "2024-02-30", "%Y-%m-%d") == Err("dtparse: input is out of range")
    assert run("dtparse", "2024-13-01", "%Y-%m-%d") == Err("dtparse: input is out of range")
    assert run("dtparse", "2024", "%Y") == Err("dtparse: input is not enough for unique date and time")
    assert run("dtparse", "Mon 2024-01-15", "%a %Y-%m-%d") == Ok(1705276800.0)
    assert run("dtparse", "Tue 2024-01-15", "%a %Y-%m-%d") == \
        Err("dtparse: no possible date and time matching input")


def test_now_and_sleep():
    import time as _t

    t0 = _t.time()
    assert abs(run("now") - t0) < 5
    start = _t.monotonic()
    assert run("sleep", 20.0) is None
    assert _t.monotonic() - start >= 0.015
    assert run("sleep", -1.0) is None and run("sleep", math.nan) is None
    raises("ILO-R009", "sleep", "1")


# ── I/O ───────────────────────────────────────────────────────────────────────

def test_prnt_writes_through_ctx_and_passes_value_through():
    ctx = FakeCtx()
    assert call("prnt", ctx, [L(1, 2)]) == L(1, 2)
    assert call("prnt", ctx, [Ok("x")]) == Ok("x")
    assert call("prnt", ctx, [42.0]) == 42.0
    assert ctx.out == ["[1, 2]\n", "~x\n", "42\n"]


def test_env(monkeypatch):
    monkeypatch.setenv("ILO_TEST_VAR", "v1")
    monkeypatch.delenv("ILO_TEST_UNSET", raising=False)
    assert run("env", "ILO_TEST_VAR") == Ok("v1")
    assert run("env", "ILO_TEST_UNSET") == Err("env var 'ILO_TEST_UNSET' not set")


def test_file_roundtrips(tmp_path):
    p = str(tmp_path / "t.txt")
    assert run("wr", p, "hello") == Ok(p)
    assert run("rd", p) == Ok("hello")
    lp = str(tmp_path / "lines.txt")
    assert run("wrl", lp, ["a", "b", "c"]) == Ok(lp)
    assert open(lp).read() == "a\nb\nc\n"
    assert run("len", run("rdl", lp).value) == 3
    jl = str(tmp_path / "x.jsonl")
    run("wrl", jl, ['{"k":1}', '{"k":2}', "", "oops"])
    got = run("rdjl", jl)
    assert len(got) == 3 and isinstance(got[2], Err)
    assert got[0].value.fields == {"k": 1.0}
    missing = str(tmp_path / "nope.txt")
    assert run("rd", missing) == Err("No such file or directory (os error 2)")
    assert run("rdl", missing).value.endswith("(os error 2)")
    assert "rdjl failed to read" in raises("ILO-R009", "rdjl", missing)
    raises("ILO-R009", "wrl", p, [1.0])
    raises("ILO-R009", "rd", 1.0)


def test_rd_formats(tmp_path):
    c = tmp_path / "d.csv"
    c.write_text('name,n\r\n"a, b",1\n"say ""hi""",2\n')
    assert run("rd", str(c)) == Ok([["name", "n"], ["a, b", "1"], ['say "hi"', "2"]])
    assert run("rd", str(c), "raw").value.startswith("name,n")
    j = tmp_path / "d.JSON"
    j.write_text('{"x": [1]}')
    assert run("rd", str(j)).value == Record("json", {"x": [1.0]})
    assert run("rd", str(j), "json").value == Record("json", {"x": [1.0]})
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert run("rd", str(bad)) == Err("EOF while parsing an object at line 1 column 1")
    assert run("rdb", "a\tb\nc\td", "tsv") == Ok([["a", "b"], ["c", "d"]])
    assert display(run("rdb", "a,1\nb,2", "csv").value) == "[[a, 1], [b, 2]]"
    assert run("rdb", "[1]", "json") == Ok(L(1))
    assert run("rdb", "x", "yaml") == Ok("x")


def test_wr_formats(tmp_path):
    p = str(tmp_path / "o.json")
    m = run("mset", run("mset", IloMap(), "x", 1.0), "y", 2.0)
    assert run("wr", p, m, "json") == Ok(p)
    assert open(p).read() == '{"x":1,"y":2}'
    assert json.loads(open(p).read()) == {"x": 1, "y": 2}
    c = str(tmp_path / "o.csv")
    run("wr", c, [["a,b", 1.0, True], ['q"', None, 2.5]], "csv")
    assert open(c).read() == '"a,b",1,true\n"q""",,2.5\n'
    t = str(tmp_path / "o.tsv")
    run("wr", t, [Record("r", {"b": 2.0, "a": "x"}), Record("r", {"a": "y", "b": 3.0})], "tsv")
    assert open(t).read() == "a\tb\nx\t2\ny\t3\n"
    raises("ILO-R009", "wr", p, "x", "xml")
    raises("ILO-R009", "wr", p, [1.0], "csv")
    raises("ILO-R009", "wr", p, 5.0)
    assert run("wr", str(tmp_path / "no" / "dir.txt"), "x").value.endswith("(os error 2)")


# ── HTTP (local loopback server only) ─────────────────────────────────────────

class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/missing":
            self._reply(404, b"nope")
        elif self.path == "/binary":
            self._reply(200, b"\xff\xfe")
        else:
            self._reply(200, f"got {self.path} {self.headers.get('x-api-key')}".encode())

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self._reply(200, b"posted " + body)

    def _reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_get_post_get_many(server):
    assert run("get", server + "/a") == Ok("got /a None")
    h = run("mset", IloMap(), "x-api-key", "secret")
    assert run("get", server + "/a", h) == Ok("got /a secret")
    assert run("get", server + "/missing") == Ok("nope")  # any status is a response
    assert run("get", server + "/binary").value.startswith("response is not valid UTF-8")
    assert run("post", server + "/p", "body") == Ok("posted body")
    assert run("post", server + "/p", "b2", h) == Ok("posted b2")
    urls = [f"{server}/{i}" for i in range(12)]
    got = run("get-many", urls)
    assert [r.value for r in got] == [f"got /{i} None" for i in range(12)]
    assert run("get-many", []) == []
    raises("ILO-R009", "get-many", [1.0])
    raises("ILO-R009", "get", server, L(1))


def test_get_transport_failure_is_err():
    r = run("get", "http://127.0.0.1:9/unreachable")
    assert isinstance(r, Err) and isinstance(r.value, str)
    assert isinstance(run("get", "not a url"), Err)


# ── linear algebra and FFT ────────────────────────────────────────────────────

def test_linalg_corpus():
    assert show("det", [L(1, 0), L(0, 1)]) == "1"
    assert show("det", [L(2, 1), L(1, 3)]) == "5"
    assert show("solve", [L(1, 1), L(1, -1)], L(3, 1)) == "[2, 1]"
    assert show("inv", [L(2, 0), L(0, 2)]) == "[[0.5, 0], [0, 0.5]]"
    assert run("det", [L(1, 2), L(2, 4)]) == 0.0
    assert "singular" in raises("ILO-R009", "inv", [L(1, 2), L(2, 4)])
    assert "square" in raises("ILO-R009", "det", [L(1, 2)])
    raises("ILO-R009", "solve", [L(1)], L(1, 2))
    assert run("det", [L(0, 1), L(1, 0)]) == -1.0


def test_matmul_transpose_dot():
    assert run("matmul", [L(1, 2), L(3, 4)], [L(5, 6), L(7, 8)]) == [L(19, 22), L(43, 50)]
    assert "shape mismatch" in raises("ILO-R009", "matmul", [L(1, 2)], [L(1, 2)])
    assert run("transpose", [L(1, 2, 3), L(4, 5, 6)]) == [L(1, 4), L(2, 5), L(3, 6)]
    assert run("transpose", []) == []
    raises("ILO-R009", "transpose", [L(1), L(1, 2)])
    assert run("dot", L(1, 2, 3), L(4, 5, 6)) == 32
    raises("ILO-R009", "dot", L(1), L(1, 2))


def test_fft_corpus():
    assert show("fft", L(1, 0, 0, 0)) == "[[1, 0], [1, 0], [1, 0], [1, 0]]"
    assert show("ifft", run("fft", L(1, 2, 3, 4))) == "[1, 2, 3, 4]"
    assert show("ifft", run("fft", L(1, 2, 3))) == "[1, 2, 3, 0]"
    spec = run("fft", L(0, 1, 0, -1))
    assert spec[1][1] == pytest.approx(-2.0) and spec[3][1] == pytest.approx(2.0)
    raises("ILO-R009", "fft", [])
    raises("ILO-R009", "ifft", [L(1)])


# ── properties ────────────────────────────────────────────────────────────────

from decimal import ROUND_HALF_UP, Decimal  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

finite = st.floats(allow_nan=False, allow_infinity=False)
small_ints = st.integers(min_value=-12, max_value=12).map(float)
num_lists = st.lists(st.integers(-100, 100).map(float), max_size=10)


@settings(max_examples=200, deadline=None)
@given(num_lists, small_ints, small_ints)
def test_slc_take_drop_follow_python_slices(xs, a, b):
    assert run("slc", xs, a, b) == xs[int(a):int(b)]
    assert run("take", a, xs) == xs[:int(a)]
    assert run("drop", a, xs) == xs[int(a):]


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e15, max_value=1e15))
def test_rou_is_half_away_from_zero(x):
    expected = float(Decimal(x).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert run("rou", x) == expected


@settings(max_examples=300, deadline=None)
@given(finite)
def test_str_then_num_roundtrips(x):
    assert run("num", run("str", x)) == Ok(x)


json_values = st.recursive(
    st.none() | st.booleans() | st.text(max_size=8)
    # serde_json's default float reader is exact for short significands and
    # small exponents only (it scales by powers of ten), as upstream is.
    | st.floats(-1e9, 1e9).filter(lambda x: x == 0 or abs(x) > 1e-6).map(lambda x: float(f"{x:.12g}")),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4).map(lambda d: Record("json", dict(sorted(d.items())))),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_jdmp_then_jpar_roundtrips(v):
    text = run("jdmp", v)
    json.loads(text)  # always valid JSON
    assert run("jpar", text) == Ok(v)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c"]) | st.integers(0, 3).map(float), max_size=12))
def test_unq_and_frq_agree(xs):
    uniq = run("unq", xs)
    assert len(uniq) == len(set(map(repr, xs)))
    counts = run("frq", xs)
    assert sum(counts.values()) == len(xs)
