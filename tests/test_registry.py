"""The diagnostic registry behind ``ilo --explain``."""

import re

import pytest

from ilo.diagnostics import registry
from ilo.diagnostics.registry import REGISTRY, Entry, explain, lookup, normalise

CODE_SHAPE = re.compile(r"^ILO-[LPTWRU]\d{3}$")

# Codes the reference implementation defines or emits; they must keep
# their meaning here so knowledge of ilo transfers.
UPSTREAM_CODES = (
    ["ILO-L001", "ILO-L002", "ILO-L003"]
    + [f"ILO-P{n:03d}" for n in range(1, 22) if n != 20] + ["ILO-P020"]
    + [f"ILO-T{n:03d}" for n in range(1, 35)]
    + ["ILO-W001"]
    + [f"ILO-R{n:03d}" for n in range(1, 15)]
    + ["ILO-R026", "ILO-R099"]
)

OUR_CODES = [
    "ILO-R016", "ILO-R017", "ILO-R601", "ILO-R602", "ILO-R603", "ILO-R604",
    "ILO-U001", "ILO-U002", "ILO-U003", "ILO-U004", "ILO-U005", "ILO-U006",
    "ILO-U007", "ILO-R607", "ILO-R608", "ILO-R609", "ILO-R610", "ILO-R611", "ILO-U008", "ILO-U009", "ILO-R605", "ILO-R606",
]


def test_registry_is_keyed_by_code():
    for key, entry in REGISTRY.items():
        assert isinstance(entry, Entry)
        assert key == entry.code
        assert CODE_SHAPE.match(key), key


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_every_entry_has_title_and_explanation(code):
    entry = REGISTRY[code]
    assert entry.title.strip()
    assert entry.explanation.strip()
    # a real explanation, not a one-word stub
    assert len(entry.explanation.split()) >= 12
    assert "\t" not in entry.explanation


@pytest.mark.parametrize("code", UPSTREAM_CODES + OUR_CODES)
def test_expected_codes_present(code):
    assert code in REGISTRY


def test_guard_codes_name_their_flags():
    assert "--max-runtime" in REGISTRY["ILO-R016"].explanation
    assert "--max-output-bytes" in REGISTRY["ILO-R017"].explanation
    assert "--max-idle" in REGISTRY["ILO-R601"].explanation
    assert "--max-memory" in REGISTRY["ILO-R602"].explanation
    for code in ("ILO-R016", "ILO-R017"):
        assert "0" in REGISTRY[code].explanation  # 0 disables


@pytest.mark.parametrize("form", ["ILO-T004", "T004", "t004", "ilo-t004", " ILO-T004 ", "Ilo-T004"])
def test_explain_accepts_common_forms(form):
    text = explain(form)
    assert text is not None
    assert text.startswith("ILO-T004: ")
    assert REGISTRY["ILO-T004"].explanation in text


def test_normalise():
    assert normalise("r016") == "ILO-R016"
    assert normalise("ILO-U001") == "ILO-U001"
    assert normalise("T04") is None
    assert normalise("hello") is None
    assert normalise("") is None


@pytest.mark.parametrize("bad", ["ILO-X999", "T999", "X001", "", "ILO-", "nonsense", "ILO-T0045"])
def test_unknown_code_returns_none(bad):
    assert explain(bad) is None
    assert lookup(bad) is None


def test_non_string_returns_none():
    assert explain(None) is None  # type: ignore[arg-type]


def test_codes_sorted_and_complete():
    assert registry.codes() == sorted(REGISTRY)
    assert registry.title("ILO-R017") == REGISTRY["ILO-R017"].title
