"""Code generation (``--emit``): a Jacobian, gradient or Hessian as a function in another language.

Pure: a ``Result`` (SymPy) in, source text out. The expressions are printed by SymPy's own code
printers (``PythonCodePrinter``, ``NumPyPrinter``, ``JaxPrinter``, ``C99CodePrinter``, ``latex``)
after ``sympy.cse`` has pulled out the subexpressions the entries share. This module only

- chooses names: a variable or parameter whose name is not a valid identifier in the target, or is
  a keyword or a name the generated code itself uses (``lambda``, ``if``, ``double``, ``exp`` in C,
  ``math`` in Python, ...), gets a trailing ``_`` (non-ASCII letters become ``uXXXX`` in C), and the
  docstring lists every renaming;
- lays out the function: variables first (Python: positional arguments in variable order; C: the
  array ``x``), then the parameters (symbols that are not variables; Python: keyword-only
  arguments; C: ``double`` arguments between ``x`` and ``out``), then the result matrix
  (Python: nested lists; NumPy/JAX: an array of shape (m, n) + the broadcast shape of the inputs;
  C: ``out``, row-major).

The few printer methods overridden here make the output valid and vectorised where SymPy's default
is not: ``erf`` in NumPy (``math.erf`` is scalar-only: wrapped in ``numpy.vectorize``) and JAX
(``jax.scipy.special.erf``), and ``sign`` in C (SymPy prints an ``int`` expression; here a
``double``, so that ``sign(x)/sign(y)`` is not an integer division).
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import sympy
from sympy.printing.c import C99CodePrinter, get_math_macros
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import PythonCodePrinter

from jhcli.errors import MathError, UsageError
from jhcli.limits import step
from jhcli.models import Command, Result
from jhcli.parsing import natural_key
from jhcli.printing import sstr
from jhcli.render import EMIT_TARGETS

_LAYOUT = {  # title, LaTeX symbol, layout
    Command.JACOBIAN: (
        "Jacobian",
        "J",
        "J[i][j] = d f[i] / d v[j]: rows are functions, columns are variables",
    ),
    Command.GRADIENT: ("gradient", r"\nabla f", "g[j][0] = d f / d v[j]: a column, one row per variable"),
    Command.HESSIAN: (
        "Hessian",
        "H",
        "H[i][j] = d2 f / d v[i] d v[j]: symmetric, rows and columns are variables",
    ),
}

_PYTHON_MODULES = {"math", "numpy", "functools", "jax"}
_C_KEYWORDS = set(
    "auto break case char const continue default do double else enum extern float for goto if inline int "
    "long register restrict return short signed sizeof static struct switch typedef union unsigned void "
    "volatile while bool true false".split()
)
# <math.h>: every function it declares (a parameter of that name would hide the function) and the
# object-like macros (a parameter of that name would be replaced by the preprocessor).
_C_MATH = set(
    "acos acosh asin asinh atan atan2 atanh cbrt ceil copysign cos cosh erf erfc exp exp2 expm1 fabs fdim "
    "floor fma fmax fmin fmod frexp hypot ilogb ldexp lgamma llrint llround log log10 log1p log2 logb lrint "
    "lround modf nan nearbyint nextafter nexttoward pow remainder remquo rint round scalbln scalbn sin sinh "
    "sqrt tan tanh tgamma trunc j0 j1 jn y0 y1 yn gamma signgam drem finite significand isinf isnan "
    "INFINITY NAN HUGE_VAL HUGE_VALF HUGE_VALL MATH_ERRNO MATH_ERREXCEPT math_errhandling DOMAIN SING "
    "OVERFLOW UNDERFLOW TLOSS PLOSS X_TLOSS".split()
)
_C_MACRO = re.compile(r"(M|FP)_\w*")


def _heaviside(printer: Any, expr: Any, module: str) -> str:
    """``numpy.heaviside(x, 1/2)``: one call instead of SymPy's ``select`` over three cases."""
    x, h0 = (printer._print(a) for a in expr.args)
    return f"{printer._module_format(module + '.heaviside')}({x}, {h0})"


class _NumPyPrinter(NumPyPrinter):
    """SymPy's NumPy printer with ``erf`` vectorised (NumPy has none; SciPy is not required)."""

    def _print_erf(self, expr: Any) -> str:
        vectorize, erf = self._module_format("numpy.vectorize"), self._module_format("math.erf")
        return f"{vectorize}({erf}, otypes=[float])({self._print(expr.args[0])})"

    def _print_Heaviside(self, expr: Any) -> str:
        return _heaviside(self, expr, "numpy")


