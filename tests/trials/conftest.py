"""Fixtures of the trial tests."""

from __future__ import annotations

import pytest
from trialspecs import RA_SPEC

from immunobalance.trials import TrialSpec, load_trial_spec


@pytest.fixture
def ra_spec() -> TrialSpec:
    return load_trial_spec(RA_SPEC.format(n=48))
