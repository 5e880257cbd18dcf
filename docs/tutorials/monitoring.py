# %% [markdown]
# # Monitoring a patient over visits
#
# Follow-up is a series of visits: at each one the disease-activity indices are recomputed from
# what was measured, and response is judged against the first visit (the baseline). This
# tutorial takes the bundled rheumatoid-arthritis record `examples/patients/ra.json`, replays its
# visits one at a time, and then adds a new visit as a clinic would.
#
# Every index is computed by one module, `immunobalance.indices`, for real and virtual patients
# alike (DAS28 from Prevoo et al. 1995, CDAI/SDAI from Aletaha & Smolen 2005, ACR20/50/70 from
# Felson et al. 1995, EULAR response from van Gestel et al. 1996; formulas and citations on
# [Clinical indices](../indices.md)).

# %%
import json
from pathlib import Path

from immunobalance.errors import InvalidInputError
from immunobalance.indices.assess import assess_patient
from immunobalance.patient import read_patient

record = json.loads(Path("examples/patients/ra.json").read_text())
patient = read_patient(record)
print(patient.id, "visits:", [d.isoformat() for d in patient.visit_dates()])
print("current therapy:", [m.agent for m in patient.current_medications()])

# %% [markdown]
# ## The record as it stood after each visit
#
# A visit is the set of observations of one date. Cutting the record after each visit and
# assessing it shows what the clinician saw at that time. An index appears exactly when its
# inputs were measured; the notes say why one is missing.

# %%
for visit in patient.visit_dates():
    so_far = {
        **record,
        "observations": [o for o in record["observations"] if o["date"] <= visit.isoformat()],
    }
    assessment = assess_patient(read_patient(so_far))
    scores = {k: (r.value, r.category) for k, r in assessment.indices.items()}
    print(visit, scores or "no index computable", assessment.response or "")
    for note in assessment.notes:
        print("   note:", note)

# %% [markdown]
# ## A new visit
#
# Six months later the patient comes back. A visit arrives as observations with a date, in the
# [patient-record format](../contracts/patient-record.md) — units are converted (CRP in mg/dL
# becomes mg/L), and a value outside its physical range or a unit that cannot be converted is an
# error naming the observation, never a guess.

# %%
new_visit = [
    {"code": "TJC28", "value": 1, "date": "2027-04-01"},
    {"code": "SJC28", "value": 0, "date": "2027-04-01"},
    {"code": "PTGA", "value": 10, "date": "2027-04-01"},
    {"code": "PHGA", "value": 5, "date": "2027-04-01"},
    {"code": "CRP", "value": 0.3, "unit": "mg/dL", "date": "2027-04-01"},
    {"code": "ESR", "value": 12, "date": "2027-04-01"},
]
followed = read_patient({**record, "observations": record["observations"] + new_visit})
latest = assess_patient(followed)
print(json.dumps(latest.model_dump(mode="json"), indent=2))

# %% [markdown]
# `response_basis` says which visits and which score each response used, so the result can be
# checked by hand. The same assessment is what `immunobalance assess PATIENT --format json` prints
# and what `GET /api/v1/patients/{id}/assessment` returns.
#
# ## Bad input is refused, with every problem named

# %%
bad_visit = [
    {"code": "TJC28", "value": 31, "date": "2027-05-01"},
    {"code": "CRP", "value": 5, "unit": "mg/dl/h", "date": "2027-05-01"},
]
try:
    read_patient({**record, "observations": record["observations"] + bad_visit})
except InvalidInputError as error:
    for problem in error.problems:
        print(problem)