def _jax_printer() -> Any:
    try:
        from sympy.printing.numpy import JaxPrinter
    except ImportError:  # SymPy < 1.13
        raise UsageError(
            f"--emit jax needs SymPy >= 1.13 (JaxPrinter); this is {sympy.__version__}"
        ) from None

    class _JaxPrinter(JaxPrinter):
        """SymPy's JAX printer with ``erf`` from ``jax.scipy.special`` (``math.erf`` cannot trace)."""

        def _print_erf(self, expr: Any) -> str:
            return f"{self._module_format('jax.scipy.special.erf')}({self._print(expr.args[0])})"

        def _print_Heaviside(self, expr: Any) -> str:
            return _heaviside(self, expr, "jax.numpy")

    return _JaxPrinter()


class _CPrinter(C99CodePrinter):
    """SymPy's C99 printer with ``sign`` as a ``double`` (SymPy's is an ``int`` expression)."""

    def _print_sign(self, expr: Any) -> str:
        return f"((double)({super()._print_sign(expr)}))"


def _identifier(name: str, ascii_only: bool) -> str:
    """``name`` with every character that cannot be part of an identifier replaced (``θ`` -> ``u03b8``)."""

    def ok(ch: str) -> bool:
        if ascii_only:
            return ch.isascii() and (ch.isalnum() or ch == "_")
        return f"a{ch}".isidentifier() and unicodedata.normalize("NFKC", ch) == ch

    out = "".join(ch if ok(ch) else f"u{ord(ch):04x}" for ch in name)
    return out if out and (out[0].isalpha() and ok(out[0])) else f"v{out}"


def _rename(symbols: Sequence[sympy.Symbol], reserved: set[str], ascii_only: bool) -> dict[sympy.Symbol, str]:
    """A safe, distinct name for each symbol: its own when it is one, else a variant ending in ``_``.

    ``ascii_only`` (C): also avoid the macro families of ``<math.h>`` (``M_PI``, ``FP_NAN``, ...).
    """

    def taken(name: str) -> bool:
        return name in reserved or (ascii_only and _C_MACRO.fullmatch(name) is not None)

    names: dict[sympy.Symbol, str] = {}
    for s in symbols:  # names that are fine keep them, and the renamed ones must avoid them
        if _identifier(s.name, ascii_only) == s.name and not taken(s.name):
            names[s] = s.name
    used = set(names.values())
    for s in symbols:
        if s not in names:
            candidate = _identifier(s.name, ascii_only)
            while candidate == s.name or candidate in used or candidate in reserved:
                candidate += "_"
            names[s] = candidate
            used.add(candidate)
    return names


def parameters(result: Result) -> list[sympy.Symbol]:
    """The symbols of the functions that are not variables, in natural order (``a``, ``w2``, ``w10``)."""
    symbols: set[sympy.Symbol] = set(result.matrix.free_symbols)
    for f in result.functions:
        symbols |= f.free_symbols
    return sorted(symbols - set(result.variables), key=natural_key)


def emit(result: Result, target: str, *, latex_env: str = "bmatrix") -> str:
    """Source text of a function that computes ``result.matrix`` in ``target`` (see ``EMIT_TARGETS``).

    >>> import jhcli
    >>> print(emit(jhcli.gradient("x**2*y"), "python"), end="")
    def gradient(x, y):
        \"\"\"The gradient of f at one point (generated by jh --emit).
    <BLANKLINE>
        g[j][0] = d f / d v[j]: a column, one row per variable.
          f = x**2*y
          variables v = (x, y): positional arguments, in this order
        Returns a list of 2 rows of 1 number each.
        \"\"\"
        return [
            [2*x*y],
            [x**2],
        ]
    """
    if result.kind not in _LAYOUT:
        raise UsageError(f"--emit works with jacobian, gradient and hessian, not {result.kind.value}")
    if target not in EMIT_TARGETS:
        raise UsageError(f"unknown --emit target {target!r}; choose one of {', '.join(EMIT_TARGETS)}")
    if target == "latex":
        return _latex(result, latex_env)
    if target == "c":
        return _c(result)
    printer: Any = {"python": PythonCodePrinter, "numpy": _NumPyPrinter}.get(target, _jax_printer)()
    return _python(result, target, printer)


