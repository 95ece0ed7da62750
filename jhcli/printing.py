"""Expressions as text in jh's own input syntax, so that every exact value printed parses back.

SymPy's str printer writes Euler's number as ``E``, which jh's grammar reads as a variable; here it
is ``e`` (``exp(1)`` when a variable is called ``e``). Floats are written in their shortest form.
"""

from __future__ import annotations

import math
from typing import Any

import sympy
from sympy.printing.str import StrPrinter


class _JhStrPrinter(StrPrinter):
    """SymPy's str printer, with Euler's number written the way jh reads it back."""

    def _print_Exp1(self, expr: Any) -> str:
        return "exp(1)" if self._settings.get("e_is_variable") else "e"

    def _print_Float(self, expr: Any) -> str:
        # The shortest text that reads back as the same double: 0.2, not 0.200000000000000.
        value = float(expr)
        return repr(value) if math.isfinite(value) else str(super()._print_Float(expr))


_STR_DEFAULTS = dict(StrPrinter._default_settings, e_is_variable=False)
_JhStrPrinter._default_settings = _STR_DEFAULTS


def sstr(expr: Any) -> str:
    """An expression in jh's input syntax.

    >>> x = sympy.Symbol("x", real=True)
    >>> sstr(sympy.exp(1) * x + sympy.Float(0.2))
    'e*x + 0.2'
    """
    if not isinstance(expr, sympy.Basic):
        return str(expr)
    if expr.is_Integer:  # what the printer writes, without building one (10**6 zeros of a big Hessian)
        return str(expr.p)
    e_is_variable = any(s.name == "e" for s in expr.free_symbols)
    return str(_JhStrPrinter({"e_is_variable": e_is_variable}).doprint(expr))


def matrix_texts(matrix: sympy.MatrixBase) -> list[list[str]]:
    """Every entry of a matrix as ``sstr`` text, row by row.

    Reads the entries in one pass (``tolist``; indexing ``matrix[i, j]`` costs microseconds per
    entry), and prints each entry object once: a Hessian of 1,000 variables is mostly zeros
    (one shared ``S.Zero``), and its mirrored entries are the same objects.
    """
    texts: dict[int, str] = {id(sympy.S.Zero): "0"}  # by identity: a symmetric entry is printed once
    rows = matrix.tolist()
    for row in rows:
        for e in row:
            if id(e) not in texts:
                texts[id(e)] = sstr(e)
    return [[texts[id(e)] for e in row] for row in rows]
