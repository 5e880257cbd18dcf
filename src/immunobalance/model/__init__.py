"""The mechanistic immune-balance engine.

Declare (``declaration``, ``core``, ``diseases``), run (``simulate``), export (``sbml``)::

    from immunobalance.model import get_disease_module, simulate
    module = get_disease_module("rheumatoid_arthritis")
    params = module.sample_parameters(1000, seed=1)
    res = simulate(module, params, regimen, weeks=24, seed=1)
"""

from immunobalance.model.declaration import Declaration, Parameter, Prior, State
from immunobalance.model.diseases import DISEASE_MODULES, DiseaseModule, get_disease_module
from immunobalance.model.result import STATUS_MESSAGES, ParameterSet, SimulationResult
from immunobalance.model.solver import SolverOptions, simulate

__all__ = [
    "DISEASE_MODULES",
    "STATUS_MESSAGES",
    "Declaration",
    "DiseaseModule",
    "Parameter",
    "ParameterSet",
    "Prior",
    "SimulationResult",
    "SolverOptions",
    "State",
    "get_disease_module",
    "simulate",
]
