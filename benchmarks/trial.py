"""Trial throughput: virtual-patient-weeks per second for a 10^5-patient, 52-week biologic arm.

Usage::

    python benchmarks/trial.py [--n 100000] [--weeks 52] [--peer 20] [--json out.json]

Runs one arm (adalimumab 40 mg q2w + methotrexate in RA, MTX-IR population) through the full
trial runner (cohort, vectorised solver, conduct, endpoints), and — as the peer in the same
run — a per-patient loop of ``scipy.integrate.solve_ivp`` (RK45, the kernel's tolerances) on the
same right-hand side for a small subset, whose time is extrapolated per patient to the full
cohort and labelled as such.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

SPEC = """
[trial]
name = "benchmark: adalimumab + MTX, one arm"
disease = "rheumatoid_arthritis"
population = "mtx_ir"
n_per_arm = {n}
weeks = {weeks}
seed = 1

[[arms]]
name = "adalimumab 40 mg q2w + MTX"
regimen = [
  {{ agent = "adalimumab", dose = "40 mg", route = "sc", every = "2 weeks" }},
  {{ agent = "methotrexate", dose = "15 mg", route = "oral", every = "1 week" }},
]

[endpoints]
codes = ["ACR20", "ACR50", "DAS28CRP_CHANGE", "SERIOUS_INFECTION"]
at_weeks = [{weeks}]
"""


def _peer_solve_ivp(spec, n_peer: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Per-patient ``solve_ivp`` loop on the same model (the approach the vectorised kernel
    replaces): one patient at a time, RK45 at the kernel's tolerances, restarted at each dose and
    anti-drug-antibody onset. Returns (seconds per patient, max relative difference of the final
    immune states vs the kernel — a check that both solve the same problem)."""
    from immunobalance.model import get_disease_module, simulate
    from immunobalance.model.reference import solve_patient
    from immunobalance.model.solver import kernel_inputs
    from immunobalance.trials import PriorCohortSource

    info = spec.trial
    module = get_disease_module(info.disease)
    idx = np.arange(n_peer)
    cohort = PriorCohortSource().draw(info.disease, info.population, idx, seed=info.seed)
    regimen = list(spec.arms[0].regimen)
    ki = kernel_inputs(
        module,
        cohort.params,
        regimen,
        info.weeks,
        seed=info.seed,
        patient_index=idx,
        covariates=cohort.covariates,
    )
    n_imm = ki.y0.shape[1]
    t_end = info.weeks * 7.0
    final = np.empty((n_peer, n_imm))
    start = time.perf_counter()
    for i in range(n_peer):
        y = solve_patient(module, ki, i, t_end, [t_end], method="RK45", rtol=1e-6, atol=1e-9)
        final[i] = y[-1, :n_imm]
    per_patient = (time.perf_counter() - start) / n_peer
    ref = simulate(
        module,
        cohort.params,
        regimen,
        info.weeks,
        sample_weeks=[0.0, info.weeks],
        seed=info.seed,
        patient_index=idx,
        covariates=cohort.covariates,
    )
    kernel = np.stack(
        [ref.states[s][:, -1] for s in module.compiled.declaration.state_names], axis=1
    )
    rel = np.max(np.abs(final - kernel) / np.maximum(np.abs(kernel), 1e-6))
    return per_patient, float(rel)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--weeks", type=float, default=52)
    parser.add_argument("--peer", type=int, default=20, help="patients in the solve_ivp loop")
    parser.add_argument("--json", default=None, help="write the figures to this file")
    args = parser.parse_args()

    from immunobalance.trials import PriorCohortSource, load_trial_spec, run_trial

    prior = PriorCohortSource()  # measure simulation + scoring, not population acceptance
    spec = load_trial_spec(SPEC.format(n=args.n, weeks=f"{args.weeks:g}"))
    warm = spec.model_copy(update={"trial": spec.trial.model_copy(update={"n_per_arm": 64})})
    run_trial(warm, cohort_source=prior)  # compile / load the kernel outside the timing
    start = time.perf_counter()
    result = run_trial(spec, cohort_source=prior)
    wall = time.perf_counter() - start
    pw = args.n * args.weeks
    figures: dict[str, object] = {
        "patients": args.n,
        "weeks": args.weeks,
        "wall_s": round(wall, 2),
        "patient_weeks_per_s": round(pw / wall),
        "solver_failures": result.arms[0].solver_failures,
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": platform.python_version(),
    }
    if args.peer > 0:
        peer, rel = _peer_solve_ivp(spec, args.peer)
        figures["peer_patients"] = args.peer
        figures["peer_max_rel_diff_final_states_vs_kernel"] = float(f"{rel:.2g}")
        figures["peer_solve_ivp_s_per_patient"] = round(peer, 4)
        figures["peer_patient_weeks_per_s_extrapolated"] = round(args.weeks / peer)
        figures["peer_extrapolated_wall_s_for_n"] = round(peer * args.n, 1)
        figures["speed_up"] = round(peer * args.n / wall, 1)
    print(json.dumps(figures, indent=2))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=2)


if __name__ == "__main__":
    main()
