"""Garbage in, one clean diagnostic out: the front end never raises anything
but an ilo diagnostic, whatever text it is given."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilo.api import load_program
from ilo.diagnostics.errors import IloError

TOKENS = ["f", "x", "xs", "main", "n", "t", "b", "L", "R", "M", "O", "F", "S", ">", "<", ">=", "=",
          "!=", "+", "-", "*", "/", "+=", "&", "|", "!", "!!", "?", "??", ">>", "@", "^", "~", "$",
          ":", ";", ",", ".", ".?", "..", "{", "}", "(", ")", "[", "]", "_", "0", "1", "-2", "3.5",
          '"s"', "wh", "ret", "brk", "cnt", "type", "tool", "use", "with", "true", "nil", "len",
          "map", "fld", "srt", "fmt", "mset", "mmap", " ", "\n", "\n  ", "--c\n", "if", "let"]

programs = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)
noise = st.text(alphabet=string.printable + "é🙂\t", max_size=60)


def _front_end_ok(src):
    try:
        load_program(src)
    except IloError as err:
        assert err.code.startswith("ILO-") and err.message
    except RecursionError:
        raise AssertionError(f"RecursionError on {src!r}")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_token_soup_gives_only_diagnostics(src):
    _front_end_ok(src)


@settings(max_examples=300, deadline=None)
@given(noise)
def test_random_text_gives_only_diagnostics(src):
    _front_end_ok(src)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=20).map("".join))
def test_function_bodies_give_only_diagnostics(body):
    _front_end_ok("f x:n xs:L n>n;" + body)
