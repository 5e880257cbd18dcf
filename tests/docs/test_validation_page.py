"""The Validation page generator's own logic (the full run takes minutes: ``make validation``)."""

from __future__ import annotations

import json
from pathlib import Path

import make_validation_page as page
import numpy as np
from docsgen import validation_baseline, validation_calibration, validation_solver

from immunobalance.knowledge.schema import PopulationBaseline


def test_error_per_endpoint_kind_is_the_mean_absolute_error_of_its_rows() -> None:
    rows = [
        {"endpoint": "ACR20", "error_pp": -4.0},
        {"endpoint": "PASI75", "error_pp": 10.0},
        {"endpoint": "ARR", "error_pp": -30.0},
        {"endpoint": "ACR50", "error_pp": None},  # not comparable: not counted
    ]
    kinds = validation_calibration.endpoint_kinds()
    assert validation_calibration.summary_by_kind(rows, kinds) == [
        ("proportion", "7", "pp", 2),
        ("rate", "30", "% (relative)", 1),
    ]


def test_virtual_summary_takes_the_published_form() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 0.0])
    mean_sd = PopulationBaseline(mean=2.5, sd=1.0, source="paper")
    fraction = PopulationBaseline(fraction=0.5, source="paper")
    median = PopulationBaseline(median=2.0, low=1.0, high=3.0, source="paper")
    describe = validation_baseline.describe_virtual
    C = validation_baseline.Characteristic
    assert describe(C("X", mean_sd, x, "selected")) == "2 ± 1.58"
    assert describe(C("X", fraction, x, "selected")) == "80%"
    assert describe(C("X", median, x, "selected")) == "median 2 (IQR 1–3)"
    assert describe(C("X", mean_sd, None, "not simulated")) == "–"
    assert validation_baseline.describe_published(median) == "median 2 (1–3)"


def test_saved_benchmark_line_is_read_from_the_last_json_line(tmp_path: Path) -> None:
    out = tmp_path / "bench.txt"
    result = {"n": 10, "ours_s": 0.5, "roadrunner_s": 5.0, "speedup": 10.0}
    out.write_text("compiling…\n" + json.dumps(result) + "\n", encoding="utf-8")
    assert validation_solver.load_line(out) == result
    rows = dict(validation_solver.flatten({"a": {"b": 0.123456}, "c": "x"}))
    assert rows == {"a.b": "0.1235", "c": "x"}


def test_skipped_benchmark_keeps_the_previous_pages_section(tmp_path: Path) -> None:
    heading = validation_solver.HEADING
    previous = (
        f"*stamp*\n\n### Calibration: predicted vs published\n\nold\n\n{heading}\n\n"
        "kept ![s](figures/solver.png)\n\n### Later\n\nnot kept\n"
    )
    kept = page.solver_section(
        tmp_path, tmp_path / "figures", solver_json=None, skip=True, previous=previous
    )
    assert kept == f"{heading}\n\nkept ![s](figures/solver.png)\n\n"
    nothing = page.solver_section(
        tmp_path, tmp_path / "figures", solver_json=None, skip=True, previous=""
    )
    assert nothing.startswith(f"{heading}\n\nNot generated:")


def test_unreferenced_figures_are_removed(tmp_path: Path) -> None:
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "shown.png").write_bytes(b"png")
    (figures / "stale.png").write_bytes(b"png")
    page._drop_unreferenced(figures, "![a](figures/shown.png)")
    assert sorted(p.name for p in figures.iterdir()) == ["shown.png"]
