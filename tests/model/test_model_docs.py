"""docs/model.md's generated reference is current (docs cannot drift from the declarations)."""

from __future__ import annotations

from pathlib import Path

from immunobalance.model.docs import BEGIN, END, reference_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "model.md"


def test_generated_reference_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] == reference_markdown(), (
        "regenerate: python -m immunobalance.model.docs --write docs/model.md"
    )
