"""Our own annotated examples pass under `ilo test examples` on every built engine."""

import pytest

from conftest import REPO_ROOT, run_ilo

ENGINES = ["tree", "vm", "jit"]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("engine", ENGINES)
def test_examples_pass(engine):
    p = run_ilo("test", "--engine", engine, str(REPO_ROOT / "examples"), timeout=280)
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    assert " passed, 0 failed" in last, last
    assert not last.startswith("0 passed")