def _cse(
    entries: Sequence[sympy.Expr], prefix: str
) -> tuple[list[tuple[sympy.Symbol, sympy.Expr]], list[Any]]:
    with step("eliminating common subexpressions"):
        temps, reduced = sympy.cse(list(entries), symbols=sympy.numbered_symbols(prefix, real=True))
    return temps, reduced


def _print_all(printer: Any, exprs: Sequence[sympy.Expr], target: str) -> list[str]:
    with step("printing the code"):
        try:
            return [printer.doprint(e) for e in exprs]
        except PrintMethodNotImplementedError as e:
            what = str(e).splitlines()[0].replace("Unsupported by ", "")
            raise MathError(f"cannot write this result as {target} code: {what}") from None


def _doc(
    result: Result, target: str, variables: str, params: str, returns: str, renamed: list[str]
) -> list[str]:
    """The documentation lines shared by every target (without comment markers)."""
    title, _, layout = _LAYOUT[result.kind]
    fs = result.functions
    lines = [f"The {title} of f at one point (generated by jh --emit).", "", f"{layout}."]
    if len(fs) == 1:
        lines.append(f"  f = {sstr(fs[0])}")
    else:
        lines += [f"  f[{i}] = {sstr(f)}" for i, f in enumerate(fs)]
    lines.append(f"  variables v = {variables}")
    lines += [f"  parameters: {params}"] if params else []
    lines += [f"  renamed for {target}: {', '.join(renamed)}"] if renamed else []
    lines += returns.splitlines()
    lines += [f"Note: {note}." for note in result.notes]
    return lines


def _renamed(symbols: Sequence[sympy.Symbol], names: dict[sympy.Symbol, str]) -> list[str]:
    return [f"{s.name} -> {names[s]}" for s in symbols if names[s] != s.name]


def _python(result: Result, target: str, printer: Any) -> str:
    """Python (``math``), NumPy or JAX: one ``def`` with a docstring, after the imports it needs."""
    name = result.kind.value
    variables, params = list(result.variables), parameters(result)
    reserved = set(keyword.kwlist) | set(getattr(keyword, "softkwlist", ())) | set(dir(builtins))
    reserved |= _PYTHON_MODULES | set(printer.reserved_words) | {name}
    names = _rename([*variables, *params], reserved, ascii_only=False)
    matrix = result.matrix.xreplace({s: sympy.Symbol(names[s], real=True) for s in names})
    temps, reduced = _cse(list(matrix), "_t")
    texts = _print_all(printer, [e for _, e in temps] + reduced, target)
    body = [f"{s} = {text}" for (s, _), text in zip(temps, texts, strict=False)]
    entries = texts[len(temps) :]
    m, n = matrix.shape
    rows = [", ".join(entries[i * n : (i + 1) * n]) for i in range(m)]
    if target == "python":
        body += ["return [", *[f"    [{row}]," for row in rows], "]"]
        returns = f"Returns a list of {m} row{'s' * (m != 1)} of {n} number{'s' * (n != 1)} each."
    else:
        np = "numpy" if target == "numpy" else "jax.numpy"
        body += [f"_entries = {np}.broadcast_arrays(", *[f"    {row}," for row in rows], ")"]
        # JAX computes in float32 unless its x64 mode is on: take its default float, say which.
        dtype = "float" if target == "numpy" else "jax.numpy.result_type(float)"
        body.append(f"return {np}.array(_entries, dtype={dtype}).reshape(({m}, {n}) + _entries[0].shape)")
        returns = (
            f"Returns an array of shape ({m}, {n}) of floats; array arguments are broadcast together\n"
            f"to one shape S and the result then has shape ({m}, {n}) + S."
        )
        if target == "jax":
            returns += (
                "\nThe floats are JAX's default: float32 (about 7 digits) unless\n"
                'jax.config.update("jax_enable_x64", True) was called first, then float64.'
            )
        printer._module_format(f"{np}.array")  # make sure the module is imported
    args = ", ".join(names[v] for v in variables)
    if params:
        args += ", *, " + ", ".join(names[p] for p in params)
    doc = _doc(
        result,
        target,
        f"({', '.join(names[v] for v in variables)}): positional arguments, in this order",
        ", ".join(names[p] for p in params) + " (keyword-only arguments)" if params else "",
        returns,
        _renamed([*variables, *params], names),
    )
    imports = [f"import {module}" for module in sorted(printer.module_imports)]
    docstring = ['    """' + doc[0], *[f"    {line}".rstrip() for line in doc[1:]], '    """']
    lines = [*imports, *([""] * 2 if imports else []), f"def {name}({args}):", *docstring]
    return "\n".join([*lines, *[f"    {line}" for line in body]]) + "\n"


