"""Machine code cached across runs, keyed by the module's IR and the host.

A hit skips LLVM's optimisation and code generation (MCJIT loads the cached
object); the key covers everything the object depends on: the unoptimised
IR text (so the program and the codegen version), the llvmlite version and
the host CPU. Files live under ``$XDG_CACHE_HOME/ilo/jit`` (default
``~/.cache/ilo/jit``); a write goes to a temporary file first and is renamed
into place, so two processes writing the same entry at once are both safe.
``ILO_JIT_CACHE=0`` turns it off. Any error just means a miss.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def cache_dir() -> Path | None:
    if os.environ.get("ILO_JIT_CACHE", "1") == "0":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ilo" / "jit"


def key(ir_text: str, host: str) -> str:
    import llvmlite

    h = hashlib.sha256()
    for part in (llvmlite.__version__, host, ir_text):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def load(entry: str) -> bytes | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / f"{entry}.o").read_bytes()
    except OSError:
        return None


def store(entry: str, data: bytes) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, folder / f"{entry}.o")
    except OSError:
        pass
