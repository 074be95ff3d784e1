"""Shared fixtures for the ilo test suite.

* ``repo_root`` / ``shared_dir``: the project root and ``<root>/../shared``.
* ``run_ilo(*args, input=None, timeout=30, cwd=None, env=None)``: run
  ``python -m ilo ARGS`` in a subprocess and return the ``CompletedProcess``
  (text, UTF-8, ``NO_COLOR=1``, the project on ``PYTHONPATH``).
* ``conformance_report``: a list of lines shown in the ``ilo conformance``
  section of the terminal summary (pass rates per engine).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"

_REPORT_KEY = pytest.StashKey[list]()


def ilo_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO_ROOT) if not old else str(REPO_ROOT) + os.pathsep + old
    env["NO_COLOR"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("FORCE_COLOR", None)
    if extra:
        env.update(extra)
    return env


def run_ilo(*args: str, input: str | None = None, timeout: float = 30,
            cwd: str | os.PathLike | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m ilo *args``; raises ``subprocess.TimeoutExpired`` on timeout."""
    return subprocess.run(
        [sys.executable, "-m", "ilo", *map(str, args)],
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        cwd=None if cwd is None else str(cwd),
        env=ilo_env(env),
        stdin=None if input is not None else subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return SHARED_DIR


@pytest.fixture(name="run_ilo", scope="session")
def run_ilo_fixture():
    return run_ilo


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_REPORT_KEY] = []


@pytest.fixture(scope="session")
def conformance_report(pytestconfig: pytest.Config) -> list:
    return pytestconfig.stash[_REPORT_KEY]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines = config.stash.get(_REPORT_KEY, [])
    if lines:
        terminalreporter.section("ilo conformance")
        for line in lines:
            terminalreporter.write_line(line)
