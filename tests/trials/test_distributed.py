"""Dask backend: a real local cluster of worker processes gives bit-identical results."""

from __future__ import annotations

import pytest
from trialspecs import RA_SPEC

from immunobalance.trials import DaskBackend, PriorCohortSource, load_trial_spec, run_trial

pytestmark = pytest.mark.distributed


def test_dask_json_is_bit_identical_to_local_with_one_and_two_workers() -> None:
    distributed = pytest.importorskip("distributed")
    spec = load_trial_spec(RA_SPEC.format(n=40))
    local = run_trial(
        spec, backend="local", chunk_size=8, cohort_source=PriorCohortSource()
    ).to_json_text()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        seen: list[float] = []
        two = run_trial(
            spec,
            backend=DaskBackend(client=client),
            chunk_size=8,
            cohort_source=PriorCohortSource(),
            progress=seen.append,
        )
        # chunks really ran in the worker processes, not in this one
        assert {w for w in client.run(lambda: 1)} == set(client.scheduler_info()["workers"])
    one = run_trial(
        spec, backend="dask", n_workers=1, chunk_size=8, cohort_source=PriorCohortSource()
    ).to_json_text()
    assert two.to_json_text() == local
    assert one == local
    assert seen[-1] == 1.0
