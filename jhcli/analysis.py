"""Values at points: exact evaluation of symbolic matrices, honest about undefined entries.

An entry is evaluated by *simultaneous* substitution (``xreplace``), never by ``subs`` one
variable at a time (which turns ``x/sqrt(x**2 + y**2)`` at the origin into ``0/|y| = 0``). An entry
is reported undefined when

* the function it was derived from is undefined there (``log(x)`` at 0),
* the simplified or the un-simplified derivative is undefined there (a ``0/0`` that cancelling
  would hide), or
* it contains a jump of a non-smooth function at its jump (``sign(x)`` from ``|x|`` at 0,
  ``Heaviside`` from ``max``/``relu``, ``floor`` at an integer): the derivative does not exist
  there, and SymPy's ``sign(0) = 0`` must not pass for one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sympy

from jhcli.calculus import cheap_simplify
from jhcli.limits import step
from jhcli.models import Entry, Status

_PRECISION = 30  # decimal digits used to decide reality and to produce the float view

# Functions that appear in derivatives of non-smooth functions, and where they come from: at a
# zero of their argument the derivative they stand for does not exist.
_KINKS: dict[Any, str] = {
    sympy.sign: "|.| or sign",
    sympy.Heaviside: "max, min or relu",
    sympy.DiracDelta: "|.| or sign",
}


def _is_undefined(value: sympy.Expr) -> bool:
    return bool(value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo))


def _jump_reason(expr: sympy.Expr, point: Mapping[sympy.Symbol, sympy.Expr]) -> str | None:
    """Why ``expr`` has no derivative value at ``point`` because of a jump, or None."""
    node: Any
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Derivative):
            inner = node.expr
            if isinstance(inner, (sympy.floor, sympy.ceiling)):
                if inner.args[0].xreplace(point).is_integer is not False:
                    return f"{inner} jumps at this point, so it has no derivative here"
                continue
            return f"the derivative {node} could not be evaluated"
        if isinstance(node, sympy.Subs):
            return f"the derivative {node} could not be evaluated"
        if node.func in _KINKS:
            arg = node.args[0]
            on_kink = arg.xreplace(point).is_zero
            if on_kink is None:
                return f"could not decide whether {arg} = 0 here, where {node.func} jumps"
            if on_kink:
                return f"not differentiable here: {arg} = 0 is a kink of {_KINKS[node.func]}"
    return None


def _replace_floor_derivatives(expr: sympy.Expr) -> sympy.Expr:
    """Derivatives of floor/ceiling are 0 away from their jumps (checked separately)."""
    return expr.replace(
        lambda n: isinstance(n, sympy.Derivative) and isinstance(n.expr, (sympy.floor, sympy.ceiling)),
        lambda n: sympy.S.Zero,
    )


def to_float(value: sympy.Expr) -> float | None:
    """A float view of an exact real number, or None when it is not a finite real float."""
    if value.free_symbols:
        return None  # a value that still holds parameters has no float view
    n = value.evalf(_PRECISION)
    if not n.is_real or not n.is_finite:
        return None
    result = float(n)
    if result in (float("inf"), float("-inf")):
        return None
    return result


def evaluate(
    expr: sympy.Expr,
    point: Mapping[sympy.Symbol, sympy.Expr],
    *,
    also_defined: Iterable[sympy.Expr] = (),
    simplify: bool = True,
) -> Entry:
    """The exact value of ``expr`` at ``point`` with its float view, or why there is none.

    ``also_defined`` are expressions that must be defined at the point for the value to mean
    anything (the function and the un-simplified derivative it came from).

    >>> x, y = sympy.symbols("x y", real=True)
    >>> evaluate(2*x, {x: sympy.Integer(2)})
    Entry(status=<Status.OK: 'ok'>, exact=4, numeric=4.0, reason='')
    >>> evaluate(x/sympy.sqrt(x**2 + y**2), {x: sympy.S.Zero, y: sympy.S.Zero}).status.value
    'undefined'
    """
    for source in (*also_defined, expr):
        reason = _undefined_reason(source, point)
        if reason is not None:
            return Entry(Status.UNDEFINED, None, None, reason)
    value = _replace_floor_derivatives(expr).xreplace(point)
    if simplify:
        value = cheap_simplify(value)
    if _is_real_value(value):
        return Entry(Status.OK, value, to_float(value))
    return Entry(Status.COMPLEX, sympy.expand_complex(value), None, "the value is not real")


def _undefined_reason(expr: sympy.Expr, point: Mapping[sympy.Symbol, sympy.Expr]) -> str | None:
    """Why ``expr`` has no real value at ``point``, or None when it has one (complex allowed)."""
    jump = _jump_reason(expr, point)
    if jump is not None:
        return jump
    if _is_undefined(_replace_floor_derivatives(expr).xreplace(point)):
        return f"{expr} is undefined at this point"
    return None


def _is_real_value(value: sympy.Expr) -> bool:
    if value.is_real is not None:
        return bool(value.is_real)
    n = value.evalf(_PRECISION)
    re, im = n.as_real_imag()
    return bool(abs(im) <= abs(re) * sympy.Float(10) ** (5 - _PRECISION) or im == 0)


def evaluate_matrix(
    matrix: sympy.MatrixBase,
    point: Mapping[sympy.Symbol, sympy.Expr],
    *,
    sources: Sequence[Sequence[Sequence[sympy.Expr]]] | None = None,
    simplify: bool = True,
) -> tuple[tuple[Entry, ...], ...]:
    """Evaluate every entry; ``sources[i][j]`` lists what must be defined for entry (i, j)."""
    with step("evaluating at a point"):
        return tuple(
            tuple(
                evaluate(
                    matrix[i, j],
                    point,
                    also_defined=sources[i][j] if sources else (),
                    simplify=simplify,
                )
                for j in range(matrix.cols)
            )
            for i in range(matrix.rows)
        )
