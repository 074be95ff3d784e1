"""Lists of numbers in native code: a ``{buffer, length}`` pair over an append-only buffer.

A buffer is ``[i64 cap][i64 used][ptr next][double data...]`` from malloc,
linked into the module's arena (``ilo_arena``) and freed when the outermost
native call returns. A list value sees the first ``length`` items of its
buffer; nothing ever overwrites them, so lists stay immutable. ``+=`` writes
in place when the list is the buffer's newest view (``length == used``) and
there is room -- the accumulator loop ``xs=+=xs v`` is O(1) amortised -- and
copies otherwise, so an older view never sees the new item.
"""

from __future__ import annotations

from llvmlite import ir

from ilo.engines.jit.module import OOM_SYMBOL
from ilo.engines.jit.lowering import DOUBLE, I1, I64, L, LIST, N, PTR, Unsupported, Val, dconst

HEADER_WORDS = 3
MIN_CAP = 4


def emit_runtime(ctx):
    """The arena helpers every module carries: ``ilo_list_alloc`` and ``ilo_arena_release``."""
    m = ctx.module
    arena = ir.GlobalVariable(m, PTR, "ilo_arena")
    arena.initializer = ir.Constant(PTR, None)
    malloc = ir.Function(m, ir.FunctionType(PTR, [I64]), "malloc")
    free = ir.Function(m, ir.FunctionType(ir.VoidType(), [PTR]), "free")

    alloc = ir.Function(m, ir.FunctionType(PTR, [I64]), "ilo_list_alloc")
    b = ir.IRBuilder(alloc.append_basic_block("entry"))
    cap = alloc.args[0]
    size = b.add(b.mul(cap, ir.Constant(I64, 8)), ir.Constant(I64, 8 * HEADER_WORDS))
    buf = b.call(malloc, [size])
    # malloc fails at the guard's hard data limit (--max-memory): report
    # ILO-R602 through Python instead of writing through a null pointer
    oom = ir.Function(m, ir.FunctionType(ir.VoidType(), []), OOM_SYMBOL)
    failed = alloc.append_basic_block("out_of_memory")
    fine = alloc.append_basic_block("fine")
    b.cbranch(b.icmp_unsigned("==", buf, ir.Constant(PTR, None)), failed, fine)
    b.position_at_end(failed)
    b.call(oom, [])
    b.unreachable()
    b.position_at_end(fine)
    b.store(cap, buf)
    b.store(ir.Constant(I64, 0), b.gep(buf, [ir.Constant(I64, 1)], source_etype=I64))
    b.store(b.load(arena, typ=PTR), b.gep(buf, [ir.Constant(I64, 2)], source_etype=I64))
    b.store(buf, arena)
    b.ret(buf)

    release = ir.Function(m, ir.FunctionType(ir.VoidType(), [PTR]), "ilo_arena_release")
    entry = release.append_basic_block("entry")
    loop = release.append_basic_block("loop")
    body = release.append_basic_block("free")
    done = release.append_basic_block("done")
    b = ir.IRBuilder(entry)
    b.branch(loop)
    b.position_at_end(loop)
    head = b.load(arena, typ=PTR)
    b.cbranch(b.icmp_unsigned("==", head, release.args[0]), done, body)
    b.position_at_end(body)
    b.store(b.load(b.gep(head, [ir.Constant(I64, 2)], source_etype=I64), typ=PTR), arena)
    b.call(free, [head])
    b.branch(loop)
    b.position_at_end(done)
    b.ret_void()
    ctx.list_alloc = alloc


