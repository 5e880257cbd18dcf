"""The core immune-balance network shared by every disease module.

All immune states are *normalised*: 1 is the patient's own untreated (sick) steady state, so each
rate equation has the form ``k · (source − X)`` with every factor of ``source`` equal to 1 at
baseline. The untreated baseline is therefore an exact equilibrium for every virtual patient (no
pre-simulation needed), while the nonlinear T-cell activation switch
``hill(act_T, K_act, n_act)`` fed back by organ inflammation makes the network bistable: a
second, low ("tolerant", healthy) equilibrium exists, and the sick one disappears when regulatory
capacity is restored (``treg_capacity`` > 1) — see ``docs/model.md`` for the analysis.

Cytokines are quasi-steady-state algebraic functions of the cell states (their half-lives are
minutes to hours, the cells' days to months), which removes the stiff fast modes.
"""

from __future__ import annotations

import math
from typing import Literal

from immunobalance.model.declaration import Assignment, Declaration, Parameter, Prior, Rate, State
from immunobalance.model.pharmacology import PROCESSES

__all__ = ["PATHWAY_SIGNALS", "core_declaration"]

LN2 = math.log(2)
A = "model assumption (structural prior; calibrated at population level)"
LOGN = Prior("lognormal", cv=0.3)
LOGN_WIDE = Prior("lognormal", cv=0.5)

#: The signal through which each knowledge-base pathway drives organ inflammation.
PATHWAY_SIGNALS: dict[str, tuple[str, str]] = {
    "tnf": ("tnf", "TNF signalling in the organ"),
    "il6": ("il6", "IL-6 signalling (receptor and JAK1-dependent)"),
    "il1": ("il1", "IL-1 signalling"),
    "il17": ("il17", "IL-17A/F signalling"),
    "il12": ("il12", "IL-12 signalling"),
    "il23": ("il23", "IL-23 signalling"),
    "ifn_i": ("ifn_i", "type I interferon signalling"),
    "b_cell": ("B", "autoreactive B cells (antigen presentation, ectopic follicles)"),
    "autoantibody": (
        "Ab * fc_f",
        "immune complexes via Fcγ receptors (SYK-dependent) and complement",
    ),
    "t_cell_costimulation": ("help * organ_entry", "activated effector T cells in the organ"),
    "th1": ("E1 * organ_entry", "Th1 effector cells in the organ"),
    "th17": ("E17 * organ_entry", "Th17 effector cells in the organ"),
    "treg_deficit": ("help * organ_entry", "effector T cells unrestrained by Tregs"),
    "cns_trafficking": ("help * entry_cns", "lymphocytes entering the CNS (α4β1)"),
    "gut_trafficking": ("help * entry_gut", "lymphocytes homing to the gut (α4β7)"),
    "innate": ("I * pde4_f * innate_f", "self-sustaining innate (myeloid) inflammation"),
}


def _p(
    name: str,
    value: float,
    unit: str,
    meaning: str,
    source: str = A,
    prior: Prior = LOGN,
    low: float = 0.0,
    high: float = math.inf,
    group: str = "core",
) -> Parameter:
    return Parameter(name, value, unit, meaning, source, prior, low, high, group)


