"""Verifier parity: each static code fires on the programs that must get it,
and stays silent on near misses that run.

The cases are written from the language rules (SPEC.md, ``ilo --explain``).
Every rejected program would certainly fail (or misbehave) when run; every
near miss differs from it by the one thing that makes it valid, or by hiding
the type so the verifier cannot be sure.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from ilo.api import load_program
from ilo.checks import builtin_sigs
from ilo.checks.tys import NIL, UNK, compatible, parse_type_text
from ilo.diagnostics.errors import IloCheckError, IloRuntimeError
from ilo.runtime.builtins import BUILTINS
from ilo.runtime.values import IloMap, Ok

PT = "type pt{x:n;y:n}\n"

REJECTED = [
    # T003: unknown type names
    ("f x:shape>n;1", "ILO-T003"),
    ("f>L shape;[]", "ILO-T003"),
    (PT + "f c:n>n;v=?c 1 \"a\";1", "ILO-T003"),            # `?` branches n and t
    # T005: calling a local that holds no function
    ("f x:n>n;x 1", "ILO-T005"),
    # T007: user function argument
    ("g xs:L n>n;len xs\nf>n;g [\"a\"]", "ILO-T007"),
    ("g p:F n n>n;p 1\nh s:t>t;s\nf>n;g h", "ILO-T007"),
    ("g a:n>n;a\nf>n;s=\"x\";g s", "ILO-T007"),
    # T006 / T007 through a function-typed parameter
    ("f g:F n n>n;g 1 2", "ILO-T006"),
    ("f g:F n n>n;g \"a\"", "ILO-T007"),
    # T008: return type
    ("f xs:L n>t;hd xs", "ILO-T008"),
    ("f>R n t;5", "ILO-T008"),
    (PT + "f p:pt>t;p.x", "ILO-T008"),
    # T009: arithmetic and `+`
    ("f xs:L n>n;*xs 2", "ILO-T009"),
    ("f>n;xs=[1];+xs 1", "ILO-T009"),
    ("f xs:L n>t;s=0;@x xs{s=+s x};upr s", "ILO-T013"),   # an accumulator keeps its type
    ("f xs:L n>L t;map (x:n>n;*x 2) xs", "ILO-T008"),     # map's list has the lambda's result type
    # T010: ordering
    ("f a:L n b:L n>b;<a b", "ILO-T010"),
    # T011: `+=`
    ("f x:n>L n;+=x 1", "ILO-T011"),
    ("f xs:L n>L n;+=xs \"a\"", "ILO-T011"),
    # T012: negation
    ("f s:t>n;-s", "ILO-T012"),
    ("f>n;b=true;-b", "ILO-T012"),
    # T013: builtin arguments, from the runtime registry's signatures
    ("f x:n>t;upr x", "ILO-T013"),
    ("f xs:L t>n;sum xs", "ILO-T013"),
    ("f s:t>t;str s", "ILO-T013"),
    ("f>n;s=sum [1,2];r=num s;0", "ILO-T013"),
    ("f s:t>t;padl s \"3\"", "ILO-T013"),
    ("f xs:L n>L n;map 5 xs", "ILO-T013"),
    ("f s:t>L t;spl s 1", "ILO-T013"),
    ("f x:n>n;len x", "ILO-T013"),
    ("f x:n>n;hd x", "ILO-T013"),
    ("f xs:L t>n;min xs", "ILO-T013"),
    ("f x:n>n;srt x", "ILO-T013"),
    # T014: loops
    ("f s:t>n;c=0;@x s{c=+c 1};c", "ILO-T014"),
    ("f s:t>n;c=0;@i 0..s{c=+c 1};c", "ILO-T014"),
    # T015-T017: record literals
    (PT + "f>pt;pt x:1", "ILO-T015"),
    (PT + "f>pt;pt x:1 y:2 z:3", "ILO-T016"),
    (PT + "f>pt;pt x:\"1\" y:2", "ILO-T017"),
    # T018, T019: fields
    ("f x:n>n;x.val", "ILO-T018"),
    ("f>n;r=num \"1\";r.v", "ILO-T018"),
    (PT + "f p:pt>n;p.z", "ILO-T019"),
    (PT + "f>n;p=pt x:1 y:2;p.z", "ILO-T019"),
    (PT + "f p:pt>n;{x;z}=p;x", "ILO-T019"),
    # T020-T022: with
    ("f xs:L n>L n;xs with x:1", "ILO-T020"),
    (PT + "f p:pt>pt;p with z:1", "ILO-T021"),
    (PT + "f p:pt>pt;p with x:\"a\"", "ILO-T022"),
    # T023: index
    ("f x:n>n;x.0", "ILO-T023"),
    ("f s:t>t;s.0", "ILO-T023"),
    # T024: exhaustiveness, subject typed by inference too
    ("f s:t>n;r=num s;?r{~v:v}", "ILO-T024"),
    ("f x:S red green>n;?x{\"red\":1}", "ILO-T024"),
    (PT + "f p:pt>n;?p{1:1}", "ILO-T024"),
    # T025, T026: auto-unwrap
    ("g>n;1\nf>R n t;v=g!;~v", "ILO-T025"),
    ("f s:t>n;v=upr! s;1", "ILO-T025"),
    ("f s:t>n;num! s", "ILO-T026"),
    ("g>O n;nil\nf>n;v=g!;v", "ILO-T026"),
    # T001 for aliases; T027 for a builtin left uncalled
    ("alias res R n t\nalias res L n\nf>n;1", "ILO-T001"),
    ("alias pt n\n" + PT + "f>n;1", "ILO-T001"),
    ("f x:n>n;>=x 0 len;x", "ILO-T027"),
    # T030, T031: aliases
    ("alias aa bb\nalias bb aa\nf>n;1", "ILO-T030"),
    ("alias n t\nf>n;1", "ILO-T031"),
    # T034: `!` after a value
    ("f s:t>R n t;r=num s;r!", "ILO-T034"),
    ("f x:n>n;x!!", "ILO-T034"),
]

ACCEPTED = [
    "f x:pt>n;x.x\ntype pt{x:n;y:n}",               # a type declared after its use
    "alias ids L n\nf xs:ids>n;len xs",              # aliases resolve
    "f x:a>a;x",                                     # type variables
    "f c:b>O n;?c 1 nil",                            # nil in one `?` branch
    "f>n;g=abs;g -3",                                # a local holding a function
    "g a:n>n;a\nf>n;x=5;x=\"s\";g 1",                # a rebound name becomes unknown
    "g a:n>n;a\nf x:_>n;g x",                        # `_` accepts anything
    "f xs:L n>t;x=hd xs;str x",                      # hd of a list of n is n
    "f s:t>t;hd s",                                  # hd of text is text
    "f s:t>t;srt s",                                 # srt sorts text too
    "f>n;m=mset mmap \"a\" 1;m.a",                   # maps allow field access
    "f>n;m=mset mmap \"a\" 1;v=mget m \"a\";v ?? 0",
    "f x:n>n;x.?val??0",                             # `.?` is the dynamic escape hatch
    "f xs:L n i:n>n;xs.i",                           # `.i` with a bound i indexes
    "f s:t>R n t;v=num! s;~v",
    "f s:t>n;num!! s",
    "g>O n;nil\nf>O n;v=g!;v",
    "f s:t>R n t;r=num s;?r{~v:~v;^e:^e}",
    "f x:S red green>n;?x{\"red\":1;\"green\":2}",
    "f s:t>n;c=0;cs=chars s;@x cs{c=+c 1};c",
    "f xs:L n>L n;ys=+=xs 1;ys",
    "f>L _;xs=[];xs=+=xs \"a\";xs=+=xs 1;xs",        # an empty list takes anything
    "f a:n b:n>n;v=&a b;v",                          # `&` yields an operand, not a bool
    "f xs:L n>L n;map (x:n>n;*x 2) xs",
    "f xs:L n k:n>L n;map (x:n>n;+x k) xs",
    "f xs:L n>L n;flt (x:n>b;>x 1) xs",
    "f>n;fld (a:n b:n>n;+a b) [1,2] 0",
    "f xs:L n>L n;srt (x:n>n;-0 x) xs",
    "f>t;fmt \"{} {}\" 1 \"a\"",
    "f s:t>t;padl s 3",
    "f>n;r=rnd;*r 2",
    "f x:n>t;?x{1:\"one\";n v:\"num\"}",
    "f g:F n n>n;g 1",
    "f xs:L n>n;hd xs",
    "f a:t b:t>t;+a b",
    "f a:L n b:L t>L _;+a b",
    "f a:t b:t>b;<a b",
    "f x:n>n;-x",
    PT + "f>pt;pt x:1 y:2",
    PT + "f p:pt>n;p.y",
    PT + "f p:pt>n;{x;y}=p;+x y",
    PT + "f p:pt>pt;p with x:3",
    "f xs:L n>n;xs.0",
    "f s:t>t;at s 0",
    "f x:n>n;>=x 0 now;x",                           # a builtin that takes no arguments
    "f len:n x:n>n;>=x 0 len;x",                     # a local shadowing a builtin
]


@pytest.mark.parametrize("src, code", REJECTED)
def test_rejected_statically(src, code):
    with pytest.raises(IloCheckError) as info:
        load_program(src)
    err = info.value
    assert err.code == code, err
    assert err.span is not None and err.hint


@pytest.mark.parametrize("src", ACCEPTED)
def test_near_misses_are_accepted(src):
    load_program(src)


def test_type_errors_are_reported_before_the_entry_arguments(tmp_path):
    prog = tmp_path / "p.ilo"
    prog.write_text("main x:n>t;upr x\n")
    res = subprocess.run([sys.executable, "-m", "ilo", "--json", str(prog)], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2
    assert "ILO-T013" in res.stderr and "ILO-R004" not in res.stderr


def test_unreachable_code_warns():
    from ilo.checks.warnings import find_warnings

    warnings = find_warnings(load_program("f x:n>n;ret x;*x 2"))
    assert [w.code for w in warnings] == ["ILO-T029"]
    assert not find_warnings(load_program("f x:n>n;>x 1{ret x};*x 2"))


# ---- the verifier's builtin signatures are the runtime's ----

class _Ctx:
    """Calls back with a result the builtin accepts (a bool for predicates...)."""

    def __init__(self, name=""):
        self.result = CALLBACK_RESULTS.get(name, 0.0)

    def call(self, fn, args):
        return self.result

    def write_stdout(self, text):
        pass


# A value of each kind, and the type the verifier gives it.
KINDS = [
    (1.0, ("n",)), ("a", ("t",)), (True, ("b",)), (None, NIL),
    ([1.0], ("L", ("n",))), (["a"], ("L", ("t",))), (IloMap(), ("M", UNK, UNK)),
]
VALID = {"n": 1.0, "t": "a", "b": True, "L n": [1.0], "L t": ["a"], "L (L n)": [[1.0]],
         "L _": [1.0], "M t t": IloMap(), "M _ _": IloMap(), "_": [1.0]}
# Forms whose generic sample arguments would fail for another reason.
VALID_FORMS = {
    ("at", 2): [[1.0], 0.0], ("lst", 3): [[1.0], 0.0, 2.0], ("ifft", 1): [[[1.0, 0.0]]],
    ("stdev", 1): [[1.0, 2.0]], ("variance", 1): [[1.0, 2.0]],
    ("mget", 2): [IloMap(), "a"], ("mhas", 2): [IloMap(), "a"], ("mdel", 2): [IloMap(), "a"],
    ("mset", 3): [IloMap(), "a", 1.0],
}
CALLBACK_RESULTS = {"ct": True, "flt": True, "partition": True, "flatmap": [1.0], "mapr": Ok(1.0)}
SIDE_EFFECTS = {"get", "post", "get-many", "rd", "rdl", "rdb", "rdjl", "wr", "wrl", "env", "sleep", "prnt"}


def _rejections():
    """(builtin, argument count, position, bad value) for every argument kind the
    verifier rejects, in every form of the builtin."""
    for name, spec in sorted(BUILTINS.items()):
        if name in SIDE_EFFECTS:
            continue
        for nargs in spec.arities or (len(spec.params),):
            for pos, i in enumerate(builtin_sigs.positions(spec, nargs)):
                want = parse_type_text(spec.params[i]) if i >= 0 else UNK
                if i in spec.fn_slots or want == UNK:
                    continue
                for value, t in KINDS:
                    if not compatible(want, t):
                        yield name, nargs, pos, value


def _args(spec, nargs):
    """Valid arguments for the ``nargs`` form of a builtin."""
    if (spec.name, nargs) in VALID_FORMS:
        return list(VALID_FORMS[spec.name, nargs])
    idx = builtin_sigs.positions(spec, nargs)
    return [("abs" if i in spec.fn_slots else VALID.get(spec.params[i], 1.0)) for i in idx] or [None] * nargs


@pytest.mark.parametrize("name, nargs, pos, bad", list(_rejections()))
def test_runtime_rejects_what_the_verifier_rejects(name, nargs, pos, bad):
    spec = BUILTINS[name]
    args = _args(spec, nargs)
    args[pos] = bad
    with pytest.raises(IloRuntimeError):
        spec.fn(_Ctx(name), args)


@pytest.mark.parametrize("name, nargs", sorted({(n, k) for n, k, _, _ in _rejections()}))
def test_the_valid_form_runs(name, nargs):
    # Without this, a rejection above could pass because another argument was bad.
    BUILTINS[name].fn(_Ctx(name), _args(BUILTINS[name], nargs))


def _accepts_rejections():
    for (name, nargs, pos), allowed in sorted(builtin_sigs.ACCEPTS.items()):
        for value, t in KINDS:
            if not any(compatible(parse_type_text(a), t) for a in allowed):
                yield name, nargs, pos, value


@pytest.mark.parametrize("name, nargs, pos, bad", list(_accepts_rejections()))
def test_runtime_rejects_what_accepts_excludes(name, nargs, pos, bad):
    args = _args(BUILTINS[name], nargs)
    args[pos] = [1.0]  # every ACCEPTS entry takes a list of numbers
    BUILTINS[name].fn(_Ctx(name), list(args))
    args[pos] = bad
    with pytest.raises(IloRuntimeError):
        BUILTINS[name].fn(_Ctx(name), args)


def test_shorter_forms_follow_the_documented_positions():
    # A builtin without function arguments accepts prefixes of its longest form.
    for spec in BUILTINS.values():
        if spec.arities and not spec.fn_slots and len(spec.params) > 1:
            assert max(spec.arities) == len(spec.params), spec.name
    assert builtin_sigs.positions(BUILTINS["map"], 2) == [0, 2]
    assert builtin_sigs.positions(BUILTINS["fld"], 3) == [0, 2, 3]
    assert builtin_sigs.positions(BUILTINS["padl"], 2) == [0, 1]
