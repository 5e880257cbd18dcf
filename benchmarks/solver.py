"""Benchmark: immunobalance vs libRoadRunner on the same virtual cohort and regimen.

The model is exported once to SBML (``immunobalance.model.sbml``); libRoadRunner loads it and
simulates the cohort one patient at a time, setting each patient's parameter values and initial
amounts as a user of that tool would (``setValue`` per id, ``reset()``, ``simulate``). Both
produce weekly states over 52 weeks; ``max_rel_err`` is the largest
``|ours − roadrunner| / max(|roadrunner|, 1e-3 · max_t |roadrunner|)`` over patients timed,
states and weeks.

Usage::

    python benchmarks/solver.py --json [--n 10000] [--roadrunner-n N] [--rtol 1e-6]

Both solvers run at the same tolerances (``rtol``, and ``atol = 1e-3 · rtol`` on the normalised
immune states), set explicitly on libRoadRunner's CVODE integrator. ``ours_s`` is the wall time
of the whole :func:`~immunobalance.model.simulate` call (kernel, read-outs, events) with all
numba threads; libRoadRunner is timed over the loop above (one thread, as it runs).

Prints one JSON line. With ``--roadrunner-n`` smaller than ``--n``, libRoadRunner is timed on
that many patients and its time is extrapolated per patient (reported as ``roadrunner_n_timed``).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--weeks", type=float, default=52.0)
    ap.add_argument("--roadrunner-n", type=int, default=None)
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import numba
    import roadrunner

    from immunobalance.model import SolverOptions, get_disease_module, simulate
    from immunobalance.model.sbml import SbmlExporter, load_patient
    from immunobalance.model.solver import kernel_inputs
    from immunobalance.regimen import parse_regimen

    disease = "rheumatoid_arthritis"
    regimen = parse_regimen(
        [{"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"}]
    )
    module = get_disease_module(disease)
    params = module.sample_parameters(args.n, seed=args.seed)
    rng = np.random.default_rng(args.seed)
    cov = {
        "weight_kg": rng.normal(75, 15, args.n).clip(40, 150),
        "age_years": rng.normal(55, 12, args.n).clip(18, 90),
    }
    weeks = np.arange(0.0, args.weeks + 1e-9, 1.0)
    opts = SolverOptions(rtol=args.rtol, atol=args.rtol * 1e-3)
    simulate(
        module,
        params.subset(slice(0, 2)),
        regimen,
        args.weeks,
        seed=args.seed,
        covariates={k: v[:2] for k, v in cov.items()},
        solver=opts,
    )  # compile / load cache
    t0 = time.perf_counter()
    ours = simulate(
        module,
        params,
        regimen,
        args.weeks,
        sample_weeks=weeks,
        seed=args.seed,
        covariates=cov,
        solver=opts,
    )
    ours_s = time.perf_counter() - t0

    n_rr = args.n if args.roadrunner_n is None else min(args.roadrunner_n, args.n)
    xml = SbmlExporter(module, regimen, args.weeks).export()
    ki = kernel_inputs(
        module,
        params,
        regimen,
        args.weeks,
        seed=args.seed,
        patient_index=np.arange(args.n),
        covariates=cov,
    )
    names = module.compiled.declaration.state_names
    t0 = time.perf_counter()
    rr = roadrunner.RoadRunner(xml)
    rr.timeCourseSelections = ["time", *names]
    # the same tolerances as ours (CVODE, roadrunner's default integrator)
    rr.getIntegrator().setValue("relative_tolerance", opts.rtol)
    rr.getIntegrator().setValue("absolute_tolerance", opts.atol)
    worst = 0.0
    where: tuple[int, str, float] = (0, "", 0.0)
    for i in range(n_rr):
        load_patient(rr, ki, module, i)
        out = rr.simulate(0.0, args.weeks * 7.0, weeks.size)
        ref = np.asarray(out)[:, 1:]
        mine = np.stack([ours.states[s][i] for s in names], axis=1)
        scale = np.maximum(np.abs(ref), 1e-3 * np.abs(ref).max(axis=0, keepdims=True))
        scale = np.where(scale > 0, scale, 1.0)
        err = np.abs(mine - ref) / scale
        if float(err.max()) > worst:
            worst = float(err.max())
            where = (
                i,
                names[int(np.argmax(err.max(axis=0)))],
                float(weeks[int(np.argmax(err.max(axis=1)))]),
            )
    rr_s = (time.perf_counter() - t0) * (args.n / n_rr)
    result = {
        "n": args.n,
        "weeks": int(args.weeks),
        "ours_s": round(ours_s, 3),
        "roadrunner_s": round(rr_s, 3),
        "speedup": round(rr_s / ours_s, 1),
        "max_rel_err": float(f"{worst:.3g}"),
        "max_rel_err_at": {"patient": where[0], "state": where[1], "week": where[2]},
        "roadrunner_n_timed": n_rr,
        "rtol": args.rtol,
        "roadrunner_rtol": rr.getIntegrator().getValue("relative_tolerance"),
        "atol": opts.atol,
        "roadrunner_atol": rr.getIntegrator().getValue("absolute_tolerance"),
        "numba_threads": numba.get_num_threads(),
        "failed": int((ours.status != 0).sum()),
        "regimen": "adalimumab 40 mg sc q2w",
        "disease": disease,
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
