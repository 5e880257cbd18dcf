"""Copied or generated-and-committed documentation files match their sources."""

from __future__ import annotations

import pytest

from conftest import REPO

SHARED_CONTRACTS = REPO.parent / "shared" / "contracts"
COPIES = sorted((REPO / "docs" / "contracts").glob("*.md"))


@pytest.mark.parametrize("copy", [c for c in COPIES if c.name != "index.md"], ids=lambda p: p.name)
def test_contract_copy_is_verbatim(copy) -> None:  # type: ignore[no-untyped-def]
    source = SHARED_CONTRACTS / copy.name
    if not source.exists():
        pytest.skip(f"{source} is not beside this clone")
    header, _, body = copy.read_text(encoding="utf-8").partition("\n\n")
    assert header.startswith("<!-- Copied verbatim") and f"shared/contracts/{copy.name}" in header
    assert body == source.read_text(encoding="utf-8")


def test_every_contract_is_copied() -> None:
    if not SHARED_CONTRACTS.exists():
        pytest.skip("shared/contracts is not beside this clone")
    wanted = {p.name for p in SHARED_CONTRACTS.glob("*.md")} - {"README.md"}
    assert wanted <= {p.name for p in COPIES}


def test_safety_rule_page_is_generated_from_the_current_rules() -> None:
    page = REPO / "docs" / "safety-rules.md"
    safety = pytest.importorskip("immunobalance.safety")
    if not hasattr(safety, "render_rules_markdown") or not page.exists():
        pytest.skip("safety rule rendering or docs/safety-rules.md not present yet")
    assert page.read_text(encoding="utf-8") == safety.render_rules_markdown(), (
        "docs/safety-rules.md is stale: regenerate it with "
        "immunobalance.safety.write_rules_markdown()"
    )
