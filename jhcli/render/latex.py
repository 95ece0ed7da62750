"""LaTeX snippets for documents: display math that needs only ``amsmath``.

Every formula comes from SymPy's LaTeX printer; this module only places them in environments.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import sympy

from jhcli.models import (
    CheckReport,
    Classification,
    Command,
    Eigenvalue,
    Entry,
    PointResult,
    Quantity,
    Result,
    Status,
)
from jhcli.render import sparse as sp
from jhcli.render.common import (
    DEFAULT_DIGITS,
    LONG_EXACT,
    MATRIX_NAMES,
    chain_lines,
    check_cells,
    check_text,
    check_verdict,
    format_float,
    iterate_table,
    let_text,
    read_as,
    sstr,
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
    Command.NEWTON: "H",
    Command.MAP: "H",
    Command.PROFILE: "H",
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


_MATH_IN_TEXT = {
    "ᵀ": r"$^{\mathsf{T}}$",
    "⁻¹": r"$^{-1}$",
    "⁺": r"$^{+}$",
    "λ": r"$\lambda$",
    "≤": r"$\le$",
    "≠": r"$\ne$",
    "‖": r"$\|$",
    "≈": r"$\approx$",
    "½": r"$\tfrac12$",
    "²": r"$^2$",
    "∂": r"$\partial$",
}


def _greek(ch: str) -> str | None:
    """``\\alpha`` for α, ``\\Gamma`` for Γ, ``A`` for the capital alpha (no command); None if not Greek."""
    name = unicodedata.name(ch, "")
    if name == "GREEK SMALL LETTER FINAL SIGMA":
        return r"\varsigma"
    if not name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")) or len(name.split()) != 4:
        return None
    word = name.split()[-1].lower().replace("lamda", "lambda")
    if name.startswith("GREEK CAPITAL"):
        command = word.capitalize()
        return "\\" + command if command in _CAPITAL_COMMANDS else _CAPITAL_LATIN.get(word)
    return "o" if word == "omicron" else "\\" + word


_CAPITAL_COMMANDS = frozenset("Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split())
_CAPITAL_LATIN = dict(
    zip(
        "alpha beta epsilon zeta eta iota kappa mu nu omicron rho tau chi".split(),
        "ABEZHIKMNORTX",
        strict=True,
    )
)
_ASCII_MATH_IN_TEXT = {"<": "$<$", ">": "$>$", "|": r"$|$"}  # the text font has no < > | (OT1)
_OTHER_IN_TEXT = {
    "·": r"$\cdot$",
    "−": "-",
    "∇": r"$\nabla$",
    "∞": r"$\infty$",
    "≥": r"$\ge$",
    "×": r"$\times$",
}


def math_text_escape(text: str) -> str:
    """``text_escape`` plus the math symbols jh's sentences use, as inline math (pdflatex-safe).

    Greek letters (variable names) become ``$\\alpha$``; any other non-ASCII character becomes ``?``,
    so the text always compiles with pdflatex.
    """
    out = text_escape(text)
    for symbol, tex in {**_ASCII_MATH_IN_TEXT, **_MATH_IN_TEXT, **_OTHER_IN_TEXT}.items():
        out = out.replace(symbol, tex)
    if out.isascii():
        return out
    chars = []
    for ch in out:
        greek = _greek(ch) if not ch.isascii() else None
        chars.append(ch if ch.isascii() else f"${greek}$" if greek else "?")
    return "".join(chars)


def _ascii_math(tex: str) -> str:
    """Greek letters in SymPy's LaTeX (it prints a symbol named α as α) as commands, for pdflatex."""
    if tex.isascii():
        return tex
    return "".join(ch if ch.isascii() else "{" + (_greek(ch) or r"\text{?}") + "}" for ch in tex)


AMSMATH_MAX_COLUMNS = 10
"""amsmath's matrix environments take at most this many columns (its counter ``MaxMatrixCols``)."""

_DELIMITERS = {
    "bmatrix": ("[", "]"),
    "pmatrix": ("(", ")"),
    "vmatrix": ("|", "|"),
    "Bmatrix": (r"\{", r"\}"),
    "Vmatrix": (r"\|", r"\|"),
    "matrix": (".", "."),
}


def matrix_env(cells: str, columns: int, env: str) -> str:
    """``cells`` (``a & b \\\\ c & d``) in ``env``; wider than amsmath allows: ``array`` in its delimiters."""
    if columns <= AMSMATH_MAX_COLUMNS:
        return rf"\begin{{{env}}}{cells}\end{{{env}}}"
    left, right = _DELIMITERS.get(env, _DELIMITERS["bmatrix"])
    return rf"\left{left}\begin{{array}}{{{'c' * columns}}}{cells}\end{{array}}\right{right}"


