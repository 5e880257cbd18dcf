"""Treat-to-target rules, one module per disease; :data:`RULES` maps disease keys to them."""

from __future__ import annotations

from collections.abc import Mapping

from immunobalance.monitor._rules import (
    crohns_disease,
    multiple_sclerosis,
    psoriasis,
    rheumatoid_arthritis,
    systemic_lupus_erythematosus,
    type_1_diabetes,
    ulcerative_colitis,
)
from immunobalance.monitor._rules._base import Rule, RuleContext

__all__ = ["RULES", "Rule", "RuleContext"]

RULES: Mapping[str, Rule] = {
    "rheumatoid_arthritis": rheumatoid_arthritis.decide,
    "psoriasis": psoriasis.decide,
    "systemic_lupus_erythematosus": systemic_lupus_erythematosus.decide,
    "ulcerative_colitis": ulcerative_colitis.decide,
    "crohns_disease": crohns_disease.decide,
    "multiple_sclerosis": multiple_sclerosis.decide,
    "type_1_diabetes": type_1_diabetes.decide,
}
