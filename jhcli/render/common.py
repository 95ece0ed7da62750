"""What every format shares: how expressions, numbers, labels and verdicts are written.

All formats carry the same facts; they differ only in markup. Expressions are printed with SymPy's
printers (``sstr`` below for text, ``sympy.latex`` for LaTeX) so that text output parses back with
jh's own grammar: Euler's number is written ``e`` (``exp(1)`` when a variable is called ``e``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sympy

from jhcli.models import (
    CheckEntry,
    CheckReport,
    Command,
    Entry,
    PointResult,
    Result,
    Status,
)

if TYPE_CHECKING:
    from jhcli.findings import ChainCheck, Iteration, Quantity, Spectrum
from jhcli.printing import sstr

DEFAULT_DIGITS = 6


def format_float(value: float, digits: int = DEFAULT_DIGITS) -> str:
    """A float with ``digits`` significant digits, without a spurious exponent or ``-0``."""
    text = f"{value:.{digits}g}"
    return "0" if text in ("-0", "0") else text


def is_plain_number(expr: sympy.Expr) -> bool:
    """True when the exact form already is its decimal form (an integer or a float)."""
    return bool(expr.is_Integer or expr.is_Float)


def entry_exact(entry: Entry) -> str:
    """The exact text of an evaluated entry: its value, ``undefined``, or a complex value."""
    if entry.status is Status.UNDEFINED or entry.exact is None:
        return "undefined"
    return sstr(entry.exact)


def entry_approx(entry: Entry, digits: int) -> str:
    """The decimal view of an entry (``undefined`` / ``not real`` where it has none)."""
    if entry.status is Status.UNDEFINED:
        return "undefined"
    if entry.status is Status.COMPLEX:
        return "not real"
    if entry.numeric is None:  # a value that still holds parameters
        return entry_exact(entry)
    return format_float(entry.numeric, digits)


def needs_decimal_view(point: PointResult) -> bool:
    """Whether any real entry is not an integer, so a decimal view adds information."""
    return any(
        e.numeric is not None and e.exact is not None and not is_plain_number(e.exact)
        for row in point.values
        for e in row
    )


WIDE_EXACT = 120
"""Width of a row of exact values beyond which text formats show only the decimal view."""
EXACT_IN_JSON = "(decimal view; the exact values are in -f json)"


def exact_too_wide(point: PointResult) -> bool:
    """Whether the exact values at a point make a row too wide to read (then: decimals only)."""
    return needs_decimal_view(point) and any(
        sum(len(entry_exact(e)) + 2 for e in row) > WIDE_EXACT for row in point.values
    )


def names(symbols: Sequence[sympy.Symbol]) -> list[str]:
    return [s.name for s in symbols]


def assignments(at: Sequence[tuple[sympy.Symbol, sympy.Expr]]) -> str:
    """``x = 1, y = 0``: a critical point's coordinates."""
    return ", ".join(f"{s.name} = {sstr(v)}" for s, v in at)


def point_label(point: PointResult) -> str:
    """``(x, y) = (2, 3)``, or ``x = 2`` for one variable; ``every point`` for a constant matrix."""
    if not point.at:
        return "every point (the matrix is constant)"
    keys = [s.name for s, _ in point.at]
    values = [sstr(v) for _, v in point.at]
    if len(keys) == 1:
        return f"{keys[0]} = {values[0]}"
    return f"({', '.join(keys)}) = ({', '.join(values)})"


MATRIX_NAMES = {
    Command.JACOBIAN: ("Jacobian", "J", "rows: functions, columns: variables"),
    Command.GRADIENT: ("gradient", "∇f", "a column, one row per variable"),
    Command.HESSIAN: ("Hessian", "H", "rows and columns: variables"),
    Command.CRITICAL: ("Hessian", "H", "rows and columns: variables"),
    Command.JVP: ("J·v", "J·v", "a column, one row per function"),
    Command.VJP: ("uᵀJ", "uᵀJ", "as a column, one row per variable"),
    Command.HVP: ("H·v", "H·v", "a column, one row per variable"),
    Command.CHAIN: (
        "product J_outer(inner(x))·J_inner(x)",
        "J",
        "rows: functions, columns: variables",
    ),
    Command.NEWTON: ("Hessian", "H", "rows and columns: variables"),
    Command.MAP: ("Hessian", "H", "rows and columns: variables"),
    Command.PROFILE: ("Hessian", "H", "rows and columns: variables"),
}