def _c(result: Result) -> str:
    """C99: ``void jh_<command>(const double *x, <double parameters>, double *out)``."""
    name = f"jh_{result.kind.value}"
    variables, params = list(result.variables), parameters(result)
    printer = _CPrinter()
    reserved = _C_KEYWORDS | _C_MATH | set(printer.reserved_words) | {"x", "out", name}
    names = _rename(params, reserved, ascii_only=True)
    swap = {v: sympy.Symbol(f"x[{j}]", real=True) for j, v in enumerate(variables)}
    swap |= {p: sympy.Symbol(names[p], real=True) for p in params}
    matrix = result.matrix.xreplace(swap)
    temps, reduced = _cse(list(matrix), "_t")
    texts = [re.sub(r"\s*\n\s*", " ", t) for t in _print_all(printer, [e for _, e in temps] + reduced, "C")]
    body = [f"const double {s} = {text};" for (s, _), text in zip(temps, texts, strict=False)]
    body += [f"out[{k}] = {text};" for k, text in enumerate(texts[len(temps) :])]
    m, n = matrix.shape
    inputs = ", ".join(f"x[{j}] = {v.name}" for j, v in enumerate(variables))
    doc = _doc(
        result,
        "C",
        f"x[0 .. {len(variables) - 1}]: {inputs}",
        ", ".join(names[p] for p in params) + " (double arguments after x, before out)" if params else "",
        f"Writes the {m} x {n} matrix to out[0 .. {m * n - 1}], row-major: out[i*{n} + j] = entry [i][j].",
        _renamed(params, names),
    )
    signature = ", ".join(["const double *x", *[f"double {names[p]}" for p in params], "double *out"])
    comment = ["/*", *[f" * {line}".rstrip().replace("*/", "* /") for line in doc], " */"]
    lines = ["#include <math.h>", "", *_c_constants(body), *comment, f"void {name}({signature})", "{"]
    return "\n".join([*lines, *[f"    {line}" for line in body], "}"]) + "\n"


def _c_constants(body: Sequence[str]) -> list[str]:
    """Definitions of the ``M_PI``-style constants the code uses: strict ISO C's <math.h> has none."""
    values: dict[str, sympy.Expr] = {}
    for expr, macro in get_math_macros().items():
        values.setdefault(macro, expr)
    used = sorted(set(re.findall(r"\bM_[0-9A-Z_]+\b", "\n".join(body))) & set(values))
    lines = []
    for macro in used:
        digits = sympy.N(values[macro].rewrite(sympy.log), 21)
        lines += [f"#ifndef {macro}", f"#define {macro} {digits}", "#endif"]
    return [*lines, ""] if lines else []


def _latex(result: Result, env: str) -> str:
    """An ``align*`` with the shared subexpressions ``t_{k}`` first, then the matrix in terms of them."""
    from jhcli.render.common import let_text, read_as
    from jhcli.render.latex import latex

    title, symbol, layout = _LAYOUT[result.kind]
    taken = {s.name for s in result.matrix.free_symbols}
    prefix = next(
        p for p in ("t", "s", "u", "w", "tau", "xi", "q") if not any(n.startswith(p) for n in taken)
    )
    temps, reduced = _cse(list(result.matrix), prefix + "_")
    matrix = sympy.Matrix(*result.matrix.shape, reduced)
    show: Callable[[Any], str] = latex
    with step("printing the code"):
        rows = [f"{show(s)} &= {show(e)}" for s, e in temps]
        rows.append(f"{symbol} &= {latex(matrix, env)}")
    variables = ", ".join(s.name for s in result.variables)
    header = [f"% jh {result.command.value}: {read_as(result)}; variables ({variables}); {layout}"]
    if result.let:
        header.append(f"% let: {let_text(result)}")
    if temps:
        header.append(f"% {', '.join(sstr(s) for s, _ in temps)}: common subexpressions of the {title}")
    notes = [f"% note: {note}" for note in result.notes]
    body = ["\\begin{align*}", " \\\\\n".join(rows), "\\end{align*}"]
    return "\n".join([*header, *body, *notes]) + "\n"
