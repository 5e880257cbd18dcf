"""``immunobalance model sbml|simulate`` (contracts/cli.md)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from immunobalance.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "regimens"


def test_sbml_export(tmp_path: Path) -> None:
    out = tmp_path / "m.xml"
    r = runner.invoke(
        app,
        [
            "model",
            "sbml",
            "--disease",
            "psoriasis",
            "--regimen-file",
            str(EXAMPLES / "secukinumab_loading.toml"),
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    import libsbml

    doc = libsbml.readSBMLFromString(out.read_text())
    assert doc.getModel().getNumEvents() > 5


def test_simulate_writes_trajectories_and_plots(tmp_path: Path) -> None:
    r = runner.invoke(
        app,
        [
            "model",
            "simulate",
            "--disease",
            "rheumatoid_arthritis",
            "--regimen-file",
            str(EXAMPLES / "adalimumab_mtx.toml"),
            "--n",
            "2",
            "--weeks",
            "12",
            "--seed",
            "3",
            "--out",
            str(tmp_path),
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    for f in summary["files"].values():
        assert Path(f).stat().st_size > 0
    assert summary["mean_inflammation"]["end"] < summary["mean_inflammation"]["baseline"]


def test_bad_regimen_file_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'regimen = [{agent = "adalimumab", dose = "40 mgs", route = "sc", '
        'every = "2 weeks"}, {agent = "x", dose = "1 mg", route = "nasal", '
        'every = "1 day"}]\n'
    )
    from immunobalance.cli.model import read_regimen_file
    from immunobalance.errors import InvalidSpecError

    try:
        read_regimen_file(bad)
    except InvalidSpecError as exc:
        paths = [p.path for p in exc.problems]
        assert any("regimen[0].dose" in p for p in paths)
        assert any("regimen[1].route" in p for p in paths)
    else:
        raise AssertionError("expected InvalidSpecError")
