"""Within-patient visit-to-visit SD of a disease index for untreated, stable virtual patients.

Why: the calibrated ``noise_scale`` multiplies every read-out's visit noise; this shows what it
implies on a clinical index, to set beside published measurement-error figures
(``docs/virtual-populations.md``). Placebo is switched off and no drug is given, so the change
between two visits is noise only; SD(change)/√2 is the within-patient SD.

    python scripts/visit_noise_sd.py rheumatoid_arthritis mtx_ir DAS28ESR 1 3
"""

from __future__ import annotations

import sys

import numpy as np

from immunobalance.model import get_disease_module, simulate
from immunobalance.population import Calibration, sample_virtual_population
from immunobalance.trials.endpoints import ArmTrajectories


def main(disease: str, population: str, score: str, scales: list[float]) -> None:
    vp = sample_virtual_population(
        disease, population, 400, seed=3, calibration=Calibration.uncalibrated()
    )
    module = get_disease_module(disease)
    zero = np.zeros(vp.n)
    for k in scales:
        params = vp.params.with_values(
            noise_scale=np.full(vp.n, k), placebo_subjective=zero, placebo_objective=zero
        )
        res = simulate(
            module,
            params,
            [],
            12,
            sample_weeks=np.array([0, 4, 8, 12]),
            seed=1,
            covariates=vp.covariates,
        )
        traj = ArmTrajectories(
            disease,
            res.times_week,
            res.readouts,
            res.events,
            np.full(vp.n, np.inf),
            np.full(vp.n, -1, dtype=np.int8),
        )
        s = np.asarray(traj.series(score))
        sd = float(np.nanstd(s[:, 2] - s[:, 1]) / np.sqrt(2))
        print(f"{disease} {score}: noise_scale {k:g} → within-patient SD {sd:.2f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], [float(x) for x in sys.argv[4:]])
