"""The Validation page's results: produced by ``scripts/make_validation_page.py``, included here.

Regenerating calibration and benchmarks takes minutes, so it is a command (``make validation``)
whose output — ``docs/validation/results.md`` and its figures, stamped with date and version — is
committed; the build includes it, or says plainly that it has not been generated.
"""

from __future__ import annotations

from pathlib import Path

RESULTS = "results.md"


def render_validation_results(folder: Path) -> str:
    path = folder / RESULTS
    if not path.exists():
        return (
            '!!! warning "Results not generated yet"\n\n'
            "    No results have been generated for this version. Run `make validation` (or "
            "`.venv/bin/python scripts/make_validation_page.py`) and commit "
            "`docs/validation/`.\n"
        )
    text = path.read_text(encoding="utf-8")
    # Figures are referenced relative to docs/validation/; the page lives at docs/validation.md.
    return text.replace("](figures/", "](validation/figures/")
