"""Latency of ``recommend``: cold (population outcomes simulated) and warm (cached, reweighting).

Usage::

    python benchmarks/recommend.py [--patients examples/patients/ra.json ...] [--n 1000] [--json]

Cold runs against an empty temporary cache (every candidate regimen is simulated); warm runs
read the same cache from disk with a fresh cache object (as a new CLI process would, minus
interpreter start-up) and, separately, from the in-process memo (as the API server does). The
target is warm < 300 ms per patient.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from immunobalance.patient import read_patient
from immunobalance.recommend import recommend
from immunobalance.twin._outcomes import OutcomeCache

DEFAULT_PATIENTS = ("examples/patients/ra.json", "examples/patients/psoriasis.json")


def _time(fn, repeat: int = 1) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", nargs="*", default=list(DEFAULT_PATIENTS))
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in args.patients:
            patient = read_patient(path)
            cache = OutcomeCache(Path(tmp))
            cold = _time(lambda p=patient, c=cache: recommend(p, n=args.n, cache=c))[0]
            warm_disk = _time(
                lambda p=patient: recommend(p, n=args.n, cache=OutcomeCache(Path(tmp))), args.repeat
            )
            warm_memo = _time(
                lambda p=patient, c=cache: recommend(p, n=args.n, cache=c), args.repeat
            )
            rec = recommend(patient, n=args.n, cache=cache)
            rows.append(
                {
                    "patient": path,
                    "disease": rec.disease,
                    "n": args.n,
                    "options": len(rec.options),
                    "cold_s": round(cold, 2),
                    "warm_disk_ms": round(1000 * statistics.median(warm_disk), 1),
                    "warm_memo_ms": round(1000 * statistics.median(warm_memo), 1),
                    "target_warm_ms": 300,
                }
            )
    if args.json:
        print(json.dumps({"benchmark": "recommend", "rows": rows}, indent=2))
    else:
        for r in rows:
            print(
                f"{r['patient']}: {r['options']} options, n={r['n']}: cold {r['cold_s']} s, "
                f"warm {r['warm_disk_ms']} ms (disk) / {r['warm_memo_ms']} ms (memo)"
            )


if __name__ == "__main__":
    main()
