"""The guidelines behind every treat-to-target rule, cited once and referred to by key.

Each action the monitor proposes lists the sources of the rules that produced it, so a clinician
can check the reasoning against the guideline text.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["SOURCES"]

SOURCES: Mapping[str, str] = {
    "eular_ra_2022": (
        "Smolen JS et al. EULAR recommendations for the management of rheumatoid arthritis with "
        "synthetic and biological disease-modifying antirheumatic drugs: 2022 update. Ann Rheum "
        "Dis 2023;82:3-18 doi:10.1136/ard-2022-223356 (items 2-4: target sustained remission or "
        "low activity, monitor every 1-3 months, adjust if no improvement by 3 months or target "
        "not reached by 6 months; items 7-9: add a b/tsDMARD with poor-prognosis factors; "
        "item 10: after b/tsDMARD failure change the agent or mechanism; items 11-12: taper "
        "glucocorticoids, then consider tapering b/tsDMARDs in sustained remission)"
    ),
    "aletaha_2016_3_months": (
        "Aletaha D, Alasti F, Smolen JS. Optimisation of a treat-to-target approach in "
        "rheumatoid arthritis: strategies for the 3-month time point. Ann Rheum Dis "
        "2016;75:1479-1485 (CDAI/SDAI improvement >= 50 % at 3 months predicts reaching the "
        "target by 6 months)"
    ),
    "smolen_t2t_2016": (
        "Smolen JS et al. Treating rheumatoid arthritis to target: 2014 update of the "
        "recommendations of an international task force. Ann Rheum Dis 2016;75:3-15 "
        "doi:10.1136/annrheumdis-2015-207524 (composite measures incl. joint counts; target "
        "remission, low activity as alternative in long-standing disease)"
    ),
    "mtx_dose": (
        "Visser K et al. Multinational evidence-based recommendations for the use of "
        "methotrexate in rheumatic disorders (3E initiative). Ann Rheum Dis 2009;68:1086-1093 "
        "(escalate methotrexate to 25-30 mg/week; switch to parenteral if insufficient)"
    ),
    "psoriasis_goals": (
        "Mrowietz U et al. Definition of treatment goals for moderate to severe psoriasis: a "
        "European consensus. Arch Dermatol Res 2011;303:1-10 doi:10.1007/s00403-010-1080-1 "
        "(at the end of induction, 10-16 weeks, and every 8 weeks in maintenance: PASI75 → "
        "continue; PASI50 to <75 → modify unless DLQI <= 5; <PASI50 → modify)"
    ),
    "euroguiderm_psoriasis": (
        "Nast A et al. EuroGuiDerm Guideline on the systemic treatment of psoriasis vulgaris - "
        "Part 1: treatment and monitoring recommendations. J Eur Acad Dermatol Venereol "
        "2020;34:2461-2498 doi:10.1111/jdv.16915 (treatment goals, switching after failure)"
    ),
    "doris_2021": (
        "van Vollenhoven RF et al. 2021 DORIS definition of remission in SLE: final "
        "recommendations from an international task force. Lupus Sci Med 2021;8:e000538 "
        "doi:10.1136/lupus-2021-000538 (clinical SLEDAI = 0, PGA < 0.5, prednisone <= 5 mg/day, "
        "stable antimalarials/immunosuppressants/biologics allowed)"
    ),
    "lldas_2016": (
        "Franklyn K et al. Definition and initial validation of a Lupus Low Disease Activity "
        "State (LLDAS). Ann Rheum Dis 2016;75:1615-1621 doi:10.1136/annrheumdis-2015-207726 "
        "(SLEDAI-2K <= 4 without major-organ activity, no new activity, PGA <= 1, prednisone "
        "<= 7.5 mg/day)"
    ),
    "eular_sle_2023": (
        "Fanouriakis A et al. EULAR recommendations for the management of systemic lupus "
        "erythematosus: 2023 update. Ann Rheum Dis 2024;83:15-29 doi:10.1136/ard-2023-224762 "
        "(target remission or LLDAS; glucocorticoid maintenance <= 5 mg/day and withdraw when "
        "possible; add belimumab or anifrolumab for persistent activity or glucocorticoid "
        "dependence)"
    ),
    "stride_2": (
        "Turner D et al. STRIDE-II: an update on the Selecting Therapeutic Targets in "
        "Inflammatory Bowel Disease initiative of the IOIBD. Gastroenterology "
        "2021;160:1570-1583 doi:10.1053/j.gastro.2020.12.031 (short-term target clinical "
        "response; intermediate clinical remission and CRP normalisation; long-term endoscopic "
        "healing; adjust therapy when a target is not reached in its expected time)"
    ),
    "neda_2015": (
        "Giovannoni G et al. Is it time to target no evident disease activity (NEDA) in "
        "multiple sclerosis? Mult Scler Relat Disord 2015;4:329-333 "
        "doi:10.1016/j.msard.2015.04.006 (NEDA-3: no relapses, no confirmed disability "
        "progression, no new/enlarging T2 or Gd-enhancing MRI lesions)"
    ),
    "ectrims_ean_2018": (
        "Montalban X et al. ECTRIMS/EAN guideline on the pharmacological treatment of people "
        "with multiple sclerosis. Mult Scler 2018;24:96-120 doi:10.1177/1352458517751049 "
        "(re-baseline MRI about 6 months after starting a DMT; offer a more efficacious drug "
        "when there is evidence of disease activity)"
    ),
    "edss_progression": (
        "Confirmed disability progression as in the indices module: EDSS +1.5 from 0, +1.0 "
        "from 0.5-5.5, +0.5 above 5.5 (Hauser SL et al. N Engl J Med 2017;376:221-234 "
        "doi:10.1056/NEJMoa1601277; Kalincik T et al. Brain 2015;138:3287-3298)"
    ),
    "ada_2024_glycaemic": (
        "American Diabetes Association Professional Practice Committee. 6. Glycemic goals and "
        "hypoglycemia: Standards of Care in Diabetes-2024. Diabetes Care 2024;47(Suppl 1):"
        "S111-S125 doi:10.2337/dc24-S006 (HbA1c < 7 % for most adults)"
    ),
    "insel_2015": (
        "Insel RA et al. Staging presymptomatic type 1 diabetes: a scientific statement of "
        "JDRF, the Endocrine Society, and the American Diabetes Association. Diabetes Care "
        "2015;38:1964-1974 doi:10.2337/dc15-1419 (stages 1-3; monitoring of autoantibody-"
        "positive people)"
    ),
    "ada_2024_screening": (
        "American Diabetes Association Professional Practice Committee. 3. Prevention or "
        "delay of diabetes and associated comorbidities: Standards of Care in Diabetes-2024. "
        "Diabetes Care 2024;47(Suppl 1):S43-S51 doi:10.2337/dc24-S003 (teplizumab to delay "
        "stage 3 in stage 2 type 1 diabetes from age 8; metabolic monitoring)"
    ),
}