def core_parameters() -> list[Parameter]:
    fr = Prior("logitnormal", sd=0.5)
    return [
        # time scales
        _p(
            "k_T",
            LN2 / 30,
            "1/day",
            "effector/memory T-cell turnover (t½ ≈ 30 d)",
            "Macallan DC et al. J Exp Med 2004;200:255-60 (memory CD4 T-cell turnover)",
            LOGN_WIDE,
        ),
        _p(
            "k_R",
            LN2 / 10,
            "1/day",
            "regulatory T-cell turnover (t½ ≈ 10 d)",
            "Vukmanovic-Stejic M et al. J Clin Invest 2006;116:2423-33 (rapid Treg turnover)",
        ),
        _p(
            "k_B",
            LN2 / 45,
            "1/day",
            "autoreactive B-cell renewal from bone marrow (t½ ≈ 45 d)",
            "Leandro MJ et al. Arthritis Rheum 2006;54:613-20 (B-cell repopulation 6–9 months "
            "after rituximab, including drug washout)",
        ),
        _p("k_LB", LN2 / 45, "1/day", "total B-lymphocyte pool renewal", "as k_B"),
        _p(
            "k_LT",
            LN2 / 300,
            "1/day",
            "total T-lymphocyte pool renewal after depletion",
            "Hill-Cawthorne GA et al. J Neurol Neurosurg Psychiatry 2012;83:298-304 "
            "(slow CD4 reconstitution after alemtuzumab)",
            LOGN_WIDE,
        ),
        _p(
            "k_PCs",
            LN2 / 5,
            "1/day",
            "short-lived plasma cell / plasmablast loss (t½ ≈ 5 d)",
            "Radbruch A et al. Nat Rev Immunol 2006;6:741-50",
        ),
        _p(
            "k_PCl",
            LN2 / 300,
            "1/day",
            "long-lived plasma cell turnover (t½ ≈ 300 d)",
            "Slifka MK et al. Immunity 1998;8:363-72; Radbruch 2006",
            LOGN_WIDE,
        ),
        _p(
            "f_LL",
            0.5,
            "1",
            "fraction of autoantibody made by long-lived plasma cells",
            "Cambridge G et al. Arthritis Rheum 2003;48:2146-54 (autoantibodies fall only "
            "partly after B-cell depletion)",
            fr,
            0.0,
            1.0,
        ),
        _p(
            "k_Ab",
            LN2 / 21,
            "1/day",
            "IgG elimination (t½ ≈ 21 d)",
            "Morell A et al. J Clin Invest 1970;49:673-80",
            Prior("lognormal", cv=0.15),
        ),
        _p(
            "k_I",
            0.1,
            "1/day",
            "organ inflammation resolution (t½ ≈ 7 d)",
            A + "; tissue inflammation resolves over 1–3 weeks once its drive is removed",
        ),
        _p("k_D", 0.001, "damage units/day", "irreversible damage accrual at I = 1", A),
        _p("D0", 0.0, "damage units", "irreversible damage at baseline", A, Prior()),
        _p("k_P", LN2 / 14, "1/day", "protective-immunity adaptation to immunosuppression", A),
        # activation switch
        _p(
            "a0",
            0.3,
            "1",
            "constitutive autoantigen presentation (share of activation)",
            A,
            fr,
            0.0,
            1.0,
        ),
        _p(
            "aI",
            0.5,
            "1",
            "inflammation-driven antigen presentation / co-stimulation share",
            A,
            fr,
            0.0,
            1.0,
        ),
        _p("aB", 0.2, "1", "B-cell antigen presentation share", A, fr, 0.0, 1.0),
        _p(
            "K_act",
            0.6,
            "1",
            "activation giving half-maximal effector expansion",
            A + "; with n_act = 3 it makes the switch bistable (docs/model.md)",
            Prior("lognormal", cv=0.1),
            0.3,
            0.9,
        ),
        _p(
            "n_act",
            3.0,
            "1",
            "cooperativity of T-cell activation (Hill coefficient)",
            A,
            Prior(),
            1.0,
            6.0,
        ),
        _p(
            "s_R",
            2.0,
            "1",
            "Treg suppression strength at baseline",
            "Baecher-Allan C et al. J Immunol 2001;167:1245-53 (strong suppression in vitro)",
            LOGN_WIDE,
        ),
        _p(
            "treg_capacity",
            1.0,
            "1",
            "Treg production relative to the patient's baseline "
            "(> 1 models restored tolerance, e.g. a healthy person)",
            A,
            Prior(),
        ),
        _p("w_il10", 0.3, "1", "IL-10 share of Treg suppression", A, fr, 0.0, 1.0),
        _p(
            "g_tnfr2",
            0.1,
            "1",
            "loss of Treg function at full TNF blockade (TNFR2 on Tregs)",
            "Chen X et al. J Immunol 2007;179:154-61 (TNFR2 expressed by most potent Tregs)",
            LOGN_WIDE,
            0.0,
            0.9,
        ),
        _p(
            "g_ctla4_treg",
            0.5,
            "1",
            "loss of Treg function at full CTLA-4 inhibition",
            "Qureshi OS et al. Science 2011;332:600-3 (CTLA-4 trans-endocytosis of CD80/86)",
            Prior(),
            0.0,
            1.0,
        ),
        _p("g_pd1", 1.0, "1", "rise of T-cell activation at full PD-1 blockade", A),
        _p("g_ctla4", 1.0, "1", "rise of T-cell activation at full CTLA-4 blockade", A),
        _p("g_pd1_agonism", 1.0, "1", "fall of T-cell activation with PD-1 agonism", A),
        _p("g_gc_T", 0.3, "1", "glucocorticoid effect on T-cell activation", A),
        _p("g_ifnb", 0.4, "1", "IFN-β reduction of T-cell activation and entry", A),
        _p("g_ast", 0.5, "1", "Treg induction by antigen-specific tolerance (glatiramer)", A),
        _p("w_th1_il12", 0.5, "1", "IL-12 dependence of Th1 differentiation", A, fr, 0.0, 1.0),
        _p(
            "w_th17_cyt",
            0.6,
            "1",
            "IL-23/IL-6/IL-1 dependence of Th17 maintenance",
            A,
            fr,
            0.0,
            1.0,
        ),
        _p(
            "w_gc",
            0.3,
            "1",
            "γc-cytokine (IL-7/15/21, JAK1/JAK3) support of effectors",
            A,
            fr,
            0.0,
            1.0,
        ),
        _p(
            "w_il2",
            0.5,
            "1",
            "IL-2 dependence of Treg maintenance",
            "Malek TR. Annu Rev Immunol 2008;26:453-79",
            fr,
            0.0,
            1.0,
        ),
        _p(
            "g_il2",
            3.0,
            "1",
            "IL-2 signal added at full low-dose IL-2 engagement",
            "Saadoun D et al. N Engl J Med 2011;365:2067-77 (low-dose IL-2 raised Tregs ~2.5-fold)",
        ),
        _p(
            "w_help",
            0.8,
            "1",
            "T-cell help share of autoreactive B-cell survival",
            "Shlomchik MJ. Immunity 2008;28:18-28 (autoreactive B cells need T-cell help)",
            fr,
            0.0,
            1.0,
        ),
        _p(
            "w_baff",
            0.4,
            "1",
            "BAFF share of B-cell survival",
            "Mackay F, Schneider P. Nat Rev Immunol 2009;9:491-502",
            fr,
            0.0,
            1.0,
        ),
        # cytokine production mix
        _p("f_tnf_T", 0.3, "1", "T-cell share of TNF production (rest myeloid)", A, fr, 0.0, 1.0),
        _p(
            "f_il6_tnf",
            0.4,
            "1",
            "TNF-induced share of IL-6 production",
            "Feldmann M et al. Annu Rev Immunol 1996;14:397-440 (TNF-driven cytokine cascade)",
            fr,
            0.0,
            1.0,
        ),
        _p(
            "f_il1_tnf",
            0.5,
            "1",
            "TNF-induced share of IL-1 production",
            "Brennan FM et al. Lancet 1989;2:244-7",
            fr,
            0.0,
            1.0,
        ),
        _p(
            "f_ifn_ic",
            0.5,
            "1",
            "immune-complex-induced share of type I IFN",
            "Rönnblom L. Arthritis Res Ther 2011;13:228",
            fr,
            0.0,
            1.0,
        ),
        _p("f_baff_ifn", 0.5, "1", "IFN-induced share of BAFF", A, fr, 0.0, 1.0),
        _p(
            "g_pde4",
            0.5,
            "1",
            "maximal fall of TNF/IL-23/IL-17 production with PDE4 inhibition",
            "Schafer PH et al. Br J Pharmacol 2010;159:842-55 (apremilast)",
            Prior(),
            0.0,
            1.0,
        ),
        _p("g_il10_pde4", 0.5, "1", "rise of IL-10 with PDE4 inhibition", "Schafer 2010"),
        _p(
            "sig_floor",
            0.05,
            "1",
            "residual pathway signal under complete blockade "
            "(redundant receptors/ligands keep ≈ 5 % signalling); keeps the "
            "multiplicative drive finite and smooth",
            A,
            Prior(),
            0.001,
            1.0,
        ),
        _p(
            "f_cd28",
            0.6,
            "1",
            "share of effector T-cell activation that depends on CD28 "
            "co-stimulation (memory/effector cells partly CD28-independent)",
            "London CA, Lodge MP, Abbas AK. J Immunol 2000;164:265-72 (memory CD4 T cells less "
            "dependent on CD28 co-stimulation)",
            Prior("logitnormal", sd=0.5),
            0.0,
            1.0,
        ),
        _p(
            "f_a4b7",
            0.6,
            "1",
            "share of gut effector T-cell homing that is α4β7/MAdCAM-1-"
            "dependent (tissue-resident memory and αEβ7/α4β1 routes are not)",
            "Zundler S et al. Nat Immunol 2019;20:288-300 (mucosal tissue-resident memory T "
            "cells drive colitis independently of recirculation)",
            Prior("logitnormal", sd=0.5),
            0.0,
            1.0,
        ),
        _p(
            "g_syk_fc",
            0.8,
            "1",
            "SYK dependence of Fcγ-receptor immune-complex signalling",
            "Mócsai A et al. Nat Rev Immunol 2010;10:387-402",
            Prior(),
            0.0,
            1.0,
        ),
        # protective immunity and infection
        _p("h_T", 0.6, "1", "loss of protective immunity with total T-cell depletion", A),
        _p("h_B", 0.3, "1", "loss with total B-cell depletion", A),
        _p(
            "h_tnf",
            0.35,
            "1",
            "loss at full TNF blockade",
            "Singh JA et al. Lancet 2015;386:258-65 (biologics: higher serious infections)",
        ),
        _p("h_il6", 0.3, "1", "loss at full IL-6 pathway blockade", "Singh 2015"),
        _p("h_ifn", 0.2, "1", "loss at full type I IFN blockade (viral, zoster)", A),
        _p("h_gc", 0.3, "1", "loss at full γc (JAK1/JAK3) blockade (zoster, opportunistic)", A),
        _p(
            "h_il1",
            0.76,
            "1",
            "loss at full IL-1 blockade: set so that anakinra 100 mg/day (≈ 90 % time-averaged "
            "IL-1 blockade in the model) multiplies the serious-infection hazard by 3.15",
            "Mertens M, Singh JA. J Rheumatol 2009;36:1118-25 (Cochrane review of anakinra in "
            "RA, serious infections 25/1366 vs 3/534 with placebo, RR 3.15, 95 % CI 0.81-12.2; "
            "excludes the etanercept-combination trial); consistent with Fleischmann RM et al. "
            "Ann Rheum Dis 2006;65:1006-12 (5.37 vs 1.65 per 100 patient-years, ratio 3.3)",
            fr,
            0.0,
            1.0,
        ),
        _p("h_il17", 0.1, "1", "loss at full IL-17 blockade (mucocutaneous candida)", A),
        _p("h_il12_23", 0.05, "1", "loss at full IL-12/23 blockade", A),
        _p(
            "h_innate",
            0.5,
            "1",
            "loss at full glucocorticoid-like innate suppression",
            "Dixon WG et al. Ann Rheum Dis 2012;71:1128-33 (glucocorticoid dose and infection)",
        ),
        _p("h_prolif", 0.3, "1", "loss at full anti-proliferative effect", A),
        _p("h_cn", 0.3, "1", "loss at full calcineurin inhibition", A),
        _p("h_costim", 0.15, "1", "loss at full co-stimulation blockade", A),
        _p("h_traffic", 0.2, "1", "loss at full lymphocyte trafficking block", A),
        _p(
            "lambda0",
            0.03,
            "1/patient-year",
            "serious-infection rate of the untreated patient",
            A,
            LOGN_WIDE,
        ),
        _p(
            "beta_age",
            math.log(1.3),
            "1/decade",
            "log hazard ratio per decade of age",
            A + "; registry order of magnitude",
            Prior(),
        ),
        # covariates (replaced by the patient's values)
        _p("age_years", 50.0, "year", "age", "covariate", Prior(), 0.0, 120.0, "covariate"),
        _p("weight_kg", 70.0, "kg", "body weight", "covariate", Prior(), 1.0, 400.0, "covariate"),
    ]


