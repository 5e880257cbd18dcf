"""Body-size limit (413, on the raw stream) and per-token rate limit (429 + Retry-After)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from immunobalance.api.limits import RateLimiter

LIMIT = 4096


def _big_record(ra_record: Any) -> bytes:
    record = ra_record()
    record["conditions"] = [{"code": "M05.79", "display": "x" * 200}] * 40
    body = json.dumps(record).encode()
    assert len(body) > LIMIT
    return body


def _chunks(body: bytes) -> Iterator[bytes]:
    for i in range(0, len(body), 1000):
        yield body[i : i + 1000]


def _stored(api: Any) -> int:
    return len(api.client.get("/api/v1/patients", headers=api.auth("read")).json())


def test_declared_length_over_the_limit_is_413(make_api: Any, ra_record: Any) -> None:
    api = make_api(settings={"max_body_bytes": LIMIT})
    r = api.client.post(
        "/api/v1/patients",
        content=_big_record(ra_record),
        headers={**api.auth("clinician"), "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and str(LIMIT) in r.json()["detail"]
    assert _stored(api) == 0


def test_chunked_body_over_the_limit_is_413(make_api: Any, ra_record: Any) -> None:
    api = make_api(settings={"max_body_bytes": LIMIT})
    r = api.client.post(
        "/api/v1/patients",
        content=_chunks(_big_record(ra_record)),
        headers={**api.auth("clinician"), "Content-Type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert r.status_code == 413
    assert _stored(api) == 0


def test_lying_content_length_is_413(make_api: Any, ra_record: Any) -> None:
    api = make_api(settings={"max_body_bytes": LIMIT})
    body = _big_record(ra_record)
    r = api.client.post(
        "/api/v1/patients",
        content=body,
        headers={
            **api.auth("clinician"),
            "Content-Type": "application/json",
            "Content-Length": "100",
        },
    )
    assert r.request.headers["content-length"] == "100"
    assert r.status_code == 413
    assert _stored(api) == 0


def test_chunked_body_under_the_limit_is_accepted(make_api: Any, ra_record: Any) -> None:
    api = make_api(settings={"max_body_bytes": 64 * 1024})
    r = api.client.post(
        "/api/v1/patients",
        content=_chunks(json.dumps(ra_record()).encode()),
        headers={**api.auth("clinician"), "Content-Type": "application/json"},
    )
    assert r.status_code == 201, r.text


def test_rate_limit_per_token(make_api: Any) -> None:
    now = [1000.0]
    api = make_api(rate_limiter=RateLimiter(3, clock=lambda: now[0]))
    url = "/api/v1/kb/diseases"
    assert [api.client.get(url, headers=api.auth("read")).status_code for _ in range(3)] == [
        200
    ] * 3
    r = api.client.get(url, headers=api.auth("read"))
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "20"  # 1 request / (3 per 60 s)
    assert api.client.get(url, headers=api.auth("clinician")).status_code == 200  # own bucket
    now[0] += 20.0
    assert api.client.get(url, headers=api.auth("read")).status_code == 200


def test_token_bucket_refills_at_the_sustained_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.acquire(1) is None for _ in range(60))  # burst
    assert limiter.acquire(1) == 1
    now[0] += 0.5
    assert limiter.acquire(1) == 1  # half a request refilled: wait 1 s (rounded up)
    now[0] += 0.5
    assert limiter.acquire(1) is None
