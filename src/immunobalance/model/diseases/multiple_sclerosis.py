"""Multiple sclerosis: CNS lesion activity (core ``I``), relapses, disability.

Lesion activity is driven by effector lymphocytes entering the CNS (α4β1 integrin,
``entry_cns``). The TNF paradox: TNF signalling through TNFR2 supports Tregs and oligodendrocyte
remyelination (Arnett HA et al. Nat Neurosci 2001;4:1116-22), so TNF blockade adds lesion drive
here (``g_tnf_cns``) and removes more Treg function (``g_tnfr2``), which is why TNF blockade
worsened MS (The Lenercept MS Study Group. Neurology 1999;53:457-65; qualitative, never fitted).
Relapses are events of a Poisson process with rate ∝ lesion activity; EDSS follows damage ``D``
(EDSS points); gadolinium-enhancing lesions are Poisson counts ∝ lesion activity.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from immunobalance.model.declaration import Assignment, Declaration, Parameter, Prior, Rate, State
from immunobalance.model.diseases.base import DiseaseModule, ReadoutContext

__all__ = ["MultipleSclerosis"]

_SRC = "typical relapsing MS trial baseline (not outcome); calibrated at population level"


class MultipleSclerosis(DiseaseModule):
    key = "multiple_sclerosis"
    tissue_bdc = (0.0035, "Shah DK, Betts AM. mAbs 2013;5:297-305 (brain 0.35 %)")
    event_hazards: ClassVar[dict[str, str]] = {"serious_infection": "H_inf", "relapse": "H_rel"}

    def extend(self, core: Declaration) -> Declaration:
        return core.extended(
            states=[State("H_rel", "events", "cumulative relapse hazard", "0", group="organ")],
            parameters=[
                Parameter(
                    "arr0",
                    0.8,
                    "1/year",
                    "relapse rate at lesion activity 1 (the untreated patient)",
                    _SRC,
                    Prior("lognormal", cv=0.5),
                    group="organ",
                ),
                Parameter(
                    "relapse_lesion_exponent",
                    0.47,
                    "1",
                    "elasticity of the relapse rate to lesion activity: a treatment that "
                    "divides new lesions by r divides relapses by r ** exponent",
                    "Sormani MP et al. Ann Neurol 2009;65:268-75 (across 23 placebo-controlled "
                    "RRMS trials the treatment effect on relapses is a log-linear function of "
                    "the effect on active MRI lesions, R² 0.81); value from the individual-"
                    "patient example of Sormani MP et al. Neurology 2011;77:1684-90 "
                    "(interferon β-1a: active lesions −61 %, relapses −36 %, "
                    "ln 0.64 / ln 0.39 = 0.47)",
                    Prior("lognormal", cv=0.2),
                    0.0,
                    1.0,
                    group="organ",
                ),
                Parameter(
                    "g_tnf_cns",
                    0.5,
                    "1",
                    "lesion drive added at full TNF blockade",
                    "Arnett 2001; Lenercept MS Study Group 1999 (direction only); magnitude "
                    "assumed",
                    Prior("lognormal", cv=0.5),
                    group="organ",
                ),
            ],
            rates=[
                Rate(
                    "H_rel",
                    "arr0 / 365.25 * max(I, 0) ** relapse_lesion_exponent",
                    "relapse hazard rises less than in proportion to CNS lesion activity: "
                    "most new lesions are clinically silent, and a relapse needs one in an "
                    "eloquent site, so removing most lesions removes fewer relapses",
                )
            ],
            replace_assignments=[
                Assignment("organ_entry", "entry_cns", "1", "effector entry into the CNS (α4β1)"),
                Assignment(
                    "drive_extra",
                    "g_tnf_cns * inh_tnf",
                    "1",
                    "loss of TNFR2-mediated CNS protection under TNF blockade",
                    "Arnett HA et al. Nat Neurosci 2001;4:1116-22",
                ),
            ],
            replace_parameters={
                "k_I": {
                    "value": 0.15,
                    "meaning": "lesion activity resolution (enhancement ≈ 3 weeks)",
                    "source": "Cotton F et al. Neurology 2003;60:640-6 (duration of "
                    "gadolinium enhancement)",
                },
                "g_tnfr2": {
                    "value": 0.5,
                    "source": "Arnett 2001; Kassiotis G, Kollias G. J Exp Med "
                    "2001;193:427-34 (TNF is immunoregulatory in CNS autoimmunity)",
                },
                "k_D": {
                    "value": 0.15 / 365.25,
                    "unit": "EDSS points/day",
                    "meaning": "disability accrual at I = 1",
                    "source": _SRC,
                },
                "D0": {
                    "value": 2.5,
                    "unit": "EDSS points",
                    "prior": Prior("lognormal", cv=0.4),
                    "meaning": "baseline EDSS",
                    "high": 9.5,
                    "source": _SRC,
                },
                "lambda0": {"value": 0.01, "source": "model assumption (order of magnitude)"},
            },
        )

    def readout_parameters(self) -> list[Parameter]:
        return [
            Parameter(
                "gd0",
                1.5,
                "lesions",
                "mean Gd-enhancing lesions at I = 1",
                _SRC,
                Prior("lognormal", cv=1.0),
                group="readout",
            ),
        ]

    def readouts(self, ctx: ReadoutContext) -> dict[str, NDArray[np.float64]]:
        lam = ctx.p("gd0") * np.maximum(ctx.states["I"], 0.0)
        u = ctx.uniform("GD_LESIONS")
        from scipy import stats

        gd = stats.poisson.ppf(u, np.maximum(lam, 1e-12))
        edss = np.clip(
            np.round(2.0 * (ctx.states["D"] + 0.25 * ctx.normal("EDSS"))) / 2.0, 0.0, 10.0
        )
        return {"GD_LESIONS": gd.astype(float), "EDSS": edss}