def core_states() -> list[State]:
    return [
        State("E1", "1 (baseline = 1)", "autoreactive Th1 effector T cells"),
        State("E17", "1 (baseline = 1)", "autoreactive Th17 effector T cells"),
        State("R", "1 (baseline = 1)", "regulatory T cells"),
        State("B", "1 (baseline = 1)", "autoreactive B cells"),
        State("PCs", "1 (baseline = 1)", "short-lived plasma cells / plasmablasts"),
        State("PCl", "1 (baseline = 1)", "long-lived plasma cells"),
        State("Ab", "1 (baseline = 1)", "autoantibody titre"),
        State("I", "1 (baseline = 1)", "target-organ inflammation"),
        State("D", "damage units", "irreversible organ damage", "D0"),
        State("LT", "fraction of normal", "total T-lymphocyte pool"),
        State("LB", "fraction of normal", "total B-lymphocyte pool"),
        State("P", "1 (untreated = 1)", "protective-immunity capacity"),
        State("H_inf", "events", "cumulative serious-infection hazard", "0"),
    ]


def core_assignments(pathways: list[str]) -> list[Assignment]:
    cy: Literal["cytokine"] = "cytokine"
    a = [
        # pharmacology → signalling factors
        Assignment(
            "jak_il6",
            "(1 - inh_jak1) * (1 - inh_jak2 * inh_tyk2)",
            "1",
            "IL-6 receptor signalling left by JAK inhibition (JAK1 essential; JAK2/TYK2 redundant)",
            "Schwartz DM et al. Nat Rev Drug Discov 2017;16:843-62",
        ),
        Assignment(
            "jak_ifn",
            "(1 - inh_jak1) * (1 - inh_tyk2)",
            "1",
            "type I IFN receptor signalling (JAK1/TYK2)",
            "Schwartz 2017",
        ),
        Assignment(
            "jak_gc",
            "(1 - inh_jak1) * (1 - inh_jak3)",
            "1",
            "γc-cytokine signalling, IL-2/7/15/21 (JAK1/JAK3)",
            "Schwartz 2017",
        ),
        Assignment(
            "jak_il12",
            "(1 - inh_jak2) * (1 - inh_tyk2)",
            "1",
            "IL-12 and IL-23 receptor signalling (JAK2/TYK2)",
            "Schwartz 2017",
        ),
        Assignment(
            "jak_gm",
            "1 - inh_jak2",
            "1",
            "GM-CSF/EPO receptor signalling (JAK2/JAK2)",
            "Schwartz 2017",
            output="signal",
        ),
        Assignment("pde4_f", "1 - g_pde4 * inh_pde4", "1", "PDE4-dependent cytokine production"),
        Assignment(
            "innate_f",
            "1 - inh_innate_inflammation",
            "1",
            "innate inflammatory transcription left by glucocorticoid-like agents",
        ),
        Assignment(
            "prolif_f",
            "1 - inh_lymphocyte_proliferation",
            "1",
            "lymphocyte proliferation left by anti-metabolites",
        ),
        Assignment("cn_f", "1 - inh_calcineurin", "1", "calcineurin/NFAT activity left"),
        Assignment("fc_f", "1 - g_syk_fc * inh_syk", "1", "Fc-receptor signalling left (SYK)"),
        Assignment("entry_cns", "1 - inh_trafficking_cns", "1", "lymphocyte entry into CNS left"),
        Assignment(
            "entry_gut",
            "1 - f_a4b7 * inh_trafficking_gut",
            "1",
            "lymphocyte homing to gut left (only the α4β7-dependent share is blockable)",
            "Zundler S et al. Nat Immunol 2019;20:288-300",
        ),
        Assignment("organ_entry", "1", "1", "effector entry into the target organ (module)"),
        Assignment("help", "0.5 * (E1 + E17)", "1", "effector T-cell help"),
        # cytokines (quasi-steady state, 1 at baseline)
        Assignment(
            "tnf",
            "(f_tnf_T * E1 + (1 - f_tnf_T) * I) * pde4_f * innate_f * (1 - inh_tnf)",
            "1",
            "TNF signal",
            output=cy,
        ),
        Assignment(
            "il6",
            "((1 - f_il6_tnf) * I + f_il6_tnf * tnf) * innate_f * (1 - inh_il6) * jak_il6",
            "1",
            "IL-6 signal (drives hepatic CRP)",
            output=cy,
        ),
        Assignment(
            "il1",
            "((1 - f_il1_tnf) * I + f_il1_tnf * tnf) * innate_f * (1 - inh_il1)",
            "1",
            "IL-1 signal (partly TNF-induced: the TNF-dependent cytokine cascade)",
            "Brennan FM et al. Lancet 1989;2:244-7 (anti-TNF abolishes IL-1 production "
            "in RA synovial cultures); Feldmann M et al. Annu Rev Immunol 1996;14:397-440",
            output=cy,
        ),
        Assignment(
            "il12", "I * innate_f * (1 - inh_il12) * jak_il12", "1", "IL-12 signal", output=cy
        ),
        Assignment(
            "il23",
            "I * innate_f * pde4_f * (1 - inh_il23) * jak_il12",
            "1",
            "IL-23 signal",
            output=cy,
        ),
        Assignment("il17", "E17 * pde4_f * (1 - inh_il17)", "1", "IL-17 signal", output=cy),
        Assignment(
            "ifn_i",
            "((1 - f_ifn_ic) * I + f_ifn_ic * Ab * fc_f) * (1 - inh_ifn_i) * jak_ifn",
            "1",
            "type I interferon signal",
            output=cy,
        ),
        Assignment(
            "il2",
            "help * cn_f * (1 - inh_il2) * jak_gc + g_il2 * act_il2 * jak_gc",
            "1",
            "IL-2 signal reaching Tregs",
            output=cy,
        ),
        Assignment("il10", "R * (1 + g_il10_pde4 * inh_pde4)", "1", "IL-10", output=cy),
        Assignment(
            "baff",
            "((1 - f_baff_ifn) * I + f_baff_ifn * ifn_i) * (1 - inh_baff)",
            "1",
            "BAFF signal",
            output=cy,
        ),
        Assignment("gm_csf", "E17 * jak_gm", "1", "GM-CSF signal", output=cy),
        # activation switch
        Assignment(
            "antigen",
            "(a0 + aI * I + aB * B) / (a0 + aI + aB)",
            "1",
            "autoantigen presentation and co-stimulatory context",
        ),
        Assignment(
            "ckpt",
            "(1 + g_pd1 * inh_pd1 + g_ctla4 * inh_ctla4) / (1 + g_pd1_agonism * act_pd1)",
            "1",
            "checkpoint tone (inhibition breaks tolerance, agonism restores it)",
            "Postow MA et al. N Engl J Med 2018;378:158-68 (immune-related adverse events)",
        ),
        Assignment(
            "act_T",
            "antigen * ckpt * (1 - f_cd28 * inh_costimulation) * cn_f * (1 - inh_t_cells) "
            "* (1 - g_ifnb * min(act_ifn_beta, 1)) * (1 - g_gc_T * inh_innate_inflammation)",
            "1",
            "T-cell activation signal",
        ),
        Assignment(
            "treg_fn",
            "(R + inf_treg) * (1 - w_il10 + w_il10 * il10) * "
            "(1 - g_tnfr2 * inh_tnf) * (1 - g_ctla4_treg * inh_ctla4)",
            "1",
            "functional Treg suppression",
        ),
        Assignment(
            "supp", "(1 + s_R) / (1 + s_R * treg_fn)", "1", "effector expansion allowed by Tregs"
        ),
        Assignment(
            "phi",
            "hill(act_T, K_act, n_act) * (1 + K_act ** n_act)",
            "1",
            "effector expansion switch (1 at baseline)",
        ),
        Assignment("gc_f", "1 - w_gc + w_gc * jak_gc", "1", "γc support of effectors"),
        Assignment("diff1", "1 - w_th1_il12 + w_th1_il12 * il12", "1", "Th1 polarisation"),
        Assignment(
            "diff17",
            "1 - w_th17_cyt + w_th17_cyt * (0.5 * il23 + 0.25 * il6 + 0.25 * il1)",
            "1",
            "Th17 polarisation and maintenance",
        ),
        Assignment("help_f", "1 - w_help + w_help * help", "1", "T-cell help to B cells"),
        Assignment("baff_f", "1 - w_baff + w_baff * baff", "1", "BAFF survival signal"),
        Assignment(
            "treg_src",
            "treg_capacity * (1 - w_il2 + w_il2 * il2) * "
            "(1 + act_treg + g_ast * act_antigen_specific_tolerance)",
            "1",
            "Treg production",
        ),
        Assignment("load_b_cells", "B", "1", "CD20/CD19 target load (target-mediated clearance)"),
        Assignment("load_t_cells", "LT", "1", "T-cell target load"),
        Assignment("load_plasma_cells", "PCs", "1", "plasma-cell target load"),
    ]
    for pw in pathways:
        sig, meaning = PATHWAY_SIGNALS[pw]
        a.append(Assignment(f"sig_{pw}", sig, "1", f"pathway '{pw}': {meaning}", output="signal"))
    product = " * ".join(f"max(sig_{pw}, sig_floor) ** w_{pw}" for pw in pathways) or "1"
    a += [
        Assignment("drive_extra", "0", "1", "disease-specific extra drive (module)"),
        Assignment(
            "drive",
            f"{product} + drive_extra",
            "1",
            "organ inflammation drive: weighted GEOMETRIC mean of the pathway signals, "
            "drive = Π sig_pw^w_pw (Σ w_pw = 1, so 1 at baseline). Pathways act as "
            "co-factors of one another (multiplicative synergy of effector cytokines on "
            "stromal cells), so fully blocking a necessary pathway of weight w lowers "
            "the drive by the factor sig_floor^w instead of only 1 − w",
            "Chiricozzi A et al. J Invest Dermatol 2011;131:677-87 (IL-17 × TNF "
            "synergy in keratinocytes); Lowes MA et al. Annu Rev Immunol 2014;32:227-55 "
            "(IL-23/IL-17 feed-forward circuit); Feldmann M et al. Annu Rev Immunol "
            "1996;14:397-440 (TNF-dependent cytokine cascade in RA synovium)",
            output="signal",
        ),
        Assignment(
            "P_target",
            "(1 - h_T * (1 - LT)) * (1 - h_B * (1 - LB)) * (1 - h_tnf * inh_tnf) * "
            "(1 - h_il6 * (1 - (1 - inh_il6) * jak_il6)) * "
            "(1 - h_ifn * (1 - (1 - inh_ifn_i) * jak_ifn)) * (1 - h_gc * (1 - jak_gc)) * "
            "(1 - h_il1 * inh_il1) * (1 - h_il17 * inh_il17) * "
            "(1 - h_il12_23 * (1 - (1 - inh_il12) * (1 - inh_il23) * jak_il12)) * "
            "(1 - h_innate * inh_innate_inflammation) * "
            "(1 - h_prolif * inh_lymphocyte_proliferation) * (1 - h_cn * inh_calcineurin) * "
            "(1 - h_costim * inh_costimulation) * "
            "(1 - h_traffic * max(inh_trafficking_cns, inh_trafficking_gut))",
            "1",
            "protective immunity the current immunosuppression allows",
            output="signal",
        ),
        Assignment(
            "lambda_inf",
            "lambda0 / 365.25 * exp(beta_age * (age_years - 50) / 10) / P",
            "1/day",
            "serious-infection hazard",
            output="signal",
        ),
    ]
    return a


