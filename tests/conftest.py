"""Shared fixtures.

Databases: ``database_url`` is parametrised over SQLite (a file in ``tmp_path``) and PostgreSQL.
The PostgreSQL variant runs when ``IMMUNOBALANCE_TEST_PG_URL`` names a server
(``postgresql+psycopg://user:pw@127.0.0.1/db``); each test gets its own schema there, so tests
run in parallel (xdist) without seeing each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import settings
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

PG_URL_ENV = "IMMUNOBALANCE_TEST_PG_URL"

# Property tests explore new examples on every developer run (that is how they find bugs), but
# CI replays a fixed, derandomised set so that a submission's verdict does not depend on luck.
# A failure found locally becomes a regression test (or an @example) before it lands.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def _ra_record(patient_id: str = "pt-001") -> dict[str, Any]:
    """A rheumatoid-arthritis record in the contract's JSON form: two complete visits (DAS28-CRP,
    CDAI, SDAI inputs), a TB screen, a failed methotrexate course, genetics."""
    visit = {
        "2026-04-01": {"TJC28": 12, "SJC28": 9, "PTGA": 70, "PHGA": 60},
        "2026-10-01": {"TJC28": 4, "SJC28": 3, "PTGA": 30, "PHGA": 20},
    }
    observations: list[dict[str, Any]] = [
        {"code": "TB_IGRA", "value": "negative", "date": "2026-03-15"},
    ]
    for when, values in visit.items():
        observations += [{"code": c, "value": v, "date": when} for c, v in values.items()]
    observations += [
        {"code": "CRP", "value": 2.4, "unit": "mg/dL", "date": "2026-04-01"},
        {"code": "CRP", "value": 6, "unit": "mg/L", "date": "2026-10-01"},
    ]
    return {
        "id": patient_id,
        "sex": "female",
        "birth_date": "1968-04-02",
        "weight_kg": 68.0,
        "conditions": [{"code": "M05.79", "system": "icd10", "onset": "2019-03-01"}],
        "observations": observations,
        "medications": [
            {
                "agent": "methotrexate",
                "dose": "20 mg",
                "every": "1 week",
                "route": "oral",
                "start": "2025-01-10",
                "stop": None,
                "outcome": "inadequate_response",
            }
        ],
        "allergies": [{"substance": "penicillin"}],
        "genetics": {"HLA-DRB1": ["*04:01", "*15:01"], "PTPN22_R620W": "heterozygous"},
    }


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of an empty database: a SQLite file, or a fresh schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'immunobalance.sqlite3'}"
        return
    server = os.environ.get(PG_URL_ENV)
    if not server:
        pytest.skip(f"PostgreSQL tests need {PG_URL_ENV}=postgresql+psycopg://user:pw@host/db")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def ra_record() -> Callable[..., dict[str, Any]]:
    """``ra_record(patient_id="pt-001")``: a fresh rheumatoid-arthritis record (JSON form)."""
    return _ra_record
