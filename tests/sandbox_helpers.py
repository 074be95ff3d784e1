"""Shared pieces of the sandbox tests: a folder tree to escape from and
the one diagnostic a refused run prints."""

from __future__ import annotations

import json
import os


def make_box(root):
    """data/ (to read), out/ (to write), a secret beside them, links out."""
    (root / "data").mkdir()
    (root / "out").mkdir()
    (root / "data" / "a.txt").write_text("hello")
    (root / "secret.txt").write_text("secret")
    os.symlink("../secret.txt", root / "data" / "link")
    return root


def diag(proc) -> dict:
    """The one JSON diagnostic of a failed run."""
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, proc.stderr
    return json.loads(lines[0])["error"]
