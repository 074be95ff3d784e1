"""Tree-walking engine: evaluates the AST directly over the shared runtime.

Control flow (``ret``, ``brk``, ``cnt``, ``!`` propagation) travels as
exceptions so ordinary evaluation stays a plain recursive walk.
"""

from __future__ import annotations

from ilo import runtime_guard
from ilo.diagnostics.errors import IloRuntimeError
from ilo.engines.base import EngineBase, program_frames
from ilo.runtime import builtins as B
from ilo.runtime.ops import (
    Propagate, append_into, binop, concat_into, key_order, match_pattern, missing_field, mset_into, unwrap,
    unwrap_on_value_error,
)
from ilo.runtime.values import Err, FnVal, IloMap, Ok, Record, truthy, type_name
from ilo.syntax import ast as A

MAX_DEPTH = 4000
_MISSING = object()


class ReturnSignal(Exception):
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class BreakSignal(Exception):
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class ContinueSignal(Exception):
    pass


class Frame:
    """Variables of one function call; block scopes undo their own bindings."""

    __slots__ = ("vars", "scopes")

    def __init__(self, bindings: dict):
        self.vars = bindings
        self.scopes: list[list] = []

    def set(self, name, value):
        vs = self.vars
        if self.scopes and name not in vs:
            self.scopes[-1].append((name, _MISSING))
        vs[name] = value

    def define(self, name, value):
        if self.scopes:
            self.scopes[-1].append((name, self.vars.get(name, _MISSING)))
        self.vars[name] = value

    def push(self):
        self.scopes.append([])

    def pop(self):
        vs = self.vars
        for name, old in reversed(self.scopes.pop()):
            if old is _MISSING:
                vs.pop(name, None)
            else:
                vs[name] = old


