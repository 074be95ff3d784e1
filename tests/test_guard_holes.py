"""Every hole the adversarial guard trial found stays closed, on every engine.

The probes live in ilo/tools/guard_audit.py (also run as
scripts/guard_audit.py for a one-line-per-hole report); each runs ``ilo`` as
a subprocess the way a careless harness or an attacker would.  Each probe
failed before the guard-hardening change (see the issue's list).
"""

from __future__ import annotations

import pytest

from ilo.tools import guard_audit

import guard_harness as gh


@pytest.mark.timeout(300)
@pytest.mark.parametrize("engine", gh.ENGINES)
@pytest.mark.parametrize("name", list(guard_audit.PROBES))
def test_guard_hole_stays_closed(name, engine):
    verdict = guard_audit.PROBES[name](engine)
    assert verdict.ok, f"{name} [{engine}]: {verdict.detail}"