def matrix_title(result: Result) -> str:
    name, _, layout = MATRIX_NAMES[result.kind]
    return f"{name} ({layout})"


def row_labels(result: Result) -> list[str]:
    """Labels of the matrix rows: the functions for a Jacobian (and J·v), the variables otherwise."""
    if result.kind in (Command.JACOBIAN, Command.JVP):
        return [sstr(f) for f in result.functions]
    if result.command is Command.CHAIN:
        return [sstr(f) for f in result.composed]
    return names(result.variables)


_COLUMN_LABELS = {Command.GRADIENT: "∂f", Command.JVP: "J·v", Command.VJP: "uᵀJ", Command.HVP: "H·v"}


def column_labels(result: Result) -> list[str]:
    if result.kind in _COLUMN_LABELS:
        return [_COLUMN_LABELS[result.kind]]
    return names(result.variables)


def vector_line(result: Result) -> str | None:
    """``v: (1, 0)`` for J·v and H·v, ``u: (1, 1)`` for uᵀJ; None for other commands."""
    if result.command not in (Command.JVP, Command.VJP, Command.HVP):
        return None
    name = "u" if result.command is Command.VJP else "v"
    return f"{name}: ({', '.join(sstr(c) for c in result.vector)})"


def chain_lines(result: Result) -> list[str]:
    """The chain rule's inner functions and the composition, as ``key: value`` lines."""
    if result.command is not Command.CHAIN:
        return []
    return [
        "with: " + ", ".join(f"{s.name} = {sstr(e)}" for s, e in result.bindings),
        "composed: " + ", ".join(sstr(f) for f in result.composed),
    ]


def factor_labels(result: Result, key: str) -> tuple[list[str], list[str]]:
    """Row and column labels of a chain-rule factor."""
    intermediates = [s.name for s, _ in result.bindings]
    if key == "inner":
        return intermediates, names(result.variables)
    return [sstr(f) for f in result.functions], intermediates


def check_text(check: ChainCheck) -> str:
    """One line on whether the chain-rule product equals the Jacobian of the composition."""
    if check.equal is None:
        return f"check: not done ({check.detail})"
    kind = check.certainty.value
    if check.tolerance is not None:
        kind += f", tolerance {check.tolerance:g}"
    verdict = "equals" if check.equal else "differs from"
    return f"check: the product {verdict} the Jacobian of the composed function ({kind}): {check.detail}"


def entry_name(result: Result, i: int, j: int) -> str:
    """A readable name of entry (i, j): ``∂f2/∂y``, ``∂²f/∂x∂y``, ``∂f/∂x``."""
    v = result.variables
    if result.kind is Command.JVP:
        return "D_v f" if len(result.functions) == 1 else f"D_v f{i + 1}"
    if result.kind is Command.VJP:
        return f"∂(u·f)/∂{v[i].name}"
    if result.kind is Command.HVP:
        return f"∂(∇f·v)/∂{v[i].name}"
    if result.kind in (Command.JACOBIAN, Command.CHAIN):
        label = "f" if len(result.functions) == 1 else f"f{i + 1}"
        return f"∂{label}/∂{v[j].name}"
    if result.kind is Command.GRADIENT:
        return f"∂f/∂{v[i].name}"
    if i == j:
        return f"∂²f/∂{v[i].name}²"
    return f"∂²f/∂{v[i].name}∂{v[j].name}"


def completeness_text(result: Result) -> str:
    """Whether a critical-point search is known to have found every point."""
    return "every real critical point is listed" if result.complete else "the list may be incomplete"


