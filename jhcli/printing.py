"""Expressions as text in jh's own input syntax, so that every exact value printed parses back.

SymPy's str printer writes Euler's number as ``E``, which jh's grammar reads as a variable; here it
is ``e`` (``exp(1)`` when a variable is called ``e``). Floats are written in their shortest form.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import sympy
from sympy.core.mul import _keep_coeff
from sympy.printing.precedence import precedence
from sympy.printing.str import StrPrinter

from jhcli import construct

_EXACT = 2**53  # integers below this are exact doubles


def _complex(number: Any) -> complex:
    """``complex(number)`` as SymPy computes it (``evalf`` to 53 bits, then float), without evalf
    for a small rational: ``p / q`` of two exact doubles is rounded once, to nearest, as evalf's
    is; ``complex`` of anything else is SymPy's own."""
    if number.is_Rational and abs(number.p) < _EXACT and number.q < _EXACT:
        return complex(number.p / number.q)
    return complex(number)


def ordered_terms(expr: sympy.Expr) -> list[sympy.Expr]:
    """``expr.as_ordered_terms()`` for a sum, in time linear in its size.

    SymPy orders the terms of a sum by a dense monomial over every generator of the sum (the
    bases of its factors): a sum of ``t`` terms in ``g`` generators costs ``t * g`` -- a 1,000-variable
    Rosenbrock function has 2,000 of each, and printing it took seconds. Here each term's
    monomial is a sparse key that Python's tuple comparison orders exactly as SymPy's dense
    negated lex monomials (an entry ``(0, i, -e)`` for a positive exponent ``e`` of generator
    ``i``, ``(1, -i, -e)`` for a negative one, and a terminator ``(0.5,)`` that sorts between
    the two: a missing generator is exponent 0). Everything else -- SymPy's special case for
    ``2 - 3*x``, how coefficients and factors are read, the coefficient and non-commutative
    parts of the key, the stable sort -- is SymPy's own code, so the order is the same list.
    Sums holding an ``O(...)`` term go to SymPy.
    """
    from sympy.core.exprtools import decompose_power
    from sympy.core.numbers import Number, NumberSymbol

    def not_number(x: Any) -> bool:
        return not isinstance(x, (Number, NumberSymbol))

    # SymPy's special case: Add(Number, Mul(Number, expr)), the first positive, the second negative.
    add_args = sorted(expr.args, key=not_number)
    if (
        len(add_args) == 2
        and isinstance(add_args[0], (Number, NumberSymbol))
        and isinstance(add_args[1], sympy.Mul)
    ):
        mul_args = sorted(sympy.Mul.make_args(add_args[1]), key=not_number)
        if (
            len(mul_args) == 2
            and isinstance(mul_args[0], Number)
            and add_args[0].is_positive
            and mul_args[0].is_negative
        ):
            return add_args

    gens: set[sympy.Expr] = set()
    terms = []
    for term in expr.args:  # as Expr.as_terms reads them
        if term.is_Order:
            return list(expr.as_ordered_terms())
        number, rest = term.as_coeff_Mul()
        coeff = _complex(number)
        cpart: dict[sympy.Expr, int] = {}
        ncpart = []
        if rest is not sympy.S.One:
            for factor in sympy.Mul.make_args(rest):
                if factor.is_number:
                    try:
                        coeff *= _complex(factor)
                    except (TypeError, ValueError):
                        pass
                    else:
                        continue
                if factor.is_commutative:
                    base, exp = decompose_power(factor)
                    cpart[base] = exp
                    gens.add(base)
                else:
                    ncpart.append(factor)
        terms.append((term, coeff, cpart, ncpart))

    index = {g: i for i, g in enumerate(sorted(gens, key=sort_key))}

    def key(item: tuple[Any, complex, dict[Any, int], list[Any]]) -> tuple[Any, ...]:
        _, coeff, cpart, ncpart = item
        exponents = sorted((index[b], e) for b, e in cpart.items() if e)
        monom: list[tuple[float, ...]] = [(0, i, -e) if e > 0 else (1, -i, -e) for i, e in exponents]
        monom.append((0.5,))
        re, im = coeff.real, coeff.imag
        return tuple(monom), tuple(sort_key(e) for e in ncpart), ((bool(im), im), (re, im))

    return [term for term, *_ in sorted(terms, key=key)]


@functools.lru_cache(maxsize=1 << 16)
def sort_key(expr: Any) -> Any:
    """``sympy.default_sort_key(expr)``, with the terms of sums ordered by ``ordered_terms``.

    SymPy's ``Expr.sort_key`` of a sum orders its terms with ``as_ordered_terms``, whose
    coefficients go through ``evalf`` (``complex(coeff)``); printing a sum sorts its bases (the
    1,600 sums of a 400-variable Rosenbrock function) by this key. Below is ``Expr.sort_key``'s own
    code with ``ordered_terms`` and ``ordered_factors``; other classes' keys are their own.
    """
    if not isinstance(expr, sympy.Expr) or type(expr).sort_key is not _EXPR_SORT_KEY:
        return sympy.default_sort_key(expr)
    coeff, rest = expr.as_coeff_Mul()
    if rest.is_Pow:
        if rest.base is sympy.S.Exp1:
            rest, exp = sympy.Function("exp")(rest.exp), sympy.S.One
        else:
            rest, exp = rest.args
    else:
        exp = sympy.S.One
    if rest.is_Dummy:
        args: tuple[Any, ...] = (rest.sort_key(),)
    elif rest.is_Atom:
        args = (str(rest),)
    else:
        items = ordered_terms(rest) if rest.is_Add else ordered_factors(rest) if rest.is_Mul else rest.args
        args = tuple(sort_key(a) for a in items)
    return rest.class_key(), (len(args), args), exp.sort_key(), coeff