def latex(expr: Any, env: str = "bmatrix") -> str:
    """SymPy's LaTeX for an expression or a matrix (in environment ``env``), ASCII only.

    A matrix with more columns than amsmath's environments take is an ``array`` in the same delimiters.
    """
    if isinstance(expr, sympy.MatrixBase):
        if expr.cols > AMSMATH_MAX_COLUMNS:
            cells = str(sympy.latex(expr, mat_str="array", mat_delim=""))
            cells = cells.removeprefix(rf"\begin{{array}}{{{'c' * expr.cols}}}").removesuffix(r"\end{array}")
            return _ascii_math(matrix_env(cells, expr.cols, env))
        return _ascii_math(str(sympy.latex(expr, mat_str=env, mat_delim="")))
    return _ascii_math(str(sympy.latex(expr)))


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


def _eigen_line(eigenvalues: tuple[Eigenvalue, ...], digits: int) -> str:
    parts = []
    for ev in eigenvalues:
        text = latex(ev.exact) if ev.exact is not None else r"\approx " + format_float(ev.numeric, digits)
        if ev.multiplicity > 1:
            text += rf"\ (\times {ev.multiplicity})"
        parts.append(text)
    return r",\ ".join(parts)


def _entry_symbol(result: Result, i: int, j: int) -> str:
    """``H_{1,2}``, ``(\nabla f)_{2,1}``: one entry, 1-based."""
    name = _SYMBOLS[result.kind]
    if "\\" in name or " " in name:
        name = f"({name})"
    return f"{name}_{{{i + 1},{j + 1}}}"


def _sparse_rows(result: Result, items: list[tuple[int, int, Any]]) -> list[str]:
    """``--sparse``: one aligned row per non-zero entry, then how many there are."""
    rows = [rf"{_entry_symbol(result, i, j)} &= {latex(value)}" for i, j, value in items]
    m = result.matrix
    count = f"{sp.count_line(len(items), m.rows, m.cols)}; indices from 1"
    return [*rows, rf"&\text{{{math_text_escape(count)}}}"]


def _point_rows(result: Result, point: PointResult, env: str, digits: int, sparse: bool = False) -> list[str]:
    name = _SYMBOLS[result.kind]
    if sparse:
        items = [(i, j, _entry_value(e)) for i, j, e in sp.point_nonzeros(point)]
        rows = [rf"&\text{{at }} {_at(point)}", *_sparse_rows(result, items)]
    else:
        values = sympy.Matrix([[_entry_value(e) for e in row] for row in point.values])
        rows = [rf"{name}\big|_{{{_at(point)}}} &= {latex(values, env)}"]
    if point.spectrum is not None:
        rows.append(rf"\lambda &= {_eigen_line(point.spectrum.eigenvalues, digits)}")
    if point.classification is not None:
        rows.append(_verdict(point.classification))
    if point.check is not None:
        rows += _check_rows(point.check, name, env)
    if point.newton is not None:
        rows += _newton_rows(point, env, digits)
    return rows


def _verdict(c: Classification) -> str:
    """The classification as one sentence in ``\\text``: the type, then the reason."""
    return rf"&\text{{{math_text_escape(c.type.value)}: {math_text_escape(c.reason)}}}"


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
    errors = matrix_env(cells, len(report.entries[0]) if report.entries else 1, env)
    tolerance = (
        rf"|{name} - {name}_{{\text{{fd}}}}| &\le {_number(f'{report.atol:g}')} + "
        rf"{_number(f'{report.rtol:g}')}\,|{name}| \text{{ per entry}}"
    )
    verdict = math_text_escape(check_verdict(report))
    return [rf"|{name} - {name}_{{\text{{fd}}}}| &= {errors}", tolerance, rf"&\text{{{verdict}}}"]


def _quantity(q: Quantity | None, digits: int) -> str:
    if q is None:
        return r"\text{none}"
    if q.exact is None:
        return r"\text{undefined}" if q.numeric is None else r"\approx " + format_float(q.numeric, digits)
    if q.exact.is_Integer or q.exact.is_Float or q.numeric is None:
        return latex(q.exact)
    if len(sstr(q.exact)) > LONG_EXACT:
        return r"\approx " + format_float(q.numeric, digits)
    return f"{latex(q.exact)} \\approx {format_float(q.numeric, digits)}"


def _column(values: Any, env: str, digits: int = DEFAULT_DIGITS) -> str:
    """``= column``; exact entries too long to read become decimals (``digits``) after ``\\approx``."""
    long = any(isinstance(v, sympy.Basic) and len(sstr(v)) > LONG_EXACT for v in values)
    shown = [sympy.Float(v.evalf(30), digits) if long and isinstance(v, sympy.Basic) else v for v in values]
    return ("\\approx " if long else "= ") + latex(sympy.Matrix([[v] for v in shown]), env)


