"""Leakage guards: columns that carry the outcome must never become features.

A response predictor is only honest if every feature was known at baseline, before treatment.
Three kinds of column break that (Kaufman et al. 2012, "Leakage in data mining: formulation,
detection, and avoidance", ACM TKDD 6:15, doi:10.1145/2382577.2382579):

* endpoint columns — any ``CODE@WEEK`` column other than the target (measured after baseline),
  and any column named with an endpoint code of the trial contract (``ACR50``, ``MAYO_RESPONSE``);
* columns of the target's family — for target ``ACR20@24`` every ``ACR<n>`` column, whose
  definition nests in the target's (ACR50 ⊂ ACR20), and names saying *response*/*responder*/
  *remission*/*change*;
* post-baseline events — discontinuation (often *for lack of efficacy*), rescue, withdrawal;
* columns whose values are the target (or its complement), or that separate it perfectly
  (single-column AUC ≥ 0.99, a tell-tale of an outcome-derived variable).

Patient-level splitting, the fourth guard, lives in :mod:`immunobalance.learn._nested_cv`.
"""

from __future__ import annotations

import re

import numpy as np
from sklearn.metrics import roc_auc_score

from immunobalance.learn._columns import parse_column_name
from immunobalance.trials.spec import ENDPOINT_CODES

__all__ = ["leakage_by_name", "leakage_by_values", "split_endpoint"]

_RESPONSE_WORDS = re.compile(r"RESPON|REMISSION|_CHANGE$|^DELTA_|_DELTA$|IMPROV|OUTCOME")
_POST_BASELINE_WORDS = re.compile(r"DISCONTINU|WITHDRAW|DROP_?OUT|RESCUE|DEATH|^FOLLOW_?UP")
#: A single column with an AUC this far from 0.5 is treated as outcome-derived.
PERFECT_SEPARATION_AUC = 0.99


def split_endpoint(name: str) -> tuple[str, float | None]:
    """``"ACR20@24"`` → ``("ACR20", 24.0)``; a name without ``@`` → ``(name, None)``."""
    code, sep, week = name.partition("@")
    if not sep:
        return name.strip().upper(), None
    try:
        return code.strip().upper(), float(week)
    except ValueError:
        return code.strip().upper(), None


def _family(code: str) -> re.Pattern[str] | None:
    """``ACR20`` → ``^ACR\\d+$``; ``PASI75`` → ``^PASI\\d+$``; ``SRI4`` → ``^SRI\\d+$``."""
    match = re.fullmatch(r"([A-Z_]+?)(\d+)", code)
    return re.compile(rf"^{re.escape(match.group(1))}\d+$") if match else None


def leakage_by_name(column: str, target: str) -> str | None:
    """Why ``column`` is outcome-derived for ``target`` by its name, or None if it is not.

    Examples
    --------
    >>> leakage_by_name("ACR50@24", "ACR20@24")
    'an endpoint column (ACR50 at week 24): measured after baseline'
    >>> leakage_by_name("CRP", "ACR20@24") is None
    True
    """
    key = parse_column_name(column).key
    code, week = split_endpoint(key)
    target_code, _ = split_endpoint(target)
    if "@" in key and not (week == 0 and code not in ENDPOINT_CODES):
        shown = f"{code} at week {week:g}" if week is not None else code
        return f"an endpoint column ({shown}): measured after baseline"
    if code in ENDPOINT_CODES:
        return (
            f"{code} is an endpoint code of the trial contract (an outcome, not a baseline value)"
        )
    family = _family(target_code)
    if family is not None and family.match(code):
        return f"{code} belongs to the target's family ({target_code}): defined from the outcome"
    if _RESPONSE_WORDS.search(code):
        return "its name says it describes response or change (an outcome, not a baseline value)"
    if _POST_BASELINE_WORDS.search(code):
        return "its name says it records a post-baseline event (discontinuation, rescue, …)"
    return None


def leakage_by_values(values: np.ndarray, target: np.ndarray) -> str | None:
    """Why a column's values give the target away, or None.

    Parameters
    ----------
    values
        The column as floats (NaN = missing), rows aligned with ``target``.
    target
        0/1 outcome per row.
    """
    present = ~np.isnan(values)
    if present.sum() < 10:
        return None
    v, y = values[present], target[present]
    if np.array_equal(v, y.astype(float)):
        return "its values equal the target on every row"
    if np.array_equal(v, 1.0 - y):
        return "its values are the target's complement on every row"
    if np.unique(y).size == 2 and np.unique(v).size > 1:
        auc = float(roc_auc_score(y, v))
        if max(auc, 1.0 - auc) >= PERFECT_SEPARATION_AUC:
            return (
                "on its own it separates the target almost perfectly "
                f"(AUC {max(auc, 1 - auc):.3f}); an outcome-derived column?"
            )
    return None