def read_as(result: Result) -> str:
    """How the input was understood, e.g. ``x**2 + y, x*y``."""
    return ", ".join(sstr(f) for f in result.functions)


def value_text(value: Any) -> str:
    """A scalar, vector or matrix value in jh's input syntax: ``[1/2, 3]``, ``[[1, 2], [3, 4]]``."""
    if isinstance(value, sympy.MatrixBase):
        if value.cols == 1:
            return "[" + ", ".join(sstr(e) for e in value) + "]"
        return "[" + ", ".join(value_text(value[i, :].T) for i in range(value.rows)) + "]"
    return sstr(value)


def let_text(result: Result) -> str:
    """``W = [[1, 2], [3, 4]]; b = [1, 0]``: the names bound with --let, '' when there are none."""
    return "; ".join(f"{name} = {value_text(value)}" for name, value in result.let)


def eigenvalue_text(value: Any, digits: int) -> str:
    if value.exact is not None:
        exact = sstr(value.exact)
        if value.exact.is_Integer:
            return exact
        return f"{exact} ≈ {format_float(value.numeric, digits)}"
    return f"≈ {format_float(value.numeric, digits)}"


def spectrum_lines(spectrum: Spectrum, digits: int) -> list[str]:
    """The eigen-analysis as ``key: value`` lines (shared by the text formats)."""
    values = []
    for ev in spectrum.eigenvalues:
        text = eigenvalue_text(ev, digits)
        if ev.multiplicity > 1:
            text += f" (multiplicity {ev.multiplicity})"
        values.append(text)
    inertia = spectrum.inertia
    lines = [
        "eigenvalues: " + ", ".join(values),
        f"determinant: {sstr(spectrum.determinant)}",
        f"trace: {sstr(spectrum.trace)}",
        f"inertia: {inertia.positive} positive, {inertia.negative} negative, {inertia.zero} zero",
        f"condition number: {condition_text(spectrum.condition_number, digits)}",
    ]
    for ev in spectrum.eigenvalues:
        for vec in ev.vectors:
            lines.append(
                f"eigenvector for {eigenvalue_text(ev, digits)}: ({', '.join(sstr(c) for c in vec)})"
            )
    if spectrum.certainty.value == "numeric":
        lines.append(f"(numeric, tolerance {spectrum.tolerance:g})")
    lines.extend(f"reading: {r}" for r in spectrum.readings)
    return lines


def condition_text(kappa: Any, digits: int) -> str:
    if kappa == sympy.oo:
        return "∞ (singular)"
    if isinstance(kappa, sympy.Basic) and kappa.is_Integer:
        return sstr(kappa)
    exact = sstr(kappa) if isinstance(kappa, sympy.Basic) and not kappa.is_Float else None
    approx = format_float(float(kappa), digits)
    return f"{exact} ≈ {approx}" if exact else approx


def condition_float(kappa: Any) -> float | None:
    """κ as a JSON number; None (null) when the matrix is singular."""
    if kappa == sympy.oo:
        return None
    return float(kappa)


def undefined_warnings(result: Result) -> list[str]:
    """One line per entry that is undefined or not real at some point: where, which, and why.

    For ``newton`` also a point where f or its gradient has no value (while the Hessian shown
    does), and iterates that stopped at such a point.
    """
    out = [
        f"{entry_name(result, i, j)} at {point_label(p)}: {e.reason}"
        for p in result.points
        for i, j, e in p.undefined
    ]
    for p in result.points:
        if p.newton is not None and p.newton.problem and not p.undefined:
            out.append(f"Newton step at {point_label(p)}: {p.newton.problem}")
    if result.iteration is not None and result.iteration.failed:
        out.append(f"iterates: {result.iteration.stop}")
    return out


# --- jh newton ---------------------------------------------------------------------------------


LONG_EXACT = 80
"""Exact values of ``jh newton`` longer than this are shown by their decimal view in text formats."""
SEE_JSON = "(exact form: -f json)"