def _newton_rows(point: PointResult, env: str, digits: int) -> list[str]:
    """g, d, the model and the gradient-descent quantities at one point of ``jh newton``."""
    n = point.newton
    assert n is not None
    rows = []
    if n.value is not None:
        rows.append(rf"f &= {_quantity(n.value, digits)}")
    if point.gradient is not None:
        rows.append(rf"g = \nabla f &{_column([_entry_value(e) for e in point.gradient], env)}")
    if n.problem or n.step is None or n.method is None:
        rows.append(rf"&\text{{no Newton step: {math_text_escape(n.problem or '')}}}")
        return rows
    inverse = "H^{-1}" if n.method.value == "newton" else "H^{+}"
    rows.append(rf"d = -{inverse} g &{_column(n.step, env, digits)}")
    rows.append(rf"x + d &{_column(n.next_point or (), env, digits)}")
    t = r"^{\mathsf{T}}"
    rows.append(rf"f + g{t} d + \tfrac12 d{t} H d &= {_quantity(n.model_value, digits)}")
    rows.append(rf"g{t} d + \tfrac12 d{t} H d &= {_quantity(n.predicted_change, digits)}")
    rows.append(rf"f(x + d) - f(x) &= {_quantity(n.actual_change, digits)}")
    rows.append(rf"\frac{{g{t} H g}}{{g{t} g}} &= {_quantity(n.curvature_along_gradient, digits)}")
    rows.append(rf"\alpha^* = \frac{{g{t} g}}{{g{t} H g}} &= {_quantity(n.line_search_step, digits)}")
    rows.append(rf"\frac{{2}}{{\lambda_{{\max}}}} &= {_quantity(n.stability_bound, digits)}")
    if n.escape_direction is not None:
        values = [sympy.Float(c, digits) if isinstance(c, float) else c for c in n.escape_direction]
        rows.append(rf"v_{{\text{{escape}}}} &{_column(values, env, digits)}")
    rows += [rf"&\text{{{math_text_escape(note)}}}" for note in n.notes]
    return rows


def iterates_tabular(result: Result, digits: int) -> str:
    """The iterates as a ``tabular`` (placed after the ``align*``)."""
    assert result.iteration is not None
    header, cells = iterate_table(result.iteration, [s.name for s in result.variables], digits)
    spec = "r" * (len(header) - 2) + "ll"
    lines = [
        rf"\begin{{tabular}}{{{spec}}}",
        " & ".join(rf"\texttt{{{math_text_escape(h)}}}" for h in header) + r" \\",
    ]
    lines.append(r"\hline")
    lines += [" & ".join(math_text_escape(c) for c in row) + r" \\" for row in cells]
    lines += [r"\end{tabular}", f"% {result.iteration.stop}"]  # a comment: unicode is harmless
    return "\n".join(lines)


def render_latex(
    result: Result,
    *,
    env: str = "bmatrix",
    digits: int = DEFAULT_DIGITS,
    bare: bool = False,
    symbolic: bool = True,
    sparse: bool = False,
    sparsity: bool = False,
) -> str:
    """The formulas as one ``align*`` body (``bare``: an ``aligned`` block for ``$$ ... $$``).

    ``symbolic=False`` leaves out the symbolic matrix when there are values at points;
    ``sparse`` lists the non-zero entries instead of the matrices; ``sparsity`` (without
    ``sparse``) puts the count of non-zero entries in place of the symbolic matrix.
    """
    name = _SYMBOLS[result.kind]
    rows = []
    if result.vector:
        vector = r"\mathbf{u}" if result.command is Command.VJP else r"\mathbf{v}"
        rows.append(f"{vector} &= {latex(sympy.Matrix(result.vector), env)}")
    for factor in result.factors:
        rows.append(f"{_FACTOR_SYMBOLS[factor.key]} &= {latex(factor.matrix, env)}")
    product = r" = J_f(g(x))\,J_g(x)" if result.factors else ""
    if (symbolic or not result.points) and sparse:
        m = result.matrix
        rows += _sparse_rows(result, [(i, j, m[i, j]) for i, j in sp.nonzero_positions(m)])
    elif sparsity:
        m = result.matrix
        count = sp.count_line(len(sp.nonzero_positions(m)), m.rows, m.cols)
        count += "; the pattern is in the comments above"
        rows.append(rf"{name}\colon &\ \text{{{math_text_escape(count)}}}")
    elif symbolic or not result.points:
        rows.append(f"{name}{product} &= {latex(result.matrix, env)}")
    if result.check is not None:
        rows.append(rf"&\text{{{math_text_escape(check_text(result.check))}}}")
    for point in result.points:
        rows += _point_rows(result, point, env, digits, sparse)
    for cp in result.critical_points or ():
        at = ", ".join(f"{latex(s)} = {latex(v)}" for s, v in cp.at)
        c = cp.classification
        rows.append(rf"{name}\big|_{{{at}}} &= {latex(cp.hessian, env)}")
        rows.append(rf"\lambda &= {_eigen_line(cp.spectrum.eigenvalues, digits)}")
        rows.append(_verdict(c))
    for family in result.families:
        c = family.classification
        words = f"{family.description}: {c.type.value}; {c.reason}"
        rows.append(rf"&\text{{{math_text_escape(words)}}}")
    body = " \\\\\n".join(rows)
    if bare:
        return "\\begin{aligned}\n" + body + "\n\\end{aligned}"
    return "\\begin{align*}\n" + body + "\n\\end{align*}"


