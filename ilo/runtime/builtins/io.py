"""Output, environment and file builtins.

Program output goes only through ``ctx.write_stdout``. File failures become
``Err`` values carrying the OS message in Rust's shape
(``No such file or directory (os error 2)``); only argument-type mistakes
raise. ``rd`` picks csv/tsv/json by extension; ``wr … "json"`` writes the
same compact text ``jdmp`` produces (what upstream's default engine does).
"""

from __future__ import annotations

import os
import stat

from ilo import runtime_guard, sandbox, sink
from ilo.runtime.values import Err, IloMap, Ok, Record, display, map_sorted_items
from ilo.sandbox import files

from ._core import builtin, debug, fail, rust_lines
from .json_ import dump, parse_result


@builtin("prnt", 1, ret="_", params=("_",), parse=1)
def prnt(ctx, args):
    ctx.write_stdout(display(args[0]) + "\n")
    return args[0]


@builtin("env", 1, ret="R t t", params=("t",))
def env(ctx, args):
    key = args[0]
    if not isinstance(key, str):
        fail(f"env requires text, got {debug(key)}")
    sandbox.check_env(key)
    val = os.environ.get(key) if key and "=" not in key and "\0" not in key else None
    return Err(f"env var '{key}' not set") if val is None else Ok(val)


def os_message(e: OSError) -> str:
    if isinstance(e, UnicodeDecodeError):
        return "stream did not contain valid UTF-8"
    if e.errno is not None and e.strerror:
        return f"{e.strerror} (os error {e.errno})"
    return str(e)


def read_text(path: str, op: str = "rd") -> str:
    """Read a whole UTF-8 file; raises OSError/UnicodeDecodeError (see os_message),
    or the sandbox diagnostic when ``--allow-read`` does not cover it."""
    with open(files.open_read(op, path), "rb") as f:
        data = f.read()
    return data.decode("utf-8")


def _read(path: str, op: str = "rd"):
    try:
        return read_text(path, op), None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        return None, Err(os_message(e) if isinstance(e, (OSError, UnicodeDecodeError)) else str(e))


# ── csv / tsv ────────────────────────────────────────────────────────────────

def parse_csv_row(line: str, sep: str) -> list[str]:
    fields, field, quoted, i = [], [], False, 0
    while i < len(line):
        c = line[i]
        if quoted:
            if c == '"':
                if line[i + 1:i + 2] == '"':
                    field.append('"')
                    i += 1
                else:
                    quoted = False
            else:
                field.append(c)
        elif c == '"':
            quoted = True
        elif c == sep:
            fields.append("".join(field))
            field = []
        else:
            field.append(c)
        i += 1
    fields.append("".join(field))
    return fields


def parse_format(fmt: str, content: str):
    """``Ok(value)``/``Err(text)`` for rd/rdb: csv/tsv grids, json, else raw text."""
    if fmt in ("csv", "tsv"):
        sep = "\t" if fmt == "tsv" else ","
        return Ok([parse_csv_row(line, sep) for line in rust_lines(content)])
    if fmt == "json":
        return parse_result(content)
    return Ok(content)


def csv_field(v, sep: str) -> str:
    if isinstance(v, str):
        raw = v
    elif v is None:
        raw = ""
    else:
        raw = display(v)
    if sep in raw or '"' in raw or "\n" in raw:
        return '"' + raw.replace('"', '""') + '"'
    return raw


def write_csv(rows: list, sep: str) -> str:
    if not rows:
        return ""
    first = rows[0]
    if isinstance(first, IloMap):
        header = [str(k) for k, _ in map_sorted_items(first)]
    elif isinstance(first, Record):
        header = sorted(first.fields)
    elif isinstance(first, list):
        header = None
    else:
        fail(f"wr: each row must be a list, record, or map, got {debug(first)}")
    lines = []
    if header is not None:
        lines.append(sep.join(csv_field(k, sep) for k in header))
    for row in rows:
        if header is None and isinstance(row, list):
            cells = row
        elif header is not None and isinstance(row, Record):
            cells = [row.fields.get(k) for k in header]
        elif header is not None and isinstance(row, IloMap):
            by_text = {str(k): v for k, v in row.items()}
            cells = [by_text.get(k) for k in header]
        else:
            kind = "list" if header is None else "record/map"
            fail(f"wr: row shape mismatch (expected {kind} rows), got {debug(row)}")
        lines.append(sep.join(csv_field(c, sep) for c in cells))
    return "".join(line + "\n" for line in lines)


