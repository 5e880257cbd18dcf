"""In-silico trials (``contracts/trial-spec.md``): spec, virtual cohort, conduct, endpoints, runner.

Public API::

    from immunobalance.trials import load_trial_spec, run_trial
    spec = load_trial_spec("examples/trials/ra_adalimumab_mtx.toml")
    result = run_trial(spec, backend="local", progress=print, out_dir="out/")
    result.to_json()          # the contract's result JSON
"""

from immunobalance.trials.backends import BACKENDS, Backend, DaskBackend, LocalBackend
from immunobalance.trials.chunks import DEFAULT_CHUNK_SIZE
from immunobalance.trials.cohort import PriorCohortSource, VirtualCohort, VirtualCohortSource
from immunobalance.trials.conduct import EfficacyRule, TrialConduct, default_trial_conduct
from immunobalance.trials.result import ArmResult, EndpointEstimate, TrialResult
from immunobalance.trials.runner import ProgressCallback, run_trial
from immunobalance.trials.spec import (
    ENDPOINT_CODES,
    TrialSpec,
    applicable_endpoints,
    load_trial_spec,
    parse_trial_spec,
)

__all__ = [
    "BACKENDS",
    "DEFAULT_CHUNK_SIZE",
    "ENDPOINT_CODES",
    "ArmResult",
    "Backend",
    "DaskBackend",
    "EfficacyRule",
    "EndpointEstimate",
    "LocalBackend",
    "PriorCohortSource",
    "ProgressCallback",
    "TrialConduct",
    "TrialResult",
    "TrialSpec",
    "VirtualCohort",
    "VirtualCohortSource",
    "applicable_endpoints",
    "default_trial_conduct",
    "load_trial_spec",
    "parse_trial_spec",
    "run_trial",
]
