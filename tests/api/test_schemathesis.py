"""Property-based tests of the whole HTTP API against its own OpenAPI schema (schemathesis).

In-process (ASGI, no network), with a valid admin token, a bounded number of generated examples
per operation: no 5xx, and every response conforms to the schema (status code documented,
body valid, content type). Token revocation is left out so the run cannot revoke its own token.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks

MAX_EXAMPLES = 25


@pytest.fixture
def api_under_test(make_api: Any, small_recommender: Any) -> Any:
    return make_api(recommender=small_recommender)


def test_api_conforms_to_its_schema(api_under_test: Any) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_under_test.client.app)
    schema = schema.exclude(method="DELETE", path_regex="^/api/v1/tokens")
    headers = api_under_test.auth("admin")
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            case.call_and_validate(
                headers=headers,
                checks=[
                    not_a_server_error,
                    checks.status_code_conformance,
                    checks.content_type_conformance,
                    checks.response_schema_conformance,
                ],
            )

        check()
        tested.append(operation.label)
    assert "GET /api/v1/patients/{patient_id}/recommendations" in tested
    assert "POST /cds-services/{service_id}" in tested
