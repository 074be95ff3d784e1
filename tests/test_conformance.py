"""Conformance ratchet over the shared upstream corpus.

For every engine in ``ENGINES`` this runs each case of
``<repo>/../shared/conformance/upstream`` (the module is skipped when that
folder is absent), honouring ``-- engine-skip:`` and
``tests/conformance/skips.txt``, shows the pass rate in the ``ilo conformance``
section of the terminal summary, and fails when a case listed in
``tests/conformance/<engine>.txt`` does not pass now.

Case ids: ``"<file relative to the corpus>::<run args>"`` (``::#N`` for the N-th
case with the same arguments in one file) -- no line numbers, so they survive
edits elsewhere in a file.  Grow a pass-list with::

    python -m ilo.tools.passlist --engine tree --write

Environment knobs: ``ILO_CONFORMANCE_JOBS`` (default 2 worker threads, each
driving one subprocess), ``ILO_CONFORMANCE_TIMEOUT`` (seconds per case,
default 10; timeouts of listed cases are retried once with 3x the time).
"""

from __future__ import annotations

import os

import pytest

from ilo.tools import passlist
from ilo.tools.annotations import collect_cases

ENGINES = ["tree", "vm", "jit"]

CORPUS = passlist.corpus_dir()
if not CORPUS.is_dir():
    pytest.skip(f"conformance corpus not found at {CORPUS}", allow_module_level=True)

JOBS = int(os.environ.get("ILO_CONFORMANCE_JOBS", "2"))
TIMEOUT = float(os.environ.get("ILO_CONFORMANCE_TIMEOUT", "10"))


def _cli_importable() -> bool:
    try:
        import ilo.cli.main  # noqa: F401
    except Exception:
        return False
    return True


@pytest.fixture(scope="module")
def corpus_ids() -> dict:
    return passlist.corpus_cases(CORPUS)


@pytest.fixture(scope="module")
def skips() -> dict:
    return passlist.load_skips(passlist.skips_path())


def test_corpus_has_cases_with_unique_ids(corpus_ids):
    # Ids are unique (corpus_cases raises otherwise) and the corpus is not empty.
    assert len(corpus_ids) > 0
    assert len(corpus_ids) == len(collect_cases(CORPUS))
    assert all(" -- " not in cid for cid in corpus_ids), "an id would be ambiguous in skips.txt"


def test_skips_file_is_valid(corpus_ids, skips):
    files = {cid.split("::", 1)[0] for cid in corpus_ids}
    unknown = [key for key in skips if key not in corpus_ids and key not in files]
    assert not unknown, f"skips.txt names cases/files not in the corpus: {unknown}"


@pytest.mark.parametrize("engine", ENGINES)
def test_passlist_file_is_valid(engine, corpus_ids, skips):
    path = passlist.passlist_path(engine)
    assert path.exists(), f"missing pass-list {path} (may be empty)"
    listed = passlist.load_passlist(path)
    assert len(listed) == len(set(listed)), "duplicate ids in pass-list"
    assert listed == sorted(listed), f"{path.name} is not sorted"
    stale = [cid for cid in listed if cid not in corpus_ids]
    assert not stale, f"{path.name} lists ids not in the corpus: {stale}"
    skipped = [cid for cid in listed if passlist.skip_reason(cid, skips) is not None
               or corpus_ids[cid].skipped_on(engine)]
    assert not skipped, f"{path.name} lists cases that are skipped on {engine}: {skipped}"


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("engine", ENGINES)
def test_conformance_ratchet(engine, skips, conformance_report):
    listed = passlist.load_passlist(passlist.passlist_path(engine))
    if not listed and not _cli_importable():
        conformance_report.append(f"conformance [{engine}]: not run (ilo.cli.main not importable yet)")
        pytest.skip("ilo.cli.main is not importable and the pass-list is empty")

    run = passlist.run_corpus(engine, corpus=CORPUS, skips=skips, jobs=JOBS,
                              timeout=TIMEOUT, retry_ids=set(listed))
    conformance_report.append(run.summary())
    gained = run.passing - set(listed)
    if gained:
        conformance_report.append(
            f"  {len(gained)} passing case(s) not in {engine}.txt yet: "
            f"python -m ilo.tools.passlist --engine {engine} --write"
        )

    regressions = []
    for cid in listed:
        result = run.results.get(cid)
        if result is None:
            regressions.append(f"{cid}: not run ({run.skipped.get(cid, 'not in corpus')})")
        elif not result.passed:
            regressions.append(f"{cid} ({result.case.location}): {result.detail}")
    assert not regressions, (
        f"{len(regressions)} case(s) in tests/conformance/{engine}.txt no longer pass on {engine}:\n"
        + "\n".join(regressions)
    )
