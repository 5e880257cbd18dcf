"""Formula strings: the one language in which every model equation is written.

A formula is a Python expression over state, parameter and assignment names, numbers, the
operators ``+ - * / **`` and a small function set (:data:`FUNCTIONS`). It is parsed once with
:mod:`ast`, checked, and then *rendered* for each target: Python source for the numba kernel,
an SBML Level 3 infix string for ``libsbml.parseL3Formula``, and plain text for the docs. Because
every target is generated from the same tree, the simulator, the SBML export and the reference
documentation cannot disagree.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["FUNCTIONS", "Formula", "FormulaError"]

#: Functions a formula may call, with their arity and meaning (rendered into the docs).
FUNCTIONS: dict[str, tuple[int, str]] = {
    "hill": (3, "hill(x, k, n) = x^n / (k^n + x^n), 0 for x ≤ 0"),
    "exp": (1, "natural exponential"),
    "log": (1, "natural logarithm"),
    "sqrt": (1, "square root"),
    "pow": (2, "pow(a, b) = a^b"),
    "min": (2, "smaller of two values"),
    "max": (2, "larger of two values"),
}


class FormulaError(ValueError):
    """A formula string is not valid in the model's formula language."""


_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}


@dataclass(frozen=True)
class Formula:
    """A parsed, checked formula.

    Parameters
    ----------
    text
        The expression, e.g. ``"k_I * (drive - I)"``.
    """

    text: str

    def __post_init__(self) -> None:
        self.tree  # parse eagerly so a bad formula fails where it is declared  # noqa: B018

    @property
    def tree(self) -> ast.expr:
        try:
            node = ast.parse(self.text, mode="eval").body
        except SyntaxError as exc:
            raise FormulaError(f"{self.text!r} is not an expression: {exc.msg}") from None
        _check(node, self.text)
        return node

    def names(self) -> set[str]:
        """Every variable name the formula reads (functions excluded)."""
        out: set[str] = set()
        funcs: set[int] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                funcs.add(id(node.func))
            elif isinstance(node, ast.Name) and id(node) not in funcs:
                out.add(node.id)
        return out

    def render(
        self, target: str, rename: Callable[[str], str] | Mapping[str, str] | None = None
    ) -> str:
        """Render as ``"python"`` (numba kernel), ``"sbml"`` (L3 infix) or ``"text"`` (docs).

        ``rename`` maps variable names to the target's spelling (e.g. ``E1`` → ``y[0]``).
        """
        if rename is None:
            fn: Callable[[str], str] = lambda s: s  # noqa: E731
        elif callable(rename):
            fn = rename
        else:
            mapping = rename
            fn = lambda s: mapping.get(s, s)  # noqa: E731
        return _render(self.tree, target, fn)


def _check(node: ast.AST, text: str) -> None:
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise FormulaError(f"{text!r}: operator {type(node.op).__name__} is not allowed")
        _check(node.left, text)
        _check(node.right, text)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise FormulaError(f"{text!r}: unary {type(node.op).__name__} is not allowed")
        _check(node.operand, text)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = getattr(node.func, "id", "?")
            raise FormulaError(
                f"{text!r}: function {name!r} is not in the formula language "
                f"(allowed: {', '.join(sorted(FUNCTIONS))})"
            )
        arity = FUNCTIONS[node.func.id][0]
        if len(node.args) != arity or node.keywords:
            raise FormulaError(f"{text!r}: {node.func.id} takes {arity} positional arguments")
        for a in node.args:
            _check(a, text)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, int | float) or isinstance(node.value, bool):
            raise FormulaError(f"{text!r}: constant {node.value!r} is not a number")
    elif isinstance(node, ast.Name):
        if not node.id.isidentifier():
            raise FormulaError(f"{text!r}: bad name {node.id!r}")
    else:
        raise FormulaError(f"{text!r}: {type(node).__name__} is not allowed in a formula")


def _number(value: float, target: str) -> str:
    v = float(value)
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v)}.0" if target == "python" else str(int(v))
    return repr(v)


def _render(node: ast.AST, target: str, rename: Callable[[str], str]) -> str:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)
        return _number(float(node.value), target)
    if isinstance(node, ast.Name):
        return rename(node.id)
    if isinstance(node, ast.UnaryOp):
        inner = _render(node.operand, target, rename)
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return f"({sign}{inner})"
    if isinstance(node, ast.BinOp):
        op = _BINOPS[type(node.op)]
        left = _render(node.left, target, rename)
        right = _render(node.right, target, rename)
        if op == "**":
            if target == "sbml":
                return f"(({left})^({right}))"
            if target == "text":
                return f"{_paren(node.left, left, 4)}^{_paren(node.right, right, 5)}"
            return f"(({left}) ** ({right}))"
        if target == "text":
            prec = _PRECEDENCE[op]
            right_prec = prec + (1 if op in "-/" else 0)
            return f"{_paren(node.left, left, prec)} {op} {_paren(node.right, right, right_prec)}"
        return f"({left} {op} {right})"
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        args = [_render(a, target, rename) for a in node.args]
        if target == "python":
            py = {
                "hill": "_hill",
                "exp": "math.exp",
                "log": "math.log",
                "sqrt": "math.sqrt",
                "pow": "_pow",
                "min": "min",
                "max": "max",
            }[name]
            return f"{py}({', '.join(args)})"
        if target == "sbml" and name == "pow":
            return f"(({args[0]})^({args[1]}))"
        if target == "sbml" and name == "log":
            # parseL3Formula reads one-argument log as log10 by default: natural log is ln
            return f"ln({args[0]})"
        if target == "sbml" and name in ("min", "max"):
            return f"ib_{name}({', '.join(args)})"
        return f"{name}({', '.join(args)})"
    raise FormulaError(f"cannot render {ast.dump(node)}")


def _paren(node: ast.AST, text: str, prec: int) -> str:
    if isinstance(node, ast.BinOp):
        own = _PRECEDENCE[_BINOPS[type(node.op)]]
        if own < prec:
            return f"({text})"
    if isinstance(node, ast.UnaryOp) and prec > 1:
        return f"({text})"
    return text
