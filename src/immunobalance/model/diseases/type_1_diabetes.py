"""Type 1 diabetes: insulitis (core ``I``) destroys β-cell mass ``beta``.

β-cell mass (fraction of normal) falls at a rate ∝ insulitis; stage-3 diagnosis is the first
time mass crosses the patient's threshold (Klinke DJ. PLoS One 2008;3:e1374: clinical onset
with substantial residual mass, lower in the young). Mixed-meal C-peptide AUC ∝ β-cell mass;
HbA1c rises as mass falls below the threshold (crude glycaemic link, documented).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from immunobalance.model.declaration import Declaration, Parameter, Prior, Rate, State
from immunobalance.model.diseases.base import DiseaseModule, ReadoutContext

__all__ = ["Type1Diabetes"]

_SRC = "typical T1D trial baseline (stage 2 / new onset); calibrated at population level"


class Type1Diabetes(DiseaseModule):
    key = "type_1_diabetes"
    tissue_bdc = (0.1, "model assumption (pancreas not reported by Shah & Betts 2013)")

    def extend(self, core: Declaration) -> Declaration:
        return core.extended(
            states=[State("beta", "fraction of normal", "β-cell mass", "beta0", group="organ")],
            parameters=[
                Parameter(
                    "beta0",
                    0.5,
                    "1",
                    "β-cell mass at baseline",
                    _SRC,
                    Prior("logitnormal", sd=0.6),
                    0.01,
                    1.0,
                    "organ",
                ),
                Parameter(
                    "k_beta",
                    0.0014,
                    "1/day",
                    "β-cell loss rate at insulitis 1",
                    "Greenbaum CJ et al. Diabetes 2012;61:2066-73 (C-peptide falls ≈ 40 %/year "
                    "after onset)",
                    Prior("lognormal", cv=0.5),
                    group="organ",
                ),
                Parameter(
                    "beta_dx",
                    0.3,
                    "1",
                    "β-cell mass at stage-3 diagnosis",
                    "Klinke 2008",
                    Prior("logitnormal", sd=0.4),
                    0.02,
                    0.9,
                    "organ",
                ),
            ],
            rates=[Rate("beta", "-k_beta * I * beta", "β-cell killing by insulitis")],
            replace_parameters={"lambda0": {"value": 0.005, "source": "model assumption"}},
        )

    def readout_parameters(self) -> list[Parameter]:
        return [
            Parameter(
                "cpep_max",
                2.0,
                "nmol/L",
                "mixed-meal C-peptide AUC at normal β-cell mass",
                "model assumption (healthy MMTT AUC order of magnitude)",
                Prior("lognormal", cv=0.3),
                group="readout",
            ),
        ]

    def readouts(self, ctx: ReadoutContext) -> dict[str, NDArray[np.float64]]:
        beta = np.maximum(ctx.states["beta"], 0.0)
        short = np.maximum(ctx.p("beta_dx") - beta, 0.0) / ctx.p("beta_dx")
        return {
            "CPEPTIDE": ctx.lognormal("CPEPTIDE", ctx.p("cpep_max") * beta, 0.1),
            "HBA1C": 5.3 + 4.0 * short + 0.2 * ctx.normal("HBA1C"),
        }

    def threshold_events(self, ctx: ReadoutContext) -> dict[str, list[NDArray[np.float64]]]:
        beta = ctx.states["beta"]
        thr = ctx.params["beta_dx"]
        out: list[NDArray[np.float64]] = []
        for i in range(beta.shape[0]):
            b = beta[i]
            below = np.nonzero(b <= thr[i])[0]
            if below.size == 0 or not np.all(np.isfinite(b)):
                out.append(np.array([]))
                continue
            k = below[0]
            if k == 0:
                out.append(np.array([ctx.times_week[0]]))
                continue
            t0, t1, b0, b1 = ctx.times_week[k - 1], ctx.times_week[k], b[k - 1], b[k]
            out.append(np.array([t0 + (b0 - thr[i]) / (b0 - b1) * (t1 - t0)]))
        return {"t1d_diagnosis": out}
