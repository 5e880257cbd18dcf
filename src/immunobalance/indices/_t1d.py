"""Type 1 diabetes: staging of presymptomatic and symptomatic disease (Insel et al. 2015) and
C-peptide read-outs.

Staging (Insel et al. 2015, JDRF/Endocrine Society/ADA statement)
    Stage 1: ≥ 2 islet autoantibodies (GADA, IA-2A, ZnT8A, IAA), normoglycaemia.
    Stage 2: ≥ 2 autoantibodies and dysglycaemia — fasting plasma glucose (FPG) 100–125 mg/dL,
    2-h OGTT glucose 140–199 mg/dL, HbA1c 5.7–6.4 %, or an HbA1c rise ≥ 10 % (relative).
    Stage 3: diabetes by ADA criteria — FPG ≥ 126 mg/dL, 2-h glucose ≥ 200 mg/dL or HbA1c ≥
    6.5 % — or a clinical diagnosis.

Conventions here: stage 3 is assigned whenever diabetes criteria (or ``diagnosed``) are met,
whatever the antibody count (the statement describes stage 3 in autoimmune diabetes; a
virtual patient in the T1D model is autoimmune by construction). ``0`` means fewer than two
autoantibodies and no diabetes (not staged); ``-1`` means ≥ 2 autoantibodies but no glycaemic
measure to tell stage 1 from stage 2.

C-peptide
    The TrialNet mixed-meal tolerance test read-out is the mean C-peptide over 2 h: the
    trapezoidal area under the curve divided by its duration (nmol/L) (e.g. Herold et al.
    2019); its change from baseline is ``CPEPTIDE_CHANGE``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immunobalance.errors import InvalidInputError, Problem
from immunobalance.indices._base import FloatArray, _Checker

__all__ = [
    "T1D_STAGE_LABELS",
    "cpeptide_auc_mean",
    "cpeptide_change",
    "t1d_stage",
    "t1d_stage_label",
]

T1D_STAGE_LABELS = {
    -1: "indeterminate",
    0: "not_staged",
    1: "stage_1",
    2: "stage_2",
    3: "stage_3",
}

CITATION_T1D_STAGE = (
    "Insel RA et al. Diabetes Care 2015;38:1964-1974 (doi:10.2337/dc15-1419); diabetes "
    "criteria: American Diabetes Association, Standards of Care, Classification and Diagnosis"
)
CITATION_CPEPTIDE = (
    "Herold KC et al. N Engl J Med 2019;381:603-613 (doi:10.1056/NEJMoa1902226) (2-h MMTT "
    "C-peptide AUC mean)"
)


def t1d_stage(
    n_autoantibodies: ArrayLike,
    hba1c_pct: ArrayLike,
    *,
    fpg_mg_dl: ArrayLike = np.nan,
    ogtt_2h_mg_dl: ArrayLike = np.nan,
    hba1c_baseline_pct: ArrayLike = np.nan,
    diagnosed: ArrayLike = False,
) -> NDArray[np.int8]:
    """Stage of type 1 diabetes (Insel et al. 2015): 0 not staged, 1, 2, 3; −1 indeterminate.

    Parameters
    ----------
    n_autoantibodies
        Number of positive islet autoantibodies (0–4).
    hba1c_pct
        HbA1c, % (NGSP); NaN if not measured.
    fpg_mg_dl, ogtt_2h_mg_dl
        Fasting and 2-h OGTT plasma glucose, mg/dL; NaN (default) if not measured.
    hba1c_baseline_pct
        An earlier HbA1c for the ≥ 10 % rise criterion; NaN (default) if none.
    diagnosed
        True where clinical type 1 diabetes is diagnosed (stage 3).

    Examples
    --------
    >>> t1d_stage([2, 3, 2, 1, 2], [5.2, 5.9, 6.7, 5.9, np.nan]).tolist()
    [1, 2, 3, 0, -1]
    """
    check = _Checker("T1D staging input")
    n = check.array("n_autoantibodies", n_autoantibodies, high=4)
    a1c = check.array("hba1c_pct", hba1c_pct, low=2, high=20, unit="%")
    fpg = check.array("fpg_mg_dl", fpg_mg_dl, low=10, high=2000, unit="mg/dL")
    ogtt = check.array("ogtt_2h_mg_dl", ogtt_2h_mg_dl, low=10, high=2000, unit="mg/dL")
    a1c0 = check.array("hba1c_baseline_pct", hba1c_baseline_pct, low=2, high=20, unit="%")
    check.require_present("n_autoantibodies", n, "count the positive autoantibodies")
    check.done()
    dx = np.asarray(diagnosed, dtype=bool)
    n, a1c, fpg, ogtt, a1c0, dx = np.broadcast_arrays(n, a1c, fpg, ogtt, a1c0, dx)
    with np.errstate(invalid="ignore"):
        diabetes = dx | (a1c >= 6.5) | (fpg >= 126) | (ogtt >= 200)
        dysglycaemia = (
            ((a1c >= 5.7) & (a1c < 6.5))
            | ((fpg >= 100) & (fpg < 126))
            | ((ogtt >= 140) & (ogtt < 200))
            | (a1c >= 1.10 * a1c0)
        )
    measured = ~(np.isnan(a1c) & np.isnan(fpg) & np.isnan(ogtt))
    multiple = n >= 2
    stage = np.zeros(n.shape, dtype=np.int8)
    stage[multiple & measured] = 1
    stage[multiple & ~measured] = -1
    stage[multiple & dysglycaemia] = 2
    stage[diabetes] = 3
    return stage


def t1d_stage_label(stage: ArrayLike) -> NDArray[np.object_]:
    """Labels of stage codes (``stage_1`` …, ``not_staged``, ``indeterminate``)."""
    codes = np.asarray(stage, dtype=int)
    out = np.empty(codes.shape, dtype=object)
    for code, label in T1D_STAGE_LABELS.items():
        out[codes == code] = label
    return out


def cpeptide_auc_mean(times_min: ArrayLike, cpeptide_nmol_per_l: ArrayLike) -> FloatArray:
    """Mean C-peptide over a mixed-meal test: trapezoidal AUC / duration (nmol/L).

    Parameters
    ----------
    times_min
        Sampling times in minutes, shape ``(n_times,)``, strictly increasing.
    cpeptide_nmol_per_l
        Concentrations, shape ``(..., n_times)``.

    Examples
    --------
    >>> round(float(cpeptide_auc_mean([0, 30, 60, 90, 120], [0.2, 0.6, 0.8, 0.7, 0.5])), 6)
    0.6125
    """
    t = np.asarray(times_min, dtype=float)
    c = np.asarray(cpeptide_nmol_per_l, dtype=float)
    if t.ndim != 1 or t.size < 2 or np.any(np.diff(t) <= 0) or c.shape[-1:] != t.shape:
        raise InvalidInputError(
            [Problem("times_min", f"expected strictly increasing times matching {c.shape}")],
            what="C-peptide AUC input",
        )
    check = _Checker("C-peptide AUC input")
    check.array("cpeptide_nmol_per_l", c, high=50, unit="nmol/L")
    check.done()
    area = np.sum((c[..., 1:] + c[..., :-1]) / 2 * np.diff(t), axis=-1)
    return np.asarray(area / (t[-1] - t[0]))


def cpeptide_change(baseline_nmol_per_l: ArrayLike, follow_up_nmol_per_l: ArrayLike) -> FloatArray:
    """Change in C-peptide (follow-up − baseline), nmol/L."""
    check = _Checker("C-peptide input")
    b = check.array("baseline_nmol_per_l", baseline_nmol_per_l, high=50, unit="nmol/L")
    f = check.array("follow_up_nmol_per_l", follow_up_nmol_per_l, high=50, unit="nmol/L")
    check.done()
    return np.asarray(f - b)