def core_rates() -> list[Rate]:
    return [
        Rate(
            "E1",
            "k_T * (phi * supp * diff1 * gc_f * prolif_f * LT - E1) - dep_t_cells * E1",
            "Th1: activation-driven expansion restrained by Tregs; depletion",
        ),
        Rate(
            "E17",
            "k_T * (phi * supp * diff17 * gc_f * prolif_f * LT - E17) - dep_t_cells * E17",
            "Th17: as Th1, polarised by IL-23/IL-6/IL-1",
        ),
        Rate(
            "R",
            "k_R * (treg_src * LT - R) - dep_t_cells * R",
            "Tregs: IL-2-dependent production; expansion by IL-2 / Treg agonists",
        ),
        Rate(
            "B",
            "k_B * (baff_f * help_f * prolif_f * fc_f * (1 - inh_b_cells) * LB - B)"
            " - dep_b_cells * B",
            "autoreactive B cells: BAFF and T-cell help; BCR (SYK) signalling; depletion",
        ),
        Rate(
            "PCs",
            "k_PCs * (B * help_f - PCs) - dep_plasma_cells * PCs",
            "short-lived plasma cells differentiate from B cells",
        ),
        Rate(
            "PCl",
            "k_PCl * (PCs - PCl) - dep_plasma_cells * PCl",
            "long-lived plasma cells (survive B-cell depletion)",
        ),
        Rate(
            "Ab",
            "k_Ab * (f_LL * PCl + (1 - f_LL) * PCs - Ab)",
            "autoantibody production and IgG decay",
        ),
        Rate("I", "k_I * (drive - I)", "organ inflammation relaxes to its drive"),
        Rate("D", "k_D * I", "irreversible damage accrues with inflammation"),
        Rate("LT", "k_LT * (1 - LT) - dep_t_cells * LT", "total T cells: depletion, slow renewal"),
        Rate("LB", "k_LB * (1 - LB) - dep_b_cells * LB", "total B cells: depletion, renewal"),
        Rate("P", "k_P * (P_target - P)", "protective immunity follows immunosuppression"),
        Rate("H_inf", "lambda_inf", "cumulative serious-infection hazard"),
    ]