def render(
    result: Result,
    *,
    latex_env: str = "bmatrix",
    digits: int = DEFAULT_DIGITS,
    symbolic: bool = True,
    sparse: bool = False,
    sparsity: bool = False,
    **options: Any,
) -> str:
    """A snippet for documents; ``sparsity`` adds the pattern as comment lines (LaTeX cannot draw it)."""
    title, _, layout = MATRIX_NAMES[result.kind]
    if result.command in (Command.MAP, Command.PROFILE):
        variables = ", ".join(s.name for s in result.variables)
        header = f"% jh {result.command.value}: {read_as(result)}; variables ({variables})"
        notes = [f"% note: {n}" for n in result.notes]
        return "\n".join([header, *_picture_latex(result, latex_env, digits), *notes]) + "\n"
    variables = ", ".join(s.name for s in result.variables)
    header = f"% jh {result.command.value}: {read_as(result)}; variables ({variables}); {layout}"
    if result.let:
        header += f"\n% let: {let_text(result)}"
    vector = vector_line(result)
    extra = [f"% {line}" for line in [*chain_lines(result), *([vector] if vector else [])]]
    notes = [f"% note: {n}" for n in result.notes]
    iterates = [iterates_tabular(result, digits)] if result.iteration is not None else []
    body = render_latex(
        result, env=latex_env, digits=digits, symbolic=symbolic, sparse=sparse, sparsity=sparsity
    )
    pattern = [f"% {line}" for line in sp.plain_lines(sp.result_pattern(result))] if sparsity else []
    return "\n".join([header, *extra, *pattern, body, *iterates, *notes]) + "\n"


def _picture_latex(result: Result, env: str, digits: int) -> list[str]:
    """``jh map``: the Hessian and the grid as comments; ``jh profile``: d, the model and a tabular."""
    from jhcli.render import pictures

    if result.profile is None:
        rows = [rf"H &= {latex(result.matrix, env)}"]
        grid = [f"% {line}" if line else "%" for line in pictures.to_plain(pictures.map_rows(result))]
        return [r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}", *grid]
    p = result.profile
    along = math_text_escape(pictures.ALONG.get(p.along, p.along))
    d = [sympy.Float(c, digits) if p.certainty.value == "numeric" else c for c in p.direction]
    rows = [
        rf"d &{_column(d, env, digits)} \quad \text{{(unit vector: {along}, {p.certainty.value})}}",
        rf"f(P) &= {_quantity(p.value, digits)}",
        rf"\nabla f^{{\top}} d &= {_quantity(p.slope, digits)}",
        rf"d^{{\top}} H d &= {_quantity(p.curvature, digits)}",
        r"q(t) &= f(P) + t\, \nabla f^{\top} d + \tfrac{t^2}{2}\, d^{\top} H d",
    ]
    header, cells = pictures.profile_table(p, digits)
    table = [r"\begin{tabular}{rrrr}", r"$t$ & $f(P + t d)$ & $q(t)$ & $f - q$ \\", r"\hline"]
    for t, f, q, (_, _, _, diff) in zip(p.t, p.f, p.model, cells, strict=True):
        table.append(f"${latex(t)}$ & ${_quantity(f, digits)}$ & ${_quantity(q, digits)}$ & ${diff}$ \\\\")
    return [r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}", *table, r"\end{tabular}"]


STANDALONE_PREAMBLE = r"""\documentclass{article}
\usepackage{amsmath}
\allowdisplaybreaks
\begin{document}
"""


def standalone(snippet: str) -> str:
    """``snippet`` (jh's LaTeX output) as a complete document that compiles with ``pdflatex`` as is.

    Only ``amsmath`` is loaded (in every TeX installation); the snippet is ASCII outside comments.
    """
    return STANDALONE_PREAMBLE + snippet.rstrip("\n") + "\n\\end{document}\n"
