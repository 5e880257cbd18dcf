"""The end-to-end demo behind ``make demo``; grows with the project.

Runs each main job on embedded defaults (bundled knowledge base and examples, SQLite in the data
directory) and writes what it produces under ``--out``.

``--serve`` (``make serve-demo``) instead loads the example patients of ``examples/patients/``
into the store, creates a clinician token, prints the URL and the token, and runs the service
(REST API, CDS Hooks, browser UI) until interrupted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "patients"


def run(*args: str) -> None:
    print(f"\n$ immunobalance {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "-m", "immunobalance", *args], check=True)


def load_examples() -> list[str]:
    """Store every example patient (JSON records) not stored yet; returns the ids stored."""
    from immunobalance.api.monitoring import create_reviewed, review_document
    from immunobalance.patient import read_patient
    from immunobalance.store import open_database
    from immunobalance.store.crud import patients as crud

    db = open_database()
    stored = []
    for path in sorted(EXAMPLES.glob("*.json")):
        patient = read_patient(path)
        with db.read() as session:
            if crud.get_patient_row(session, patient.id, full=False) is not None:
                continue
        review = review_document(patient, patient.latest_date())
        with db.write() as session:
            create_reviewed(session, patient, review)
        stored.append(patient.id)
    return stored


def serve(host: str, port: int) -> None:
    """Load the examples, print the URL and a clinician token, serve until interrupted."""
    import uvicorn

    from immunobalance.api import create_app
    from immunobalance.cli.serve import log_config
    from immunobalance.config import get_settings
    from immunobalance.store import open_database
    from immunobalance.store.crud import tokens

    settings = get_settings()
    stored = load_examples()
    with open_database().write() as session:
        _, secret = tokens.create_token(session, "clinician", "demo")
    print(f"data directory: {settings.data_dir}")
    print(f"example patients loaded: {', '.join(stored) or '(already there)'}")
    print(f"clinician token (paste it into the UI): {secret}")
    print(f"immunobalance demo: http://{host}:{port}/", flush=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_config=log_config())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo-output"))
    parser.add_argument("--serve", action="store_true", help="load examples and run the service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    if args.serve:
        serve(args.host, args.port)
        return
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    root = EXAMPLES.parent.parent
    # 1. the cited knowledge base
    run("kb", "diseases")
    run("kb", "show", "tocilizumab")
    # 2. a patient from an EHR export (FHIR R4) and from JSON: activity indices and response
    run("assess", str(EXAMPLES / "fhir" / "ra.json"))
    run("assess", str(EXAMPLES / "psoriasis.json"))
    # 3. the mechanistic model: one virtual patient under a regimen, plotted; SBML export
    regimen = root / "examples" / "regimens" / "adalimumab_mtx.toml"
    run(
        "model",
        "simulate",
        "--disease",
        "rheumatoid_arthritis",
        "--regimen-file",
        str(regimen),
        "--weeks",
        "24",
        "--out",
        str(out / "simulation"),
    )
    run(
        "model",
        "sbml",
        "--disease",
        "rheumatoid_arthritis",
        "--regimen-file",
        str(regimen),
        "--out",
        str(out / "model.xml"),
    )
    # 4. an in-silico trial with a combination arm (smaller than the example spec, for speed)
    spec = _smaller_spec(
        root / "examples" / "trials" / "rheumatoid_arthritis_mtx_ir.toml",
        out / "trial-spec.toml",
        n_per_arm=300,
    )
    run("trial", "run", str(spec), "--out", str(out / "trial"))
    # 5. ranked, explained, safety-screened recommendations with HTML reports
    for patient in sorted(EXAMPLES.glob("*.json")):
        run(
            "recommend",
            str(patient),
            "--n",
            "300",
            "--report",
            str(out / "reports" / f"{patient.stem}.html"),
        )
    # 6. a response model learned on the example cohort (examples/cohorts/)
    run(
        "learn",
        str(root / "examples" / "cohorts" / "ra_simulated_cohort.csv"),
        "--target",
        "ACR20@24",
        "--treatment",
        "arm",
        "--shuffled-control",
        "--out",
        str(out / "learn"),
    )
    print(f"\ndemo outputs: {out.resolve()}")
    print("  trial report:      trial/report.html")
    print("  patient reports:   reports/*.html")
    print("  learned model:     learn/report.html, learn/model_card.md")
    print("  trajectories:      simulation/")
    print("run `make serve-demo` for the REST API, CDS Hooks and the browser UI")


def _smaller_spec(src: Path, dst: Path, *, n_per_arm: int) -> Path:
    """Copy a trial spec with a smaller ``n_per_arm`` (the demo favours speed over precision)."""
    import tomllib

    import tomli_w

    spec = tomllib.loads(src.read_text(encoding="utf-8"))
    spec["trial"]["n_per_arm"] = n_per_arm
    dst.write_text(tomli_w.dumps(spec), encoding="utf-8")
    return dst


if __name__ == "__main__":
    main()
