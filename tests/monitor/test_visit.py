"""Visit assessment (vs baseline and vs previous), therapy context, safety of the current
therapy, the twin's candidates, and the timeline plot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from immunobalance.indices import das28_crp, eular_response, eular_response_label
from immunobalance.knowledge import load_knowledge_base
from immunobalance.monitor import (
    Action,
    assess_visit,
    candidates_for,
    daily_dose_mg,
    review_visit,
    therapy_context,
    weekly_dose_mg,
)
from immunobalance.monitor.plot import timeline_figure
from immunobalance.patient import parse_patient_dict
from immunobalance.patient.model import Medication

VISITS = {
    "2026-01-01": {"TJC28": 12, "SJC28": 10, "CRP": 30, "PTGA": 70},
    "2026-04-01": {"TJC28": 6, "SJC28": 5, "CRP": 12, "PTGA": 45},
    "2026-07-01": {"TJC28": 5, "SJC28": 4, "CRP": 10, "PTGA": 40},
}


def _record(**extra: object) -> dict[str, object]:
    return {
        "id": "pt-visits",
        "sex": "female",
        "birth_date": "1970-01-01",
        "conditions": [{"code": "M05.79", "system": "icd10"}],
        "observations": [
            {"code": k, "value": v, "date": d}
            for d, vals in VISITS.items()
            for k, v in vals.items()
        ],
        "medications": [
            {
                "agent": "tocilizumab",
                "dose": "162 mg",
                "every": "1 week",
                "route": "sc",
                "start": "2026-01-01",
            }
        ],
        **extra,
    }


def _das(d: str) -> float:
    v = VISITS[d]
    return float(das28_crp(v["TJC28"], v["SJC28"], v["CRP"], v["PTGA"]))


def test_response_vs_baseline_and_vs_previous_use_the_right_visits() -> None:
    visit = assess_visit(parse_patient_dict(_record()))
    assert visit.previous_date == dt.date(2026, 4, 1)
    assert visit.baseline_date == dt.date(2026, 1, 1)
    # independent EULAR classification from the DAS28-CRP formula (van Gestel 1996)
    vs_base = eular_response_label(eular_response(_das("2026-01-01"), _das("2026-07-01"))).item()
    vs_prev = eular_response_label(eular_response(_das("2026-04-01"), _das("2026-07-01"))).item()
    assert visit.vs_baseline["EULAR"] == vs_base
    assert visit.vs_previous["EULAR"] == vs_prev
    assert vs_base != vs_prev  # the vignette distinguishes the two comparisons
    assert visit.indices["DAS28CRP"].value == pytest.approx(_das("2026-07-01"), abs=0.01)
    assert [p.date.isoformat() for p in visit.series["DAS28CRP"]] == list(VISITS)


def test_an_earlier_visit_is_assessed_as_the_record_stood_then() -> None:
    visit = assess_visit(parse_patient_dict(_record()), dt.date(2026, 4, 1))
    assert visit.previous_date == dt.date(2026, 1, 1)
    assert visit.indices["DAS28CRP"].value == pytest.approx(_das("2026-04-01"), abs=0.01)


def test_doses_are_converted_not_guessed() -> None:
    assert daily_dose_mg(Medication(agent="prednisone", dose="5 mg", every="24 hours")) == 5.0
    assert weekly_dose_mg(Medication(agent="methotrexate", dose="7.5 mg", every="1 week")) == 7.5
    assert weekly_dose_mg(Medication(agent="tocilizumab", dose="8 mg/kg", every="4 weeks")) is None
    assert daily_dose_mg(Medication(agent="prednisone", dose="5 mg")) is None


def test_therapy_context_judges_the_latest_started_dmard_not_the_glucocorticoid() -> None:
    kb = load_knowledge_base()
    p = parse_patient_dict(
        _record(
            medications=[
                {
                    "agent": "methotrexate",
                    "dose": "20 mg",
                    "every": "1 week",
                    "route": "oral",
                    "start": "2025-01-01",
                    "outcome": "inadequate_response",
                },
                {
                    "agent": "tocilizumab",
                    "dose": "162 mg",
                    "every": "1 week",
                    "route": "sc",
                    "start": "2026-01-01",
                },
                {
                    "agent": "prednisone",
                    "dose": "5 mg",
                    "every": "1 day",
                    "route": "oral",
                    "start": "2026-03-01",
                },
            ]
        )
    )
    ctx = therapy_context(p, dt.date(2026, 7, 1), kb)
    assert ctx.evaluated is not None and ctx.evaluated.agent == "tocilizumab"
    assert ctx.months_on_evaluated == pytest.approx(181 / 30.4375)
    assert ctx.advanced == ("tocilizumab",) and ctx.glucocorticoid_mg_per_day == 5.0
    assert ctx.failed_agents == ("methotrexate",) and ctx.failed_classes == ("csdmard",)


def test_a_current_checkpoint_inhibitor_is_a_critical_alert() -> None:
    record = _record(
        medications=[
            {
                "agent": "nivolumab",
                "dose": "240 mg",
                "every": "2 weeks",
                "route": "iv",
                "start": "2026-01-01",
            }
        ]
    )
    review = review_visit(parse_patient_dict(record))
    critical = [a for a in review.safety_alerts if a.severity == "critical"]
    assert critical and all("nivolumab" in a.agents for a in critical)
    assert any("safety of the current therapy" in r for r in review.action.reasons)


def test_twin_candidates_fit_a_switch_of_class() -> None:
    kb = load_knowledge_base()
    p = parse_patient_dict(_record())
    ctx = therapy_context(p, dt.date(2026, 7, 1), kb)
    action = Action(kind="switch_class", summary="switch", target="", at_target=False)
    recommendation = {
        "options": [
            {
                "rank": 1,
                "regimen": [{"agent": "sarilumab"}],
                "status": "recommended",
                "predicted": {"endpoint": "ACR50@24", "probability": 0.5, "ci95": [0.4, 0.6]},
            },
            {
                "rank": 2,
                "regimen": [{"agent": "abatacept"}],
                "status": "recommended",
                "predicted": {"endpoint": "ACR50@24", "probability": 0.4, "ci95": [0.3, 0.5]},
            },
            {"rank": None, "regimen": [{"agent": "rituximab"}], "status": "contraindicated"},
        ]
    }
    picked = candidates_for(action, ctx, recommendation, kb)
    # sarilumab is another IL-6R inhibitor (same class as the current tocilizumab): skipped
    assert [c["agents"] for c in picked] == [["abatacept"]]


@pytest.mark.parametrize("suffix", [".png", ".html"])
def test_timeline_plot_is_written(tmp_path: Path, suffix: str) -> None:
    document = {
        "patient": "pt",
        "visits": [
            {"date": d, "indices": {"DAS28CRP": {"value": _das(d), "category": None}}}
            for d in VISITS
        ],
        "therapies": [{"agent": "tocilizumab", "start": "2026-01-01", "stop": None}],
        "actions": [{"date": "2026-07-01", "kind": "switch_class"}],
    }
    figure = timeline_figure(document)
    assert [b[0] for b in figure.target_bands()] == ["remission", "low"]
    path = figure.save(tmp_path / f"timeline{suffix}")
    head = path.read_bytes()[:16]
    assert head.startswith(b"\x89PNG") if suffix == ".png" else b"<html" in path.read_bytes()[:400]