# ── builtins ─────────────────────────────────────────────────────────────────

def _path(op: str, v) -> str:
    if not isinstance(v, str):
        fail(f"{op} requires text path, got {debug(v)}")
    return v


@builtin("rd", (1, 2), ret="R _ t", params=("t", "t"))
def rd(ctx, args):
    path = _path("rd", args[0])
    if len(args) == 2:
        if not isinstance(args[1], str):
            fail(f"rd format must be text, got {debug(args[1])}")
        fmt = args[1]
    else:
        base = os.path.basename(path)
        stem, dot, ext = base.rpartition(".")
        fmt = ext.lower() if dot and stem else "raw"
    content, err = _read(path)
    return err if err is not None else parse_format(fmt, content)


@builtin("rdb", 2, ret="R _ t", params=("t", "t"))
def rdb(ctx, args):
    s, fmt = args
    if not isinstance(s, str):
        fail(f"rdb requires text string, got {debug(s)}")
    if not isinstance(fmt, str):
        fail(f"rdb format must be text, got {debug(fmt)}")
    return parse_format(fmt, s)


@builtin("rdl", 1, ret="R (L t) t", params=("t",))
def rdl(ctx, args):
    content, err = _read(_path("rdl", args[0]), "rdl")
    return err if err is not None else Ok(rust_lines(content))


@builtin("rdjl", 1, ret="L (R _ t)", params=("t",))
def rdjl(ctx, args):
    path = _path("rdjl", args[0])
    content, err = _read(path, "rdjl")
    if err is not None:
        fail(f"rdjl failed to read '{path}': {err.value}")
    return [parse_result(line) for line in content.split("\n") if line]


def _write(path: str, content: str, op: str = "wr"):
    """Write a whole file, charged to the runtime guard.

    What the opened file *is* decides the budget, not its name: the
    process's own stdout (``/dev/stdout``, ``/proc/self/fd/1``, ...) goes
    through the one stdout sink like ``prnt``; its stderr or a terminal is
    charged to ``--max-output-bytes``; anything else to ``--max-write-bytes``.
    The file is truncated only after that check, so naming stdout never
    truncates a file stdout is redirected to.  ``--allow-write`` is checked
    on the file actually opened (:mod:`ilo.sandbox.files`)."""
    data = content.encode("utf-8", "surrogatepass")
    try:
        fd = files.open_write(op, path)
    except (OSError, ValueError) as e:
        return Err(os_message(e) if isinstance(e, OSError) else str(e))
    try:
        kind = sink.classify_fd(fd)
        if kind == "stdout":
            os.close(fd)
            fd = -1
            sink.write_stdout(content)
            return Ok(path)
        if kind is None:
            runtime_guard.record_file_write(len(data))
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.ftruncate(fd, 0)
        else:
            runtime_guard.record_output(len(data))
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as e:
        return Err(os_message(e))
    finally:
        if fd >= 0:
            os.close(fd)
    return Ok(path)


@builtin("wr", (2, 3), ret="R t t", params=("t", "_", "t"), parse=2)
def wr(ctx, args):
    path = args[0]
    if not isinstance(path, str):
        fail(f"wr: first arg must be a text path, got {debug(path)}")
    data = args[1]
    if len(args) == 2:
        if not isinstance(data, str):
            fail(f"wr: second arg must be text content, got {debug(data)}")
        return _write(path, data)
    fmt = args[2]
    if not isinstance(fmt, str):
        fail(f"wr: format arg must be text, got {debug(fmt)}")
    if fmt in ("csv", "tsv"):
        if not isinstance(data, list):
            fail(f"wr: data for {fmt} must be a list of rows, got {debug(data)}")
        return _write(path, write_csv(data, "," if fmt == "csv" else "\t"))
    if fmt == "json":
        return _write(path, dump(data))
    fail(f"wr: unknown format '{fmt}', expected csv, tsv, or json")


@builtin("wrl", 2, ret="R t t", params=("t", "L t"), parse=2)
def wrl(ctx, args):
    path, lines = args
    if not (isinstance(path, str) and isinstance(lines, list)):
        fail(f"wrl requires text path and list of text, got {debug(path)}, {debug(lines)}")
    for line in lines:
        if not isinstance(line, str):
            fail(f"wrl list must contain text, got {debug(line)}")
    return _write(path, "".join(line + "\n" for line in lines), "wrl")
