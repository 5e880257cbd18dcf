"""Psoriasis: skin inflammation (core ``I``) read out as PASI region components.

PASI (Fredriksson T, Pettersson U. Dermatologica 1978;157:238-44): for each region
(Head, Upper limbs, Trunk, Lower limbs) erythema, induration and desquamation 0–4 and an area
score 0–6; the index module computes PASI from these items exactly as for real patients.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from immunobalance.indices import pasi_area_score
from immunobalance.model.declaration import Assignment, Declaration, Parameter, Prior
from immunobalance.model.diseases.base import DiseaseModule, ReadoutContext

__all__ = ["Psoriasis"]

_SRC = (
    "typical baseline of moderate-to-severe plaque psoriasis trial populations (baseline, not "
    "outcome); matched to the population's KB baseline by the population layer"
)
REGIONS = ("H", "U", "T", "L")
_LOOP = (
    "Lowes MA, Suárez-Fariñas M, Krueger JG. Annu Rev Immunol 2014;32:227-55; Hawkes JE, "
    "Chan TC, Krueger JG. J Allergy Clin Immunol 2017;140:645-53; Homey B et al. "
    "J Immunol 2000;164:6621-32 (CCL20 in psoriatic keratinocytes recruits CCR6+ Th17)"
)


class Psoriasis(DiseaseModule):
    key = "psoriasis"
    tissue_bdc = (0.157, "Shah DK, Betts AM. mAbs 2013;5:297-305 (skin 15.7 %)")

    def extend(self, core: Declaration) -> Declaration:
        network_drive = next(a for a in core.assignments if a.name == "drive")
        return core.extended(
            parameters=[
                Parameter(
                    "g_kc_il17",
                    0.35,
                    "1",
                    "necessity of IL-17 for the keratinocyte plaque programme (exponent of the "
                    "IL-17 signal multiplying the network drive; 0 = not necessary)",
                    _LOOP + "; Krueger JG et al. J Allergy Clin Immunol 2012;130:145-54 "
                    "(IL-17A blockade reverses the plaque keratinocyte transcriptome); "
                    "magnitude: searched by stage 0 of the calibration "
                    "(population/_fit_structure.DISEASE_PARAMETER_GRID)",
                    Prior("lognormal", cv=0.3),
                    0.0,
                    2.0,
                    "organ",
                ),
                Parameter(
                    "f_ccl20",
                    0.3,
                    "1",
                    "share of Th17 recruitment into plaques driven by "
                    "keratinocyte chemokines (CCL20), themselves induced by IL-17 in the "
                    "plaque",
                    _LOOP + "; magnitude: untreated plaques persist for years, so the "
                    "untreated plaque must be a stable equilibrium — with 0.7 (the earlier "
                    "assumption) under 10 % of prior candidates were (population/_plausibility)",
                    Prior("logitnormal", sd=0.5),
                    0.0,
                    1.0,
                    "organ",
                ),
            ],
            replace_assignments=[
                Assignment(
                    "drive",
                    f"max(il17, sig_floor) ** g_kc_il17 * ({network_drive.formula})",
                    "1",
                    "plaque drive: IL-17 is a NECESSARY node (keratinocytes need it to "
                    "sustain hyperproliferation and chemokine output), so its signal "
                    "multiplies the network drive instead of adding one weighted term",
                    _LOOP,
                    output="signal",
                ),
                Assignment(
                    "organ_entry",
                    "1 - f_ccl20 + f_ccl20 * I",
                    "1",
                    "Th17 recruitment into the plaque: the IL-23 → Th17 → IL-17 → "
                    "keratinocyte CCL20 → Th17 feed-forward loop, so blocking IL-17 or "
                    "IL-23 collapses the loop rather than removing one weighted term",
                    _LOOP,
                ),
            ],
            replace_parameters={
                "k_I": {
                    "value": 0.05,
                    "meaning": "psoriatic plaque resolution (t½ ≈ 14 d)",
                    "source": "model assumption: plaque remodelling over weeks (epidermal turnover "
                    "and dermal infiltrate clearance)",
                },
                "lambda0": {
                    "value": 0.012,
                    "source": "model assumption (background serious "
                    "infections in psoriasis cohorts, order of magnitude)",
                },
            },
        )

    def readout_parameters(self) -> list[Parameter]:
        out = []
        for r, area in zip(REGIONS, (15.0, 20.0, 20.0, 25.0), strict=True):
            out.append(
                Parameter(
                    f"pso_area_{r}",
                    area,
                    "% of region",
                    f"region {r} area involved at I = 1",
                    _SRC,
                    Prior("lognormal", cv=0.7),
                    0.0,
                    100.0,
                    "readout",
                )
            )
        out += [
            Parameter(
                "pso_severity",
                2.6,
                "0-4",
                "mean erythema/induration/desquamation at I = 1 (proportional to I: redness "
                "and thickness follow the dermal infiltrate and epidermal hyperplasia)",
                _SRC,
                Prior("lognormal", cv=0.15),
                0.5,
                4.0,
                "readout",
            ),
            Parameter(
                "pso_clear",
                0.1,
                "1",
                "plaque inflammation (fraction of the patient's baseline) below which a "
                "region's last plaque is no longer visible (0.6–1.6 times this in each region)",
                "model assumption; clinically clear skin keeps a residual lesional immune "
                "profile (Suárez-Fariñas M et al. J Invest Dermatol 2011;131:391-400), so "
                "plaques clear before the latent inflammation reaches zero",
                Prior("lognormal", cv=0.3),
                0.0,
                1.0,
                "readout",
            ),
            Parameter(
                "pso_item_sd",
                0.4,
                "points",
                "visit SD of sign scores",
                "model assumption",
                Prior(),
                0.0,
                2.0,
                "readout",
            ),
        ]
        return out

    def readouts(self, ctx: ReadoutContext) -> dict[str, NDArray[np.float64]]:
        """PASI items by region. A region's involved area and its sign scores follow the plaque
        inflammation linearly; once that falls below the region's clearance level
        (``pso_clear``, different in each region) the region is clear — area score 0 and no
        sign scores — so PASI 100 is reachable, and reached region by region."""
        inflam = np.maximum(ctx.states["I"], 0.0) * ctx.placebo("objective")
        sd = float(ctx.params["pso_item_sd"][0])
        out: dict[str, NDArray[np.float64]] = {}
        for r in REGIONS:
            spread = np.exp(ctx.patient_uniform(f"pso_clear:{r}") - 0.5)
            visible = inflam > ctx.p("pso_clear") * spread
            pct = ctx.lognormal(f"PASI_{r}_A", ctx.p(f"pso_area_{r}") * inflam, 0.15)
            out[f"PASI_{r}_A"] = np.where(visible, pasi_area_score(np.minimum(pct, 100.0)), 0.0)
            for sign in ("E", "I", "D"):
                mean = ctx.p("pso_severity") * inflam
                item = ctx.score(f"PASI_{r}_{sign}", mean, sd, 0, 4)
                out[f"PASI_{r}_{sign}"] = np.where(out[f"PASI_{r}_A"] > 0, item, 0.0)
        return out
