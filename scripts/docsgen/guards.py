"""Guards: a page part that needs a module that has not landed yet is skipped, visibly.

A guard names a requirement ``"package.module"`` or ``"package.module:attribute"``. When the
requirement is met the guarded part runs (and must succeed); when it is not, the page shows an
admonition saying what is missing instead of output. Deleting a guard makes the requirement hard:
the build then fails if the part cannot run.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

#: ``# docs-guard: immunobalance.trials:run_trial`` in a tutorial script (one per line).
GUARD_LINE = re.compile(r"^#\s*docs-guard:\s*(?P<req>[\w.]+(?::[\w.]+)?)\s*$")


@dataclass(frozen=True)
class Requirement:
    """A module (and optionally an attribute of it) that a guarded part needs."""

    module: str
    attribute: str | None = None

    @classmethod
    def parse(cls, text: str) -> Requirement:
        module, _, attribute = text.strip().partition(":")
        if not re.fullmatch(r"[A-Za-z_][\w.]*", module) or (
            attribute and not re.fullmatch(r"[A-Za-z_][\w.]*", attribute)
        ):
            raise ValueError(f"guard {text!r} is not 'package.module' or 'package.module:name'")
        return cls(module, attribute or None)

    def __str__(self) -> str:
        return f"{self.module}:{self.attribute}" if self.attribute else self.module

    def dotted(self) -> str:
        return f"{self.module}.{self.attribute}" if self.attribute else self.module

    def is_met(self) -> bool:
        """True when the module imports and has the attribute.

        Only a *missing* module or attribute counts as unmet; any other error while importing
        is a real bug and propagates.
        """
        try:
            obj: object = importlib.import_module(self.module)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if self.module == missing or self.module.startswith(missing + "."):
                return False
            raise
        for part in (self.attribute or "").split("."):
            if not part:
                continue
            if not hasattr(obj, part):
                return False
            obj = getattr(obj, part)
        return True


def unmet(requirements: list[Requirement]) -> list[Requirement]:
    """The requirements that are not met, in order."""
    return [r for r in requirements if not r.is_met()]


def skipped_admonition(what: str, missing: list[Requirement]) -> str:
    """The visible note shown in place of a guarded part's output."""
    names = ", ".join(f"`{r.dotted()}`" for r in missing)
    return (
        f'!!! warning "Not executed in this build"\n\n'
        f"    This {what} needs {names}, which this version of immunobalance does not provide "
        "yet. The code is written against the documented interface and runs, with its output "
        "captured here, as soon as that part lands.\n"
    )