_EXPR_SORT_KEY = sympy.Expr.sort_key


def ordered_factors(expr: sympy.Mul) -> list[sympy.Expr]:
    """``expr.as_ordered_factors()`` for a product (SymPy's code, with ``sort_key``)."""
    cpart, ncpart = expr.args_cnc()
    cpart.sort(key=sort_key)
    return [*cpart, *ncpart]


_FUNCTIONS = construct.ELEMENTARY  # printed as name(args): precedence "Func", no own printer
_NO_PARENS_IN_SUM = frozenset(
    [sympy.Symbol, sympy.Mul, sympy.Pow, sympy.Integer, sympy.Rational, sympy.Float, *_FUNCTIONS]
)

_PLAIN_ARGUMENTS = _NO_PARENS_IN_SUM | {sympy.Add}


def _is_plain_factor(factor: Any) -> bool:
    if factor.is_Symbol or factor.is_Add or type(factor) in _FUNCTIONS:
        return True
    return bool(factor.is_Pow and factor.exp.is_Integer and factor.exp.p > 0 and not factor.base.is_Number)


def _is_plain_product(expr: Any) -> bool:
    """A commutative product of an optional integer and factors of ``_is_plain_factor``."""
    if not expr.is_commutative:
        return False
    args = expr.args
    first = args[0]
    if first.is_Number:
        if not first.is_Integer:
            return False
        args = args[1:]
    return all(_is_plain_factor(f) for f in args)


class _JhStrPrinter(StrPrinter):
    """SymPy's str printer, with Euler's number written the way jh reads it back."""

    def _as_ordered_terms(self, expr: Any, order: Any = None) -> list[Any]:
        if (order or self.order) is None and expr.is_Add:
            return ordered_terms(expr)  # SymPy's own order, without its dense monomials
        return list(super()._as_ordered_terms(expr, order=order))

    # Fast paths: SymPy's _print_Add and _print_Mul for the common shapes, skipping the checks
    # that cannot apply there (each test costs microseconds per node: a 1,000-variable Rosenbrock
    # function and its Hessian have tens of thousands). The text is StrPrinter's own;
    # tests/test_print_order.py compares the two printers on random expressions.

    def _print_Add(self, expr: Any, order: Any = None) -> str:
        # StrPrinter._print_Add, with precedence(term) read from the node type where it is known
        # (no term of those types is parenthesized inside a sum: their precedence is >= Add's).
        prec = precedence(expr)
        parts = []
        for term in self._as_ordered_terms(expr, order=order):
            t = self._print(term)
            if t.startswith("-") and not term.is_Add:
                sign, t = "-", t[1:]
            else:
                sign = "+"
            if type(term) not in _NO_PARENS_IN_SUM and (precedence(term) < prec or term.is_Add):
                t = f"({t})"
            parts.extend([sign, t])
        sign = parts.pop(0)
        return ("" if sign == "+" else sign) + " ".join(parts)

    def _print_Mul(self, expr: Any) -> str:
        if not _is_plain_product(expr):
            return str(super()._print_Mul(expr))
        # StrPrinter._print_Mul for an integer coefficient times symbols, positive integer powers
        # of symbols, sums and elementary functions: no denominator, only sums in parentheses.
        coeff, rest = expr.as_coeff_Mul()
        sign = ""
        if coeff < 0:
            expr, sign = _keep_coeff(-coeff, rest), "-"
        parts = []
        for item in ordered_factors(expr) if expr.is_Mul else [expr]:
            if item.is_Integer:
                if item.p != 1:
                    parts.append(str(item.p))
            elif item.is_Add:
                parts.append(f"({self._print(item)})")
            else:
                parts.append(self._print(item))
        return sign + "*".join(parts or ["1"])

    def _print_Exp1(self, expr: Any) -> str:
        e_is_variable = self._settings.get("e_is_variable")
        if e_is_variable is None:  # decided when first needed: most expressions have no e
            root = self._settings.get("root")
            e_is_variable = root is not None and any(s.name == "e" for s in root.free_symbols)
            self._settings["e_is_variable"] = e_is_variable
        return "exp(1)" if e_is_variable else "e"

    def _print_Function(self, expr: Any) -> str:
        # StrPrinter._print_Function; its arguments, parenthesized only below precedence 0, never
        # are when they are of the types in _NO_PARENS_IN_SUM or sums (precedence >= 40).
        if type(expr) in _FUNCTIONS and all(type(a) in _PLAIN_ARGUMENTS for a in expr.args):
            return expr.func.__name__ + "(" + ", ".join([self._print(a) for a in expr.args]) + ")"
        return str(super()._print_Function(expr))

    def _print_Float(self, expr: Any) -> str:
        # The shortest text that reads back as the same double: 0.2, not 0.200000000000000.
        value = float(expr)
        return repr(value) if math.isfinite(value) else str(super()._print_Float(expr))


_STR_DEFAULTS = dict(StrPrinter._default_settings, e_is_variable=False, root=None)
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
    return _printed(expr)


@functools.lru_cache(maxsize=1 << 14)
def _printed(expr: sympy.Basic) -> str:
    """The text of an expression, printed once: matrices repeat values (a symmetric Hessian holds
    most of them twice). Keyed by SymPy's structural equality, which tells 2.0 from 2."""
    return str(_JhStrPrinter({"e_is_variable": None, "root": expr}).doprint(expr))


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
