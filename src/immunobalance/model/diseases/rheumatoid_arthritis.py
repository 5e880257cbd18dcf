"""Rheumatoid arthritis: synovitis (core organ inflammation ``I``) and radiographic damage.

Read-outs follow the ACR core set (Felson DT et al. Arthritis Rheum 1993;36:729-40): joint
counts from synovial inflammation, CRP from hepatic IL-6 signalling (so IL-6/JAK blockade lowers
CRP independently of clinical response, as observed), ESR from IL-6 and immunoglobulin,
patient-reported items with an expectation (placebo) component, HAQ-DI from inflammation and
damage (``D`` in modified total Sharp score units).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from immunobalance.model.declaration import Declaration, Parameter, Prior
from immunobalance.model.diseases.base import DiseaseModule, ReadoutContext

__all__ = ["RheumatoidArthritis", "esr_saturating"]

_LN = Prior("lognormal", cv=0.4)
_SRC_BASE = (
    "typical baseline of moderate–severe RA trial populations (baseline, not outcome); "
    "matched to the population's KB baseline by the population layer"
)


def _r(
    name: str,
    value: float,
    unit: str,
    meaning: str,
    source: str = _SRC_BASE,
    prior: Prior = _LN,
    low: float = 0.0,
    high: float = float("inf"),
) -> Parameter:
    return Parameter(name, value, unit, meaning, source, prior, low, high, "readout")


def esr_saturating(
    floor: NDArray[np.float64], rise: NDArray[np.float64], span: NDArray[np.float64]
) -> NDArray[np.float64]:
    """ESR (mm/h) from its inflammatory rise through a saturating (Michaelis–Menten) link.

    ``ESR = floor + rise / (1 + rise / span)``: linear for small rises (so moderate disease
    keeps its calibrated scale) and bounded by ``floor + span`` (≈ 150 mm/h), because
    erythrocyte sedimentation is physically limited by packing in the Westergren column
    (Bedell SE, Bush BT. Am J Med 1985;78:1001-9). Keeps DAS28-ESR, which uses ln(ESR),
    inside its physiological range.
    """
    r = np.maximum(rise, 0.0)
    return np.asarray(floor + r / (1.0 + r / span))


class RheumatoidArthritis(DiseaseModule):
    key = "rheumatoid_arthritis"
    tissue_bdc = (
        0.157,
        "Shah DK, Betts AM. mAbs 2013;5:297-305 (skin value 15.7 % used as "
        "proxy for synovium, which the study did not measure)",
    )
    baseline_scales: ClassVar[dict[str, str]] = {
        "TJC28": "tjc28_0",
        "TJC68": "tjc28_0",
        "SJC28": "sjc28_0",
        "SJC66": "sjc28_0",
        "CRP": "crp_0",
        "ESR": "esr_0",
        "PTGA": "ptga_0",
        "PAIN": "pain_0",
        "PHGA": "phga_0",
        "HAQ_DI": "haq_0",
    }

    def extend(self, core: Declaration) -> Declaration:
        return core.extended(
            replace_parameters={
                "k_D": {
                    "value": 4.0 / 365.25,
                    "unit": "mTSS units/day",
                    "meaning": "radiographic progression at I = 1 (≈ 4 mTSS units/year)",
                    "source": "model assumption within the range of untreated established RA",
                },
                "D0": {
                    "value": 20.0,
                    "unit": "mTSS units",
                    "prior": Prior("lognormal", cv=1.0),
                    "meaning": "baseline modified total Sharp score",
                    "source": _SRC_BASE,
                },
                "lambda0": {
                    "value": 0.03,
                    "source": "Doran MF et al. Arthritis Rheum 2002;46:2287-93 "
                    "(RA infection incidence; order of magnitude)",
                },
            }
        )

    def readout_parameters(self) -> list[Parameter]:
        return [
            _r("sjc28_0", 10.0, "joints", "swollen 28-joint count at I = 1", high=28),
            _r("tjc28_0", 15.0, "joints", "tender 28-joint count at I = 1", high=28),
            _r(
                "tjc_nonspecific",
                0.25,
                "1",
                "share of tenderness not explained by synovitis (central sensitisation)",
                "model assumption",
                Prior("logitnormal", sd=0.5),
                0,
                1,
            ),
            _r(
                "tjc68_ratio",
                1.6,
                "1",
                "TJC68 / TJC28",
                "model assumption (68-joint counts include feet)",
                Prior("lognormal", cv=0.15),
                1.0,
                2.43,
            ),
            _r(
                "sjc66_ratio",
                1.4,
                "1",
                "SJC66 / SJC28",
                "model assumption",
                Prior("lognormal", cv=0.15),
                1.0,
                2.36,
            ),
            _r(
                "crp_0",
                15.0,
                "mg/L",
                "CRP above floor at IL-6 signal 1",
                prior=Prior("lognormal", cv=0.8),
            ),
            _r(
                "crp_floor",
                1.0,
                "mg/L",
                "CRP without inflammation",
                "Pepys MB, Hirschfield GM. J Clin Invest 2003;111:1805-12",
                Prior(),
            ),
            _r(
                "esr_0",
                30.0,
                "mm/h",
                "ESR above floor at baseline",
                prior=Prior("lognormal", cv=0.5),
            ),
            _r("esr_floor", 10.0, "mm/h", "ESR without inflammation", "reference range", Prior()),
            _r(
                "esr_span",
                140.0,
                "mm/h",
                "maximal rise of ESR above its floor (Westergren "
                "sedimentation is bounded by the 200 mm column; clinical values stay below "
                "≈ 150 mm/h)",
                "Bedell SE, Bush BT. Am J Med 1985;78:1001-9 (ESR > 100 mm/h is "
                "rare and rarely exceeds 150)",
                Prior(),
            ),
            _r(
                "ptga_0",
                60.0,
                "mm",
                "patient global at I = 1",
                prior=Prior("lognormal", cv=0.3),
                high=100,
            ),
            _r("pain_0", 60.0, "mm", "pain at I = 1", prior=Prior("lognormal", cv=0.3), high=100),
            _r(
                "phga_0",
                55.0,
                "mm",
                "physician global at I = 1",
                prior=Prior("lognormal", cv=0.3),
                high=100,
            ),
            _r(
                "haq_0",
                1.3,
                "0-3",
                "HAQ-DI due to inflammation at I = 1",
                prior=Prior("lognormal", cv=0.4),
                high=3,
            ),
            _r(
                "haq_per_mtss",
                0.003,
                "HAQ/mTSS",
                "HAQ-DI per mTSS unit of damage",
                "Welsing PM et al. Arthritis Rheum 2001;44:2009-17 (damage contributes to "
                "disability)",
                Prior(),
            ),
            _r(
                "vas_noise_mm",
                10.0,
                "mm",
                "visit-to-visit SD of VAS items",
                "model assumption",
                Prior(),
            ),
            _r(
                "count_cv",
                0.25,
                "1",
                "visit-to-visit CV of joint counts",
                "model assumption",
                Prior(),
            ),
        ]

    def readouts(self, ctx: ReadoutContext) -> dict[str, NDArray[np.float64]]:
        inflam = np.maximum(ctx.states["I"], 0.0)
        obj = ctx.placebo("objective")
        subj = ctx.placebo("subjective")
        ns = ctx.p("tjc_nonspecific")
        tender = ctx.p("tjc28_0") * ((1 - ns) * inflam + ns * subj) * obj
        swollen = ctx.p("sjc28_0") * inflam * obj
        cv = float(ctx.params["count_cv"][0])
        tjc28 = ctx.count("TJC28", tender, cv, 28)
        sjc28 = ctx.count("SJC28", swollen, cv, 28)
        il6 = np.maximum(ctx.signals["il6"], 0.0)
        vas = float(ctx.params["vas_noise_mm"][0])
        damage = ctx.states["D"] - ctx.p("D0")
        return {
            "TJC28": tjc28,
            "SJC28": sjc28,
            "TJC68": ctx.count("TJC68", tender * ctx.p("tjc68_ratio"), cv, 68),
            "SJC66": ctx.count("SJC66", swollen * ctx.p("sjc66_ratio"), cv, 66),
            "CRP": ctx.p("crp_floor") + ctx.lognormal("CRP", ctx.p("crp_0") * il6, 0.3),
            "ESR": esr_saturating(
                ctx.p("esr_floor"),
                ctx.lognormal(
                    "ESR", ctx.p("esr_0") * (0.7 * il6 + 0.3 * np.maximum(ctx.states["Ab"], 0)), 0.2
                ),
                ctx.p("esr_span"),
            ),
            "PTGA": ctx.score("PTGA", ctx.p("ptga_0") * inflam * subj, vas, 0, 100),
            "PAIN": ctx.score("PAIN", ctx.p("pain_0") * inflam * subj, vas, 0, 100),
            "PHGA": ctx.score("PHGA", ctx.p("phga_0") * inflam * obj, vas, 0, 100),
            "HAQ_DI": ctx.score(
                "HAQ_DI",
                ctx.p("haq_0") * inflam * subj + ctx.p("haq_per_mtss") * (ctx.p("D0") + damage),
                0.15,
                0,
                3,
                0.125,
            ),
        }
