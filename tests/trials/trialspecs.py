"""Small trial specs shared by the trial tests (imported by name: tests are not a package)."""

from __future__ import annotations

from pathlib import Path

from immunobalance.trials import TrialSpec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "trials"

RA_SPEC = """
[trial]
name = "small RA trial"
disease = "rheumatoid_arthritis"
population = "mtx_ir"
n_per_arm = {n}
weeks = 24
seed = 7

[[arms]]
name = "placebo + MTX"
regimen = [{{ agent = "methotrexate", dose = "15 mg", route = "oral", every = "1 week" }}]

[[arms]]
name = "adalimumab + MTX"
regimen = [
  {{ agent = "adalimumab", dose = "40 mg", route = "sc", every = "2 weeks" }},
  {{ agent = "methotrexate", dose = "15 mg", route = "oral", every = "1 week" }},
]

[endpoints]
codes = ["ACR20", "DAS28CRP_CHANGE", "FLARE", "SERIOUS_INFECTION", "SERIOUS_INFECTION_ANY"]
at_weeks = [12, 24]
"""


def small(spec: TrialSpec, n: int) -> TrialSpec:
    """The same spec with ``n`` patients per arm."""
    return spec.model_copy(update={"trial": spec.trial.model_copy(update={"n_per_arm": n})})
