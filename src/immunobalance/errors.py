"""Error types of immunobalance.

Every error subclasses both :class:`ImmunobalanceError` and the built-in it refines, so callers may
catch either. Input errors carry *every* problem found in one input, each with the location where
it was found (a JSON path such as ``observations[2].unit``), because a user fixing a record wants
the whole list at once, not one problem per attempt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class ImmunobalanceError(Exception):
    """Base class of all errors raised on purpose by immunobalance."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is and what is wrong with it.

    Parameters
    ----------
    path
        Location in the input, as a JSON path (``observations[2].unit``) or ``file:line``.
    message
        What was expected and what came, e.g. ``'mg/dl/h' is not a unit of CRP (expected
        mass/volume, e.g. mg/L)``.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidInputError(ImmunobalanceError, ValueError):
    """An input (record, spec, file, parameter) failed validation; lists every problem."""

    def __init__(self, problems: Iterable[Problem | str], *, what: str = "input") -> None:
        self.problems: list[Problem] = [
            p if isinstance(p, Problem) else Problem("", str(p)) for p in problems
        ]
        if not self.problems:
            raise ValueError("InvalidInputError needs at least one problem")
        self.what = what
        super().__init__(self._summary())

    def _summary(self) -> str:
        n = len(self.problems)
        head = f"{self.what} is invalid ({n} problem{'s' if n != 1 else ''}):"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])

    def as_dicts(self) -> list[dict[str, str]]:
        """The problems as ``[{"path": ..., "message": ...}]`` for JSON responses."""
        return [{"path": p.path, "message": p.message} for p in self.problems]


class InvalidRecordError(InvalidInputError):
    """A patient record (JSON, CSV or FHIR) failed validation."""

    def __init__(self, problems: Iterable[Problem | str], *, what: str = "patient record") -> None:
        super().__init__(problems, what=what)


class InvalidSpecError(InvalidInputError):
    """A trial specification or regimen failed validation."""

    def __init__(self, problems: Iterable[Problem | str], *, what: str = "trial spec") -> None:
        super().__init__(problems, what=what)


class UnknownKeyError(ImmunobalanceError, KeyError):
    """A key (agent, disease, population, biomarker) is not in the knowledge base.

    The message suggests the closest known keys, because most unknown keys are typos.
    """

    def __init__(self, kind: str, key: str, known: Sequence[str]) -> None:
        import difflib

        self.kind, self.key = kind, key
        self.suggestions = difflib.get_close_matches(key, list(known), n=3, cutoff=0.5)
        hint = (
            f"; did you mean {' or '.join(repr(s) for s in self.suggestions)}?"
            if (self.suggestions)
            else ""
        )
        self.message = f"unknown {kind} {key!r}{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class UnsupportedRegimenError(ImmunobalanceError, NotImplementedError):
    """A regimen asks for something the model cannot represent (e.g. a route an agent lacks)."""


class KnowledgeBaseError(ImmunobalanceError, RuntimeError):
    """The bundled knowledge base is inconsistent (a packaging or curation bug, not user input)."""


class CalibrationError(ImmunobalanceError, RuntimeError):
    """Calibration data are missing or do not match the model version."""
