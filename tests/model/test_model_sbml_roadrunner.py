"""Round trip: export to SBML, simulate in libRoadRunner, compare with our trajectories."""

from __future__ import annotations

import numpy as np
import pytest

from immunobalance.model import SolverOptions, simulate
from immunobalance.model.sbml import SbmlExporter, load_patient
from immunobalance.model.solver import kernel_inputs
from immunobalance.regimen import parse_regimen

pytestmark = pytest.mark.roadrunner


@pytest.mark.parametrize(
    "agents",
    [
        [
            {"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"},
            {"agent": "methotrexate", "dose": "15 mg", "route": "oral", "every": "1 week"},
        ],
        [
            {"agent": "ocrelizumab", "dose": "600 mg", "route": "iv", "at_weeks": [0]},
            {"agent": "infliximab", "dose": "5 mg/kg", "route": "iv", "at_weeks": [0, 2, 6]},
        ],
    ],
)
def test_roadrunner_reproduces_our_trajectories(ra, agents) -> None:  # type: ignore[no-untyped-def]
    roadrunner = pytest.importorskip("roadrunner")
    reg = parse_regimen(agents)
    weeks = 26.0
    n = 3
    params = ra.sample_parameters(n, seed=17)
    cov = {"weight_kg": np.array([60.0, 75.0, 95.0])}
    samples = np.arange(0.0, weeks + 0.5, 1.0) + 0.5
    samples = samples[samples <= weeks]
    # both solvers tight: this test checks that the export is the same model (default-tolerance
    # accuracy is checked against Radau and in benchmarks/solver.py)
    ours = simulate(
        ra,
        params,
        reg,
        weeks,
        sample_weeks=samples,
        seed=4,
        covariates=cov,
        solver=SolverOptions(rtol=1e-10, atol=1e-13, atol_pk=1e-12),
    )
    xml = SbmlExporter(ra, reg, weeks, covariates={"weight_kg": np.array([70.0])}).export()
    rr = roadrunner.RoadRunner(xml)
    rr.integrator.relative_tolerance = 1e-9
    rr.integrator.absolute_tolerance = 1e-12
    names = ra.compiled.declaration.state_names
    ki = kernel_inputs(ra, params, reg, weeks, seed=4, patient_index=np.arange(n), covariates=cov)
    rr.timeCourseSelections = ["time", *names, *(f"C_{a}" for a in ki.doses.agents)]
    for i in range(n):
        load_patient(rr, ki, ra, i)
        out = np.asarray(rr.simulate(times=[0.0, *(samples * 7)]))[1:]
        for k, s in enumerate(names):
            np.testing.assert_allclose(
                ours.states[s][i], out[:, 1 + k], rtol=1e-6, atol=1e-9, err_msg=f"patient {i} {s}"
            )
        for j, a in enumerate(ki.doses.agents):
            np.testing.assert_allclose(
                ours.concentrations[a][i], out[:, 1 + len(names) + j], rtol=1e-6, atol=1e-9
            )


def test_export_is_valid_sbml_with_dose_events(ra) -> None:  # type: ignore[no-untyped-def]
    import libsbml

    reg = parse_regimen(
        [{"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"}]
    )
    doc = libsbml.readSBMLFromString(SbmlExporter(ra, reg, 8).export())
    assert doc.getLevel() == 3 and doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    model = doc.getModel()
    dose_events = [
        model.getEvent(k).getId()
        for k in range(model.getNumEvents())
        if model.getEvent(k).getId().startswith("dose_event_")
    ]
    assert len(dose_events) == 5  # weeks 0, 2, 4, 6, 8
