# docs-guard: immunobalance.trials:DaskBackend
# %% [markdown]
# # A large trial on Dask or Ray
#
# A trial of 10⁵–10⁶ virtual patients runs on one machine with the vectorised solver; beyond one
# machine the same runner fans *chunks* of virtual patients out to a distributed engine. Each
# chunk is seeded by its patients' indices, not by the worker that runs it, so **the result does
# not depend on the number of workers or the backend**. This tutorial shows that on a small
# scale: it runs one trial locally and on a local Dask cluster of two worker processes, and
# compares the numbers.

# %%
from immunobalance.trials import parse_trial_spec, run_trial

spec = parse_trial_spec(
    {
        "trial": {
            "name": "Secukinumab in moderate-to-severe plaque psoriasis",
            "disease": "psoriasis",
            "population": "moderate_severe_plaque",
            "n_per_arm": 400,
            "weeks": 12,
            "seed": 7,
        },
        "arms": [
            {"name": "placebo", "regimen": []},
            {
                "name": "secukinumab 300 mg",
                "regimen": [
                    {"agent": "secukinumab", "dose": "300 mg", "route": "sc",
                     "at_weeks": [0, 1, 2, 3, 4]},
                    {"agent": "secukinumab", "dose": "300 mg", "route": "sc",
                     "every": "4 weeks", "start_week": 8},
                ],
            },
        ],
        "endpoints": {"codes": ["PASI75", "PASI90"], "at_weeks": [12]},
    }
)

# %% [markdown]
# Locally, in chunks of 100 patients:

# %%
local = run_trial(spec, backend="local", chunk_size=100)
for arm in local.arms:
    print(arm.name, {k: round(v.value, 4) for k, v in arm.endpoints.items()})

# %% [markdown]
# On Dask: `backend="dask"` starts a local cluster of `n_workers` processes (or connects to an
# existing one given as `scheduler="tcp://host:8786"` or `client=`). On the command line the same
# is `immunobalance trial run SPEC.toml --backend dask`.

# %%
distributed = run_trial(spec, backend="dask", n_workers=2, chunk_size=100)
for arm in distributed.arms:
    print(arm.name, {k: round(v.value, 4) for k, v in arm.endpoints.items()})

same = local.to_json()["arms"] == distributed.to_json()["arms"]
print("identical results:", same)
assert same

# %% [markdown]
# Ray works the same way with `backend="ray"` when Ray is installed (`pip install ray`); it is
# not a default dependency. For a real large trial, raise `n_per_arm` and run it from the command
# line with `--out DIR`, which writes the result JSON, per-patient Parquet and an HTML report.
