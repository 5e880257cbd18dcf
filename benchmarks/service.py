"""Load test of the HTTP service: throughput and latency of assess and recommend with concurrent
clients, and concurrent visit writes with a lost-write check. Loopback only, bounded.

The service runs as ``immunobalance serve`` in a subprocess on 127.0.0.1 with a fresh data
directory (SQLite unless ``IMMUNOBALANCE_DB_URL`` is set) holding the example patients. Each
phase sends ``--requests`` requests from ``--clients`` concurrent HTTP clients (httpx, async) and
stops early after ``--max-seconds``. Recommendations are warmed once per patient first (the
twin's cold simulations are not what this measures; their time is reported as ``warmup_s``).

Prints one JSON document::

    python benchmarks/service.py --clients 50 --requests 1000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "patients"
PATIENTS = ("psoriasis.json", "uc.json", "t1d.json")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(data_dir: Path) -> str:
    """Store the example patients and return a clinician token."""
    os.environ["IMMUNOBALANCE_DATA_DIR"] = str(data_dir)
    from immunobalance.config import get_settings
    from immunobalance.store import open_database
    from immunobalance.store.crud import tokens

    get_settings.cache_clear()
    with open_database().write() as session:
        return tokens.create_token(session, "clinician", "benchmark")[1]


async def _phase(
    client: httpx.AsyncClient,
    requests: list[tuple[str, str, Any]],
    clients: int,
    max_seconds: float,
) -> dict[str, Any]:
    """Send ``requests`` (method, path, json) from ``clients`` workers; latency stats."""
    queue: asyncio.Queue[tuple[str, str, Any]] = asyncio.Queue()
    for r in requests:
        queue.put_nowait(r)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    succeeded: list[str] = []
    start = time.perf_counter()

    async def worker() -> None:
        while not queue.empty() and time.perf_counter() - start < max_seconds:
            method, path, body = queue.get_nowait()
            t0 = time.perf_counter()
            try:
                response = await client.request(method, path, json=body)
                ok = response.status_code < 400
                key = str(response.status_code)
            except httpx.HTTPError as exc:
                ok, key = False, type(exc).__name__
            latencies.append(time.perf_counter() - t0)
            if ok:
                succeeded.append(path)
            else:
                errors[key] = errors.get(key, 0) + 1

    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    ms = np.asarray(latencies) * 1000.0
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "max_ms": round(float(ms.max()), 1),
        "succeeded": succeeded,
    }


async def _run(base: str, token: str, args: argparse.Namespace) -> dict[str, Any]:
    # keep-alive shorter than uvicorn's 5 s, so the client never reuses a connection the server is
    # closing (that race shows as ReadError, not as a server fault)
    limits = httpx.Limits(
        max_connections=args.clients, max_keepalive_connections=args.clients, keepalive_expiry=1.0
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=httpx.Timeout(None)
    ) as client:
        ids = []
        for name in PATIENTS:
            record = json.loads((EXAMPLES / name).read_text())
            r = await client.post("/api/v1/patients", json=record)
            r.raise_for_status()
            ids.append(r.json()["id"])
        t0 = time.perf_counter()
        for pid in ids:  # cold twin once per patient: not part of the measurement
            (await client.get(f"/api/v1/patients/{pid}/recommendations")).raise_for_status()
        warmup = time.perf_counter() - t0
        n = args.requests
        assess = [
            ("GET", f"/api/v1/patients/{ids[i % len(ids)]}/assessment", None) for i in range(n)
        ]
        recommend = [
            ("GET", f"/api/v1/patients/{ids[i % len(ids)]}/recommendations", None) for i in range(n)
        ]
        before = {}
        for pid in ids:
            timeline = (await client.get(f"/api/v1/patients/{pid}/timeline")).json()
            before[pid] = (len(timeline["visits"]), len(timeline["actions"]))
        visit_date = "2026-11-01"
        visits = [
            (
                "POST",
                f"/api/v1/patients/{ids[i % len(ids)]}/visits",
                {"date": visit_date, "observations": [{"code": "CRP", "value": 1 + i % 7}]},
            )
            for i in range(args.writes)
        ]
        result = {
            "clients": args.clients,
            "warmup_s": round(warmup, 1),
            "assess": await _phase(client, assess, args.clients, args.max_seconds),
            "recommend": await _phase(client, recommend, args.clients, args.max_seconds),
            "visits": await _phase(client, visits, args.clients, args.max_seconds),
        }
        sent: dict[str, int] = {}  # visits acknowledged with 201, per patient
        for path in result["visits"]["succeeded"]:
            pid = path.split("/")[4]
            sent[pid] = sent.get(pid, 0) + 1
        for phase in ("assess", "recommend", "visits"):
            del result[phase]["succeeded"]
        lost = 0
        for pid in ids:
            timeline = (await client.get(f"/api/v1/patients/{pid}/timeline")).json()
            stored_visits = len(timeline["visits"]) - before[pid][0]
            stored_actions = len(timeline["actions"]) - before[pid][1]
            lost += abs(sent.get(pid, 0) - stored_visits) + abs(sent.get(pid, 0) - stored_actions)
        result["visits"]["acknowledged"] = sum(sent.values())
        result["visits"]["lost_writes"] = lost
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1000, help="per read phase")
    parser.add_argument("--writes", type=int, default=300, help="visit posts")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="per phase")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="immunobalance-bench-") as tmp:
        data = Path(tmp) / "data"
        token = _prepare(data)
        port = _free_port()
        env = {
            **os.environ,
            "IMMUNOBALANCE_DATA_DIR": str(data),
            "IMMUNOBALANCE_RATE_LIMIT_PER_MINUTE": "100000000",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "immunobalance",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(base + "/cds-services").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            result = asyncio.run(_run(base, token, args))
        finally:
            server.terminate()
            server.wait()
    result["database"] = "postgresql" if os.environ.get("IMMUNOBALANCE_DB_URL") else "sqlite"
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
