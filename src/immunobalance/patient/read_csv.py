"""Read a patient from spreadsheets: one CSV row per observation, plus a small header file.

Layout (``docs/patient-records.md``)::

    ra-001.csv             patient_id,code,value,unit,date        (one row per observation)
    ra-001.patient.csv     field,value                            (optional header file)
                           id,pt-ra-001
                           sex,female
                           birth_date,1968-04-02
                           weight_kg,68
                           condition,M05.79@2019-03-01     (ICD-10-CM[@onset]; snomed:ID[@onset])
                           medication,methotrexate|20 mg|1 week|oral|2025-01-10||inadequate_response
                           allergy,penicillin

``medication`` values are ``agent|dose|every|route|start|stop|outcome`` (trailing fields may be
left out). The header file is found next to the observations file (``<stem>.patient.csv``).
Problems are reported by file and line: ``ra-001.csv:5 unit: 'mg/dl/h' is not a unit of CRP``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from immunobalance.errors import InvalidRecordError, Problem
from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.patient.model import Patient
from immunobalance.patient.read_json import RecordContext, build_patient

__all__ = ["OBSERVATION_COLUMNS", "header_path_for", "read_patient_csv"]

OBSERVATION_COLUMNS = ("patient_id", "code", "value", "unit", "date")
_MEDICATION_FIELDS = ("agent", "dose", "every", "route", "start", "stop", "outcome")
_HEADER_SCALARS = {"id", "sex", "birth_date", "age", "weight_kg", "height_cm"}
_HEADER_FIELDS = _HEADER_SCALARS | {"condition", "medication", "allergy"}
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def header_path_for(path: Path) -> Path:
    """The header file that belongs to an observations CSV (``x.csv`` → ``x.patient.csv``)."""
    return path.with_name(f"{path.stem}.patient.csv")


def _cell(text: str | None) -> Any:
    """A CSV cell as a JSON value: numbers as numbers, empty as None, the rest as text."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    if _NUMBER.fullmatch(text):
        number = float(text)
        return (
            int(number)
            if number.is_integer() and "." not in text and "e" not in text.lower()
            else number
        )
    return text


def _read_rows(
    path: Path, problems: list[Problem]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            reader.fieldnames = header
            rows = [(reader.line_num, dict(row)) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        problems.append(Problem(path.name, f"cannot read CSV: {exc}"))
        return [], []
    return header, rows


def _condition(value: str) -> dict[str, Any]:
    code, _, onset = value.partition("@")
    system = "icd10"
    if ":" in code:
        system, code = code.split(":", 1)
    item: dict[str, Any] = {"code": code.strip(), "system": system.strip()}
    if onset.strip():
        item["onset"] = onset.strip()
    return item


def _medication(value: str) -> dict[str, Any]:
    parts = [p.strip() for p in value.split("|")]
    return {k: v for k, v in zip(_MEDICATION_FIELDS, parts, strict=False) if v}


def read_patient_csv(
    path: str | Path, *, patient_id: str | None = None, kb: KnowledgeBase | None = None
) -> Patient:
    """Read the observations CSV at ``path`` (and its header file, if present) into a Patient.

    Parameters
    ----------
    path
        The observations CSV (columns ``patient_id,code,value,unit,date``).
    patient_id
        Which patient's rows to read when the file holds several (required then).
    kb
        Knowledge base to map codes and units against (default: the bundled one).

    Raises
    ------
    InvalidRecordError
        Every problem, located as ``file:line field``.
    """
    path = Path(path)
    problems: list[Problem] = []
    if not path.is_file():
        raise InvalidRecordError([Problem(str(path), "no such file")])
    header, rows = _read_rows(path, problems)
    missing = [c for c in OBSERVATION_COLUMNS if c not in header]
    extra = [c for c in header if c not in OBSERVATION_COLUMNS]
    if missing or extra:
        problems.append(
            Problem(
                f"{path.name}:1",
                f"columns must be {','.join(OBSERVATION_COLUMNS)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unexpected {', '.join(extra)}" if extra else ""),
            )
        )
        raise InvalidRecordError(problems)
    record: dict[str, Any] = {}
    locations: dict[str, str] = {}  # contract path prefix -> file:line
    head = header_path_for(path)
    if head.is_file():
        head_cols, head_rows = _read_rows(head, problems)
        if head_cols[:2] != ["field", "value"]:
            problems.append(Problem(f"{head.name}:1", "columns must be field,value"))
        for line, row in head_rows:
            field = (row.get("field") or "").strip()
            value = (row.get("value") or "").strip()
            where = f"{head.name}:{line}"
            if field in _HEADER_SCALARS:
                record[field] = value if field in {"id", "sex", "birth_date"} else _cell(value)
                locations[field] = where
            elif field in {"condition", "medication", "allergy"}:
                section = {
                    "condition": "conditions",
                    "medication": "medications",
                    "allergy": "allergies",
                }[field]
                items = record.setdefault(section, [])
                locations[f"{section}[{len(items)}]"] = where
                if field == "condition":
                    items.append(_condition(value))
                elif field == "medication":
                    items.append(_medication(value))
                else:
                    items.append({"substance": value})
            else:
                problems.append(
                    Problem(
                        where,
                        f"unknown field {field!r} (expected one of "
                        f"{', '.join(sorted(_HEADER_FIELDS))})",
                    )
                )
    ids = sorted({(r.get("patient_id") or "").strip() for _, r in rows} - {""})
    wanted = patient_id or record.get("id")
    if wanted is None:
        if len(ids) > 1:
            problems.append(
                Problem(
                    path.name,
                    f"file holds {len(ids)} patients ({', '.join(ids)}); "
                    "choose one with patient_id (CLI: --patient-id)",
                )
            )
        wanted = ids[0] if ids else None
    elif ids and str(wanted) not in ids:
        problems.append(
            Problem(path.name, f"no rows for patient {wanted!r} (file holds {', '.join(ids)})")
        )
    if problems:
        raise InvalidRecordError(problems)
    record.setdefault("id", wanted)
    observations: list[dict[str, Any]] = []
    for line, row in rows:
        if (row.get("patient_id") or "").strip() not in {"", str(wanted)}:
            continue
        locations[f"observations[{len(observations)}]"] = f"{path.name}:{line}"
        observations.append(
            {
                "code": (row.get("code") or "").strip() or None,  # codes stay text ('1988-5')
                "value": _cell(row.get("value")),
                "unit": (row.get("unit") or "").strip() or None,
                "date": (row.get("date") or "").strip() or None,
            }
        )
    record["observations"] = observations
    ctx = RecordContext(kb)
    try:
        return build_patient(ctx, record)
    except InvalidRecordError as exc:
        raise InvalidRecordError(
            [_relocate(p, locations, path.name) for p in exc.problems]
        ) from None


def _relocate(problem: Problem, locations: dict[str, str], default: str) -> Problem:
    """``observations[3].unit`` → ``ra.csv:5 unit``."""
    match = re.match(r"^(\w+\[\d+\])\.?(.*)$", problem.path)
    if match and match.group(1) in locations:
        field = match.group(2)
        return Problem(
            f"{locations[match.group(1)]}" + (f" {field}" if field else ""), problem.message
        )
    head = problem.path.split(".")[0].split("[")[0]
    if head in locations:
        return Problem(locations[head], problem.message)
    return Problem(f"{default} {problem.path}".strip(), problem.message)
