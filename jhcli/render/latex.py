"""LaTeX snippets for documents: display math that needs only ``amsmath``.

Every formula comes from SymPy's LaTeX printer; this module only places them in environments.
"""

from __future__ import annotations

from typing import Any

import sympy

from jhcli.models import CheckReport, Command, Entry, PointResult, Result, Spectrum, Status
from jhcli.render.common import (
    DEFAULT_DIGITS,
    MATRIX_NAMES,
    chain_lines,
    check_cells,
    check_text,
    check_verdict,
    format_float,
    let_text,
    read_as,
    vector_line,
)

_UNDEFINED = sympy.Symbol(r"\text{undefined}")
_SYMBOLS = {
    Command.JACOBIAN: "J",
    Command.GRADIENT: r"\nabla f",
    Command.HESSIAN: "H",
    Command.CRITICAL: "H",
    Command.JVP: r"J\mathbf{v}",
    Command.VJP: r"J^{\top}\mathbf{u}",
    Command.HVP: r"H\mathbf{v}",
    Command.CHAIN: r"J_{f \circ g}",
}
_FACTOR_SYMBOLS = {
    "outer_intermediate": r"J_f",
    "outer": r"J_f(g(x))",
    "inner": r"J_g(x)",
}
_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def text_escape(text: str) -> str:
    """Plain words for ``\\text{...}``, with LaTeX's special characters escaped."""
    return "".join(_TEXT_ESCAPES.get(ch, ch) for ch in text)


def latex(expr: Any, env: str = "bmatrix") -> str:
    """SymPy's LaTeX for an expression or a matrix (in environment ``env``)."""
    if isinstance(expr, sympy.MatrixBase):
        return str(sympy.latex(expr, mat_str=env, mat_delim=""))
    return str(sympy.latex(expr))


def _entry_value(entry: Entry) -> sympy.Expr:
    if entry.status is Status.UNDEFINED or entry.exact is None:
        return _UNDEFINED
    return entry.exact


def _at(point: Any) -> str:
    if not point.at:
        return r"\text{every point}"
    names = ", ".join(latex(s) for s, _ in point.at)
    values = ", ".join(latex(v) for _, v in point.at)
    if len(point.at) == 1:
        return f"{names} = {values}"
    return f"({names}) = ({values})"


def _eigen_line(spectrum: Spectrum, digits: int) -> str:
    parts = []
    for ev in spectrum.eigenvalues:
        text = latex(ev.exact) if ev.exact is not None else r"\approx " + format_float(ev.numeric, digits)
        if ev.multiplicity > 1:
            text += rf"\ (\times {ev.multiplicity})"
        parts.append(text)
    return r",\ ".join(parts)


def _point_rows(result: Result, point: PointResult, env: str, digits: int) -> list[str]:
    name = _SYMBOLS[result.kind]
    values = sympy.Matrix([[_entry_value(e) for e in row] for row in point.values])
    rows = [rf"{name}\big|_{{{_at(point)}}} &= {latex(values, env)}"]
    if point.spectrum is not None:
        rows.append(rf"\lambda &= {_eigen_line(point.spectrum, digits)}")
    if point.classification is not None:
        c = point.classification
        rows.append(rf"&\text{{{text_escape(c.type.value)}: {text_escape(c.reason)}}}")
    if point.check is not None:
        rows += _check_rows(point.check, name, env)
    return rows


def _number(text: str) -> str:
    """``3.1e-14`` as ``3.1 \\times 10^{-14}``; ``n/a`` as text."""
    if text == "n/a":
        return r"\text{n/a}"
    mantissa, _, exponent = text.partition("e")
    if not exponent:
        return mantissa
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa} \times {power}"


def _check_rows(report: CheckReport, name: str, env: str) -> list[str]:
    """The absolute errors of the finite-difference check, the tolerance and the verdict."""
    cells = r" \\ ".join(" & ".join(_number(c) for c in row) for row in check_cells(report))
    errors = rf"\begin{{{env}}}{cells}\end{{{env}}}"
    tolerance = (
        rf"|{name} - {name}_{{\text{{fd}}}}| &\le {_number(f'{report.atol:g}')} + "
        rf"{_number(f'{report.rtol:g}')}\,|{name}| \text{{ per entry}}"
    )
    verdict = text_escape(check_verdict(report)).replace("≤", r"$\le$").replace(">", r"$>$")
    return [rf"|{name} - {name}_{{\text{{fd}}}}| &= {errors}", tolerance, rf"&\text{{{verdict}}}"]


def render_latex(
    result: Result, *, env: str = "bmatrix", digits: int = DEFAULT_DIGITS, bare: bool = False
) -> str:
    """The formulas as one ``align*`` body (``bare``: an ``aligned`` block for ``$$ ... $$``)."""
    name = _SYMBOLS[result.kind]
    rows = []
    if result.vector:
        vector = r"\mathbf{u}" if result.command is Command.VJP else r"\mathbf{v}"
        rows.append(f"{vector} &= {latex(sympy.Matrix(result.vector), env)}")
    for factor in result.factors:
        rows.append(f"{_FACTOR_SYMBOLS[factor.key]} &= {latex(factor.matrix, env)}")
    product = r" = J_f(g(x))\,J_g(x)" if result.factors else ""
    rows.append(f"{name}{product} &= {latex(result.matrix, env)}")
    if result.check is not None:
        rows.append(rf"&\text{{{text_escape(check_text(result.check))}}}")
    for point in result.points:
        rows += _point_rows(result, point, env, digits)
    for cp in result.critical_points or ():
        at = ", ".join(f"{latex(s)} = {latex(v)}" for s, v in cp.at)
        c = cp.classification
        rows.append(rf"{name}\big|_{{{at}}} &= {latex(cp.hessian, env)}")
        rows.append(rf"\lambda &= {_eigen_line(cp.spectrum, digits)}")
        rows.append(rf"&\text{{{text_escape(c.type.value)}: {text_escape(c.reason)}}}")
    for family in result.families:
        c = family.classification
        words = f"{family.description}: {c.type.value}; {c.reason}"
        rows.append(rf"&\text{{{text_escape(words)}}}")
    body = " \\\\\n".join(rows)
    if bare:
        return "\\begin{aligned}\n" + body + "\n\\end{aligned}"
    return "\\begin{align*}\n" + body + "\n\\end{align*}"


def render(
    result: Result, *, latex_env: str = "bmatrix", digits: int = DEFAULT_DIGITS, **options: Any
) -> str:
    title, _, layout = MATRIX_NAMES[result.kind]
    variables = ", ".join(s.name for s in result.variables)
    header = f"% jh {result.command.value}: {read_as(result)}; variables ({variables}); {layout}"
    if result.let:
        header += f"\n% let: {let_text(result)}"
    vector = vector_line(result)
    extra = [f"% {line}" for line in [*chain_lines(result), *([vector] if vector else [])]]
    notes = [f"% note: {n}" for n in result.notes]
    return "\n".join([header, *extra, render_latex(result, env=latex_env, digits=digits), *notes]) + "\n"