class TreeEngine(EngineBase):
    name = "tree"

    def __init__(self, program: A.Program, tools=None):
        super().__init__(program, tools)
        self.native_functions: dict = {}   # name -> fn(args): the JIT's native code
        self._stmt = {
            A.Let: self.s_let, A.ExprS: self.s_expr, A.Guard: self.s_guard, A.MatchS: self.s_match,
            A.ForEach: self.s_foreach, A.ForRange: self.s_range, A.While: self.s_while,
            A.Return: self.s_return, A.Break: self.s_break, A.Continue: self.s_continue,
            A.Destructure: self.s_destructure,
        }
        self._expr = {
            A.Lit: self.e_lit, A.Ref: self.e_ref, A.Call: self.e_call, A.BinOp: self.e_binop,
            A.Field: self.e_field, A.Index: self.e_index, A.Not: self.e_not, A.Neg: self.e_neg,
            A.OkE: self.e_ok, A.ErrE: self.e_err, A.ListE: self.e_list, A.RecordE: self.e_record,
            A.MatchE: self.e_match, A.Coalesce: self.e_coalesce, A.Ternary: self.e_ternary,
            A.With: self.e_with, A.MakeClosure: self.e_closure,
        }

    # ---- entry ----
    def run(self, name: str, args: list):
        runtime_guard.set_locator(locate, self.program.source)
        return self.call_named(name, list(args))

    def call_function(self, name: str, args: list):
        if self.native_functions and name in self.native_functions:
            return self.native_functions[name](args)
        return self.call_user(self.functions[name], args)

    def call_user(self, decl, args: list):
        params = decl.params
        if len(args) != len(params):
            raise IloRuntimeError("ILO-R004", f"{decl.name}: expected {len(params)} args, got {len(args)}")
        if self.depth >= MAX_DEPTH:
            raise IloRuntimeError(
                "ILO-R604", f"call depth exceeded {MAX_DEPTH} (runaway recursion in '{decl.name}')",
                hint="check that the recursion has a base case that is reached, "
                     "or rewrite deep recursion as a loop")
        frame = Frame({p.name: a for p, a in zip(params, args)})
        self.depth += 1
        try:
            return self.exec_body(decl.body, frame)
        except (ReturnSignal, Propagate) as r:
            return r.value
        except (BreakSignal, ContinueSignal):
            return None
        finally:
            self.depth -= 1

    # ---- statements ----
    def exec_body(self, stmts, frame):
        last = None
        run = self._stmt
        for st in stmts:
            try:
                if type(st) is A.MatchS and st.subject is None:
                    v = self.match_arms(st.arms, last, frame)
                else:
                    v = run[type(st)](st, frame)
            except IloRuntimeError as e:
                if e.span is None:
                    e.span = st.span
                raise
            except RecursionError:
                raise IloRuntimeError(
                    "ILO-R604", "call depth exceeded the interpreter stack (runaway recursion)",
                    hint="check that the recursion has a base case, or use a loop", span=st.span) from None
            if v is not _MISSING:
                last = v
        return last

    def scoped(self, stmts, frame):
        frame.push()
        try:
            return self.exec_body(stmts, frame)
        finally:
            frame.pop()

    def s_let(self, st, frame):
        v = st.value
        name = st.name
        vs = frame.vars
        if type(v) is A.BinOp and type(v.left) is A.Ref and v.left.name == name and name in vs:
            # `s=+s t` / `xs=+=xs v`: grow in place when the variable is the only owner
            if v.op == "+":
                concat_into(vs, name, self.ev(v.right, frame))
                return _MISSING
            if v.op == "+=":
                append_into(vs, name, self.ev(v.right, frame))
                return _MISSING
        elif type(v) is A.Call and v.name == "mset" and not v.unwrap and len(v.args) == 3 \
                and type(v.args[0]) is A.Ref and v.args[0].name == name and type(vs.get(name)) is IloMap:
            key = self.ev(v.args[1], frame)
            val = self.ev(v.args[2], frame)
            if mset_into(vs, name, key, val):
                return _MISSING
        frame.set(name, self.ev(v, frame))
        return _MISSING

    def s_destructure(self, st, frame):
        rec = self.ev(st.value, frame)
        if not isinstance(rec, Record):
            raise IloRuntimeError("ILO-R005", "destructure requires a record")
        for name in st.names:
            if name not in rec.fields:
                raise IloRuntimeError("ILO-R005", f"no field '{name}' on record")
            frame.set(name, rec.fields[name])
        return _MISSING

    def s_expr(self, st, frame):
        return self.ev(st.expr, frame)

    def s_guard(self, st, frame):
        hit = truthy(self.ev(st.cond, frame))
        if st.negated:
            hit = not hit
        if st.else_body is not None:
            try:
                return self.scoped(st.body if hit else st.else_body, frame)
            except (ReturnSignal, Propagate) as r:
                return r.value
        if not hit:
            return _MISSING
        value = self.scoped(st.body, frame)
        if st.braceless:
            raise ReturnSignal(value)
        return value

    def s_match(self, st, frame):
        return self.match_arms(st.arms, self.ev(st.subject, frame), frame)

    def match_arms(self, arms, subject, frame):
        """Run the first arm whose pattern fits; a subject-less `?{..}` matches the last value."""
        for arm in arms:
            bind = match_pattern(arm.pattern, subject)
            if bind is not None:
                frame.push()
                try:
                    if bind:
                        frame.define(bind[0], bind[1])
                    return self.exec_body(arm.body, frame)
                finally:
                    frame.pop()
        return _MISSING

    def s_foreach(self, st, frame):
        coll = self.ev(st.coll, frame)
        if isinstance(coll, str):
            coll = list(coll)
        elif isinstance(coll, IloMap):
            coll = [float(k) if isinstance(k, int) else k for k in sorted(coll, key=key_order)]
        elif not isinstance(coll, list):
            raise IloRuntimeError("ILO-R007", f"foreach requires a list, got {type_name(coll)}")
        return self._loop(st, frame, coll)

    def s_range(self, st, frame):
        a = self.ev(st.start, frame)
        b = self.ev(st.stop, frame)
        if not isinstance(a, float) or isinstance(a, bool):
            raise IloRuntimeError("ILO-R007", "range start must be a number")
        if not isinstance(b, float) or isinstance(b, bool):
            raise IloRuntimeError("ILO-R007", "range end must be a number")
        return self._loop(st, frame, (float(i) for i in range(int(a), int(b))))

    def _loop(self, st, frame, items):
        last = None
        body = st.body
        name = st.name
        for item in items:
            frame.push()
            try:
                frame.define(name, item)
                v = self.exec_body(body, frame)
                last = v
            except BreakSignal as b:
                last = b.value
                break
            except ContinueSignal:
                continue
            finally:
                frame.pop()
        return last

    def s_while(self, st, frame):
        last = None
        cond, body = st.cond, st.body
        ev = self.ev
        while truthy(ev(cond, frame)):
            try:
                last = self.exec_body(body, frame)
            except BreakSignal as b:
                last = b.value
                break
            except ContinueSignal:
                continue
        return last

    def s_return(self, st, frame):
        raise ReturnSignal(self.ev(st.value, frame))

    def s_break(self, st, frame):
        raise BreakSignal(self.ev(st.value, frame) if st.value is not None else None)

    def s_continue(self, st, frame):
        raise ContinueSignal()

    # ---- expressions ----
    def ev(self, e, frame):
        return self._expr[type(e)](e, frame)

    def e_lit(self, e, frame):
        return e.value

    def e_ref(self, e, frame):
        try:
            return frame.vars[e.name]
        except KeyError:
            pass
        name = e.name
        if name in self.functions or name in self.tool_decls:
            return FnVal(name)
        spec = B.lookup(name)
        if spec is not None:
            return FnVal(spec.name)
        raise IloRuntimeError("ILO-R001", f"undefined variable '{name}'")

    def e_call(self, e, frame):
        args = [self.ev(a, frame) for a in e.args]
        target = frame.vars.get(e.name, _MISSING)
        if target is not _MISSING:
            if isinstance(target, FnVal):
                result = self.call_named(target.name, args + list(target.captures))
            elif isinstance(target, str) and target in self.functions:
                result = self.call_named(target, args)
            elif not args:
                if e.unwrap:
                    raise unwrap_on_value_error(e.name, target, e.unwrap)
                result = target
            else:
                result = self.call_named(e.name, args)
        else:
            result = self.call_named(e.name, args)
        if e.unwrap:
            return unwrap(result, e.unwrap)
        return result

    def e_binop(self, e, frame):
        op = e.op
        if op == "&":
            left = self.ev(e.left, frame)
            return self.ev(e.right, frame) if truthy(left) else left
        if op == "|":
            left = self.ev(e.left, frame)
            return left if truthy(left) else self.ev(e.right, frame)
        return binop(op, self.ev(e.left, frame), self.ev(e.right, frame))

    def e_field(self, e, frame):
        obj = self.ev(e.obj, frame)
        if isinstance(obj, Record):
            try:
                return obj.fields[e.name]
            except KeyError:
                if e.safe:
                    return None
                raise missing_field(e.name, obj) from None
        if obj is None and e.safe:
            return None
        if isinstance(obj, list) and e.name in frame.vars and e.name not in self.field_names():
            return B.lookup("at").fn(self, [obj, frame.vars[e.name]])
        if isinstance(obj, IloMap) and e.name in obj:
            return obj[e.name]
        if e.safe:
            return None
        raise IloRuntimeError("ILO-R005", f"cannot access field '{e.name}' on {type_name(obj)}")

    def e_index(self, e, frame):
        obj = self.ev(e.obj, frame)
        if isinstance(obj, list):
            if e.index < len(obj):
                return obj[e.index]
            if e.safe:
                return None
            raise IloRuntimeError("ILO-R006", f"list index {e.index} out of bounds (len {len(obj)})")
        if obj is None and e.safe:
            return None
        if e.safe:
            return None
        raise IloRuntimeError("ILO-R006", f"index access on {type_name(obj)}, expected a list")

    def e_not(self, e, frame):
        return not truthy(self.ev(e.operand, frame))

    def e_neg(self, e, frame):
        v = self.ev(e.operand, frame)
        if isinstance(v, float):
            return -v
        raise IloRuntimeError("ILO-R004", f"cannot negate {type_name(v)}")

    def e_ok(self, e, frame):
        return Ok(self.ev(e.inner, frame))

    def e_err(self, e, frame):
        return Err(self.ev(e.inner, frame))

    def e_list(self, e, frame):
        return [self.ev(x, frame) for x in e.items]

    def e_record(self, e, frame):
        return Record(e.type_name, {n: self.ev(x, frame) for n, x in e.fields})

    def e_match(self, e, frame):
        subject = self.ev(e.subject, frame) if e.subject is not None else None
        for arm in e.arms:
            bind = match_pattern(arm.pattern, subject)
            if bind is not None:
                frame.push()
                try:
                    if bind:
                        frame.define(bind[0], bind[1])
                    try:
                        return self.exec_body(arm.body, frame)
                    except (ReturnSignal, BreakSignal, Propagate) as s:
                        return s.value
                    except ContinueSignal:
                        return None
                finally:
                    frame.pop()
        return None

    def e_coalesce(self, e, frame):
        v = self.ev(e.value, frame)
        return self.ev(e.default, frame) if v is None else v

    def e_ternary(self, e, frame):
        return self.ev(e.then if truthy(self.ev(e.cond, frame)) else e.other, frame)

    def e_with(self, e, frame):
        obj = self.ev(e.obj, frame)
        if not isinstance(obj, Record):
            raise IloRuntimeError("ILO-R008", f"'with' requires a record, got {type_name(obj)}")
        fields = dict(obj.fields)
        for name, x in e.updates:
            fields[name] = self.ev(x, frame)
        return Record(obj.type_name, fields)

    def e_closure(self, e, frame):
        return FnVal(e.fn_name, tuple(self.ev(c, frame) for c in e.captures))


def locate():
    """The span a guard stop names, read from the interrupted Python frames
    (nothing is recorded while the program runs): the print call that
    crossed the output cap, else the innermost running loop, else the
    innermost running statement."""
    printing = False
    stmt = call = None
    for f in program_frames():
        code = f.f_code
        if code.co_name == "write_stdout" and stmt is None:
            printing = True
        elif code is _E_CALL and call is None:
            call = f.f_locals["e"]
        elif code is _EXEC_BODY and stmt is None:
            stmt = f.f_locals.get("st")
        elif code in _LOOPS and not printing:
            return f.f_locals["st"].span
    if printing and call is not None:
        return call.span or (stmt.span if stmt is not None else None)
    return stmt.span if stmt is not None else None


_E_CALL = TreeEngine.e_call.__code__
_EXEC_BODY = TreeEngine.exec_body.__code__
_LOOPS = (TreeEngine.s_while.__code__, TreeEngine._loop.__code__)
