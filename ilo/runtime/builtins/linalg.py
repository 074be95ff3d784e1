"""Matrices (row-major ``L (L n)``), vectors and the FFT.

``det``/``inv``/``solve`` use LU decomposition with partial pivoting; a
pivot below 1e-12 marks the matrix singular (``det`` then returns 0). The
FFT is iterative radix-2 Cooley-Tukey, zero-padding to a power of two. The
arithmetic order matches upstream so results agree to the last bit.
"""

from __future__ import annotations

import math

from ._core import builtin, debug, fail, is_num

MATRIX = "L (L n)"


def _matrix(v, op: str) -> list[list[float]]:
    if not isinstance(v, list):
        fail(f"{op}: expected a list of lists, got {debug(v)}")
    rows = []
    for row in v:
        if not isinstance(row, list):
            fail(f"{op}: each row must be a list, got {debug(row)}")
        for c in row:
            if not is_num(c):
                fail(f"{op}: matrix cells must be numbers, got {debug(c)}")
        rows.append(list(row))
    return rows


def _square(v, op: str) -> list[list[float]]:
    a = _matrix(v, op)
    if not a:
        fail(f"{op}: empty matrix")
    if any(len(r) != len(a) for r in a):
        fail(f"{op}: matrix must be square")
    return a


def lu(a: list[list[float]]):
    """In-place LU with partial pivoting → (lu, perm, det, singular)."""
    n = len(a)
    perm = list(range(n))
    sign, singular = 1.0, False
    for k in range(n):
        best, row = abs(a[k][k]), k
        for i in range(k + 1, n):
            if abs(a[i][k]) > best:
                best, row = abs(a[i][k]), i
        if best < 1e-12:
            singular = True
            continue
        if row != k:
            a[k], a[row] = a[row], a[k]
            perm[k], perm[row] = perm[row], perm[k]
            sign = -sign
        pivot = a[k][k]
        for i in range(k + 1, n):
            a[i][k] /= pivot
            f = a[i][k]
            for j in range(k + 1, n):
                a[i][j] -= f * a[k][j]
    det = sign
    for i in range(n):
        det *= a[i][i]
    return a, perm, (0.0 if singular else det), singular


def lu_solve(a, perm, b) -> list[float]:
    n = len(a)
    x = [b[perm[i]] for i in range(n)]
    for i in range(n):
        for j in range(i):
            x[i] -= a[i][j] * x[j]
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            x[i] -= a[i][j] * x[j]
        x[i] /= a[i][i]
    return x


@builtin("det", 1, ret="n", params=(MATRIX,))
def det(ctx, args):
    return lu(_square(args[0], "det"))[2]


@builtin("inv", 1, ret=MATRIX, params=(MATRIX,))
def inv(ctx, args):
    a = _square(args[0], "inv")
    n = len(a)
    m, perm, _, singular = lu(a)
    if singular:
        fail("inv: matrix is singular")
    cols = [lu_solve(m, perm, [1.0 if i == j else 0.0 for i in range(n)]) for j in range(n)]
    return [[cols[j][i] for j in range(n)] for i in range(n)]


@builtin("solve", 2, ret="L n", params=(MATRIX, "L n"))
def solve(ctx, args):
    a = _matrix(args[0], "solve")
    b = args[1]
    if not isinstance(b, list):
        fail(f"solve: expected a list of numbers, got {debug(b)}")
    for x in b:
        if not is_num(x):
            fail(f"solve: vector items must be numbers, got {debug(x)}")
    if not a:
        fail("solve: empty matrix")
    if any(len(r) != len(a) for r in a):
        fail("solve: matrix must be square")
    if len(b) != len(a):
        fail("solve: vector length must match matrix size")
    m, perm, _, singular = lu(a)
    if singular:
        fail("solve: matrix is singular")
    return lu_solve(m, perm, list(b))


def _rows(v, op: str, which: str = "", numeric: bool = True) -> tuple[list, int]:
    """Check a rectangular list of lists; ``which`` names the argument ("first")."""
    arg = f"{which} arg" if which else "arg"
    if not isinstance(v, list):
        fail(f"{op}: {arg} must be a list of lists, got {debug(v)}")
    cols = None
    for r in v:
        if not isinstance(r, list):
            fail(f"{op}: rows must be lists, got {debug(r)}")
        if cols is None:
            cols = len(r)
        elif cols != len(r):
            where = f" in {arg}" if which else ""
            fail(f"{op}: ragged rows{where} (expected {cols} cols, got {len(r)})")
        if numeric:
            for c in r:
                if not is_num(c):
                    fail(f"{op}: elements must be numbers, got {debug(c)}")
    return v, cols or 0


