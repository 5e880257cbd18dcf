"""Biomarker heterogeneity: latent patient traits that shape parameters and produce observables.

A virtual patient carries *traits* (seropositivity, HLA risk alleles, interferon signature …)
drawn from counter-based streams keyed on (seed, patient index). Each trait does two things:

1. it multiplies the patient's raw pathway weights (before renormalisation to sum 1), so a
   seropositive RA patient's disease is more B-cell/autoantibody-driven and an IFN-high SLE
   patient's disease more interferon-driven — which is why rituximab works better in
   seropositive RA and anifrolumab in IFN-high SLE (predicted, not fitted);
2. it generates the observable biomarker values (RF, ACPA, anti-dsDNA titres, IFN signature
   score, Treg %, serum IL-6), with measurement noise, *from the parameters*, so a digital twin
   that observes a biomarker learns about the parameters behind it.

Links (multipliers are structural priors documented here and in ``docs/calibration.md``):

* **RA seropositivity** — RF/ACPA-positive RA has more B-cell and immune-complex-driven
  synovitis (lymphoid-rich synovial pathotype; Humby F et al. Ann Rheum Dis 2019;78:761-72) and
  responds better to rituximab (Isaacs JD et al. Ann Rheum Dis 2013;72:329-36, pooled analysis):
  ``w_b_cell`` and ``w_autoantibody`` × 1.6 if seropositive, × 0.3 if seronegative.
* **HLA-DRB1 shared epitope** (SE) raises the risk of ACPA-positive, not ACPA-negative, RA
  (Huizinga TWJ et al. Arthritis Rheum 2005;52:3433-8): P(seropositive) 0.55 without SE,
  0.85 with SE; SE carriage 0.6 in RA (same source, order of magnitude).
* **SLE interferon signature** — ~80 % of SLE trial patients are IFN-gene-signature high
  (Furie RA et al. Lancet Rheumatol 2019;1:e208-19, TULIP-1: 82 %); anifrolumab's effect was
  larger in IFN-high patients (Furie RA et al. Arthritis Rheumatol 2017;69:376-86):
  ``w_ifn_i`` × 1.8 if high, × 0.3 if low.
* **Anti-dsDNA** — anti-dsDNA-positive SLE has more immune-complex disease (nephritis,
  complement consumption; Pisetsky DS. Nat Rev Rheumatol 2016;12:102-10): ``w_autoantibody``
  × 1.5 if positive, × 0.5 if negative; P(positive) 0.7 (BLISS trial populations).
* **Treg %** — a lower CD4+CD25+FOXP3+ share means weaker restraint (Miyara M et al. J Immunol
  2005;175:8392-400): observable ``TREG_PCT`` = 6 % × (s_R / 2)^0.5 × lognormal(CV 0.2), so it
  carries information about the patient's suppression strength ``s_R``.
* **Serum IL-6** — ``IL6`` (pg/mL) = 4 + 20 × (w_il6 / prior weight) × lognormal(CV 0.4);
  RA serum IL-6 is 5–50 pg/mL (Madhok R et al. Ann Rheum Dis 1993;52:232-4).
* **Psoriasis HLA-C*06:02** — carried by ~40–60 % of patients, associated with IL-12/23
  response (Talamonti M et al. Br J Dermatol 2013;169:458-63): ``w_il23`` × 1.3 if carrier.
* **T1D HLA-DR3/DR4** — raises the islet-autoimmunity T-cell drive (Noble JA, Erlich HA.
  Cold Spring Harb Perspect Med 2012;2:a007732): ``w_th1`` × 1.3 in DR3/DR4 carriers (P 0.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from immunobalance.model import random as rnd

__all__ = ["TRAITS", "Trait", "biomarker_values", "draw_traits", "pathway_multipliers"]


@dataclass(frozen=True)
class Trait:
    """A binary latent trait of a disease with its prevalence and pathway-weight multipliers.

    ``depends_on``: (other trait, prevalence if that trait is present) — a conditional draw.
    """

    name: str
    prevalence: float
    if_present: Mapping[str, float]
    if_absent: Mapping[str, float]
    source: str
    depends_on: tuple[str, float] | None = None


TRAITS: dict[str, tuple[Trait, ...]] = {
    "rheumatoid_arthritis": (
        Trait("HLA_SHARED_EPITOPE", 0.6, {}, {}, "Huizinga 2005 (order of magnitude)"),
        Trait(
            "SEROPOSITIVE",
            0.55,
            {"b_cell": 1.6, "autoantibody": 1.6},
            {"b_cell": 0.3, "autoantibody": 0.3},
            "Humby 2019; Isaacs 2013; Huizinga 2005",
            ("HLA_SHARED_EPITOPE", 0.85),
        ),
    ),
    "systemic_lupus_erythematosus": (
        Trait("IFN_HIGH", 0.8, {"ifn_i": 1.8}, {"ifn_i": 0.3}, "Furie 2019 (TULIP-1); Furie 2017"),
        Trait("ANTI_DSDNA_POS", 0.7, {"autoantibody": 1.5}, {"autoantibody": 0.5}, "Pisetsky 2016"),
    ),
    "psoriasis": (Trait("HLA_C0602", 0.5, {"il23": 1.3}, {}, "Talamonti 2013"),),
    "type_1_diabetes": (Trait("HLA_DR3_DR4", 0.4, {"th1": 1.3}, {}, "Noble & Erlich 2012"),),
}


def draw_traits(disease: str, seed: int, idx: NDArray[np.int64]) -> dict[str, NDArray[np.bool_]]:
    """Binary traits of each patient (pure function of seed and patient index)."""
    out: dict[str, NDArray[np.bool_]] = {}
    for t in TRAITS.get(disease, ()):
        u = rnd.uniforms(seed, f"trait:{t.name}", idx, [0])[:, 0]
        p = np.full(idx.shape[0], t.prevalence)
        if t.depends_on is not None:
            other, p_if = t.depends_on
            p = np.where(out[other], p_if, t.prevalence)
        out[t.name] = u < p
    return out


def pathway_multipliers(
    disease: str, traits: Mapping[str, NDArray[np.bool_]], pathways: tuple[str, ...], n: int
) -> dict[str, NDArray[np.float64]]:
    """Per-patient multipliers of the raw pathway weights implied by the traits."""
    mult = {pw: np.ones(n) for pw in pathways}
    for t in TRAITS.get(disease, ()):
        has = traits[t.name]
        for pw, f in t.if_present.items():
            if pw in mult:
                mult[pw] = np.where(has, mult[pw] * f, mult[pw])
        for pw, f in t.if_absent.items():
            if pw in mult:
                mult[pw] = np.where(has, mult[pw], mult[pw] * f)
    return mult


def _lognormal(seed: int, stream: str, idx: NDArray[np.int64], cv: float) -> NDArray[np.float64]:
    s = np.sqrt(np.log1p(cv**2))
    z = rnd.normals(seed, f"biomarker:{stream}", idx, [0])[:, 0]
    return np.asarray(np.exp(s * z - 0.5 * s * s))


def biomarker_values(
    disease: str,
    traits: Mapping[str, NDArray[np.bool_]],
    params: Mapping[str, NDArray[np.float64]],
    prior_weights: Mapping[str, float],
    seed: int,
    idx: NDArray[np.int64],
) -> dict[str, NDArray[np.float64]]:
    """Observable biomarkers generated from the patient's traits and parameters.

    Returns observation keys of ``contracts/patient-record.md`` (titres in IU/mL, Treg % of
    CD4+, IL-6 in pg/mL, IFN signature as a score with 1 = healthy median) and 0/1 status
    keys (``RF_POSITIVE``, ``ACPA_POSITIVE``, ``ANTI_DSDNA_POSITIVE``, ``IFN_HIGH``, …).
    """
    n = idx.shape[0]
    out: dict[str, NDArray[np.float64]] = {}
    for name, has in traits.items():
        out[name] = has.astype(float)
    if "s_R" in params:
        out["TREG_PCT"] = (
            6.0 * np.sqrt(params["s_R"] / 2.0) * _lognormal(seed, "TREG_PCT", idx, 0.2)
        )
    if "w_il6" in params and prior_weights.get("il6"):
        out["IL6"] = 4.0 + 20.0 * params["w_il6"] / prior_weights["il6"] * _lognormal(
            seed, "IL6", idx, 0.4
        )
    if disease == "rheumatoid_arthritis":
        sero = traits["SEROPOSITIVE"]
        u = rnd.uniforms(seed, "biomarker:rf_acpa", idx, [0, 1])
        # RF and ACPA are concordant in ~80 % of seropositive patients (Nishimura K et al.
        # Ann Intern Med 2007;146:797-808): each is positive with P 0.85 given seropositivity.
        rf_pos = sero & (u[:, 0] < 0.85)
        acpa_pos = sero & ((u[:, 1] < 0.85) | ~rf_pos)
        out["RF_POSITIVE"] = rf_pos.astype(float)
        out["ACPA_POSITIVE"] = acpa_pos.astype(float)
        out["RF"] = np.where(rf_pos, 120.0, 8.0) * _lognormal(seed, "RF", idx, 0.8)
        out["ACPA"] = np.where(acpa_pos, 250.0, 3.0) * _lognormal(seed, "ACPA", idx, 0.8)
        out["HLA_SHARED_EPITOPE"] = traits["HLA_SHARED_EPITOPE"].astype(float)
    if disease == "systemic_lupus_erythematosus":
        ifn_share = params["w_ifn_i"] / max(prior_weights.get("ifn_i", 1.0), 1e-9)
        out["IFN_SIGNATURE"] = (1.0 + 6.0 * ifn_share) * _lognormal(seed, "IFN_SIGNATURE", idx, 0.3)
        out["ANTI_DSDNA_POSITIVE"] = traits["ANTI_DSDNA_POS"].astype(float)
    del n
    return out
