"""``immunobalance model …`` — export and simulate the immune-balance model (``contracts/cli.md``).

* ``model sbml --disease KEY [--regimen-file R.toml] --out model.xml`` writes SBML L3V2 with the
  typical patient's parameters and the regimen's dosing events;
* ``model simulate --disease KEY [--population POP] [--regimen-file R.toml] [--n N] [--weeks W]
  [--seed S] [--out DIR] [--format json]`` simulates ``N`` virtual patients and writes
  ``trajectories.csv``, ``trajectories.parquet``, ``patient0.png`` and ``patient0.html``.

A regimen file is TOML holding one ``regimen = [...]`` array in the trial-spec form.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import typer

from immunobalance.cli._output import FormatOption, OutputFormat, console, print_json
from immunobalance.errors import InvalidSpecError, Problem
from immunobalance.regimen import RegimenItem, parse_regimen, regimen_label

__all__ = ["app", "read_regimen_file", "register"]

app = typer.Typer(
    help="Export and simulate the mechanistic immune-balance model.", no_args_is_help=True
)

DiseaseOpt = typer.Option(..., "--disease", help="disease key, e.g. rheumatoid_arthritis")
RegimenOpt = typer.Option(
    None,
    "--regimen-file",
    help="TOML file with one `regimen = [...]` array (trial-spec form); omitted = untreated",
)


def read_regimen_file(path: Path | None) -> list[RegimenItem]:
    """Read and validate a regimen TOML file (every problem reported with its path)."""
    if path is None:
        return []
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidSpecError([Problem(where, "file not found")], what="regimen file") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidSpecError(
            [Problem(where, f"not valid TOML: {exc}")], what="regimen file"
        ) from None
    if "regimen" not in data:
        raise InvalidSpecError(
            [
                Problem(
                    where,
                    "no `regimen = [...]` array (e.g. regimen = "
                    '[{agent = "adalimumab", dose = "40 mg", route = "sc", '
                    'every = "2 weeks"}])',
                )
            ],
            what="regimen file",
        )
    extra = sorted(set(data) - {"regimen"})
    if extra:
        raise InvalidSpecError(
            [Problem(f"{where}:{k}", "unexpected key (only `regimen`)") for k in extra],
            what="regimen file",
        )
    return parse_regimen(data["regimen"], path=f"{where}:regimen")


@app.command("sbml")
def sbml_command(
    disease: str = DiseaseOpt,
    regimen_file: Path | None = RegimenOpt,
    out: Path = typer.Option(..., "--out", help="output SBML file"),
    weeks: float = typer.Option(52.0, "--weeks", help="dosing horizon (weeks)"),
) -> None:
    """Export the model (typical patient) with the regimen's dosing events as SBML L3V2."""
    from immunobalance.model import get_disease_module
    from immunobalance.model.sbml import SbmlExporter

    module = get_disease_module(disease)
    regimen = read_regimen_file(regimen_file)
    for item in regimen:
        module.kb.agent(item.agent)
    xml = SbmlExporter(module, regimen, weeks).export()
    out.write_text(xml, encoding="utf-8")
    console.print(f"wrote {out} ({len(xml):,} bytes): {disease}, {regimen_label(regimen)}")


@app.command("simulate")
def simulate_command(
    disease: str = DiseaseOpt,
    population: str | None = typer.Option(
        None,
        "--population",
        help="population key of the knowledge base: virtual patients are drawn from the "
        "calibrated virtual population (baseline matched to the published trials); omitted = "
        "the module's declared parameter priors",
    ),
    regimen_file: Path | None = RegimenOpt,
    n: int = typer.Option(1, "--n", min=1, help="number of virtual patients"),
    weeks: float = typer.Option(52.0, "--weeks", min=0.0, help="simulated weeks"),
    seed: int = typer.Option(0, "--seed", help="seed of every random draw"),
    out: Path = typer.Option(Path("simulation"), "--out", help="output directory"),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Simulate N virtual patients; write trajectories (CSV, Parquet) and plots of patient 0."""
    from immunobalance.model import get_disease_module, simulate

    module = get_disease_module(disease)
    if population is not None:
        module.kb.population(disease, population)
    regimen = read_regimen_file(regimen_file)
    for item in regimen:
        module.kb.agent(item.agent)
    covariates = None
    if population is None:
        params = module.sample_parameters(n, seed=seed)
    else:
        from immunobalance.population import sample_virtual_population

        cohort = sample_virtual_population(disease, population, n, seed=seed)
        params, covariates = cohort.params, cohort.covariates
    res = simulate(module, params, regimen, weeks, seed=seed, covariates=covariates)
    out.mkdir(parents=True, exist_ok=True)
    from immunobalance.model.plots import plot_patient, write_trajectories

    write_trajectories(res, out)
    plot_patient(res, 0, out / "patient0.png", title=f"{disease}: {regimen_label(regimen)}")
    plot_patient(res, 0, out / "patient0.html", title=f"{disease}: {regimen_label(regimen)}")
    last = {k: float(np.nanmean(v[:, -1])) for k, v in res.readouts.items()}
    files = {
        k: str(out / f)
        for k, f in (
            ("csv", "trajectories.csv"),
            ("parquet", "trajectories.parquet"),
            ("png", "patient0.png"),
            ("html", "patient0.html"),
        )
    }
    inflammation = {
        "baseline": float(np.nanmean(res.states["I"][:, 0])),
        "end": float(np.nanmean(res.states["I"][:, -1])),
    }
    summary = {
        "disease": disease,
        "population": population,
        "regimen": regimen_label(regimen),
        "n": n,
        "weeks": weeks,
        "seed": seed,
        "failed": int((res.status != 0).sum()),
        "files": files,
        "mean_inflammation": inflammation,
        "mean_readouts_end": last,
        "events": {k: int(res.event_counts(k).sum()) for k in res.events},
        "notes": res.notes,
    }
    if fmt == OutputFormat.json:
        print_json(summary)
        return
    console.print(
        f"[bold]{disease}[/] — {regimen_label(regimen)} — {n} patient(s), {weeks:g} weeks"
    )
    console.print(
        f"organ inflammation: {inflammation['baseline']:.2f} → "
        f"{inflammation['end']:.2f} (1 = untreated baseline)"
    )
    for k, f in files.items():
        console.print(f"  {k}: {f}")
    for note in res.notes:
        console.print(f"  [dim]note: {note}[/]")


def register(root: typer.Typer) -> None:
    """Attach ``model`` to the root CLI."""
    root.add_typer(app, name="model")
