"""Trial-spec parsing: the contract's example parses; every problem of a bad spec is listed."""

from pathlib import Path

import pytest

from immunobalance.errors import InvalidSpecError
from immunobalance.trials.spec import load_trial_spec, parse_trial_spec

CONTRACT_EXAMPLE = """
[trial]
name = "TNF inhibitor vs placebo on background methotrexate"
disease = "rheumatoid_arthritis"
population = "mtx_ir"
n_per_arm = 2000
weeks = 24
seed = 20261121

[[arms]]
name = "placebo + MTX"
regimen = [
  { agent = "methotrexate", dose = "15 mg", route = "oral", every = "1 week" },
]

[[arms]]
name = "adalimumab 40 mg q2w + MTX"
regimen = [
  { agent = "adalimumab",   dose = "40 mg", route = "sc",   every = "2 weeks" },
  { agent = "methotrexate", dose = "15 mg", route = "oral", every = "1 week" },
]

[[arms]]
name = "secukinumab loading then q4w"
regimen = [
  { agent = "secukinumab", dose = "300 mg", route = "sc", at_weeks = [0, 1, 2, 3, 4] },
  { agent = "secukinumab", dose = "300 mg", route = "sc", every = "4 weeks", start_week = 8 },
]

[endpoints]
codes = ["ACR20", "ACR50", "ACR70", "SERIOUS_INFECTION"]
at_weeks = [12, 24]
"""


def test_contract_example_parses_structurally(tmp_path: Path) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(CONTRACT_EXAMPLE)
    spec = load_trial_spec(path, check_knowledge_base=False)
    assert spec.arms[0].name == "placebo + MTX"
    assert spec.arms[2].regimen[1].start_week == 8
    assert spec.endpoint_keys()[:2] == ["ACR20@12", "ACR50@12"]
    assert len(spec.sha256) == 64
    # same text → same hash; any edit → another hash
    assert load_trial_spec(path, check_knowledge_base=False).sha256 == spec.sha256
    path.write_text(CONTRACT_EXAMPLE.replace("2000", "2001"))
    assert load_trial_spec(path, check_knowledge_base=False).sha256 != spec.sha256


def test_every_problem_is_reported_with_its_location() -> None:
    bad = {
        "trial": {
            "name": "x",
            "disease": "rheumatoid_arthritis",
            "population": "mtx_ir",
            "n_per_arm": 0,
            "weeks": 24,
            "seed": 1,
        },
        "arms": [
            {
                "name": "a",
                "regimen": [
                    {"agent": "adalimumab", "dose": "40 mgs", "route": "sc", "every": "2 weeks"}
                ],
            },
            {"name": "a", "regimen": []},
        ],
        "endpoints": {"codes": ["ACR2O"], "at_weeks": [30]},
    }
    with pytest.raises(InvalidSpecError) as info:
        parse_trial_spec(bad, check_knowledge_base=False)
    paths = {p.path for p in info.value.problems}
    assert {
        "trial.n_per_arm",
        "arms[0].regimen[0].dose",
        "arms[1].name",
        "endpoints.codes[0]",
        "endpoints.at_weeks[0]",
    } <= paths
    assert any("did you mean 'ACR20'" in p.message for p in info.value.problems)


def test_unreadable_or_malformed_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidSpecError, match="cannot read file"):
        load_trial_spec(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[trial\nname=1")
    with pytest.raises(InvalidSpecError, match="not valid TOML"):
        load_trial_spec(broken)
