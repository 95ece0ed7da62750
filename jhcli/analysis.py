"""Values at points: exact evaluation of symbolic matrices, honest about undefined entries.

An entry is evaluated by *simultaneous* substitution (``xreplace``), never by ``subs`` one
variable at a time (which turns ``x/sqrt(x**2 + y**2)`` at the origin into ``0/|y| = 0``). An entry
is reported undefined when

* the function it was derived from is undefined there (``log(x)`` at 0),
* the simplified or the un-simplified derivative is undefined there (a ``0/0`` that cancelling
  would hide), or
* it sits on a kink of a non-smooth function (``sign(x)`` from ``|x|`` at 0, ``Heaviside`` from
  ``max``/``relu``, ``floor`` at an integer) and the one-sided derivatives there differ.

At a kink SymPy's formula gives ``sign(0) = 0``, which must not pass for a derivative. jh decides
instead with a theorem a student can check: if f is continuous at p along the line through p in
direction x_j, differentiable on both sides near p, and the derivative formula has one-sided
limits L- and L+ there, then the one-sided derivatives of f at p are L- and L+ (mean value
theorem). So the partial derivative exists exactly when L- = L+ (``x*|x|`` at 0: both 0), and is
undefined otherwise (``|x|`` at 0: -1 and 1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from jhcli import progress
from jhcli.calculus import cheap_simplify
from jhcli.errors import LimitError
from jhcli.limits import current_limits, limit_note, step
from jhcli.models import Entry, Status
from jhcli.printing import sstr

_PRECISION = 30  # decimal digits used to decide reality and to produce the float view

# Functions that appear in derivatives of non-smooth functions, and where they come from: at a
# zero of their argument the derivative they stand for does not exist.
_KINKS: dict[Any, str] = {
    sympy.sign: "|.| or sign",
    sympy.Heaviside: "max, min or relu",
    sympy.DiracDelta: "a jump of sign or Heaviside",
}


def _is_undefined(value: sympy.Expr | None) -> bool:
    return value is None or bool(value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo))


# Nodes that need more than a substitution: kinks (see _KINKS) and derivatives SymPy left unevaluated.
_DELICATE = (sympy.sign, sympy.Heaviside, sympy.DiracDelta, sympy.Derivative, sympy.Subs)


def _is_delicate(expr: sympy.Expr) -> bool:
    """True when ``expr`` holds a kink or an unevaluated derivative; otherwise its value at a point
    is a plain substitution (checked once per entry, so that smooth entries skip the kink search)."""
    return bool(expr.has(*_DELICATE))


def _substituted(expr: sympy.Expr, point: Mapping[Any, Any], delicate: bool = True) -> sympy.Expr | None:
    """``expr`` at ``point``; None where SymPy refuses the value (``Max(1, zoo)`` is no number)."""
    try:
        return (_replace_floor_derivatives(expr) if delicate else expr).xreplace(point)
    except (ValueError, TypeError):
        return None


class _Memo:
    """What one evaluation of a matrix at one point has learnt about expressions met more than
    once: the function (a source of every entry) and gradient entries (a source of a whole row)."""

    def __init__(self) -> None:
        self.problems: dict[sympy.Expr, Entry | None] = {}
        self.values: dict[sympy.Expr, sympy.Expr | None] = {}
        self.delicate: dict[sympy.Expr, bool] = {}
        self.entries: dict[tuple[sympy.Expr, bool], Entry | None] = {}

    def substituted(self, expr: sympy.Expr, point: Mapping[Any, Any], delicate: bool) -> sympy.Expr | None:
        if expr not in self.values:
            self.values[expr] = _substituted(expr, point, delicate)
        return self.values[expr]

    def is_delicate(self, expr: sympy.Expr) -> bool:
        known = self.delicate.get(expr)
        if known is None:
            known = self.delicate[expr] = _is_delicate(expr)
        return known

    def entry(self, value: sympy.Expr, simplify: bool) -> Entry | None:
        """The entry of an exact value (None when it is undefined), worked out once per value: a
        symmetric matrix holds most of its values twice, and structured ones many times."""
        key = (value, simplify)
        if key not in self.entries:
            self.entries[key] = _value_entry(value, simplify)
        return self.entries[key]


@dataclass(frozen=True)
class Origin:
    """Where a matrix entry comes from: it is d(parent)/d(var).

    ``parent_origin`` is set when the parent is itself a derivative (a gradient entry, for a
    Hessian entry), so that its value at a kink is decided the same way. ``direction`` is set
    (and ``var`` is None) for a directional derivative d/dt parent(p + t·direction) at t = 0, such
    as an entry of J·v; its kinks are decided along the line through p in that direction.
    """

    parent: sympy.Expr
    var: sympy.Symbol | None
    parent_origin: Origin | None = None
    direction: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()

    def line(
        self, point: Mapping[sympy.Symbol, sympy.Expr], t: sympy.Symbol
    ) -> dict[sympy.Symbol, sympy.Expr]:
        """The line through ``point`` along which this derivative is taken."""
        if self.direction:
            offsets = dict(self.direction)
            return {v: value + t * offsets.get(v, sympy.S.Zero) for v, value in point.items()}
        return {v: value + t if v == self.var else value for v, value in point.items()}

    @property
    def along(self) -> str:
        """``in x``, or ``along v = (1, 2)``: how a message names the line."""
        if self.direction:
            return "along v = (" + ", ".join(sstr(c) for _, c in self.direction) + ")"
        return f"in {self.var}"


def _kink_nodes(expr: sympy.Expr) -> list[Any]:
    return [n for n in sympy.preorder_traversal(expr) if n.func in _KINKS or isinstance(n, sympy.Derivative)]


def _kink(expr: sympy.Expr, point: Mapping[sympy.Symbol, sympy.Expr]) -> str | None:
    """Why SymPy's formula for ``expr`` cannot be trusted at ``point``, or None when it can.

    The formula fails on a kink (``sign``, ``Heaviside``, ``DiracDelta`` at a zero of their
    argument, the derivative of ``floor``/``ceiling`` at an integer) and wherever SymPy left a
    derivative unevaluated.
    """
    node: Any
    delta = None  # DiracDelta comes with the sign or Heaviside it differentiates: name those first
    for node in sympy.preorder_traversal(expr):
        if node.func is sympy.DiracDelta:
            if delta is None and node.args[0].xreplace(point).is_zero is not False:
                delta = f"{node.args[0]} = 0 is {_KINKS[sympy.DiracDelta]}"
            continue
        if isinstance(node, sympy.Derivative):
            inner = node.expr
            if isinstance(inner, (sympy.floor, sympy.ceiling)):
                if inner.args[0].xreplace(point).is_integer is not False:
                    return f"{inner} jumps here"
                continue
            return f"the derivative {node} could not be evaluated"
        if isinstance(node, sympy.Subs):
            return f"the derivative {node} could not be evaluated"
        if node.func in _KINKS:
            arg = node.args[0]
            on_kink = arg.xreplace(point).is_zero
            if on_kink is None:
                return f"could not decide whether {arg} = 0 here"
            if on_kink:
                return f"{arg} = 0 is a kink of {_KINKS[node.func]}"
    return delta


def _on_line(expr: sympy.Expr, line: Mapping[sympy.Symbol, sympy.Expr], t: sympy.Symbol) -> sympy.Expr | None:
    """``expr`` restricted to the line, valid for small t != 0; None if a kink covers the line.

    Off the kink, DiracDelta is 0 and so is the derivative of floor/ceiling; if a kink's argument
    vanishes along the whole line, SymPy's formula is not valid anywhere near p on it.
    """
    for node in _kink_nodes(expr):
        arg = node.expr.args[0] if isinstance(node, sympy.Derivative) else node.args[0]
        if isinstance(node, sympy.Derivative) and not isinstance(node.expr, (sympy.floor, sympy.ceiling)):
            return None
        if not arg.xreplace(line).has(t):
            if arg.xreplace(line).is_zero is not False or isinstance(node, sympy.Derivative):
                return None
    restricted = _replace_floor_derivatives(expr).replace(lambda n: n.func is sympy.DiracDelta, lambda n: 0)
    return restricted.xreplace(line)


def _check_size(value: sympy.Expr) -> None:
    """Refuse a value with an exact number too long to print (Python caps int-to-text at 4300 digits)."""
    limit = current_limits().value_digits
    for atom in value.atoms(sympy.Rational):
        digits = max(abs(int(atom.p)).bit_length(), int(atom.q).bit_length()) * 0.30103
        if digits > limit:
            raise LimitError(
                f"a value at this point has about {digits:.0f} digits ({limit_note('value-digits')}; "
                "or evaluate at a point with smaller numbers)"
            )


def _function_value(function: sympy.Expr, point: Mapping[sympy.Symbol, sympy.Expr]) -> Entry:
    """The value of a function (not a derivative) at a point: kinks need no special care."""
    value = function.xreplace(point)
    if _is_undefined(value) or not _is_real_value(value):
        return Entry(Status.UNDEFINED, None, None, f"{function} has no real value here")
    return Entry(Status.OK, value, to_float(value))


def _one_sided(expr: sympy.Expr, t: sympy.Symbol, side: str) -> sympy.Expr | None:
    try:
        value = sympy.limit(expr, t, 0, side)
    except (NotImplementedError, ValueError, TypeError, AttributeError):
        return None
    if _is_undefined(value) or value.has(sympy.AccumBounds, sympy.Limit):
        return None
    return value


def _at_kink(
    expr: sympy.Expr, point: Mapping[sympy.Symbol, sympy.Expr], origin: Origin, kink: str, simplify: bool
) -> Entry:
    """Decide the derivative ``expr`` = d(parent)/d(var) at a kink by one-sided limits."""
    parent, along = origin.parent, origin.along
    if origin.parent_origin is not None:
        parent_value = evaluate(parent, point, origin=origin.parent_origin, simplify=simplify)
        if parent_value.status is not Status.OK or parent_value.exact is None:
            reason = f"the first derivative {parent} does not exist here, so neither does this one"
            return Entry(Status.UNDEFINED, None, None, reason)
    else:  # the function itself: its value at a kink is what its formula says (|0| = 0)
        parent_value = _function_value(parent, point)
        if parent_value.status is not Status.OK or parent_value.exact is None:
            return Entry(Status.UNDEFINED, None, None, f"{parent} is undefined at this point")
    t = sympy.Dummy("t", real=True)
    line = origin.line(point, t)
    undecided = Entry(
        Status.UNDEFINED, None, None, f"could not decide whether the derivative exists ({kink})"
    )
    parent_line = _on_line(parent, line, t)
    expr_line = _on_line(expr, line, t)
    if parent_line is None or expr_line is None:
        return Entry(
            Status.UNDEFINED, None, None, f"not differentiable here: {kink} along the whole line {along}"
        )
    sides: dict[str, sympy.Expr] = {}
    with step("deciding differentiability at a kink"):
        for side in ("-", "+"):
            near = _one_sided(parent_line, t, side)
            slope = _one_sided(expr_line, t, side)
            if near is None or slope is None:
                return undecided
            if sympy.simplify(near - parent_value.exact) != 0:
                return Entry(Status.UNDEFINED, None, None, f"not differentiable here: {parent} jumps {along}")
            sides[side] = slope
        same = sympy.simplify(sides["+"] - sides["-"])
    if same == 0:
        value = cheap_simplify(sides["+"]) if simplify else sides["+"]
        return Entry(Status.OK, value, to_float(value), "")
    if same.is_zero is False:
        reason = (
            f"not differentiable here: {kink}, and the one-sided derivatives {along} "
            f"are {sstr(sides['-'])} and {sstr(sides['+'])}"
        )
        return Entry(Status.UNDEFINED, None, None, reason)
    return undecided


def _replace_floor_derivatives(expr: sympy.Expr) -> sympy.Expr:
    """Derivatives of floor/ceiling are 0 away from their jumps (checked separately)."""
    return expr.replace(
        lambda n: isinstance(n, sympy.Derivative) and isinstance(n.expr, (sympy.floor, sympy.ceiling)),
        lambda n: sympy.S.Zero,
    )


def to_float(value: sympy.Expr) -> float | None:
    """A float view of an exact real number, or None when it is not a finite real float."""
    if value.is_Integer and abs(value.p) < 2**53:
        return float(value.p)  # exact, as the general path below gives
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
    origin: Origin | None = None,
    simplify: bool = True,
) -> Entry:
    """The exact value of ``expr`` at ``point`` with its float view, or why there is none.

    ``also_defined`` are expressions that must be defined at the point for the value to mean
    anything (the function and the un-simplified derivative it came from). ``origin`` says which
    derivative ``expr`` is, so that a kink can be decided by one-sided limits; without it a
    kink makes the value undefined.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> zero = {x: sympy.S.Zero, y: sympy.S.Zero}
    >>> evaluate(2*x, {x: sympy.Integer(2)})
    Entry(status=<Status.OK: 'ok'>, exact=4, numeric=4.0, reason='')
    >>> evaluate(x/sympy.sqrt(x**2 + y**2), zero).reason
    'x/sqrt(x**2 + y**2) is undefined at this point'
    >>> evaluate(sympy.sign(x), zero, origin=Origin(abs(x), x)).reason
    'not differentiable here: x = 0 is a kink of |.| or sign, and the one-sided derivatives in x are -1 and 1'
    >>> evaluate(2*abs(x), zero, origin=Origin(x*abs(x), x)).exact
    0
    """
    return _evaluate(expr, point, also_defined, origin, simplify, _Memo())


def _source_problem(
    source: sympy.Expr, point: Mapping[sympy.Symbol, sympy.Expr], memo: _Memo
) -> Entry | None:
    """Why ``source`` (which must be defined for an entry to mean anything) is not, or None."""
    if source in memo.problems:
        return memo.problems[source]
    delicate = memo.is_delicate(source)
    problem = None
    unevaluated = _kink(source, point) if delicate else None
    if unevaluated is not None and unevaluated.startswith("the derivative"):
        problem = Entry(Status.UNDEFINED, None, None, f"not decided here: {unevaluated}")
    elif _is_undefined(memo.substituted(source, point, delicate)):
        problem = Entry(Status.UNDEFINED, None, None, f"{source} is undefined at this point")
    memo.problems[source] = problem
    return problem


_ZERO = Entry(Status.OK, sympy.S.Zero, 0.0)  # an exact zero entry at any point where its sources are defined


def _evaluate(
    expr: sympy.Expr,
    point: Mapping[sympy.Symbol, sympy.Expr],
    also_defined: Iterable[sympy.Expr],
    origin: Origin | None,
    simplify: bool,
    memo: _Memo,
) -> Entry:
    for source in also_defined:
        if source.is_Rational:
            continue  # a rational number is defined everywhere
        problem = _source_problem(source, point, memo)
        if problem is not None:
            return problem
    if expr is sympy.S.Zero:
        return _ZERO
    delicate = memo.is_delicate(expr)
    kink = _kink(expr, point) if delicate else None
    if kink is not None:
        if origin is None:
            return Entry(Status.UNDEFINED, None, None, f"not differentiable here: {kink}")
        return _at_kink(expr, point, origin, kink, simplify)
    value = memo.substituted(expr, point, delicate)
    entry = None if value is None else memo.entry(value, simplify)
    if entry is None:
        return Entry(Status.UNDEFINED, None, None, f"{expr} is undefined at this point")
    return entry


def _value_entry(value: sympy.Expr, simplify: bool) -> Entry | None:
    """The entry of an exact value at a point; None when it is undefined."""
    if _is_undefined(value):
        return None
    _check_size(value)
    if simplify:
        value = cheap_simplify(value)
    if _is_real_value(value):
        return Entry(Status.OK, value, to_float(value))
    return Entry(Status.COMPLEX, sympy.expand_complex(value), None, "the value is not real")


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
    origins: Sequence[Sequence[Origin | None]] | None = None,
    simplify: bool = True,
) -> tuple[tuple[Entry, ...], ...]:
    """Evaluate every entry; ``sources[i][j]`` must be defined for entry (i, j), which is the
    derivative ``origins[i][j]``."""
    memo = _Memo()
    rows = []
    with step("evaluating at a point"), progress.task("evaluating at a point", matrix.rows) as advance:
        for i in range(matrix.rows):
            rows.append(
                tuple(
                    _evaluate(
                        matrix[i, j],
                        point,
                        sources[i][j] if sources else (),
                        origins[i][j] if origins else None,
                        simplify,
                        memo,
                    )
                    for j in range(matrix.cols)
                )
            )
            advance()
    return tuple(rows)


def evaluate_derivatives(
    matrix: sympy.MatrixBase,
    raw: sympy.MatrixBase,
    point: Mapping[sympy.Symbol, sympy.Expr],
    *,
    needs: Callable[[int], Sequence[sympy.Expr]],
    origin: Callable[[int, int], Origin],
    simplify: bool = True,
) -> tuple[tuple[Entry, ...], ...]:
    """Evaluate a derivative matrix: entry (i, j) is ``origin(i, j)``, and it means something only
    where ``needs(i)`` (the function it comes from) and its raw form ``raw[i, j]`` are defined.

    The same as ``evaluate_matrix`` with ``sources[i][j] = [*needs(i), raw[i, j]]``, visiting only
    the non-zero entries: a zero entry (in both forms) is 0 wherever its row's sources are defined.
    """
    memo = _Memo()
    shown = {k: v for k, v in matrix.todok().items() if v != 0}
    raw_entries = shown if raw is matrix else {k: v for k, v in raw.todok().items() if v != 0}
    by_row: dict[int, set[int]] = {}
    for i, j in [*shown, *raw_entries]:
        by_row.setdefault(i, set()).add(j)
    rows = []
    zero = sympy.S.Zero
    with step("evaluating at a point"), progress.task("evaluating at a point", matrix.rows) as advance:
        for i in range(matrix.rows):
            row_needs = needs(i)
            problem = None
            for source in row_needs:
                if not source.is_Rational:
                    problem = _source_problem(source, point, memo)
                    if problem is not None:
                        break
            row = [problem or _ZERO] * matrix.cols
            for j in sorted(by_row.get(i, ())):
                row[j] = _evaluate(
                    shown.get((i, j), zero),
                    point,
                    [*row_needs, raw_entries.get((i, j), zero)],
                    origin(i, j),
                    simplify,
                    memo,
                )
            rows.append(tuple(row))
            advance()
    return tuple(rows)
