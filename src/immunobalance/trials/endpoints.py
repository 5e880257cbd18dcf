"""Endpoints of virtual patients, computed from simulated read-outs with the real-patient indices.

A virtual patient's ACR20 is :func:`immunobalance.indices.acr20` applied to its simulated core
set at baseline and at the assessment visit, exactly as for a real patient; this module only
chooses the visits, applies the trial's estimand rules and returns per-patient values:

* **proportions** — non-responder imputation (NRI): a patient who left randomised treatment
  before the assessment week is a non-responder (the primary analysis of the calibration trials);
  ``FLARE`` counts early escape for lack of efficacy as a flare; ``T1D_DIAGNOSED`` is ascertained
  in every randomised patient (intention to treat: prevention trials keep following patients
  who stop the study drug); ``CDP12`` uses 12-weekly EDSS visits while on treatment;
* **means** — change from baseline at the assessment visit, with the last on-treatment
  observation carried forward (``locf``) or the baseline carried forward (``bocf``) for patients
  who left (:class:`~immunobalance.trials.conduct.TrialConduct.continuous_imputation`);
* **rates** — events while on randomised treatment up to the week, over the exposure
  (patient-years on treatment): exposure-adjusted rates as reported in labels. Serious
  infections are per 100 patient-years; ARR per patient-year.

Visits are the simulation's sample weeks; column 0 is the baseline (week 0).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from immunobalance import indices as ix
from immunobalance.errors import InvalidInputError, Problem
from immunobalance.trials.conduct import WEEKS_PER_YEAR
from immunobalance.trials.spec import ENDPOINT_CODES

__all__ = [
    "EVENT_NAMES",
    "ArmTrajectories",
    "EndpointValues",
    "evaluate_endpoint",
    "required_readouts",
]

Kind = Literal["proportion", "mean", "rate"]

#: Event names of the simulation (``SimulationResult.events``) used by endpoints.
EVENT_NAMES = {
    "serious_infection": ("serious_infection",),
    "relapse": ("relapse", "ms_relapse"),
    "t1d_diagnosis": ("t1d_diagnosis", "t1d_diagnosed", "stage3_diagnosis", "diagnosis"),
}

#: SLE physician global assessment: the 0–3 scale of SRI-4/BICLA from a 0–100 mm PHGA.
PGA_0_3_PER_MM = 0.03


@dataclass
class EndpointValues:
    """Per-patient values of one ``CODE@WEEK``.

    ``value`` is 0/1 for proportions, the measurement for means (NaN = not evaluable) and the
    event count for rates; ``exposure_years`` is the on-treatment follow-up of rates.
    ``scale`` multiplies a rate (100 for per-100-patient-years).
    """

    kind: Kind
    value: NDArray[np.float64]
    exposure_years: NDArray[np.float64] | None = None
    scale: float = 1.0


@dataclass
class ArmTrajectories:
    """What the endpoints of one arm are computed from (one chunk of patients).

    Attributes
    ----------
    disease
        Disease key (chooses disease-specific definitions such as ``FLARE``).
    times_week
        Visit weeks, shape ``(t,)``, ``times_week[0] == 0``.
    readouts
        Read-out key → ``(n, t)`` (NaN where the solver failed).
    events
        Event name → per-patient arrays of event weeks.
    stop_week
        Week each patient left randomised treatment (``inf`` = completed).
    stop_reason
        Reason code per patient (see :data:`~.conduct.DISCONTINUATION_REASONS`, −1 = completed).
    imputation
        ``"locf"`` or ``"bocf"`` for mean endpoints.
    """

    disease: str
    times_week: NDArray[np.float64]
    readouts: Mapping[str, NDArray[np.float64]]
    events: Mapping[str, Sequence[NDArray[np.float64]]]
    stop_week: NDArray[np.float64]
    stop_reason: NDArray[np.int8]
    imputation: Literal["locf", "bocf"] = "locf"
    _scores: dict[str, NDArray[np.float64]] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return int(self.stop_week.shape[0])

    def rows(self, keep: NDArray[np.bool_]) -> ArmTrajectories:
        """The patients where ``keep`` is true (those whose simulation succeeded), or ``self``."""
        if keep.all():
            return self
        idx = np.flatnonzero(keep)
        return ArmTrajectories(
            self.disease,
            self.times_week,
            {k: v[idx] for k, v in self.readouts.items()},
            {k: [e[int(i)] for i in idx] for k, e in self.events.items()},
            self.stop_week[idx],
            self.stop_reason[idx],
            self.imputation,
        )

    def col(self, week: float) -> int:
        """Column of the visit at ``week`` (must be a visit)."""
        j = int(np.searchsorted(self.times_week, week - 1e-9))
        if j >= self.times_week.size or abs(self.times_week[j] - week) > 1e-9:
            raise InvalidInputError(
                [Problem("week", f"week {week:g} is not a visit of this simulation")],
                what="endpoint request",
            )
        return j

    def on_treatment(self, week: float) -> NDArray[np.bool_]:
        """Still on randomised treatment at the assessment ``week`` (left at or after it)."""
        return np.asarray(self.stop_week >= week - 1e-9)

    def series(self, key: str) -> NDArray[np.float64]:
        """Read-out ``key`` or a derived score (``DAS28CRP`` …) at every visit, ``(n, t)``."""
        if key in self._scores:
            return self._scores[key]
        if key in self.readouts:
            return np.asarray(self.readouts[key], dtype=float)
        builder = _SCORES.get(key)
        if builder is None:
            raise InvalidInputError(
                [Problem(key, f"the {self.disease} module does not simulate this read-out")],
                what="endpoint computation",
            )
        self._scores[key] = builder(self)
        return self._scores[key]

    def has(self, key: str) -> bool:
        return key in self.readouts or key in self._scores

    def carried(self, key: str, week: float) -> NDArray[np.float64]:
        """Value at ``week`` with LOCF/BOCF for patients who left randomised treatment."""
        x = self.series(key)
        j = self.col(week)
        on = self.on_treatment(week)
        if self.imputation == "bocf":
            return np.where(on, x[:, j], x[:, 0])
        # last visit strictly before the stop week (and not after `week`)
        last = np.searchsorted(self.times_week, np.minimum(self.stop_week, week), side="left") - 1
        last = np.where(on, j, np.clip(last, 0, j))
        return np.take_along_axis(x, last[:, None], axis=1)[:, 0]

    def event_times(self, kind: str) -> Sequence[NDArray[np.float64]]:
        for name in EVENT_NAMES[kind]:
            if name in self.events:
                return self.events[name]
        raise InvalidInputError(
            [Problem(kind, f"the {self.disease} module simulates no {kind} events")],
            what="endpoint computation",
        )

    def first_event_week(self, kind: str) -> NDArray[np.float64]:
        return np.array([e.min() if len(e) else np.inf for e in self.event_times(kind)])

    def events_on_treatment(self, kind: str, week: float) -> tuple[NDArray[np.float64], ...]:
        """Event counts and exposure (years) while on randomised treatment up to ``week``."""
        end = np.minimum(self.stop_week, week)
        times = self.event_times(kind)
        counts = np.array(
            [np.count_nonzero(t <= e) for t, e in zip(times, end, strict=True)], dtype=float
        )
        return counts, end / WEEKS_PER_YEAR


# --- derived scores (all from the index package) ---------------------------------------------


def _das28crp(v: ArmTrajectories) -> NDArray[np.float64]:
    r = v.readouts
    return np.asarray(ix.das28_crp(r["TJC28"], r["SJC28"], r["CRP"], r["PTGA"]))


def _das28esr(v: ArmTrajectories) -> NDArray[np.float64]:
    r = v.readouts
    return np.asarray(ix.das28_esr(r["TJC28"], r["SJC28"], r["ESR"], r["PTGA"]))


def _cdai(v: ArmTrajectories) -> NDArray[np.float64]:
    r = v.readouts
    return np.asarray(ix.cdai(r["TJC28"], r["SJC28"], r["PTGA"], r["PHGA"]))


def _pasi(v: ArmTrajectories) -> NDArray[np.float64]:
    r = v.readouts
    if all(k in r for k in ix.PASI_COMPONENT_KEYS):
        return np.asarray(ix.pasi_from_components({k: r[k] for k in ix.PASI_COMPONENT_KEYS}))
    return np.asarray(r["PASI"], dtype=float)


def _sledai_matrix(v: ArmTrajectories) -> NDArray[np.float64]:
    r = v.readouts
    return np.asarray(
        ix.sledai_descriptor_matrix({k: r[f"SLEDAI_{k}"] for k in ix.SLEDAI_2K_ITEMS})
    )


def _sledai(v: ArmTrajectories) -> NDArray[np.float64]:
    return np.asarray(ix.sledai_2k(_sledai_matrix(v)))


def _sle_pga(v: ArmTrajectories) -> NDArray[np.float64]:
    r = v.readouts
    if "SLE_PGA" in r:
        return np.asarray(r["SLE_PGA"], dtype=float)
    return np.asarray(r["PHGA"], dtype=float) * PGA_0_3_PER_MM


def _mayo(v: ArmTrajectories) -> NDArray[np.float64]:
    r = v.readouts
    return np.asarray(
        ix.mayo_score(r["MAYO_STOOL"], r["MAYO_BLEED"], r["MAYO_ENDO"], r["MAYO_PGA"])
    )


def _partial_mayo(v: ArmTrajectories) -> NDArray[np.float64]:
    r = v.readouts
    return np.asarray(ix.partial_mayo_score(r["MAYO_STOOL"], r["MAYO_BLEED"], r["MAYO_PGA"]))


def _hbi(v: ArmTrajectories) -> NDArray[np.float64]:
    r = v.readouts
    return np.asarray(
        ix.harvey_bradshaw(
            r["HBI_WELLBEING"],
            r["HBI_PAIN"],
            r["HBI_STOOLS"],
            r["HBI_MASS"],
            r["HBI_COMPLICATIONS"],
        )
    )


def _cdai_cd(v: ArmTrajectories) -> NDArray[np.float64]:
    """CDAI (Crohn's) as simulated; otherwise anchored at the simulated baseline CDAI
    (``CDAI_CD_BASELINE``) and moved by 27 points per HBI point (Best 2006)."""
    r = v.readouts
    if "CDAI_CD" in r:
        return np.asarray(r["CDAI_CD"], dtype=float)
    if "CDAI_CD_BASELINE" not in r:
        raise InvalidInputError(
            [
                Problem(
                    "CDAI_CD",
                    "the crohns_disease module simulates neither CDAI_CD nor "
                    "CDAI_CD_BASELINE; CDAI endpoints need one of them",
                )
            ],
            what="endpoint computation",
        )
    hbi = v.series("HBI")
    anchor = r["CDAI_CD_BASELINE"][:, :1]
    return np.asarray(anchor + ix.cdai_cd_change_from_hbi_change(hbi - hbi[:, :1]))


_SCORES: dict[str, Callable[[ArmTrajectories], NDArray[np.float64]]] = {
    "DAS28CRP": _das28crp,
    "DAS28ESR": _das28esr,
    "CDAI": _cdai,
    "PASI_TOTAL": _pasi,
    "SLEDAI2K": _sledai,
    "SLE_PGA": _sle_pga,
    "MAYO": _mayo,
    "PARTIAL_MAYO": _partial_mayo,
    "HBI": _hbi,
    "CDAI_CD_SCORE": _cdai_cd,
}


# --- endpoint definitions ------------------------------------------------------------------


def _prop(x: NDArray[np.bool_], v: ArmTrajectories, week: float) -> EndpointValues:
    """NRI: responders must still be on randomised treatment at the assessment."""
    return EndpointValues("proportion", (np.asarray(x, bool) & v.on_treatment(week)).astype(float))


def _finite_rows(*arrays: NDArray[np.float64]) -> NDArray[np.bool_]:
    ok = np.ones(arrays[0].shape[0], dtype=bool)
    for a in arrays:
        ok &= np.all(np.isfinite(a.reshape(a.shape[0], -1)), axis=1)
    return ok


def _acr(level: float) -> Callable[[ArmTrajectories, float], EndpointValues]:
    def f(v: ArmTrajectories, week: float) -> EndpointValues:
        j = v.col(week)
        keys = ("TJC68", "SJC66", "PTGA", "PHGA", "PAIN", "HAQ_DI", "CRP")
        b = ix.AcrCoreSet(*(v.series(k)[:, 0] for k in keys))
        c = ix.AcrCoreSet(*(v.series(k)[:, j] for k in keys))
        return _prop(ix.acr_response(b, c, level=level, missing="nonresponder"), v, week)

    return f


def _below(
    score: str, cut: float, inclusive: bool
) -> Callable[[ArmTrajectories, float], EndpointValues]:
    def f(v: ArmTrajectories, week: float) -> EndpointValues:
        x = v.series(score)[:, v.col(week)]
        with np.errstate(invalid="ignore"):
            hit = (x <= cut) if inclusive else (x < cut)
        return _prop(hit, v, week)

    return f


def _change(score: str) -> Callable[[ArmTrajectories, float], EndpointValues]:
    def f(v: ArmTrajectories, week: float) -> EndpointValues:
        return EndpointValues("mean", v.carried(score, week) - v.series(score)[:, 0])

    return f


def _eular(good_only: bool) -> Callable[[ArmTrajectories, float], EndpointValues]:
    def f(v: ArmTrajectories, week: float) -> EndpointValues:
        # EULAR response criteria were defined on DAS28-ESR (van Gestel AM et al. Arthritis
        # Rheum 1996;39:34-40).
        x = v.series("DAS28ESR")
        b, c = x[:, 0], x[:, v.col(week)]
        ok = np.isfinite(b) & np.isfinite(c)
        code = np.zeros(b.shape, dtype=np.int8)
        code[ok] = ix.eular_response(b[ok], c[ok])
        hit = code == ix.EULAR_GOOD if good_only else code >= ix.EULAR_MODERATE
        return _prop(hit, v, week)

    return f


def _pasi_n(level: float) -> Callable[[ArmTrajectories, float], EndpointValues]:
    def f(v: ArmTrajectories, week: float) -> EndpointValues:
        x = v.series("PASI_TOTAL")
        hit = ix.pasi_response(x[:, 0], x[:, v.col(week)], level=level, missing="nonresponder")
        return _prop(hit, v, week)

    return f


def _sle(
    criterion: Callable[..., NDArray[np.bool_]],
) -> Callable[[ArmTrajectories, float], EndpointValues]:
    def f(v: ArmTrajectories, week: float) -> EndpointValues:
        if "SLEDAI_M" not in v._scores:
            v._scores["SLEDAI_M"] = _sledai_matrix(v)  # (n, t, 24), cached with the scores
        m = v._scores["SLEDAI_M"]
        pga = v.series("SLE_PGA")
        j = v.col(week)
        hit = criterion(m[:, 0, :], m[:, j, :], pga[:, 0], pga[:, j], missing="nonresponder")
        return _prop(hit, v, week)

    return f


def _renal_response(v: ArmTrajectories, week: float) -> EndpointValues:
    """Complete renal response: UPCR < 0.5 g/g and eGFR ≥ 90 % of baseline (or ≥ 90), as in
    BLISS-LN (Furie R et al. N Engl J Med 2020;383:1117-28) and AURORA 1."""
    j = v.col(week)
    upcr, egfr = v.series("UPCR"), v.series("EGFR")
    with np.errstate(invalid="ignore"):
        hit = (upcr[:, j] < 0.5) & ((egfr[:, j] >= 0.9 * egfr[:, 0]) | (egfr[:, j] >= 90))
    return _prop(hit, v, week)


def _mayo_remission(v: ArmTrajectories, week: float) -> EndpointValues:
    j = v.col(week)
    r = {k: v.series(k)[:, j] for k in ("MAYO_STOOL", "MAYO_BLEED", "MAYO_ENDO", "MAYO_PGA")}
    hit = ix.mayo_clinical_remission(
        r["MAYO_STOOL"], r["MAYO_BLEED"], r["MAYO_ENDO"], r["MAYO_PGA"], missing="nonresponder"
    )
    return _prop(hit, v, week)


def _mayo_response(v: ArmTrajectories, week: float) -> EndpointValues:
    j = v.col(week)
    total, bleed = v.series("MAYO"), v.series("MAYO_BLEED")
    hit = ix.mayo_clinical_response(
        total[:, 0], total[:, j], bleed[:, 0], bleed[:, j], missing="nonresponder"
    )
    return _prop(hit, v, week)


def _cd_remission(v: ArmTrajectories, week: float) -> EndpointValues:
    j = v.col(week)
    if "CDAI_CD" in v.readouts or "CDAI_CD_BASELINE" in v.readouts:
        hit = ix.cd_remission(v.series("CDAI_CD_SCORE")[:, j], missing="nonresponder")
    else:
        hit = ix.cd_remission_from_hbi(v.series("HBI")[:, j], missing="nonresponder")
    return _prop(hit, v, week)


def _cd_response(v: ArmTrajectories, week: float) -> EndpointValues:
    j = v.col(week)
    if "CDAI_CD" in v.readouts or "CDAI_CD_BASELINE" in v.readouts:
        x = v.series("CDAI_CD_SCORE")
        hit = ix.cd_response(x[:, 0], x[:, j], missing="nonresponder")
    else:
        x = v.series("HBI")
        hit = ix.cd_response_from_hbi(x[:, 0], x[:, j], missing="nonresponder")
    return _prop(hit, v, week)


def _cdai_cd_change(v: ArmTrajectories, week: float) -> EndpointValues:
    if "CDAI_CD" in v.readouts or "CDAI_CD_BASELINE" in v.readouts:
        return _change("CDAI_CD_SCORE")(v, week)
    delta_hbi = v.carried("HBI", week) - v.series("HBI")[:, 0]
    return EndpointValues("mean", np.asarray(ix.cdai_cd_change_from_hbi_change(delta_hbi)))


def _t1d_diagnosed(v: ArmTrajectories, week: float) -> EndpointValues:
    return EndpointValues("proportion", (v.first_event_week("t1d_diagnosis") <= week).astype(float))


def _cpeptide_auc(v: ArmTrajectories, week: float) -> EndpointValues:
    return EndpointValues("mean", v.carried("CPEPTIDE", week))


def _cpeptide_change(v: ArmTrajectories, week: float) -> EndpointValues:
    return EndpointValues(
        "mean",
        np.asarray(ix.cpeptide_change(v.series("CPEPTIDE")[:, 0], v.carried("CPEPTIDE", week))),
    )


def _serious_infection_rate(v: ArmTrajectories, week: float) -> EndpointValues:
    counts, years = v.events_on_treatment("serious_infection", week)
    return EndpointValues("rate", counts, years, scale=100.0)


def _any_event(kind: str) -> Callable[[ArmTrajectories, float], EndpointValues]:
    def f(v: ArmTrajectories, week: float) -> EndpointValues:
        counts, _ = v.events_on_treatment(kind, week)
        return EndpointValues("proportion", (counts > 0).astype(float))

    return f


def _arr(v: ArmTrajectories, week: float) -> EndpointValues:
    counts, years = v.events_on_treatment("relapse", week)
    return EndpointValues("rate", counts, years, scale=1.0)


def _cdp12(v: ArmTrajectories, week: float) -> EndpointValues:
    """12-week confirmed disability progression on 12-weekly EDSS visits while on treatment
    (OPERA I/II schedule, Hauser SL et al. N Engl J Med 2017;376:221-34)."""
    t = v.times_week
    cols = np.flatnonzero((np.abs(t / 12.0 - np.round(t / 12.0)) < 1e-9) & (t <= week + 1e-9))
    if cols.size < 2:
        return EndpointValues("proportion", np.zeros(v.n))
    edss = v.series("EDSS")[:, cols].copy()
    edss[t[cols][None, :] > v.stop_week[:, None]] = np.nan  # no visits after leaving
    hit = ix.confirmed_disability_progression(edss, t[cols], confirm_weeks=12.0)
    return EndpointValues("proportion", np.asarray(hit, dtype=float))


# FLARE: worsening beyond a disease-specific threshold at any on-treatment visit up to the week,
# or early escape for lack of efficacy before it.
_FLARE_RULES: dict[
    str, tuple[str, Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.bool_]], str]
] = {
    "rheumatoid_arthritis": (
        "DAS28CRP",
        lambda b, x: (x - b > 1.2) | ((x - b > 0.6) & (x >= 3.2)),
        "van der Maas A et al. Ann Rheum Dis 2013;72:1800-5 (DAS28 increase > 1.2, or > 0.6 "
        "with DAS28 ≥ 3.2)",
    ),
    "systemic_lupus_erythematosus": (
        "SLEDAI2K",
        lambda b, x: x - b >= 3,
        "SELENA-SLEDAI Flare Index, mild/moderate flare: SLEDAI increase ≥ 3 (Petri M et al. "
        "N Engl J Med 2005;353:2550-8)",
    ),
    "ulcerative_colitis": (
        "PARTIAL_MAYO",
        lambda b, x: x - b >= 3,
        "disease worsening: partial Mayo increase ≥ 3 (GEMINI 1, Feagan BG et al. N Engl J "
        "Med 2013;369:699-710)",
    ),
    "crohns_disease": (
        "CDAI_CD_SCORE",
        lambda b, x: (x - b >= 70) & (x >= 220),
        "relapse: CDAI increase ≥ 70 points to ≥ 220 (moderate activity), as reviewed in "
        "Sandborn WJ et al. Gastroenterology 2002;122:512-30",
    ),
}


def _flare(v: ArmTrajectories, week: float) -> EndpointValues:
    rule = _FLARE_RULES.get(v.disease)
    if rule is None:
        raise InvalidInputError(
            [Problem("FLARE", f"no flare definition for {v.disease}")], what="endpoint computation"
        )
    score, worse, _ = rule
    x = v.series(score)
    t = v.times_week
    visits = (t > 0) & (t <= week + 1e-9)
    on = t[None, :] <= v.stop_week[:, None]
    with np.errstate(invalid="ignore"):
        w = worse(x[:, :1], x) & visits[None, :] & on
    escaped = (v.stop_reason == 2) & (v.stop_week < week)
    return EndpointValues("proportion", (w.any(axis=1) | escaped).astype(float))


_ENDPOINTS: dict[str, Callable[[ArmTrajectories, float], EndpointValues]] = {
    "ACR20": _acr(20),
    "ACR50": _acr(50),
    "ACR70": _acr(70),
    "DAS28CRP_REMISSION": _below("DAS28CRP", 2.6, inclusive=False),
    "DAS28ESR_REMISSION": _below("DAS28ESR", 2.6, inclusive=False),
    "DAS28CRP_CHANGE": _change("DAS28CRP"),
    "EULAR_GOOD": _eular(good_only=True),
    "EULAR_ANY": _eular(good_only=False),
    "CDAI_REMISSION": _below("CDAI", 2.8, inclusive=True),
    "PASI75": _pasi_n(75),
    "PASI90": _pasi_n(90),
    "PASI100": _pasi_n(100),
    "SRI4": _sle(ix.sri4),
    "BICLA": _sle(ix.bicla),
    "RENAL_RESPONSE": _renal_response,
    "ARR": _arr,
    "MAYO_REMISSION": _mayo_remission,
    "MAYO_RESPONSE": _mayo_response,
    "CDAI_CD_REMISSION": _cd_remission,
    "CD_RESPONSE": _cd_response,
    "CDAI_CD_CHANGE": _cdai_cd_change,
    "T1D_DIAGNOSED": _t1d_diagnosed,
    "CPEPTIDE_CHANGE": _cpeptide_change,
    "CPEPTIDE_AUC": _cpeptide_auc,
    "SERIOUS_INFECTION": _serious_infection_rate,
    "SERIOUS_INFECTION_ANY": _any_event("serious_infection"),
    "RELAPSE_ANY": _any_event("relapse"),
    "CDP12": _cdp12,
    "FLARE": _flare,
}

assert set(_ENDPOINTS) == set(ENDPOINT_CODES), "every contract endpoint has a definition"

#: Read-outs each endpoint needs (checked before a run, so a module gap fails early).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "ACR20": ("TJC68", "SJC66", "PTGA", "PHGA", "PAIN", "HAQ_DI", "CRP"),
    "DAS28CRP_REMISSION": ("TJC28", "SJC28", "CRP", "PTGA"),
    "DAS28ESR_REMISSION": ("TJC28", "SJC28", "ESR", "PTGA"),
    "CDAI_REMISSION": ("TJC28", "SJC28", "PTGA", "PHGA"),
    "RENAL_RESPONSE": ("UPCR", "EGFR"),
    "MAYO_REMISSION": ("MAYO_STOOL", "MAYO_BLEED", "MAYO_ENDO", "MAYO_PGA"),
    "CDP12": ("EDSS",),
    "CPEPTIDE_AUC": ("CPEPTIDE",),
}
_REQUIRED["ACR50"] = _REQUIRED["ACR70"] = _REQUIRED["ACR20"]
_REQUIRED["DAS28CRP_CHANGE"] = _REQUIRED["DAS28CRP_REMISSION"]
_REQUIRED["EULAR_GOOD"] = _REQUIRED["EULAR_ANY"] = _REQUIRED["DAS28ESR_REMISSION"]
_REQUIRED["MAYO_RESPONSE"] = _REQUIRED["MAYO_REMISSION"]
_REQUIRED["CPEPTIDE_CHANGE"] = _REQUIRED["CPEPTIDE_AUC"]


def required_readouts(code: str) -> tuple[str, ...]:
    """Read-out keys an endpoint needs from the simulation (empty: events or alternatives)."""
    return _REQUIRED.get(code, ())


def flare_definition(disease: str) -> str | None:
    """The cited FLARE definition of a disease (None if the disease has none)."""
    rule = _FLARE_RULES.get(disease)
    return rule[2] if rule else None


def evaluate_endpoint(v: ArmTrajectories, code: str, week: float) -> EndpointValues:
    """Per-patient values of ``code`` at ``week`` (a visit of ``v``).

    Raises
    ------
    InvalidInputError
        If the disease module lacks a read-out or event the endpoint needs.
    """
    try:
        fn = _ENDPOINTS[code]
    except KeyError:
        raise InvalidInputError(
            [Problem(code, "unknown endpoint code")], what="endpoint request"
        ) from None
    out = fn(v, week)
    if out.kind != ENDPOINT_CODES[code]:  # pragma: no cover - guarded by the registry
        raise AssertionError(f"{code} computed as {out.kind}, contract says {ENDPOINT_CODES[code]}")
    return out
