"""Static checks: certain type errors are caught with a code and a hint;
programs whose types are uncertain are never rejected."""

import pytest

from ilo.api import load_program
from ilo.diagnostics.errors import IloCheckError


@pytest.mark.parametrize("src, code, hint_part", [
    ('f x:n>t;+x "a"', "ILO-T009", "str"),
    ("f x:t>n;*x 2", "ILO-T009", "num"),
    ("g a:n>n;*a 2\nf s:t>n;g s", "ILO-T007", "num"),
    ('f>n;"abc"', "ILO-T008", None),
    ("g a:n>n;*a 2\nf>R n t;v=g! 1;~v", "ILO-T025", "without"),
    ("g a:n>R n t;~a\nf>n;v=g! 1;v", "ILO-T026", "!!"),
    ("type pt{x:n;y:n}\nf p:pt>n;p.xx", "ILO-T019", "'x'"),
    ('f x:n>b;>x "a"', "ILO-T010", None),
    ('f x:n>t;?x{1:"one"}', "ILO-T024", "_"),
    ("f x:R n t>n;?x{~v:v}", "ILO-T024", "missing"),
    ("f x:b>n;v=?x{true:1};v", "ILO-T024", "missing"),
])
def test_certain_type_errors(src, code, hint_part):
    with pytest.raises(IloCheckError) as e:
        load_program(src)
    assert e.value.code == code
    assert e.value.span is not None
    if hint_part:
        assert hint_part in (e.value.hint or "") + e.value.extra.get("suggestion", "")


@pytest.mark.parametrize("src", [
    "f x:_>n;+x 1",                        # any-typed: unknown, not rejected
    "f a:a b:a>a;+a b",                    # type variables
    'f>t;x=1;x="s";x',                     # rebinding with another type: unknown
    "type pt{x:n;y:n}\nf p:pt>n;p.?zz??0",  # safe access is allowed to miss
    "f xs:L n>n;s=0;@x xs{s=+s x};s",
    'g a:n>R n t;~a\nf>R n t;v=g! 1;~v',
    'g a:n>R n t;~a\nf>n;v=g!! 1;v',
    "f x:S a b>t;x",
    'f x:n>t;?x{1:"one";_:"other"}',
    'f x:n>t;?x{n v:"num"}',
    "f x:R n t>n;?x{~v:v;^e:0}",
    "f x:b>n;?x{true:1;false:0}",
    "f x:_>n;?x{1:1}",
])
def test_uncertain_programs_are_accepted(src):
    load_program(src)


# ---- warnings: values thrown away ----

from ilo.checks.warnings import find_warnings  # noqa: E402


@pytest.mark.parametrize("src, code", [
    ('f x:n>t;fmt "a{}" x;"done"', "ILO-T032"),
    ("f>L n;xs=[];@i 0..3{+=xs i};xs", "ILO-T033"),
    ('f>M t n;m=mmap;mset m "a" 1;m', "ILO-T033"),
    ('f>M t n;m=mmap;@i 0..2{mdel m "a"};m', "ILO-T033"),
])
def test_dropped_values_warn(src, code):
    (w,) = find_warnings(load_program(src))
    assert w.code == code and w.severity == "warning" and w.exit_code == 0 and w.hint


@pytest.mark.parametrize("src", [
    'f x:n>t;fmt "a{}" x',
    "f>L n;xs=[];@i 0..3{xs=+=xs i};xs",
    'f>M t n;m=mmap;mset m "a" 1',
    'f x:n>t;>x 0{fmt "p{}" x}{"neg"}',
    'f x:n>t;prnt fmt "a{}" x;"ok"',
])
def test_values_that_flow_out_do_not_warn(src):
    assert find_warnings(load_program(src)) == []
