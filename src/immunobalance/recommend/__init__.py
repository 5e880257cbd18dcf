"""Ranked, explained, safety-screened regimens for one patient from their digital twin.

::

    from immunobalance.recommend import recommend
    result = recommend(patient)          # Recommendation
    result.to_json()                     # contracts/cli.md "recommend --format json"
"""

from immunobalance.recommend._candidates import (
    Candidate,
    LineOfTherapy,
    NotOffered,
    build_candidates,
    choose_population,
    line_of_therapy,
)
from immunobalance.recommend._recommend import (
    DEFAULT_N,
    DEFAULT_SEED,
    Option,
    Prediction,
    Recommendation,
    default_cache,
    prebuild,
    recommend,
)
from immunobalance.recommend._utility import UtilityWeights, expected_utility

__all__ = [
    "DEFAULT_N",
    "DEFAULT_SEED",
    "Candidate",
    "LineOfTherapy",
    "NotOffered",
    "Option",
    "Prediction",
    "Recommendation",
    "UtilityWeights",
    "build_candidates",
    "choose_population",
    "default_cache",
    "expected_utility",
    "line_of_therapy",
    "prebuild",
    "recommend",
]
