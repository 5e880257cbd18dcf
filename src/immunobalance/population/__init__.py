"""Virtual populations and their population-level calibration.

Public API::

    from immunobalance.population import sample_virtual_population, load_calibration
    vp = sample_virtual_population("rheumatoid_arthritis", "mtx_ir", 1000, seed=1)
    vp.baseline_readouts["TJC68"], vp.biomarkers["RF_POSITIVE"], vp.status

The trial runner finds :func:`trial_cohort_source` here (its ``VirtualCohortSource`` seam).
"""

from immunobalance.population._biomarkers import TRAITS, Trait
from immunobalance.population._calibration import (
    Calibration,
    DiseaseCalibration,
    check_no_agent_parameters,
    load_calibration,
)
from immunobalance.population._plausibility import PLAUSIBILITY_STATUS, stability_margin
from immunobalance.population._virtual import (
    CalibratedCohortSource,
    VirtualPopulation,
    sample_virtual_population,
    trial_cohort_source,
)

__all__ = [
    "PLAUSIBILITY_STATUS",
    "TRAITS",
    "CalibratedCohortSource",
    "Calibration",
    "DiseaseCalibration",
    "Trait",
    "VirtualPopulation",
    "check_no_agent_parameters",
    "load_calibration",
    "sample_virtual_population",
    "stability_margin",
    "trial_cohort_source",
]
