"""Parser: arity-directed calls, prefix nesting, statements, spans, errors."""

import pytest

from ilo.diagnostics.errors import IloParseError
from ilo.syntax import ast as A
from ilo.syntax.lexer import lex
from ilo.syntax.parser import parse


def body(src, name=None):
    prog = parse(src)
    fns = [d for d in prog.decls if isinstance(d, A.FnDecl) and not d.lifted]
    fn = fns[0] if name is None else next(d for d in fns if d.name == name)
    return fn.body


def expr(src, name=None):
    st = body(src, name)[-1]
    assert isinstance(st, A.ExprS), st
    return st.expr


def test_lexer_numbers_idents_strings():
    toks = lex('f-x 1.5e3 -2 "a\\tb\\q" run-d')
    kinds = [(t.kind, t.value) for t in toks]
    assert kinds[0] == ("ident", "f-x")
    assert kinds[1] == ("num", 1500.0)
    assert kinds[2] == ("num", -2.0)
    assert kinds[3] == ("str", "a\tb\\q")
    assert kinds[4] == ("ident", "run-d")


def test_lexer_splits_negative_literal_after_statement_start():
    toks = lex("f>n;-3 1")
    assert [t.kind for t in toks][-3:] == ["-", "num", "num"]


def test_lexer_comment_and_layout():
    toks = lex("f>n -- note\n  a=1\n  a\ng>n;2")
    kinds = [t.kind for t in toks]
    assert kinds.count("nl") == 1
    assert ";" in kinds


def test_lexer_rejects_camel_and_underscore():
    with pytest.raises(IloParseError) as e:
        lex("runD>n;1")
    assert e.value.code == "ILO-L003"
    with pytest.raises(IloParseError) as e:
        lex("f>n;my_var=1")
    assert e.value.code == "ILO-L002"


def test_prefix_nesting_binds_left():
    e = expr("f a:n b:n c:n>n;+*a b c")
    assert e.op == "+" and e.left.op == "*" and isinstance(e.right, A.Ref)


def test_call_consumes_declared_arity():
    e = expr("g a:n b:n>n;+a b\nf x:n>n;g x 1", "f")
    assert isinstance(e, A.Call) and e.name == "g" and len(e.args) == 2


def test_known_arity_call_inside_operator():
    e = expr("f q:L n>b;>len q 0")
    assert e.op == ">" and isinstance(e.left, A.Call) and e.left.name == "len"


def test_minus_unary_and_binary():
    assert isinstance(expr("f x:n>n;-x"), A.Neg)
    e = expr("f x:n>n;-x 1")
    assert isinstance(e, A.BinOp) and e.op == "-"


def test_braceless_guard_and_ternaries():
    st = body('f x:n>t;>x 0 "pos";"neg"')[0]
    assert isinstance(st, A.Guard) and st.braceless
    st = body('f x:n>t;=x 1{"yes"}{"no"}')[0]
    assert isinstance(st, A.Guard) and st.else_body is not None
    assert isinstance(expr("f x:n>n;?=x 0 10 20"), A.Ternary)
    assert isinstance(expr("f h:b>n;?h 1 0"), A.Ternary)


def test_match_arms():
    st = body('f x:R n t>n;?x{~v:v;^e:0}')[0]
    assert isinstance(st, A.MatchS)
    assert [a.pattern.kind for a in st.arms] == ["ok", "err"]


def test_loops_and_control():
    stmts = body("f>n;s=0;@i 0..5{>=i 3{brk};s=+s i};wh <s 100{s=*s 2};s")
    assert isinstance(stmts[1], A.ForRange) and isinstance(stmts[2], A.While)


def test_pipe_desugars_to_call():
    e = expr("f x:n>n;str x>>len")
    assert isinstance(e, A.Call) and e.name == "len" and e.args[0].name == "str"


def test_lambda_lifted_with_capture():
    prog = parse("f xs:L n t:n>L n;flt (x:n>b;>x t) xs")
    lifted = [d for d in prog.decls if isinstance(d, A.FnDecl) and d.lifted]
    assert len(lifted) == 1 and [p.name for p in lifted[0].params] == ["x", "t"]


def test_record_type_and_construction():
    prog = parse("type pt{x:n;y:n}\nmk>pt;pt x:1 y:2")
    assert "pt" in prog.types
    e = prog.functions["mk"].body[0].expr
    assert isinstance(e, A.RecordE) and [n for n, _ in e.fields] == ["x", "y"]


def test_field_access_forms():
    e = expr("f r:_>n;r.?userName")
    assert isinstance(e, A.Field) and e.safe and e.name == "userName"
    e = expr("f xs:L n>n;xs.0")
    assert isinstance(e, A.Index) and e.index == 0