class NativeLists:
    def word(self, buf, i):
        return self.b.gep(buf, [ir.Constant(I64, i) if isinstance(i, int) else i], source_etype=I64)

    def item_ptr(self, buf, i):
        return self.b.gep(self.word(buf, HEADER_WORDS), [i], source_etype=DOUBLE)

    def make_list(self, buf, n) -> Val:
        v = self.b.insert_value(ir.Constant(LIST, ir.Undefined), buf, 0)
        return Val(L, self.b.insert_value(v, n, 1))

    def parts(self, lst: Val):
        return self.b.extract_value(lst.v, 0), self.b.extract_value(lst.v, 1)

    def new_buffer(self, cap, used):
        buf = self.b.call(self.ctx.list_alloc, [cap])
        self.b.store(used, self.word(buf, 1))
        return buf

    def copy_items(self, dst, at, src, n):
        memcpy = self.b.module.declare_intrinsic("llvm.memcpy", [PTR, PTR, I64])
        nbytes = self.b.mul(n, ir.Constant(I64, 8))
        self.b.call(memcpy, [self.item_ptr(dst, at), self.item_ptr(src, ir.Constant(I64, 0)), nbytes,
                             ir.Constant(I1, 0)])

    def list_literal(self, items) -> Val:
        nums = [self.num(self.expr(x), "a list item") for x in items]
        n = ir.Constant(I64, len(nums))
        buf = self.new_buffer(ir.Constant(I64, max(len(nums), MIN_CAP)), n)
        for i, x in enumerate(nums):
            self.b.store(x, self.item_ptr(buf, ir.Constant(I64, i)))
        return self.make_list(buf, n)

    def list_append(self, lst: Val, item: Val) -> Val:
        x = self.num(item, "+= of a list")
        buf, n = self.parts(lst)
        n1 = self.b.add(n, ir.Constant(I64, 1))
        newest = self.b.icmp_signed("==", n, self.b.load(self.word(buf, 1), typ=I64))
        room = self.b.icmp_signed("<", n, self.b.load(self.word(buf, 0), typ=I64))

        def in_place():
            self.b.store(x, self.item_ptr(buf, n))
            self.b.store(n1, self.word(buf, 1))
            return self.make_list(buf, n1)

        def copy():
            cap = self.b.add(self.b.mul(n, ir.Constant(I64, 2)), ir.Constant(I64, MIN_CAP))
            fresh = self.new_buffer(cap, n1)
            self.copy_items(fresh, ir.Constant(I64, 0), buf, n)
            self.b.store(x, self.item_ptr(fresh, n))
            return self.make_list(fresh, n1)

        return self.choose(self.b.and_(newest, room), in_place, copy)

    def list_concat(self, a: Val, c: Val) -> Val:
        abuf, an = self.parts(a)
        cbuf, cn = self.parts(c)
        total = self.b.add(an, cn)
        fresh = self.new_buffer(self.b.add(total, ir.Constant(I64, MIN_CAP)), total)
        self.copy_items(fresh, ir.Constant(I64, 0), abuf, an)
        self.copy_items(fresh, an, cbuf, cn)
        return self.make_list(fresh, total)

    def list_len(self, lst: Val) -> Val:
        return Val(N, self.b.sitofp(self.parts(lst)[1], DOUBLE))

    def list_index(self, e) -> Val:
        """``xs.0`` / ``xs.?0``: a constant index."""
        lst = self.expr(e.obj)
        if lst.kinds != L or e.index < 0:
            raise Unsupported("indexing something other than a list of numbers")
        buf, n = self.parts(lst)
        i = ir.Constant(I64, e.index)
        inside = self.b.icmp_signed("<", i, n)
        if e.safe:
            return self.choose(inside, lambda: Val(N, self.b.load(self.item_ptr(buf, i), typ=DOUBLE)),
                               lambda: Val(frozenset({"nil"}), None))
        self.fail_if(self.b.not_(inside), "ILO-R006",
                     f"list index {e.index} out of bounds (len {{b}})", args=(i, n))
        return Val(N, self.b.load(self.item_ptr(buf, i), typ=DOUBLE))

    def list_at(self, lst: Val, raw: Val) -> Val:
        """``at xs i``: floor the index (Rust ``as i64``), negative counts from the end."""
        x = self.num(raw, "at")
        buf, n = self.parts(lst)
        sat = self.b.module.globals.get("llvm.fptosi.sat.i64.f64") or \
            ir.Function(self.b.module, ir.FunctionType(I64, [DOUBLE]), "llvm.fptosi.sat.i64.f64")
        i = self.b.call(sat, [self.b.fadd(self.intrinsic("llvm.floor", x), dconst(0.0))])
        j = self.b.select(self.b.icmp_signed("<", i, ir.Constant(I64, 0)), self.b.add(i, n), i)
        ok = self.b.and_(self.b.icmp_signed(">=", j, ir.Constant(I64, 0)), self.b.icmp_signed("<", j, n))
        self.fail_if(self.b.not_(ok), "ILO-R009", "at: index {a} out of range for list of length {b}",
                     args=(i, n))
        return Val(N, self.b.load(self.item_ptr(buf, j), typ=DOUBLE))

    def list_sum(self, lst: Val):
        """``sum``: left to right from 0.0, as ``fsum_seq`` does (no compensation)."""
        buf, n = self.parts(lst)
        acc, counter = self.alloca(DOUBLE), self.alloca(I64)
        self.b.store(dconst(0.0), acc)
        self.b.store(ir.Constant(I64, 0), counter)
        cond, body, done = self.block("sum.cond"), self.block("sum.body"), self.block("sum.end")
        self.b.branch(cond)
        self.b.position_at_end(cond)
        i = self.b.load(counter)
        self.b.cbranch(self.b.icmp_signed("<", i, n), body, done)
        self.b.position_at_end(body)
        item = self.b.load(self.item_ptr(buf, i), typ=DOUBLE)
        self.b.store(self.b.fadd(self.b.load(acc), item), acc)
        self.b.store(self.b.add(i, ir.Constant(I64, 1)), counter)
        self.b.branch(cond)
        self.b.position_at_end(done)
        return self.b.load(acc), n

    def list_reduce(self, name, lst: Val) -> Val:
        total, n = self.list_sum(lst)
        if name == "sum":
            return Val(N, total)
        self.fail_if(self.b.icmp_signed("==", n, ir.Constant(I64, 0)), "ILO-R009",
                     "avg: cannot average an empty list")
        return Val(N, self.b.fdiv(total, self.b.sitofp(n, DOUBLE)))

    def foreach(self, st):
        coll = self.expr(st.coll)
        if coll.kinds != L:
            raise Unsupported("@ over something other than a list of numbers")
        buf, n = self.parts(coll)
        counter = self.alloca(I64)
        self.b.store(ir.Constant(I64, 0), counter)

        def head():
            return self.b.icmp_signed("<", self.b.load(counter), n)

        def body():
            item = Val(N, self.b.load(self.item_ptr(buf, self.b.load(counter)), typ=DOUBLE))
            return self.scoped_body(st.body, (st.name, item))

        def latch():
            self.b.store(self.b.add(self.b.load(counter), ir.Constant(I64, 1)), counter)

        return self.loop(head, body, latch)