def quantity_text(q: Quantity | None, digits: int, missing: str = "none") -> str:
    """``-93/11 ≈ -8.45455``; an integer alone; ``≈ 0.19`` when only a numeric value is known."""
    if q is None:
        return missing
    if q.exact is None:
        return "undefined" if q.numeric is None else f"≈ {format_float(q.numeric, digits)}"
    exact = sstr(q.exact)
    if is_plain_number(q.exact) or q.numeric is None:
        return exact
    if len(exact) > LONG_EXACT:
        return f"≈ {format_float(q.numeric, digits)} {SEE_JSON}"
    return f"{exact} ≈ {format_float(q.numeric, digits)}"


def vector_text(values: Sequence[Any], digits: int) -> str:
    """``(-1/11, -14/11) ≈ (-0.0909091, -1.27273)``: exact, then a decimal view if it adds one."""
    exact = (
        "("
        + ", ".join(sstr(v) if not isinstance(v, float) else format_float(v, digits) for v in values)
        + ")"
    )
    exprs = [v for v in values if isinstance(v, sympy.Basic)]
    if all(is_plain_number(v) for v in exprs) or any(v.free_symbols for v in exprs):
        return exact
    floats = [float(v) if isinstance(v, float) else float(v.evalf(30)) for v in values]
    approx = "≈ (" + ", ".join(format_float(v, digits) for v in floats) + ")"
    if any(len(sstr(v)) > LONG_EXACT for v in exprs):
        return f"{approx} {SEE_JSON}"
    return f"{exact} {approx}"


def newton_sections(point: PointResult, digits: int) -> list[tuple[str, list[str]]]:
    """The sections of one point of ``jh newton`` as (title, lines), except the Hessian's matrix.

    Titles: "" (the value of f), gradient, Hessian (its spectrum lines), Newton step, quadratic
    model, gradient descent, escape direction, notes.
    """
    n = point.newton
    assert n is not None
    sections: list[tuple[str, list[str]]] = []
    if n.value is not None:
        sections.append(("", [f"f = {quantity_text(n.value, digits)}"]))
    if point.gradient is not None:
        sections.append(("gradient", ["g = (" + ", ".join(entry_exact(e) for e in point.gradient) + ")"]))
    sections.append(("Hessian", spectrum_lines(point.spectrum, digits) if point.spectrum is not None else []))
    if n.problem:
        sections.append(("Newton step", [f"not computed: {n.problem}"]))
        return sections
    assert n.step is not None and n.next_point is not None and n.method is not None
    formula = "-H⁻¹g" if n.method.value == "newton" else "-H⁺g (pseudo-inverse)"
    sections.append(
        (
            "Newton step",
            [
                f"d = {formula} = {vector_text(n.step, digits)}",
                f"x + d = {vector_text(n.next_point, digits)}",
            ],
        )
    )
    sections.append(
        (
            "quadratic model",
            [
                f"model value f + gᵀd + ½dᵀHd = {quantity_text(n.model_value, digits)}",
                f"predicted change gᵀd + ½dᵀHd = {quantity_text(n.predicted_change, digits)}",
                f"actual change f(x + d) - f(x) = {quantity_text(n.actual_change, digits, 'undefined')}",
            ],
        )
    )
    sections.append(
        (
            "gradient descent",
            [
                "curvature along the gradient gᵀHg/gᵀg = "
                + quantity_text(n.curvature_along_gradient, digits),
                f"exact line-search step gᵀg/gᵀHg = {quantity_text(n.line_search_step, digits)}",
                f"stability bound 2/λmax = {quantity_text(n.stability_bound, digits)}",
            ],
        )
    )
    if n.escape_direction is not None:
        escape = [f"v = {vector_text(n.escape_direction, digits)}"]
    else:
        escape = ["none: H has no negative eigenvalue"]
    sections.append(("escape direction", escape))
    notes = list(n.notes)
    if n.certainty.value == "numeric":
        notes.append(f"decisions are numeric (relative tolerance {n.tolerance:g})")
    sections.append(("notes", notes))
    return sections


