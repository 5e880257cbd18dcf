"""In-silico trial specification (``contracts/trial-spec.md``): parse TOML or JSON, validate once.

Every problem of a spec is reported together with its location (``arms[1].regimen[0].dose``), and
keys that name the knowledge base (disease, population, agents, endpoint codes) are checked against
it, with suggestions for typos.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from immunobalance.errors import InvalidSpecError, Problem, UnknownKeyError
from immunobalance.regimen import RegimenItem, parse_regimen

__all__ = [
    "ENDPOINT_CODES",
    "Arm",
    "EndpointSpec",
    "TrialInfo",
    "TrialSpec",
    "applicable_endpoints",
    "load_trial_spec",
    "parse_trial_spec",
]

#: Endpoint codes of the contract, with their kind.
ENDPOINT_CODES: dict[str, str] = {
    "ACR20": "proportion",
    "ACR50": "proportion",
    "ACR70": "proportion",
    "DAS28CRP_REMISSION": "proportion",
    "DAS28ESR_REMISSION": "proportion",
    "DAS28CRP_CHANGE": "mean",
    "EULAR_GOOD": "proportion",
    "EULAR_ANY": "proportion",
    "CDAI_REMISSION": "proportion",
    "PASI75": "proportion",
    "PASI90": "proportion",
    "PASI100": "proportion",
    "SRI4": "proportion",
    "BICLA": "proportion",
    "RENAL_RESPONSE": "proportion",
    "ARR": "rate",
    "MAYO_REMISSION": "proportion",
    "MAYO_RESPONSE": "proportion",
    "CDAI_CD_REMISSION": "proportion",
    "CD_RESPONSE": "proportion",
    "T1D_DIAGNOSED": "proportion",
    "CPEPTIDE_CHANGE": "mean",
    "SERIOUS_INFECTION": "rate",
    "SERIOUS_INFECTION_ANY": "proportion",
    "RELAPSE_ANY": "proportion",
    "CDP12": "proportion",
    "CDAI_CD_CHANGE": "mean",
    "CPEPTIDE_AUC": "mean",
    "FLARE": "proportion",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_S = TypeVar("_S", bound=BaseModel)


class TrialInfo(_Strict):
    name: str = Field(min_length=1)
    disease: str
    population: str
    n_per_arm: int = Field(gt=0, le=10_000_000)
    weeks: float = Field(gt=0, le=520)
    seed: int = Field(ge=0, lt=2**63)
    description: str | None = None


class Arm(_Strict):
    name: str = Field(min_length=1)
    regimen: tuple[RegimenItem, ...] = ()
    comparator: str | None = None  # name of the control arm (defaults to the first placebo arm)

    @property
    def is_placebo(self) -> bool:
        """An arm with no regimen (background lives in the population) is a placebo arm."""
        return not self.regimen


class EndpointSpec(_Strict):
    codes: tuple[str, ...] = Field(min_length=1)
    at_weeks: tuple[float, ...] = Field(min_length=1)


class TrialSpec(_Strict):
    """A validated trial spec; ``sha256`` identifies the exact source text."""

    trial: TrialInfo
    arms: tuple[Arm, ...] = Field(min_length=1)
    endpoints: EndpointSpec
    sha256: str = ""

    def endpoint_keys(self) -> list[str]:
        """``CODE@WEEK`` keys in spec order (weeks printed without trailing .0)."""
        return [f"{c}@{w:g}" for w in self.endpoints.at_weeks for c in self.endpoints.codes]


def _problems_from(exc: ValidationError, prefix: str = "") -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = ""
        for part in err["loc"]:
            loc += (
                f"[{part}]"
                if isinstance(part, int)
                else (f".{part}" if loc or prefix else str(part))
            )
        msg = str(err["msg"]).removeprefix("Value error, ")
        out.append(Problem(f"{prefix}{loc}", msg))
    return out


def parse_trial_spec(
    data: Mapping[str, Any], *, source_text: str | None = None, check_knowledge_base: bool = True
) -> TrialSpec:
    """Validate a spec given as a mapping (the TOML document or its JSON form).

    Raises
    ------
    InvalidSpecError
        Listing every problem with its location.
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise InvalidSpecError([Problem("", "a trial spec is a table/object")])
    unknown = sorted(set(data) - {"trial", "arms", "endpoints"})
    problems += [Problem(k, "unknown section (expected trial, arms, endpoints)") for k in unknown]

    arms_raw = data.get("arms")
    arms: list[dict[str, Any]] = []
    if not isinstance(arms_raw, list) or not arms_raw:
        problems.append(Problem("arms", "expected at least one [[arms]] table"))
    else:
        for i, arm in enumerate(arms_raw):
            if not isinstance(arm, Mapping):
                problems.append(Problem(f"arms[{i}]", "expected a table"))
                continue
            arm = dict(arm)
            try:
                arm["regimen"] = parse_regimen(arm.get("regimen", []), path=f"arms[{i}].regimen")
            except InvalidSpecError as exc:
                problems += exc.problems
                arm["regimen"] = []
            arms.append(arm)
        names = [a.get("name") for a in arms]
        problems += [
            Problem(f"arms[{i}].name", f"duplicate arm name {n!r}")
            for i, n in enumerate(names)
            if n is not None and names.index(n) != i
        ]

    # Validate each section on its own so that one bad section does not hide the others.
    info = _section(TrialInfo, data.get("trial"), "trial", problems)
    endpoints = _section(EndpointSpec, data.get("endpoints"), "endpoints", problems)
    valid_arms = []
    for i, arm in enumerate(arms):
        arm_problems: list[Problem] = []
        parsed = _section(Arm, arm, f"arms[{i}]", arm_problems)
        problems += [p for p in arm_problems if ".regimen" not in p.path]
        if parsed is not None:
            valid_arms.append(parsed)
    spec: TrialSpec | None = None
    if info is not None and endpoints is not None and valid_arms and not problems:
        spec = TrialSpec(trial=info, arms=tuple(valid_arms), endpoints=endpoints)
    raw_weeks = (
        (data.get("trial") or {}).get("weeks") if isinstance(data.get("trial"), Mapping) else None
    )
    horizon = (
        info.weeks
        if info is not None
        else (float(raw_weeks) if isinstance(raw_weeks, int | float) else float("inf"))
    )
    problems += _check_semantics(info, tuple(valid_arms), endpoints, horizon, check_knowledge_base)
    if problems:
        raise InvalidSpecError(problems)
    assert spec is not None
    digest = hashlib.sha256(
        (
            source_text
            if source_text is not None
            else json.dumps(data, sort_keys=True, default=str)
        ).encode()
    ).hexdigest()
    return spec.model_copy(update={"sha256": digest})


