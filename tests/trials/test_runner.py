"""The trial runner: examples, determinism, estimands, atomic output, spec errors."""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from trialspecs import EXAMPLES, RA_SPEC, small

from immunobalance import indices as ix
from immunobalance.errors import InvalidInputError, InvalidSpecError
from immunobalance.knowledge import load_knowledge_base
from immunobalance.model import get_disease_module
from immunobalance.model.run_in import simulate_with_run_in
from immunobalance.trials import (
    ENDPOINT_CODES,
    PriorCohortSource,
    TrialSpec,
    load_trial_spec,
    run_trial,
)
from immunobalance.trials.conduct import default_trial_conduct
from immunobalance.trials.runner import visit_weeks

#: Runner mechanics are tested on the prior cohort (independent of the calibration in use).
PRIOR = PriorCohortSource()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_example_runs_with_every_endpoint_and_sane_intervals(path: Path) -> None:
    spec = small(load_trial_spec(path), 64)
    assert any(not arm.regimen or arm.name.startswith("placebo") for arm in spec.arms)
    result = run_trial(spec, chunk_size=32).to_json()
    assert result["spec_sha256"] == spec.sha256 and result["seed"] == spec.trial.seed
    for arm in result["arms"]:
        assert arm["n"] + arm["solver_failures"] == 64
        assert list(arm["endpoints"]) == spec.endpoint_keys()
        for key, e in arm["endpoints"].items():
            assert e["kind"] == ENDPOINT_CODES[key.split("@")[0]]
            lo, hi = e["ci95"]
            assert lo <= e["value"] <= hi, key
            if e["kind"] == "proportion":
                assert 0.0 <= lo <= hi <= 1.0
            if e["kind"] == "rate":
                assert lo >= 0.0 and e["patient_years"] > 0


def test_examples_include_a_combination_and_a_placebo_arm() -> None:
    specs = [load_trial_spec(p) for p in EXAMPLES.glob("*.toml")]
    assert {s.trial.disease for s in specs} == {
        "rheumatoid_arthritis",
        "psoriasis",
        "systemic_lupus_erythematosus",
        "multiple_sclerosis",
        "ulcerative_colitis",
        "crohns_disease",
        "type_1_diabetes",
    }
    assert any(len({i.agent for i in a.regimen}) >= 2 for s in specs for a in s.arms)


def test_outcomes_do_not_depend_on_chunk_size(ra_spec: TrialSpec) -> None:
    a = run_trial(ra_spec, cohort_source=PRIOR, chunk_size=48)
    b = run_trial(ra_spec, cohort_source=PRIOR, chunk_size=7)
    assert a.to_json_text() == b.to_json_text()
    for oa, ob in zip(a.outcomes, b.outcomes, strict=True):
        np.testing.assert_array_equal(oa.patient_index, ob.patient_index)
        np.testing.assert_array_equal(oa.stop_week, ob.stop_week)
        for key in oa.endpoints:
            np.testing.assert_array_equal(oa.endpoints[key][0], ob.endpoints[key][0])


def test_arms_share_the_same_virtual_patients(ra_spec: TrialSpec) -> None:
    placebo, active = run_trial(ra_spec, cohort_source=PRIOR).outcomes
    for key in placebo.baseline:
        np.testing.assert_array_equal(placebo.baseline[key], active.baseline[key])
    np.testing.assert_array_equal(placebo.covariates["weight_kg"], active.covariates["weight_kg"])


def test_acr20_is_the_index_applied_to_simulated_read_outs_with_nri(ra_spec: TrialSpec) -> None:
    """Independent recomputation: simulate the active arm directly, score with indices.acr20,
    and apply non-responder imputation by hand."""
    result = run_trial(ra_spec, cohort_source=PRIOR, chunk_size=16)
    out = result.outcomes[1]
    info = ra_spec.trial
    idx = np.arange(info.n_per_arm)
    cohort = PriorCohortSource().draw(info.disease, info.population, idx, seed=info.seed)
    module = get_disease_module(info.disease)
    weeks = visit_weeks(ra_spec, default_trial_conduct(info.disease))
    # mtx_ir patients are on stable methotrexate before randomisation (every arm lists it)
    mtx_ir = load_knowledge_base().population(info.disease, info.population)
    assert mtx_ir.background_run_in_weeks is not None
    sim = simulate_with_run_in(
        module,
        cohort.params,
        list(ra_spec.arms[1].regimen),
        info.weeks,
        established={"methotrexate"},
        run_in_weeks=mtx_ir.background_run_in_weeks.value,
        sample_weeks=weeks,
        seed=info.seed,
        patient_index=idx,
        covariates=cohort.covariates,
    )
    r = sim.readouts
    keys = ("TJC68", "SJC66", "PTGA", "PHGA", "PAIN", "HAQ_DI", "CRP")
    j = weeks.index(24.0)
    acr = ix.acr20(
        ix.AcrCoreSet(*(r[k][:, 0] for k in keys)), ix.AcrCoreSet(*(r[k][:, j] for k in keys))
    )
    expected = acr & (out.stop_week >= 24.0)
    np.testing.assert_array_equal(out.endpoints["ACR20@24"][0], expected.astype(float))
    assert result.arms[1].endpoints["ACR20@24"].value == pytest.approx(expected.mean(), rel=1e-5)
    # patients who left before week 24 are non-responders, and some did leave
    left = out.stop_week < 24
    assert left.any() and not out.endpoints["ACR20@24"][0][left].any()