def iterate_table(
    iteration: Iteration, variables: Sequence[str], digits: int
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the table of iterates (decimal views; JSON has the exact values)."""
    header = ["k", *variables, "f", "‖g‖", "step", "certainty"]
    rows = []
    for it in iteration.iterates:
        rows.append(
            [
                str(it.k),
                *(short_number(c, digits) for c in it.x),
                "undefined" if it.f is None else short_number(it.f.exact, digits),
                "undefined" if it.gradient_norm is None else format_float(it.gradient_norm, digits),
                "-" if it.step_method is None else it.step_method.value,
                it.certainty.value,
            ]
        )
    return header, rows


def short_number(value: Any, digits: int) -> str:
    """A short exact rational as it is (``-6/5``), anything longer as a decimal."""
    if value is None:
        return "undefined"
    if isinstance(value, sympy.Rational) and len(sstr(value)) <= 12:
        return sstr(value)
    number = float(value.evalf(30)) if isinstance(value, sympy.Basic) else float(value)
    return format_float(number, digits)


# The finite-difference check (--check, jh check) ----------------------------------------------
CHECK_TITLE = "finite-difference check"
_VALUE_DIGITS = 12  # enough digits to see where a symbolic value and its estimate differ


def error_text(value: float | None) -> str:
    """An error with two significant digits (``3.1e-14``); ``n/a`` when it could not be computed."""
    return "n/a" if value is None else format_float(value, 2)


def check_cells(report: CheckReport) -> list[list[str]]:
    """The absolute error of every entry, as text."""
    return [[error_text(e.abs_error) for e in row] for row in report.entries]


def check_tolerance(report: CheckReport) -> str:
    return f"|symbolic - finite difference| ≤ {report.atol:g} + {report.rtol:g}·|symbolic| per entry"


def check_summary(report: CheckReport) -> str:
    rel = error_text(report.max_rel_error)
    if report.max_rel_error is None and report.max_abs_error is not None:
        rel += " (every symbolic value compared is 0)"
    return f"max abs error: {error_text(report.max_abs_error)}; max rel error: {rel}"


def _disagreement(entry: CheckEntry) -> str:
    """Why one entry does not agree."""
    if entry.symbolic is None or entry.finite_difference is None:
        return entry.note or "no value to compare"
    text = (
        f"symbolic {format_float(entry.symbolic, _VALUE_DIGITS)} vs finite difference "
        f"{format_float(entry.finite_difference, _VALUE_DIGITS)} (abs error {error_text(entry.abs_error)} "
        f"> tolerance {error_text(entry.tolerance)})"
    )
    return f"{text}; {entry.note}" if entry.note else text


def check_verdict(report: CheckReport, result: Result | None = None) -> str:
    """``check: agree (...)`` or ``check: DISAGREE at entry (1, 2) ∂f1/∂y: ...``.

    Without ``result`` the entry is named by its position only (for LaTeX, which has no ``∂``).
    """
    if report.agree:
        return f"check: agree (max abs error {error_text(report.max_abs_error)} ≤ tolerance)"
    bad = report.disagreements
    i, j, entry = bad[0]
    name = f" {entry_name(result, i, j)}" if result is not None else ""
    more = (
        f"; {len(bad) - 1} more {'entry disagrees' if len(bad) == 2 else 'entries disagree'}"
        if len(bad) > 1
        else ""
    )
    return f"check: DISAGREE at entry ({i + 1}, {j + 1}){name}: {_disagreement(entry)}{more}"


def check_lines(report: CheckReport, result: Result | None = None) -> list[str]:
    """The report after its matrix of errors: summary, tolerance, verdict (the last line)."""
    return [check_summary(report), f"tolerance: {check_tolerance(report)}", check_verdict(report, result)]


def check_warnings(result: Result) -> list[str]:
    """One line per point where the finite-difference check disagrees."""
    out = []
    for point in result.points:
        if point.check is not None and not point.check.agree:
            verdict = check_verdict(point.check, result).removeprefix("check: DISAGREE ")
            out.append(f"the finite-difference check disagrees at {point_label(point)}, {verdict}")
    return out
