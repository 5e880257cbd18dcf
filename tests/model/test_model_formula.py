"""The formula language: parsing, checks and the three renderings."""

from __future__ import annotations

import math

import pytest

from immunobalance.model._formula import Formula, FormulaError


def test_names_exclude_functions() -> None:
    assert Formula("k * hill(x, K, n) + max(a, b)").names() == {"k", "x", "K", "n", "a", "b"}


@pytest.mark.parametrize("bad", ["a if b else c", "foo(x)", "x == 1", "'s'", "a[0]", "hill(x, k)"])
def test_rejects_outside_language(bad: str) -> None:
    with pytest.raises(FormulaError):
        Formula(bad)


def test_python_render_evaluates_like_the_formula() -> None:
    f = Formula("k_T * (hill(a, 0.6, 3) * (1 + 0.6 ** 3) - E) + exp(-x) / max(y, 2)")
    env = {"k_T": 0.2, "a": 1.0, "E": 0.5, "x": 0.3, "y": 1.0}
    code = f.render("python")
    hill = lambda x, k, n: x**n / (k**n + x**n) if x > 0 else 0.0  # noqa: E731
    got = eval(code, {"_hill": hill, "math": math, "max": max}, env)
    expected = 0.2 * (1.0 - 0.5) + math.exp(-0.3) / 2.0
    assert got == pytest.approx(expected, rel=1e-14)


def test_sbml_render_uses_caret_and_function_definitions() -> None:
    import libsbml

    text = Formula("a ** 2 + min(b, c)").render("sbml")
    assert "^" in text and "ib_min(" in text
    assert libsbml.parseL3Formula(text) is not None


def test_sbml_log_is_natural() -> None:
    """libsbml's L3 parser reads log(x) as log10 by default; we must emit ln(x)."""
    import libsbml

    ast = libsbml.parseL3Formula(Formula("log(x)").render("sbml"))
    assert libsbml.formulaToL3String(ast) == "ln(x)"