def _section(model: type[_S], raw: Any, path: str, problems: list[Problem]) -> _S | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(path, f"expected a [{path}] table"))
        return None
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        problems += _problems_from(exc, path)
        return None


def _check_semantics(
    info: TrialInfo | None,
    arms: tuple[Arm, ...],
    endpoints: EndpointSpec | None,
    horizon: float,
    check_kb: bool,
) -> list[Problem]:
    problems: list[Problem] = []
    if endpoints is not None:
        problems += _check_endpoints(endpoints, horizon)
    names = [a.name for a in arms]
    for i, arm in enumerate(arms):
        if arm.comparator is not None and arm.comparator not in names:
            problems.append(Problem(f"arms[{i}].comparator", f"no arm named {arm.comparator!r}"))
    if check_kb:
        problems += _check_knowledge_base(info, arms)
        problems += _check_applicability(info, endpoints)
    return problems


def _check_endpoints(endpoints: EndpointSpec, horizon: float) -> list[Problem]:
    problems: list[Problem] = []
    for j, code in enumerate(endpoints.codes):
        if code not in ENDPOINT_CODES:
            import difflib

            hint = difflib.get_close_matches(code, list(ENDPOINT_CODES), n=1)
            problems.append(
                Problem(
                    f"endpoints.codes[{j}]",
                    f"unknown endpoint {code!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""),
                )
            )
    for j, week in enumerate(endpoints.at_weeks):
        if not 0 < week <= horizon:
            problems.append(
                Problem(
                    f"endpoints.at_weeks[{j}]",
                    f"week {week:g} is outside the trial (0, {horizon:g}]",
                )
            )
    return problems


def _check_knowledge_base(info: TrialInfo | None, arms: tuple[Arm, ...]) -> list[Problem]:
    from immunobalance.knowledge import load_knowledge_base

    problems: list[Problem] = []
    kb = load_knowledge_base()
    if info is not None:
        try:
            kb.population(info.disease, info.population)
        except UnknownKeyError as exc:
            field = "disease" if exc.kind == "disease" else "population"
            problems.append(Problem(f"trial.{field}", str(exc)))
    for i, arm in enumerate(arms):
        for k, item in enumerate(arm.regimen):
            try:
                agent = kb.agent(item.agent)
            except UnknownKeyError as exc:
                problems.append(Problem(f"arms[{i}].regimen[{k}].agent", str(exc)))
                continue
            if item.route not in agent.routes:
                problems.append(
                    Problem(
                        f"arms[{i}].regimen[{k}].route",
                        f"{item.agent} is not given {item.route} "
                        f"(label routes: {', '.join(agent.routes)})",
                    )
                )
    return problems


def applicable_endpoints(disease: str) -> tuple[str, ...]:
    """Endpoint codes that apply to ``disease`` (its knowledge-base record's ``endpoints``).

    Raises
    ------
    UnknownKeyError
        If the disease is not in the knowledge base.
    """
    from immunobalance.knowledge import load_knowledge_base

    return tuple(load_knowledge_base().disease(disease).endpoints)


def _check_applicability(info: TrialInfo | None, endpoints: EndpointSpec | None) -> list[Problem]:
    """A known endpoint code that the trial's disease does not use (PASI75 in lupus) is an error."""
    if info is None or endpoints is None:
        return []
    try:
        allowed = applicable_endpoints(info.disease)
    except UnknownKeyError:
        return []  # reported as trial.disease already
    return [
        Problem(
            f"endpoints.codes[{j}]",
            f"{code} does not apply to {info.disease} "
            f"(endpoints of this disease: {', '.join(allowed)})",
        )
        for j, code in enumerate(endpoints.codes)
        if code in ENDPOINT_CODES and code not in allowed
    ]


def load_trial_spec(path: Path | str, *, check_knowledge_base: bool = True) -> TrialSpec:
    """Read a spec from a ``.toml`` or ``.json`` file (or TOML/JSON text)."""
    text, name = _read_text(path)
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise InvalidSpecError([Problem(name, f"not valid TOML or JSON: {exc}")]) from exc
    return parse_trial_spec(data, source_text=text, check_knowledge_base=check_knowledge_base)


def _read_text(path: Path | str) -> tuple[str, str]:
    if isinstance(path, str) and ("\n" in path or path.lstrip().startswith(("{", "["))):
        return path, "<text>"
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8"), str(p)
    except OSError as exc:
        raise InvalidSpecError([Problem(str(p), f"cannot read file: {exc.strerror}")]) from exc