def test_spans_point_into_source():
    src = "f x:n>n;+x 1"
    st = body(src)[0]
    assert src[st.span.start:st.span.end] == "+x 1"


@pytest.mark.parametrize("src, code", [
    ("flat n:n>n;n", "ILO-P011"),
    ("f>n;len=3;len", "ILO-P011"),
    ("main:>n;1", "ILO-P003"),
    ("f>n;=<1 2", "ILO-P003"),
    ("f>n;&&1 2", "ILO-P003"),
    ("f a:n b:n c:n d:n>n;- -*a b *c d", "ILO-P021"),
    ("f x:n>n;+x", "ILO-P010"),
    ("f x:n\ng>n;1", "ILO-P020"),
    ("f>n;[1;2]", "ILO-P009"),
    ("f>n;if=1", "ILO-P011"),
])
def test_parse_errors_have_codes(src, code):
    with pytest.raises(IloParseError) as e:
        parse(src)
    assert e.value.code == code
    assert e.value.span is not None


# ---- the lark LALR structure pass ----

from ilo.syntax.structure import FnHeader, parse_structure  # noqa: E402


def structure(src):
    return parse_structure(lex(src), src)


def test_structure_reads_headers_and_types():
    (fn,) = structure("f a:L n b:R n t c:M t (L n) d:F n b e:O pt>S red green;a")
    assert isinstance(fn, FnHeader) and fn.name == "f"
    assert [p.type for p in fn.params] == [
        ("L", ("n",)), ("R", ("n",), ("t",)), ("M", ("t",), ("L", ("n",))),
        ("F", (("n",),), ("b",)), ("O", ("named", "pt"))]
    assert fn.ret == ("S", ("red", "green"))
    assert [t.kind for t in fn.body] == [";", "ident"]


def test_structure_splits_declarations_on_one_line_and_across_lines():
    decls = structure('type pt{x:n;y:n}\ntool get-user"fetch" id:t>R _ t timeout:5,retry:2\n'
                      'f x:n>n;+x 1;g>n;2\nuse "lib.ilo" [a b]')
    kinds = [type(d).__name__ for d in decls]
    assert kinds == ["TypeDecl", "ToolDecl", "FnHeader", "FnHeader", "UseDecl"]
    assert decls[1].timeout == 5.0 and decls[1].retry == 2.0
    assert decls[4].names == ["a", "b"]


def test_structure_unindented_line_that_is_no_header_continues_the_body():
    (fn,) = structure("f>n;x=1;\n+x 2")
    assert [t.kind for t in fn.body][-3:] == ["+", "ident", "num"]


def test_structure_lambda_head_is_one_token():
    (fn,) = structure("f xs:L n>L n;map (x:n>n;*x 2) xs")
    heads = [t for t in fn.body if t.kind == "fnhead"]
    assert len(heads) == 1
    params, ret = heads[0].value
    assert [p.name for p in params] == ["x"] and ret == ("n",)


@pytest.mark.parametrize("src, code", [
    ("f x:n", "ILO-P020"),
    ("f x:n>n;(+x 1", "ILO-P010"),
    ("f x:n>n;+x 1)", "ILO-P003"),
    ("f x n>n;1", "ILO-P003"),
    (">n;1", "ILO-P001"),
])
def test_structure_errors(src, code):
    with pytest.raises(IloParseError) as e:
        structure(src)
    assert e.value.code == code and e.value.span is not None


# Declarations need no separator between them, and a header's `;` is optional.
@pytest.mark.parametrize("src, names", [
    ("sq x:n>n;*x x g>n;sq 4", ["sq", "g"]),               # body ends, next header follows
    ("h s:t>t;hd s k xs:L t>L t;xs", ["h", "k"]),          # after a 1-arity builtin call
    ("a x:n>n;x b>n;a 2", ["a", "b"]),                     # after a bare name
    ("type pt{x:n;y:n} f>n;p=pt x:1 y:2;p.x", ["pt", "f"]),  # after a type declaration
    ("f>n 5", ["f"]),                                      # body with no `;` after the header
    ("f>R t t\n~\"hi\"\n", ["f"]),                         # body on the next, unindented line
])
def test_declarations_without_separators(src, names):
    prog = parse(src)
    assert [d.name for d in prog.decls] == names


def test_trailing_operand_that_is_no_declaration_is_still_an_error():
    with pytest.raises(IloParseError) as e:
        parse("f>n;+1 2 3")
    assert e.value.code == "ILO-P001"


@pytest.mark.parametrize("src, code", [
    ("let=5", "ILO-P011"),
    ("fld=5", "ILO-P011"),
    ("brk=5", "ILO-P011"),
    ("x=5", "ILO-P001"),
])
def test_top_level_bindings_are_explained(src, code):
    with pytest.raises(IloParseError) as e:
        parse(src)
    assert e.value.code == code and e.value.hint