@builtin("matmul", 2, ret=MATRIX, params=(MATRIX, MATRIX))
def matmul(ctx, args):
    a, ac = _rows(args[0], "matmul", "first")
    b, bc = _rows(args[1], "matmul", "second")
    if ac != len(b):
        fail(f"matmul: shape mismatch (a is {len(a)}x{ac}, b is {len(b)}x{bc})")
    out = []
    for row in a:
        new = []
        for j in range(bc):
            s = 0.0
            for k in range(ac):
                s += row[k] * b[k][j]
            new.append(s)
        out.append(new)
    return out


@builtin("transpose", 1, ret=MATRIX, params=(MATRIX,))
def transpose(ctx, args):
    rows, cols = _rows(args[0], "transpose", numeric=False)
    return [[r[j] for r in rows] for j in range(cols)]


@builtin("dot", 2, ret="n", params=("L n", "L n"))
def dot(ctx, args):
    xs, ys = args
    if not isinstance(xs, list):
        fail(f"dot: first arg must be a list, got {debug(xs)}")
    if not isinstance(ys, list):
        fail(f"dot: second arg must be a list, got {debug(ys)}")
    if len(xs) != len(ys):
        fail(f"dot: length mismatch (xs has {len(xs)}, ys has {len(ys)})")
    total = 0.0
    for x, y in zip(xs, ys):
        if not (is_num(x) and is_num(y)):
            fail("dot: list elements must be numbers")
        total += x * y
    return total


def fft_inplace(re: list[float], im: list[float], inverse: bool) -> None:
    n = len(re)
    if n <= 1:
        return
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j ^= bit
        if i < j:
            re[i], re[j] = re[j], re[i]
            im[i], im[j] = im[j], im[i]
    sign = 1.0 if inverse else -1.0
    size = 2
    while size <= n:
        half = size // 2
        theta = sign * 2.0 * math.pi / size
        w_re, w_im = math.cos(theta), math.sin(theta)
        for start in range(0, n, size):
            c_re, c_im = 1.0, 0.0
            for k in range(half):
                p, q = start + k, start + k + half
                b_re = re[q] * c_re - im[q] * c_im
                b_im = re[q] * c_im + im[q] * c_re
                a_re, a_im = re[p], im[p]
                re[p], im[p] = a_re + b_re, a_im + b_im
                re[q], im[q] = a_re - b_re, a_im - b_im
                c_re, c_im = c_re * w_re - c_im * w_im, c_re * w_im + c_im * w_re
        size <<= 1
    if inverse:
        scale = 1.0 / n
        for i in range(n):
            re[i] *= scale
            im[i] *= scale


def _pow2(n: int) -> int:
    p = 1
    while p < n:
        p <<= 1
    return p


@builtin("fft", 1, ret="L (L n)", params=("L n",))
def fft(ctx, args):
    xs = args[0]
    if not isinstance(xs, list):
        fail(f"fft: arg must be a list of numbers, got {debug(xs)}")
    if not xs:
        fail("fft: input list must not be empty")
    for x in xs:
        if not is_num(x):
            fail(f"fft: list elements must be numbers, got {debug(x)}")
    n = _pow2(len(xs))
    re = list(xs) + [0.0] * (n - len(xs))
    im = [0.0] * n
    fft_inplace(re, im, False)
    return [[r, i] for r, i in zip(re, im)]


@builtin("ifft", 1, ret="L n", params=("L (L n)",))
def ifft(ctx, args):
    pairs = args[0]
    if not isinstance(pairs, list):
        fail(f"ifft: arg must be a list of pairs, got {debug(pairs)}")
    if not pairs:
        fail("ifft: input list must not be empty")
    re, im = [], []
    for p in pairs:
        if not (isinstance(p, list) and len(p) == 2):
            fail(f"ifft: each element must be a [real, imag] pair, got {debug(p)}")
        if not (is_num(p[0]) and is_num(p[1])):
            fail("ifft: pair elements must be numbers")
        re.append(p[0])
        im.append(p[1])
    n = _pow2(len(re))
    re += [0.0] * (n - len(re))
    im += [0.0] * (n - len(im))
    fft_inplace(re, im, True)
    return re
