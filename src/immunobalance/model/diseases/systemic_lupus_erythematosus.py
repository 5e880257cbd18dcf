"""Systemic lupus erythematosus: systemic (mucocutaneous/articular) inflammation ``I`` and
glomerular inflammation ``N`` driven by immune complexes.

Read-outs: the 24 SLEDAI-2K descriptors (Gladman DD et al. J Rheumatol 2002;29:288-91) as
booleans — each patient has a persistent organ-involvement pattern and a descriptor is present at
a visit when that organ's activity (with visit noise) exceeds the patient's threshold; C3/C4
consumption and anti-dsDNA from the autoantibody titre; UPCR from ``N`` (with the calcineurin
podocyte effect); eGFR from damage; physician global 0–3 (``SLE_PGA``).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from immunobalance.model.declaration import Assignment, Declaration, Parameter, Prior, Rate, State
from immunobalance.model.diseases.base import DiseaseModule, ReadoutContext

__all__ = ["SLEDAI_ITEMS", "SystemicLupusErythematosus"]

_SRC = (
    "typical active seropositive SLE trial entry (baseline prevalence, not outcome); "
    "matched to the population's KB baseline by the population layer"
)
#: descriptor → (organ driver, prior prevalence at entry)
SLEDAI_ITEMS: dict[str, tuple[str, float]] = {
    "SEIZURE": ("I", 0.01),
    "PSYCHOSIS": ("I", 0.01),
    "OBS": ("I", 0.01),
    "VISUAL": ("I", 0.01),
    "CRANIAL": ("I", 0.01),
    "HEADACHE": ("I", 0.02),
    "CVA": ("I", 0.005),
    "VASCULITIS": ("I", 0.1),
    "ARTHRITIS": ("I", 0.6),
    "MYOSITIS": ("I", 0.03),
    "CASTS": ("N", 0.05),
    "HEMATURIA": ("N", 0.1),
    "PROTEINURIA": ("N", 0.15),
    "PYURIA": ("N", 0.05),
    "RASH": ("I", 0.6),
    "ALOPECIA": ("I", 0.4),
    "MUCOSAL": ("I", 0.3),
    "PLEURISY": ("I", 0.05),
    "PERICARDITIS": ("I", 0.03),
    "FEVER": ("I", 0.03),
    "THROMBOCYTOPENIA": ("ifn_i", 0.04),
    "LEUKOPENIA": ("ifn_i", 0.08),
}


class SystemicLupusErythematosus(DiseaseModule):
    key = "systemic_lupus_erythematosus"
    tissue_bdc = (0.157, "Shah DK, Betts AM. mAbs 2013;5:297-305 (skin 15.7 %)")
    baseline_scales: ClassVar[dict[str, str]] = {"UPCR": "upcr_0"}

    def extend(self, core: Declaration) -> Declaration:
        return core.extended(
            states=[
                State("N", "1 (baseline = 1)", "glomerular (nephritis) inflammation", group="organ")
            ],
            parameters=[
                Parameter(
                    "k_N",
                    0.03,
                    "1/day",
                    "glomerular inflammation resolution (t½ ≈ 3 weeks)",
                    "model assumption: renal responses take months",
                    Prior("lognormal", cv=0.4),
                    group="organ",
                ),
                Parameter(
                    "f_N_ic",
                    0.7,
                    "1",
                    "immune-complex share of glomerular drive",
                    "Lech M, Anders HJ. J Am Soc Nephrol 2013;24:1357-66",
                    Prior("logitnormal", sd=0.5),
                    0.0,
                    1.0,
                    "organ",
                ),
                Parameter(
                    "g_podo",
                    0.4,
                    "1",
                    "antiproteinuric podocyte effect of calcineurin inhibition",
                    "Faul C et al. Nat Med 2008;14:931-8 (synaptopodin stabilisation)",
                    Prior("logitnormal", sd=0.5),
                    0.0,
                    1.0,
                    "organ",
                ),
            ],
            assignments=[
                Assignment(
                    "podocyte_f",
                    "1 - g_podo * inh_calcineurin",
                    "1",
                    "proteinuria left by podocyte stabilisation",
                    output="signal",
                ),
            ],
            rates=[
                Rate(
                    "N",
                    "k_N * ((f_N_ic * Ab * fc_f + (1 - f_N_ic) * I) * innate_f - N)",
                    "immune-complex glomerulonephritis, damped by glucocorticoids",
                )
            ],
            replace_parameters={
                "lambda0": {
                    "value": 0.05,
                    "source": "model assumption (SLE "
                    "background serious infections, order of magnitude)",
                },
                "k_D": {
                    "value": 1.0 / 365.25,
                    "unit": "SDI units/day",
                    "meaning": "organ damage (SLICC/ACR index) at I = 1",
                },
            },
        )

    def readout_parameters(self) -> list[Parameter]:
        out = [
            Parameter(
                "c3_normal",
                120.0,
                "mg/dL",
                "C3 without consumption",
                "reference range 90–180",
                Prior(),
                group="readout",
            ),
            Parameter(
                "c3_consumed",
                0.35,
                "1",
                "fraction of C3 consumed at Ab = 1",
                _SRC,
                Prior("logitnormal", sd=0.7),
                0,
                0.9,
                "readout",
            ),
            Parameter(
                "c4_normal",
                25.0,
                "mg/dL",
                "C4 without consumption",
                "reference range 10–40",
                Prior(),
                group="readout",
            ),
            Parameter(
                "c4_consumed",
                0.45,
                "1",
                "fraction of C4 consumed at Ab = 1",
                _SRC,
                Prior("logitnormal", sd=0.7),
                0,
                0.95,
                "readout",
            ),
            Parameter(
                "dsdna_0",
                80.0,
                "IU/mL",
                "anti-dsDNA at Ab = 1",
                _SRC,
                Prior("lognormal", cv=1.2),
                group="readout",
            ),
            Parameter(
                "upcr_0",
                0.4,
                "mg/mg",
                "urine protein/creatinine at N = 1",
                _SRC,
                Prior("lognormal", cv=1.2),
                group="readout",
            ),
            Parameter(
                "egfr_0",
                95.0,
                "mL/min/1.73m2",
                "baseline eGFR",
                _SRC,
                Prior("lognormal", cv=0.2),
                5,
                150,
                "readout",
            ),
            Parameter(
                "egfr_per_sdi",
                5.0,
                "mL/min/1.73m2",
                "eGFR loss per damage unit",
                "model assumption",
                Prior(),
                group="readout",
            ),
            Parameter(
                "pga_0",
                1.6,
                "0-3",
                "physician global at I = 1",
                _SRC,
                Prior("lognormal", cv=0.3),
                0,
                3,
                "readout",
            ),
            Parameter(
                "sledai_threshold_cv",
                0.5,
                "1",
                "between-patient CV of descriptor thresholds",
                "model assumption",
                Prior(),
                group="readout",
            ),
        ]
        for item, (_, prev) in SLEDAI_ITEMS.items():
            out.append(
                Parameter(
                    f"sledai_prev_{item.lower()}",
                    prev,
                    "1",
                    f"probability that {item} belongs to the patient's pattern",
                    _SRC,
                    Prior(),
                    0,
                    1,
                    "readout",
                )
            )
        return [
            *out,
            Parameter(
                "sledai_visit_sd",
                0.25,
                "1",
                "visit noise (log scale) of descriptor activity",
                "model assumption",
                Prior(),
                group="readout",
            ),
        ]

    def readouts(self, ctx: ReadoutContext) -> dict[str, NDArray[np.float64]]:
        inflam = np.maximum(ctx.states["I"], 0.0) * ctx.placebo("objective")
        nephr = np.maximum(ctx.states["N"], 0.0)
        ab = np.maximum(ctx.states["Ab"], 0.0)
        drivers = {"I": inflam, "N": nephr, "ifn_i": np.maximum(ctx.signals["ifn_i"], 0.0)}
        c3 = ctx.p("c3_normal") * (1 - ctx.p("c3_consumed") * ab)
        c4 = ctx.p("c4_normal") * (1 - ctx.p("c4_consumed") * ab)
        c3 = np.maximum(ctx.lognormal("C3", c3, 0.08), 5.0)
        c4 = np.maximum(ctx.lognormal("C4", c4, 0.12), 1.0)
        dsdna = ctx.lognormal("ANTI_DSDNA", ctx.p("dsdna_0") * ab, 0.2)
        out: dict[str, NDArray[np.float64]] = {}
        cv = float(ctx.params["sledai_threshold_cv"][0])
        vsd = float(ctx.params["sledai_visit_sd"][0])
        for item, (driver, _) in SLEDAI_ITEMS.items():
            member = ctx.patient_uniform(f"sledai_member:{item}") < ctx.p(
                f"sledai_prev_{item.lower()}"
            )
            # threshold below 1 so that a member descriptor is usually present at baseline
            thr = 0.6 * np.exp(cv * (ctx.patient_uniform(f"sledai_thr:{item}") - 0.5))
            activity = drivers[driver] * np.exp(vsd * ctx.normal(f"SLEDAI_{item}"))
            out[f"SLEDAI_{item}"] = (member & (activity > thr)).astype(float)
        out["SLEDAI_LOWCOMPLEMENT"] = ((c3 < 90.0) | (c4 < 10.0)).astype(float)
        out["SLEDAI_DNA"] = (dsdna > 30.0).astype(float)
        damage = ctx.states["D"] - ctx.p("D0")
        out.update(
            {
                "C3": c3,
                "C4": c4,
                "ANTI_DSDNA": dsdna,
                "UPCR": ctx.lognormal(
                    "UPCR", ctx.p("upcr_0") * nephr * ctx.signals["podocyte_f"], 0.25
                ),
                "EGFR": np.maximum(
                    ctx.p("egfr_0") - ctx.p("egfr_per_sdi") * damage + 5.0 * ctx.normal("EGFR"), 2.0
                ),
                "SLE_PGA": ctx.score("SLE_PGA", ctx.p("pga_0") * inflam, 0.25, 0, 3, 0.1),
            }
        )
        return out
