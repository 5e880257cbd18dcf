"""POST /trials (202) and GET /trials/{id}, with the worker running a real function on the
validated spec. (The service mounts these routes when ``immunobalance.trials.run_trial`` exists;
here the runner is passed to ``create_app``.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from immunobalance.trials.spec import TrialSpec, parse_trial_spec

SPEC_TOML = """
[trial]
name = "TNF inhibitor vs placebo on background methotrexate"
disease = "rheumatoid_arthritis"
population = "mtx_ir"
n_per_arm = 200
weeks = 24
seed = 20261121

[[arms]]
name = "placebo + MTX"
regimen = [{ agent = "methotrexate", dose = "15 mg", route = "oral", every = "1 week" }]

[[arms]]
name = "adalimumab 40 mg q2w + MTX"
regimen = [
  { agent = "adalimumab",   dose = "40 mg", route = "sc",   every = "2 weeks" },
  { agent = "methotrexate", dose = "15 mg", route = "oral", every = "1 week" },
]

[endpoints]
codes = ["ACR20"]
at_weeks = [12, 24]
"""


def count_doses(spec: TrialSpec, *, progress: Any, out_dir: Path) -> dict[str, Any]:
    """Administrations per arm over the trial (weekly MTX: 24; q2w adalimumab: 12)."""
    out = {}
    for i, arm in enumerate(spec.arms):
        out[arm.name] = sum(
            int(spec.trial.weeks // (2 if item.agent == "adalimumab" else 1))
            for item in arm.regimen
        )
        progress((i + 1) / len(spec.arms))
    return out


@pytest.fixture
def api(make_api: Any) -> Any:
    return make_api(trial_runner=(count_doses, parse_trial_spec))


def test_submit_toml_then_follow(api: Any) -> None:
    r = api.client.post(
        "/api/v1/trials",
        content=SPEC_TOML,
        headers={**api.auth("clinician"), "Content-Type": "application/toml"},
    )
    assert r.status_code == 202, r.text
    trial_id = r.json()["id"]
    api.client.app.state.trial_worker.wait_idle()
    status = api.client.get(f"/api/v1/trials/{trial_id}", headers=api.auth("read")).json()
    assert status["status"] == "done" and status["progress"] == 1.0
    assert status["result"] == {"placebo + MTX": 24, "adalimumab 40 mg q2w + MTX": 36}


def test_submit_json_form(api: Any) -> None:
    import tomllib

    r = api.client.post(
        "/api/v1/trials", json=tomllib.loads(SPEC_TOML), headers=api.auth("clinician")
    )
    assert r.status_code == 202, r.text


def test_invalid_spec_lists_every_problem(api: Any) -> None:
    bad = SPEC_TOML.replace('"mtx_ir"', '"mtx_irr"').replace('"15 mg"', '"15 parsecs"', 1)
    r = api.client.post(
        "/api/v1/trials",
        content=bad,
        headers={**api.auth("clinician"), "Content-Type": "application/toml"},
    )
    assert r.status_code == 422
    paths = [p["path"] for p in r.json()["problems"]]
    assert any(p.startswith("trial.population") for p in paths), paths
    assert any(p.startswith("arms[0].regimen[0].dose") for p in paths), paths
    r = api.client.post(
        "/api/v1/trials",
        content="[trial\nname=",
        headers={**api.auth("clinician"), "Content-Type": "application/toml"},
    )
    assert r.status_code == 422 and r.json()["problems"][0]["path"] == "body"


def test_roles_and_unknown_trial(api: Any) -> None:
    r = api.client.post(
        "/api/v1/trials",
        content=SPEC_TOML,
        headers={**api.auth("read"), "Content-Type": "application/toml"},
    )
    assert r.status_code == 403
    assert api.client.get("/api/v1/trials/nope", headers=api.auth("read")).status_code == 404
    assert api.client.get("/api/v1/trials/nope").status_code == 401


def test_real_trial_end_to_end(tmp_path: Path) -> None:
    """The service's own runner (``immunobalance.trials.run_trial``) through POST/GET: the
    result equals a direct run with the same spec and seed, and the run's files are kept."""
    import tomllib

    from fastapi.testclient import TestClient

    from immunobalance.api.main import create_app
    from immunobalance.config import Settings
    from immunobalance.store.crud import tokens
    from immunobalance.store.session import Database
    from immunobalance.trials import run_trial

    settings = Settings(data_dir=tmp_path / "data", db_url=None)
    db = Database(settings.database_url)
    with db.write() as session:
        secret = tokens.create_token(session, "clinician", "e2e")[1]
    small = SPEC_TOML.replace("n_per_arm = 200", "n_per_arm = 20")
    headers = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(settings, database=db)) as client:
        r = client.post(
            "/api/v1/trials", content=small, headers={**headers, "Content-Type": "application/toml"}
        )
        assert r.status_code == 202, r.text
        trial_id = r.json()["id"]
        client.app.state.trial_worker.wait_idle()
        status = client.get(f"/api/v1/trials/{trial_id}", headers=headers).json()
    db.dispose()
    assert status["status"] == "done", status.get("error")
    direct = run_trial(parse_trial_spec(tomllib.loads(small)), out_dir=tmp_path / "direct")
    assert status["result"] == direct.to_json()
    out = settings.data_dir / "trials" / trial_id
    assert {p.name for p in out.iterdir()} >= {"result.json", "report.html", "manifest.json"}
