"""Write a trial's outputs atomically: result JSON, per-patient Parquet, manifest, HTML report.

Everything is written into a fresh temporary directory beside the destination and moved into
place with one ``rename`` when complete, so an interrupted run (Ctrl-C, a crash, a full disk)
leaves either the previous output or none — never a half-written one. An existing destination
is replaced only if it is an earlier trial output (it holds ``manifest.json``) or empty.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from immunobalance.errors import InvalidInputError, Problem
from immunobalance.trials.conduct import DISCONTINUATION_REASONS, TrialConduct
from immunobalance.trials.result import TrialResult, endpoint_kind
from immunobalance.trials.spec import TrialSpec

__all__ = ["OUTPUT_FILES", "patient_table", "write_trial_outputs"]

#: Files of an output directory.
OUTPUT_FILES = ("result.json", "patients.parquet", "manifest.json", "report.html")


def patient_table(result: TrialResult) -> Any:
    """Per-patient outcomes as a ``pyarrow.Table``: arm, index, status, covariates, baseline
    read-outs (``baseline_<KEY>``), discontinuation, and one column per ``CODE@WEEK`` (bool for
    proportions, float for means, event count plus ``CODE@WEEK:patient_years`` for rates)."""
    import pyarrow as pa

    tables = []
    for arm, out in zip(result.arms, result.outcomes, strict=True):
        n = out.patient_index.size
        ok = out.status == 0
        cols: dict[str, Any] = {
            "arm": pa.array([arm.name] * n, pa.string()).dictionary_encode(),
            "patient_index": pa.array(out.patient_index, pa.int64()),
            "solver_status": pa.array(out.status, pa.int8()),
        }
        for k, v in out.covariates.items():
            cols[k] = pa.array(v.astype(str) if v.dtype.kind in "OU" else v.astype(float))
        for k, v in out.baseline.items():
            cols[f"baseline_{k}"] = pa.array(
                np.where(ok, v, np.nan), pa.float64(), from_pandas=True
            )
        stop = np.where(np.isfinite(out.stop_week), out.stop_week, np.nan)
        cols["discontinued_week"] = pa.array(stop, pa.float64(), from_pandas=True)
        cols["discontinuation_reason"] = pa.array(
            [DISCONTINUATION_REASONS[r] if r >= 0 else None for r in out.stop_reason.tolist()],
            pa.string(),
        )
        for key, (value, exposure) in out.endpoints.items():
            kind = endpoint_kind(key)
            if kind == "proportion":
                cols[key] = pa.array(
                    [None if not np.isfinite(x) else bool(x) for x in value], pa.bool_()
                )
            elif kind == "mean":
                cols[key] = pa.array(value, pa.float64(), from_pandas=True)
            else:
                cols[key] = pa.array(
                    [None if not np.isfinite(x) else int(x) for x in value], pa.int32()
                )
                cols[f"{key}:patient_years"] = pa.array(exposure, pa.float64(), from_pandas=True)
        tables.append(pa.table(cols))
    return pa.concat_tables(tables, promote_options="default") if tables else pa.table({})


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _manifest(
    result: TrialResult,
    spec: TrialSpec,
    conduct: TrialConduct,
    backend: str,
    chunk_size: int,
    files: dict[str, str],
) -> dict[str, Any]:
    from datetime import UTC, datetime

    import numba
    import scipy

    from immunobalance.knowledge import load_knowledge_base

    kb = load_knowledge_base()
    kb_version = getattr(getattr(kb, "meta", None), "version", None)
    return {
        "software_version": result.software_version,
        "spec_sha256": result.spec_sha256,
        "seed": result.seed,
        "calibration_version": result.calibration_version,
        "conduct": conduct.to_dict(),
        "knowledge_base_version": kb_version,
        "backend": backend,
        "chunk_size": chunk_size,
        "n_per_arm": spec.trial.n_per_arm,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "numba": numba.__version__,
            "machine": platform.machine(),
            "system": platform.system(),
        },
        "notes": result.notes,
        "files": files,
    }


def _check_destination(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidInputError(
            [Problem("--out", f"{out_dir} exists and is not a directory")], what="trial output"
        )
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "manifest.json").is_file():
        raise InvalidInputError(
            [
                Problem(
                    "--out",
                    f"{out_dir} is not empty and is not an earlier trial output "
                    "(no manifest.json); choose a new directory",
                )
            ],
            what="trial output",
        )


def write_trial_outputs(
    result: TrialResult,
    out_dir: Path,
    *,
    spec: TrialSpec,
    conduct: TrialConduct,
    backend: str,
    chunk_size: int,
) -> Path:
    """Write the four output files into ``out_dir`` atomically; returns ``out_dir``.

    Raises
    ------
    InvalidInputError
        If ``out_dir`` is a file, or a non-empty directory that is not a trial output.
    """
    import pyarrow.parquet as pq

    from immunobalance.trials.report import render_report

    out_dir = Path(out_dir).absolute()
    _check_destination(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the output is an ordinary directory
    try:
        (tmp / "result.json").write_text(result.to_json_text(), encoding="utf-8")
        pq.write_table(patient_table(result), tmp / "patients.parquet", compression="zstd")
        (tmp / "report.html").write_text(render_report(result, spec), encoding="utf-8")
        files = {name: _sha256(tmp / name) for name in OUTPUT_FILES if (tmp / name).exists()}
        manifest = _manifest(result, spec, conduct, backend, chunk_size, files)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            os.replace(out_dir, old / "previous")
            os.replace(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
