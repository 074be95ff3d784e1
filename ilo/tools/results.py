"""The results file of ``ilo test`` (JSONL) and its JUnit XML form.

The file is the run's progress record: the parent appends one line per case
the moment its result arrives, with one ``write`` and a flush, so a run cut
off at any point (Ctrl-C, ``kill -9``, power loss) leaves whole lines plus at
most one torn last line.  ``--resume`` reads it back, drops a torn tail (that
case runs again) and skips every (case id, engine) already recorded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr


class ResultsFile:
    """Append-only JSONL, one object per case result."""

    def __init__(self, path: Path | str, *, resume: bool):
        self.path = Path(path)
        self.previous: list[dict] = load(self.path) if resume else []
        if resume:
            _drop_torn_tail(self.path)
        self.fh = open(self.path, "a" if resume else "w", encoding="utf-8")

    def done(self) -> set[tuple[str, str]]:
        return {(r["id"], r["engine"]) for r in self.previous}

    def append(self, record: dict) -> None:
        self.fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


def load(path: Path) -> list[dict]:
    """Whole, valid lines of a results file (a torn last line is left out)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    records = []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            continue                         # torn: that case runs again
        if isinstance(rec, dict) and "id" in rec and "engine" in rec:
            records.append(rec)
    return records


def _drop_torn_tail(path: Path) -> None:
    """Cut the file after its last newline, so appending starts a new line."""
    try:
        with open(path, "rb+") as fh:
            data = fh.read()
            keep = data.rfind(b"\n") + 1
            if keep != len(data):
                fh.truncate(keep)
    except FileNotFoundError:
        pass


def write_junit(path: Path | str, records: list[dict], *, name: str = "ilo test") -> None:
    """JUnit XML (one testsuite per engine) for CI dashboards."""
    by_engine: dict[str, list[dict]] = {}
    for rec in records:
        by_engine.setdefault(rec["engine"], []).append(rec)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             f"<testsuites name={quoteattr(name)} tests=\"{len(records)}\" "
             f"failures=\"{sum(r['status'] == 'fail' for r in records)}\">"]
    for engine, recs in sorted(by_engine.items()):
        fails = sum(r["status"] == "fail" for r in recs)
        skips = sum(r["status"] == "skip" for r in recs)
        secs = sum(r.get("ms") or 0 for r in recs) / 1000
        parts.append(f"  <testsuite name={quoteattr(engine)} tests=\"{len(recs)}\" "
                     f"failures=\"{fails}\" skipped=\"{skips}\" time=\"{secs:.3f}\">")
        for r in recs:
            attrs = (f"classname={quoteattr(r['file'])} name={quoteattr(r['id'])} "
                     f"time=\"{(r.get('ms') or 0) / 1000:.3f}\"")
            if r["status"] == "fail":
                kind = "timeout" if r.get("timed_out") else "failure"
                parts.append(f"    <testcase {attrs}><failure type={quoteattr(kind)} "
                             f"message={quoteattr(r['detail'][:200])}>"
                             f"{escape(r['detail'])}</failure></testcase>")
            elif r["status"] == "skip":
                parts.append(f"    <testcase {attrs}><skipped message="
                             f"{quoteattr(r['detail'])}/></testcase>")
            else:
                parts.append(f"    <testcase {attrs}/>")
        parts.append("  </testsuite>")
    parts.append("</testsuites>")
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("\n".join(parts) + "\n")
    os.replace(tmp, path)