def external_names() -> dict[str, str]:
    out: dict[str, str] = {}
    for proc in PROCESSES:
        out[f"inh_{proc}"] = f"inhibition of process '{proc}' (0–1, Bliss-combined over agents)"
        out[f"dep_{proc}"] = f"depletion rate of '{proc}' cells, 1/day (sum of kmax·occupancy)"
        out[f"act_{proc}"] = f"activating engagement of '{proc}' (sum of Emax-occupancies)"
        out[f"inf_{proc}"] = f"infused cells acting on '{proc}' (patient-pool units)"
    return out


def core_declaration(name: str, pathways: list[str]) -> Declaration:
    """The core network for a disease whose inflammation is driven by ``pathways``."""
    weights = [
        Parameter(
            f"w_{pw}",
            1.0 / max(len(pathways), 1),
            "1",
            f"weight of pathway '{pw}' in the patient's organ inflammation (sum = 1)",
            "knowledge base pathway prior (diseases/<key>.yaml), per-patient draw",
            Prior(),
            0.0,
            1.0,
            "pathway",
        )
        for pw in pathways
    ]
    return Declaration(
        name=name,
        states=tuple(core_states()),
        parameters=tuple(core_parameters() + weights),
        assignments=tuple(core_assignments(pathways)),
        rates=tuple(core_rates()),
        external=external_names(),
    )
