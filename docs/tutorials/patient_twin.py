# %% [markdown]
# # A patient's twin, and why an option ranks where it does
#
# For one patient the question is: *which immunotherapy, alone or combined, best restores this
# patient's immune balance, and is it safe for them?* immunobalance answers it with the patient's
# **digital twin**: the calibrated virtual population, reweighted by how likely each virtual
# patient is to show what this patient shows (their disease activity, biomarkers, serology,
# treatment history). The outcomes of the population under every candidate regimen are simulated
# once and cached, so the twin is a reweighting, not a new simulation — the population and the
# patient agree by construction.
#
# Every candidate then passes the safety screen (contraindications, boxed warnings, combination
# rules; [Safety rules](../safety-rules.md)) before it is ranked.
#
# We use the bundled record of a woman with seropositive RA who failed methotrexate
# (`examples/patients/ra.json`) and read the recommendation in the
# [contract's JSON form](../contracts/cli.md).

# %%
import json
import subprocess


def recommend(patient_file: str) -> dict:
    """`immunobalance recommend PATIENT --format json`, parsed."""
    completed = subprocess.run(
        ["immunobalance", "recommend", patient_file, "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


answer = recommend("examples/patients/ra.json")
print(answer["patient"], answer["disease"])
for option in answer["options"]:
    agents = " + ".join(dict.fromkeys(item["agent"] for item in option["regimen"]))
    predicted = option.get("predicted") or {}
    p = predicted.get("probability")
    shown = f"{predicted.get('endpoint')} {p:.2f} {predicted.get('ci95')}" if p is not None else ""
    print(f"{option['rank']!s:>4}  {option['status']:15s} {agents:40s} {shown}")

# %% [markdown]
# A regimen lists each dosing item (a loading dose and a maintenance schedule of the same agent
# are two items), so the agents are shown once each. `rank` orders the options the twin
# predicts best (a probability of response at the endpoint, with its 95 % interval over the
# twin's weighted virtual patients); `caution` options
# are allowed with stated warnings and monitoring; `contraindicated` options are never ranked.
#
# ## Why an option ranks where it does
#
# Each option carries its `reasons` (what in the patient's data drove the prediction), its
# `warnings` and its `evidence` (the knowledge-base sources and the calibration behind it):

# %%
top = answer["options"][0]
print("rank", top["rank"], list(dict.fromkeys(item["agent"] for item in top["regimen"])))
for field in ("reasons", "warnings", "evidence"):
    print(field + ":")
    for line in top.get(field, []):
        print("  -", line)

# %% [markdown]
# ## The same patient with latent TB and heart failure
#
# Safety changes the answer. `examples/patients/ra_latent_tb_heart_failure.json` is a patient
# with latent tuberculosis and NYHA class III heart failure: TNF inhibitors are contraindicated
# (they may worsen heart failure), and every biologic needs TB prophylaxis first.

# %%
other = recommend("examples/patients/ra_latent_tb_heart_failure.json")
for option in other["options"]:
    agents = " + ".join(dict.fromkeys(item["agent"] for item in option["regimen"]))
    why = (option.get("reasons") or [""])[0] if option["status"] == "contraindicated" else ""
    print(f"{option['rank']!s:>4}  {option['status']:15s} {agents:35s} {why}")
