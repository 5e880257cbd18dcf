"""Read a patient from whatever it arrives as: a path, ``-`` (stdin), a JSON string or a dict.

The format is detected from the content (a FHIR ``Bundle`` or a patient record object) or the
file extension (``.csv``), unless ``fmt`` says which. This is the one entry point the CLI, the
API and the indices call.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from immunobalance.errors import InvalidRecordError, Problem
from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.patient.model import Patient
from immunobalance.patient.read_csv import read_patient_csv
from immunobalance.patient.read_fhir import parse_fhir_bundle
from immunobalance.patient.read_json import parse_patient_dict

__all__ = ["PatientFormat", "read_patient"]

PatientFormat = Literal["auto", "json", "fhir", "csv"]


def _loads(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRecordError(
            [Problem(f"{where}:{exc.lineno}:{exc.colno}", f"not valid JSON: {exc.msg}")]
        ) from None


def _from_data(
    data: Any, fmt: PatientFormat, patient_id: str | None, kb: KnowledgeBase | None
) -> Patient:
    if not isinstance(data, dict):
        raise InvalidRecordError(
            [
                Problem(
                    "",
                    "expected a JSON object (patient record or FHIR Bundle), "
                    f"got {type(data).__name__}",
                )
            ]
        )
    if fmt == "csv":
        raise InvalidRecordError([Problem("", "fmt='csv' needs a path to a CSV file")])
    is_bundle = data.get("resourceType") == "Bundle"
    if fmt == "fhir" or (fmt == "auto" and is_bundle):
        return parse_fhir_bundle(data, patient_id=patient_id, kb=kb)
    if fmt == "auto" and "resourceType" in data:
        raise InvalidRecordError(
            [
                Problem(
                    "resourceType",
                    f"a FHIR {data['resourceType']!r} is not read alone; send a Bundle",
                )
            ]
        )
    patient = parse_patient_dict(data, kb=kb)
    if patient_id is not None and patient.id != patient_id:
        raise InvalidRecordError(
            [Problem("id", f"record is patient {patient.id!r}, not {patient_id!r}")]
        )
    return patient


def read_patient(
    source: Path | str | dict[str, Any],
    *,
    patient_id: str | None = None,
    fmt: PatientFormat = "auto",
    kb: KnowledgeBase | None = None,
) -> Patient:
    """Read and validate one patient.

    Parameters
    ----------
    source
        A path (JSON, FHIR Bundle JSON, or CSV with its header file), ``"-"`` for stdin, a JSON
        string, or an already-parsed dict.
    patient_id
        Which patient to read from a bundle or CSV that holds several.
    fmt
        ``"auto"`` (detect), ``"json"``, ``"fhir"`` or ``"csv"``.
    kb
        Knowledge base (default: the bundled one).

    Raises
    ------
    InvalidRecordError
        Every problem with its location; also for unreadable files and malformed JSON.

    Examples
    --------
    >>> patient = read_patient("examples/patients/ra.json")  # doctest: +SKIP
    >>> patient.latest_value("CRP")  # doctest: +SKIP
    """
    if fmt not in {"auto", "json", "fhir", "csv"}:
        raise InvalidRecordError(
            [Problem("", f"unknown format {fmt!r} (expected auto, json, fhir or csv)")]
        )
    if isinstance(source, dict):
        return _from_data(source, fmt, patient_id, kb)
    if isinstance(source, str) and source.strip() == "-":
        return _from_data(_loads(sys.stdin.read(), "<stdin>"), fmt, patient_id, kb)
    if isinstance(source, str) and source.lstrip().startswith(("{", "[")):
        return _from_data(_loads(source, "<string>"), fmt, patient_id, kb)
    if not isinstance(source, str | Path):
        raise InvalidRecordError(
            [Problem("", f"expected a path, JSON text or dict, got {type(source).__name__}")]
        )
    path = Path(source)
    if not path.is_file():
        raise InvalidRecordError([Problem(str(path), "no such file")])
    if fmt == "csv" or (fmt == "auto" and path.suffix.lower() == ".csv"):
        return read_patient_csv(path, patient_id=patient_id, kb=kb)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidRecordError([Problem(str(path), f"cannot read: {exc}")]) from None
    return _from_data(_loads(text, path.name), fmt, patient_id, kb)