def test_serious_infection_rate_is_events_over_on_treatment_exposure(ra_spec: TrialSpec) -> None:
    result = run_trial(ra_spec, cohort_source=PRIOR)
    out = result.outcomes[0]
    counts, years = out.endpoints["SERIOUS_INFECTION@24"]
    assert np.all(years <= 24 / (365.25 / 7) + 1e-12)
    assert np.all(years[out.stop_week < 24] < 24 / (365.25 / 7))
    e = result.arms[0].endpoints["SERIOUS_INFECTION@24"]
    assert e.events == int(counts.sum())
    assert e.value == pytest.approx(100 * counts.sum() / years.sum(), rel=1e-5)


def test_progress_is_monotone_and_reaches_one(ra_spec: TrialSpec) -> None:
    seen: list[float] = []
    run_trial(ra_spec, cohort_source=PRIOR, chunk_size=16, progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert all(b >= a for a, b in itertools.pairwise(seen))
    assert len(seen) == 1 + 2 * 3  # two arms of three chunks


def test_outputs_are_complete_and_consistent(ra_spec: TrialSpec, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = run_trial(ra_spec, cohort_source=PRIOR, out_dir=out)
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "patients.parquet",
        "report.html",
        "result.json",
    ]
    assert (out / "result.json").read_text() == result.to_json_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["spec_sha256"] == ra_spec.sha256 and manifest["seed"] == 7
    assert manifest["calibration_version"] == result.calibration_version
    assert manifest["software_version"] == result.software_version
    import hashlib

    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    table = pq.read_table(out / "patients.parquet")
    assert table.num_rows == 2 * 48
    assert {
        "arm",
        "patient_index",
        "age_years",
        "baseline_TJC68",
        "ACR20@24",
        "SERIOUS_INFECTION@24",
        "SERIOUS_INFECTION@24:patient_years",
        "discontinuation_reason",
    } <= set(table.column_names)
    acr = np.array(table.column("ACR20@24").to_pylist()[48:], dtype=float)
    np.testing.assert_array_equal(acr, result.outcomes[1].endpoints["ACR20@24"][0])
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 4
    assert not re.search(r'(src|href)="https?://', page)  # self-contained: no CDN, no network
    # a second run replaces the earlier output atomically
    run_trial(ra_spec, cohort_source=PRIOR, out_dir=out)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_ctrl_c_leaves_no_output(ra_spec: TrialSpec, tmp_path: Path) -> None:
    out = tmp_path / "run"

    def interrupt(fraction: float) -> None:
        if fraction > 0.4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_trial(ra_spec, cohort_source=PRIOR, chunk_size=8, out_dir=out, progress=interrupt)
    assert list(tmp_path.iterdir()) == []


def test_output_refuses_a_foreign_non_empty_directory(ra_spec: TrialSpec, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InvalidInputError, match="not an earlier trial output"):
        run_trial(ra_spec, cohort_source=PRIOR, out_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_endpoint_of_another_disease_is_a_spec_error() -> None:
    text = RA_SPEC.format(n=10).replace('"FLARE"', '"PASI75"')
    with pytest.raises(InvalidSpecError) as err:
        load_trial_spec(text)
    (problem,) = err.value.problems
    assert problem.path == "endpoints.codes[2]"
    assert "PASI75 does not apply to rheumatoid_arthritis" in problem.message


def test_ray_backend_explains_that_dask_is_the_distributed_engine(ra_spec: TrialSpec) -> None:
    with pytest.raises(InvalidInputError, match="Dask"):
        run_trial(ra_spec, cohort_source=PRIOR, backend="ray")
    with pytest.raises(InvalidInputError, match="unknown backend"):
        run_trial(ra_spec, cohort_source=PRIOR, backend="spark")


def test_differences_use_the_placebo_arm_as_comparator(ra_spec: TrialSpec) -> None:
    result = run_trial(ra_spec, cohort_source=PRIOR)
    placebo, active = result.arms
    assert placebo.placebo and placebo.comparator is None and not placebo.differences
    assert not active.placebo and active.comparator == "placebo + MTX"
    d = active.differences["ACR20@24"]
    expected = active.endpoints["ACR20@24"].value - placebo.endpoints["ACR20@24"].value
    assert d.value == pytest.approx(expected, abs=2e-6)
    assert d.ci95[0] <= d.value <= d.ci95[1]
    assert math.isfinite(active.differences["DAS28CRP_CHANGE@24"].value)
