"""Input validation: column types and units via the biomarker table, leakage guards, patient ids."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from immunobalance.errors import InvalidInputError
from immunobalance.knowledge import load_knowledge_base
from immunobalance.learn import (
    LearningDataset,
    nested_cross_validate,
    prepare_dataset,
    read_cohort,
    synthetic_cohort,
    write_cohort_csv,
)

BIOMARKERS = dict(load_knowledge_base().biomarkers)


def _prepare(columns: dict[str, list[object]], tmp_path: Path, **kwargs: object) -> LearningDataset:
    path = write_cohort_csv(columns, tmp_path / "c.csv")
    kwargs.setdefault("target", "ACR20@24")
    return prepare_dataset(read_cohort(path), biomarkers=BIOMARKERS, **kwargs)  # type: ignore[arg-type]


def _base(n: int = 40) -> dict[str, list[object]]:
    cohort = synthetic_cohort(n, 1, arm_effects={})
    return {k: cohort.columns[k] for k in ("patient_id", "CRP", "TNF", "ACR20@24")}


def test_unit_suffix_is_converted_through_the_biomarker_table(tmp_path: Path) -> None:
    columns = _base()
    columns["CRP[mg/dL]"] = [float(v) / 10 for v in columns.pop("CRP")]  # type: ignore[arg-type]
    data = _prepare(columns, tmp_path)
    spec = next(f for f in data.features if f.column == "CRP[mg/dL]")
    assert (spec.key, spec.unit, spec.source_unit) == ("CRP", "mg/L", "mg/dL")
    expected = np.array(_base()["CRP"], dtype=float)
    np.testing.assert_allclose(
        data.X[:, [f.column for f in data.features].index("CRP[mg/dL]")], expected
    )


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    columns = _base()
    columns["IL6[mg/furlong]"] = [1.0] * 40
    columns["TREG_PCT"] = [150.0] + [5.0] * 39
    columns["TNF"] = ["high"] + [1.0] * 39
    columns["ACR20@24"] = ["maybe", *columns["ACR20@24"][1:]]
    with pytest.raises(InvalidInputError) as err:
        _prepare(columns, tmp_path)
    paths = [p.path for p in err.value.problems]
    messages = " ".join(p.message for p in err.value.problems)
    assert "IL6[mg/furlong]" in paths and "mg/furlong" in messages
    assert "TREG_PCT, row 1" in paths and "outside the physical range" in messages
    assert "TNF, row 1" in paths
    assert "ACR20@24, row 1" in paths


def test_outcome_derived_columns_are_excluded_or_refused(tmp_path: Path) -> None:
    columns = _base()
    y = columns["ACR20@24"]
    columns["ACR50@24"] = [bool(v) and i % 2 == 0 for i, v in enumerate(y)]
    columns["ACR70"] = [False] * 40
    columns["RESPONDER"] = y
    columns["COPY_OF_TARGET"] = [1.0 if v else 0.0 for v in y]
    columns["CRP@0"] = columns["CRP"]
    data = _prepare(columns, tmp_path)
    excluded = {e.column for e in data.excluded}
    assert {"ACR50@24", "ACR70", "RESPONDER", "COPY_OF_TARGET"} <= excluded
    assert "CRP@0" in [f.column for f in data.features]  # a baseline (week 0) value is allowed
    with pytest.raises(InvalidInputError) as err:
        _prepare(columns, tmp_path, features=["CRP", "ACR50@24", "COPY_OF_TARGET"])
    assert {p.path for p in err.value.problems} == {"ACR50@24", "COPY_OF_TARGET"}


def test_patient_id_is_required(tmp_path: Path) -> None:
    columns = _base()
    columns["subject_ref"] = columns.pop("patient_id")
    with pytest.raises(InvalidInputError) as err:
        _prepare(columns, tmp_path)
    assert err.value.problems[0].path == "--id-col"
    assert _prepare(columns, tmp_path, id_col="subject_ref").id_column == "subject_ref"


def test_text_column_needs_a_role(tmp_path: Path) -> None:
    columns = _base()
    columns["site"] = ["A", "B"] * 20
    with pytest.raises(InvalidInputError, match="--treatment"):
        _prepare(columns, tmp_path)


def test_rows_without_outcome_are_left_out_and_counted(tmp_path: Path) -> None:
    columns = _base()
    columns["ACR20@24"] = [None, None, *columns["ACR20@24"][2:]]
    data = _prepare(columns, tmp_path)
    assert data.n_rows_without_target == 2
    assert len(data.y) == 38


def test_serology_flags_and_categories(tmp_path: Path) -> None:
    columns = _base()
    columns["RF_POSITIVE"] = ["positive", "negative"] * 20
    columns["IFN_SIGNATURE"] = ["high", "low", "low", "high"] * 10
    data = _prepare(columns, tmp_path)
    names = [f.column for f in data.features]
    np.testing.assert_array_equal(data.X[:4, names.index("RF_POSITIVE")], [1, 0, 1, 0])
    np.testing.assert_array_equal(data.X[:4, names.index("IFN_SIGNATURE")], [1, 0, 0, 1])


def test_repeated_rows_of_one_patient_never_straddle_folds(tmp_path: Path) -> None:
    cohort = synthetic_cohort(120, 2, arm_effects={})
    columns = {k: v * 3 for k, v in cohort.columns.items() if k != "arm"}  # 3 rows per patient
    data = _prepare(columns, tmp_path)
    assert data.n_patients == 120 and len(data.y) == 360
    result = nested_cross_validate(
        data, model="logistic", folds=3, inner_folds=2, n_permutation_repeats=0, seed=1
    )
    for patient in np.unique(data.groups):
        assert np.unique(result.fold_of_row[data.groups == patient]).size == 1


def test_same_seed_same_numbers(tmp_path: Path) -> None:
    data = _prepare(_base(80), tmp_path)
    runs = [
        nested_cross_validate(data, model="logistic", folds=3, n_permutation_repeats=2, seed=5)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].oof, runs[1].oof)
    assert runs[0].importance == runs[1].importance
