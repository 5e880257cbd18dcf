"""Inflammatory bowel disease: mucosal inflammation (core ``I``) and the epithelial barrier ``G``.

The IL-17 paradox: IL-17A made by IL-23-independent γδ T cells maintains the epithelial tight
junction (occludin) (Lee JS et al. Immunity 2015;43:727-38; Maxwell JR et al. Immunity
2015;43:739-50). Blocking IL-17 lowers the barrier, microbial products leak in and drive
inflammation — why IL-17 blockade can worsen Crohn's disease (Hueber W et al. Gut
2012;61:1693-700, used qualitatively, never to fit). Effector homing to the gut is the
α4β7-dependent ``entry_gut``.

Read-outs: UC Mayo subscores (Schroeder KW et al. N Engl J Med 1987;317:1625-9); Crohn's
Harvey–Bradshaw items (Harvey RF, Bradshaw JM. Lancet 1980;1:514) and CDAI items (Best WR et al.
Gastroenterology 1976;70:439-44).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from immunobalance.model.declaration import Assignment, Declaration, Parameter, Prior, Rate, State
from immunobalance.model.diseases.base import DiseaseModule, ReadoutContext

__all__ = ["CrohnsDisease", "UlcerativeColitis"]

_BAR = "Lee JS et al. Immunity 2015;43:727-38; Maxwell JR et al. Immunity 2015;43:739-50"


class _IBD(DiseaseModule):
    tissue_bdc = (0.11, "Shah DK, Betts AM. mAbs 2013;5:297-305 (small/large intestine ≈ 11 %)")
    barrier_il17: float
    leak: float

    def extend(self, core: Declaration) -> Declaration:
        return core.extended(
            states=[
                State("G", "1 (baseline = 1)", "epithelial barrier integrity", group="organ"),
                State(
                    "T_gut",
                    "1 (baseline = 1)",
                    "effector T cells resident in the inflamed mucosa",
                    group="organ",
                ),
            ],
            parameters=[
                Parameter(
                    "k_G",
                    0.1,
                    "1/day",
                    "epithelial barrier turnover",
                    "Darwich AS et al. "
                    "Drug Metab Dispos 2014;42:2016-22 (intestinal epithelial renewal 3–5 d)",
                    Prior("lognormal", cv=0.3),
                    group="organ",
                ),
                Parameter(
                    "w_bar_il17",
                    self.barrier_il17,
                    "1",
                    "barrier loss at full IL-17 blockade",
                    _BAR,
                    Prior("logitnormal", sd=0.5),
                    0.0,
                    1.0,
                    "organ",
                ),
                Parameter(
                    "g_heal",
                    0.3,
                    "1",
                    "barrier healing as inflammation resolves",
                    "model assumption",
                    Prior("lognormal", cv=0.3),
                    0.0,
                    1.0,
                    "organ",
                ),
                Parameter(
                    "w_leak",
                    self.leak,
                    "1",
                    "inflammation drive per unit barrier leak",
                    _BAR + "; magnitude assumed",
                    Prior("lognormal", cv=0.5),
                    group="organ",
                ),
            ],
            rates=[
                Rate(
                    "G",
                    "k_G * ((1 - w_bar_il17 * inh_il17) * (1 + g_heal * (1 - I)) - G)",
                    "barrier maintained by IL-23-independent IL-17, damaged by inflammation",
                    _BAR,
                ),
                Rate(
                    "T_gut",
                    "k_T * (entry_gut - T_gut)",
                    "the mucosal effector pool is fed by α4β7-dependent homing and lost at "
                    "the effector-memory turnover: blocking homing empties it over weeks "
                    "(vedolizumab saturates α4β7 within hours, its clinical effect builds "
                    "over the following weeks as the cells already in the mucosa turn over)",
                    "Macallan DC et al. J Exp Med 2004;200:255-60 (effector/memory turnover "
                    "t½ ≈ 30 d, the core k_T); Zundler S et al. Nat Immunol 2019;20:288-300",
                ),
            ],
            replace_assignments=[
                Assignment(
                    "organ_entry",
                    "T_gut",
                    "1",
                    "effector T cells present in the gut mucosa (fed by α4β7 homing)",
                ),
                Assignment(
                    "drive_extra",
                    "w_leak * (1 / max(G, 0.05) - 1)",
                    "1",
                    "microbial translocation through a leaky barrier",
                    _BAR,
                ),
            ],
            replace_parameters={
                "lambda0": {
                    "value": 0.03,
                    "source": "model assumption (IBD "
                    "background serious infections, order of magnitude)",
                }
            },
        )

    def _common(self) -> list[Parameter]:
        return [
            Parameter(
                "crp_0",
                10.0,
                "mg/L",
                "CRP above floor at IL-6 signal 1",
                "typical IBD trial baseline",
                Prior("lognormal", cv=0.9),
                group="readout",
            ),
            Parameter(
                "activity_visit_cv",
                0.32,
                "1",
                "visit-to-visit CV of mucosal inflammatory activity, shared by every item",
                "faecal calprotectin between stool samples 1-6 days apart: median intra-individual "
                "CV 36 %, within one stool 17 % (sampling and assay), independent of disease type, "
                "location and activity (Variability of faecal calprotectin in inflammatory bowel "
                "disease patients: an observational case-control study. J Crohns Colitis "
                "2019;13(11):1372-9, doi:10.1093/ecco-jcc/jjz069); biological part "
                "sqrt(0.36^2 - 0.17^2) = 0.32. Approximation: visits weeks apart are taken to "
                "fluctuate as much as days apart, and calprotectin to stand for mucosal activity",
                Prior(),
                0.0,
                2.0,
                "readout",
            ),
            Parameter(
                "item_sd",
                0.45,
                "points",
                "visit SD of ordinal items",
                "model assumption",
                Prior(),
                0.0,
                2.0,
                "readout",
            ),
        ]

    def _mucosal_activity(self, ctx: ReadoutContext) -> NDArray[np.float64]:
        """Latent inflammation as a visit sees it: ``I`` times the shared visit fluctuation."""
        inflam = np.maximum(ctx.states["I"], 0.0)
        return np.asarray(inflam * ctx.activity_fluctuation(ctx.p("activity_visit_cv")))

    def _crp(self, ctx: ReadoutContext) -> NDArray[np.float64]:
        return 1.0 + ctx.lognormal("CRP", ctx.p("crp_0") * np.maximum(ctx.signals["il6"], 0), 0.3)


class UlcerativeColitis(_IBD):
    key = "ulcerative_colitis"
    barrier_il17 = 0.3
    leak = 0.1

    def readout_parameters(self) -> list[Parameter]:
        src = "typical moderate-to-severe UC trial baseline (Mayo 6–12)"
        return self._common() + [
            Parameter(
                f"mayo_{k}_0",
                v,
                "0-3",
                f"Mayo {k} subscore at I = 1",
                src,
                Prior("lognormal", cv=0.2),
                0.0,
                3.5,
                "readout",
            )
            for k, v in (("stool", 2.3), ("bleed", 1.7), ("endo", 2.5), ("pga", 2.2))
        ]

    def readouts(self, ctx: ReadoutContext) -> dict[str, NDArray[np.float64]]:
        inflam = self._mucosal_activity(ctx)
        sd = float(ctx.params["item_sd"][0])
        subj, obj = ctx.placebo("subjective"), ctx.placebo("objective")
        return {
            "MAYO_STOOL": ctx.score("MAYO_STOOL", ctx.p("mayo_stool_0") * inflam * subj, sd, 0, 3),
            "MAYO_BLEED": ctx.score("MAYO_BLEED", ctx.p("mayo_bleed_0") * inflam * subj, sd, 0, 3),
            "MAYO_ENDO": ctx.score("MAYO_ENDO", ctx.p("mayo_endo_0") * inflam * obj, sd, 0, 3),
            "MAYO_PGA": ctx.score("MAYO_PGA", ctx.p("mayo_pga_0") * inflam * obj, sd, 0, 3),
            "CRP": self._crp(ctx),
        }


class CrohnsDisease(_IBD):
    key = "crohns_disease"
    barrier_il17 = 0.5
    leak = 0.4

    def readout_parameters(self) -> list[Parameter]:
        src = "typical moderate-to-severe Crohn's trial baseline (CDAI 220–450)"
        ln = Prior("lognormal", cv=0.3)
        return [
            *self._common(),
            Parameter(
                "cd_stools_0", 5.0, "liquid stools/day", "at I = 1", src, ln, group="readout"
            ),
            Parameter(
                "cd_pain_0", 1.7, "0-3", "daily abdominal pain at I = 1", src, ln, 0, 3, "readout"
            ),
            Parameter(
                "cd_wellbeing_0",
                2.0,
                "0-4",
                "daily general well-being at I = 1",
                src,
                ln,
                0,
                4,
                "readout",
            ),
            Parameter(
                "cd_complications_0",
                1.2,
                "count",
                "complications at I = 1",
                src,
                ln,
                0,
                6,
                "readout",
            ),
            Parameter(
                "cd_mass_0",
                1.0,
                "0-3",
                "abdominal mass (HBI scale) at I = 1",
                src,
                ln,
                0,
                3,
                "readout",
            ),
            Parameter(
                "cd_hct_deficit_0",
                4.0,
                "%",
                "haematocrit deficit at I = 1",
                src,
                ln,
                0,
                20,
                "readout",
            ),
            Parameter(
                "cd_weight_deficit_0",
                5.0,
                "%",
                "% below standard weight at I = 1",
                src,
                ln,
                0,
                30,
                "readout",
            ),
        ]

    def readouts(self, ctx: ReadoutContext) -> dict[str, NDArray[np.float64]]:
        inflam = self._mucosal_activity(ctx)
        sd = float(ctx.params["item_sd"][0])
        subj, obj = ctx.placebo("subjective"), ctx.placebo("objective")
        stools_day = ctx.p("cd_stools_0") * inflam * subj
        pain = ctx.p("cd_pain_0") * inflam * subj
        well = ctx.p("cd_wellbeing_0") * inflam * subj
        mass = ctx.p("cd_mass_0") * inflam * obj
        compl = ctx.p("cd_complications_0") * inflam * obj
        stools_7d = ctx.count("CDAI_STOOLS_7D", 7 * stools_day, 0.2, 140)
        out = {
            "HBI_WELLBEING": ctx.score("HBI_WELLBEING", well, sd, 0, 4),
            "HBI_PAIN": ctx.score("HBI_PAIN", pain, sd, 0, 3),
            "HBI_STOOLS": ctx.count("HBI_STOOLS", stools_day, 0.25, 30),
            "HBI_MASS": ctx.score("HBI_MASS", mass, sd, 0, 3),
            "HBI_COMPLICATIONS": ctx.count("HBI_COMPLICATIONS", compl, 0.3, 6),
            "CDAI_STOOLS_7D": stools_7d,
            "CDAI_PAIN_7D": ctx.score("CDAI_PAIN_7D", 7 * pain, 2.0, 0, 21),
            "CDAI_WELLBEING_7D": ctx.score("CDAI_WELLBEING_7D", 7 * well, 2.0, 0, 28),
            "CDAI_COMPLICATIONS": ctx.count("CDAI_COMPLICATIONS", compl, 0.3, 6),
            "CDAI_ANTIDIARRHEAL": (
                ctx.uniform("CDAI_ANTIDIARRHEAL") < 0.5 * np.minimum(inflam, 1.5)
            ).astype(float),
            "CDAI_MASS": np.choose(
                np.clip(np.round(mass + sd * ctx.normal("CDAI_MASS")), 0, 2).astype(int),
                [0.0, 2.0, 5.0],
            ),
            "CDAI_HCT_DEFICIT": np.maximum(
                ctx.p("cd_hct_deficit_0") * inflam + 1.5 * ctx.normal("HCT"), 0.0
            ),
            "CDAI_WEIGHT_DEFICIT_PCT": np.maximum(
                ctx.p("cd_weight_deficit_0") * inflam + 1.0 * ctx.normal("WT"), 0.0
            ),
            "CRP": self._crp(ctx),
        }
        out["CDAI_CD"] = cdai(out)
        return out


def cdai(items: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
    """Crohn's Disease Activity Index (Best WR et al. Gastroenterology 1976;70:439-44).

    CDAI = 2·(liquid stools, 7 d) + 5·(abdominal pain, 7 d) + 7·(well-being, 7 d)
    + 20·(complications) + 30·(antidiarrhoeal use) + 10·(abdominal mass 0/2/5)
    + 6·(haematocrit deficit) + 1·(% below standard weight).
    """
    return (
        2 * items["CDAI_STOOLS_7D"]
        + 5 * items["CDAI_PAIN_7D"]
        + 7 * items["CDAI_WELLBEING_7D"]
        + 20 * items["CDAI_COMPLICATIONS"]
        + 30 * items["CDAI_ANTIDIARRHEAL"]
        + 10 * items["CDAI_MASS"]
        + 6 * items["CDAI_HCT_DEFICIT"]
        + items["CDAI_WEIGHT_DEFICIT_PCT"]
    )
