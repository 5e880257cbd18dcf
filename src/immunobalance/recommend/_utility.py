"""Expected utility of an allowed option: predicted benefit against predicted risk.

``U = P(favourable primary outcome) − λ_SI · P(≥ 1 serious infection by the endpoint week)
− κ · (number of caution findings) − h_agent − h_class``

* ``λ_SI = 2``: one serious infection is weighed as heavily as two missed responses (a stated
  value judgement: serious infections cause hospitalisation and ~5 % of them death in RA
  registries, Doran MF et al. Arthritis Rheum 2002;46:2294-300; change it with
  :class:`UtilityWeights`).
* ``κ = 0.02`` per caution finding (boxed-warning class risks such as MACE/VTE for JAK inhibitors
  in at-risk patients, diverticulitis for IL-6R blockade): a tie-breaker that prefers an equally
  effective option without the class risk; the finding itself is always shown.
* ``h_agent = 0.10`` for an agent the patient already failed (inadequate or lost response);
  ``h_class = 0.05`` for another agent of a failed advanced-therapy class (cycling within a class
  after failure does worse than switching mechanism: Gottenberg JE et al. JAMA
  2016;316:1172-80). The twin already lowers the predicted response of a failed mechanism through
  the failure evidence; these penalties encode the guideline preference on top, and every one is
  stated in the option's reasons.

Contraindicated options have no utility: they are never ranked
(:func:`immunobalance.safety.rank_allowed`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["UtilityWeights", "expected_utility"]


@dataclass(frozen=True)
class UtilityWeights:
    """Weights of the utility (documented in the module docstring)."""

    serious_infection: float = 2.0
    caution_finding: float = 0.02
    failed_agent: float = 0.10
    failed_class: float = 0.05


def expected_utility(
    p_benefit: float,
    p_serious_infection: float,
    *,
    n_cautions: int,
    failed_agent: bool,
    failed_class: bool,
    weights: UtilityWeights | None = None,
) -> float:
    """``U`` of the module docstring.

    Examples
    --------
    >>> round(expected_utility(0.5, 0.02, n_cautions=1, failed_agent=False, failed_class=True), 3)
    0.39
    """
    w = weights or UtilityWeights()
    return (
        p_benefit
        - w.serious_infection * p_serious_infection
        - w.caution_finding * n_cautions
        - (w.failed_agent if failed_agent else 0.0)
        - (w.failed_class if failed_class else 0.0)
    )
