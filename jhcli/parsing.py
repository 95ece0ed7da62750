"""Text to SymPy: jh's own tokenizer and recursive-descent parser.

Security contract: user text never reaches ``eval``, ``exec``, ``sympify``, ``parse_expr`` or
anything else that runs it. The parser builds SymPy objects node by node; every token kind and
every name is on an allow-list, and anything else is a ``ParseError`` pointing at the spot.
Inputs are bounded before expensive work starts: length, nesting depth, integer exponents, and
the size of numbers, estimated from the operands' estimates instead of by building the number.
The bounds are the limits in force (``jhcli.limits.current_limits()``, adjustable with ``--limit``).

Grammar (DESIGN.md, "Grammar of expressions")::

    sum      := product (("+" | "-") product)*
    product  := ("+" | "-") product | power (("*" | "/" | "@") factor | <implicit> power)*
    factor   := ("+" | "-") factor | power
    power    := postfix ("**" factor)?           right-associative; "^" is "**"
    postfix  := primary (superscript | ".T")*    x², x⁻¹, W.T
    primary  := number | name | name "(" sum ("," sum)* ")" | "(" sum ")" | "[" sum ("," sum)* "]"

Implicit multiplication only after a number (``2x``, ``3(x+1)``, ``2 sin(x)``) and in ``)(``.
A leading sign applies to the whole product, ``-a*b`` = ``-(a*b)``, as SymPy prints it.

Vectors and matrices (NumPy's rules, without broadcasting beyond scalars): ``[a, b]`` is a column,
``[[1, 2], [3, 4]]`` a matrix given by rows; names bound with ``--let`` or declared as ``x:2`` /
``W:2x2`` stand for their value. ``@`` is the matrix product, ``.T`` and ``transpose()`` transpose;
``+ - * / **`` and every function act elementwise, a scalar combining with every entry; ``sum()``
and ``trace()`` reduce to a scalar. A 1x1 result is a scalar, so ``x.T@A@x`` is a number.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import sympy

from jhcli import construct
from jhcli.errors import JhError, LimitError, ParseError, ShapeError
from jhcli.limits import DEFAULT_LIMITS, current_limits, limit_note

# The limits in force are ``current_limits()`` (see jhcli.limits); these are their defaults.
MAX_INPUT_LENGTH: int = DEFAULT_LIMITS.input_length
MAX_DEPTH: int = DEFAULT_LIMITS.depth
MAX_NUMBER_DIGITS: int = DEFAULT_LIMITS.digits
MAX_EXPONENT: int = DEFAULT_LIMITS.exponent
MAX_ENTRIES: int = DEFAULT_LIMITS.entries

# Fixed limits, not adjustable: they keep SymPy out of its slow paths.
# SymPy runs primality tests on a radicand: that takes seconds beyond about 700 digits.
_MAX_ROOT_DIGITS = 500
# SymPy compares Min/Max arguments pairwise: 50 symbolic arguments already take seconds.
_MAX_MINMAX_ARGS = 16

_SPACES = (
    " \t\n\r\f\v\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)
_GREEK = "\u0391-\u03a1\u03a3-\u03a9\u03b1-\u03c9"  # Α..Ω and α..ω; π is the constant
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_TOKEN = re.compile(
    f"(?P<space>[{re.escape(_SPACES)}]+)"
    r"|(?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    f"|(?P<name>[A-Za-z_][A-Za-z0-9_]*|[{_GREEK}])"
    r"|(?P<sup>[⁺⁻][⁰¹²³⁴⁵⁶⁷⁸⁹]*|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
    r"|(?P<op>\*\*|:=|==|!=|<=|>=|[-+*/^()\[\],.=<>!:@·×⋅−–÷])"
)
_NUMBER_PARTS = re.compile(r"([0-9]*)\.?([0-9]*)(?:[eE]([+-]?[0-9]+))?")
_MALFORMED = re.compile(r"[0-9.eE]*")
_BRACKETS = re.compile(r"[()\[\]]")
_SEPARATORS = re.compile(r"[()\[\],]")
_VARIABLE = re.compile(f"[A-Za-z][A-Za-z0-9_]*|[{_GREEK}]")

_OPERATOR_KIND = {"^": "**", "·": "*", "×": "*", "⋅": "*", "−": "-", "–": "-", "÷": "/"}
_NOT_ALLOWED = {
    ":=": "assignment expressions ':=' are not allowed",
    ":": "':' is not allowed: no lambdas, slices or annotations",
    "=": "'=' is not allowed in an expression",
    "!": "factorial '!' is not supported",
    **{op: f"comparison {op!r} is not allowed" for op in ("==", "!=", "<", ">", "<=", ">=")},
}
_CHARACTER_HINTS = {
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    ";": "only one expression is allowed",
}


def _too_deep() -> LimitError:
    depth = current_limits().depth
    return LimitError(
        f"expression nested too deeply: more than {depth} levels of brackets, function calls, "
        f"signs or powers ({limit_note('depth')})"
    )


_NOT_FINITE_NAMES = frozenset({"nan", "inf", "infinity", "oo", "zoo"})
"""Names people (and SymPy) use for non-numbers; in a point they get a message of their own."""
_NOT_NUMBERS = frozenset({sympy.zoo, sympy.nan, sympy.oo, -sympy.oo})
_LOG10_2 = math.log10(2)
_PI = (sympy.pi, (math.log10(math.pi), 0.0))
_CONSTANTS = {"pi": _PI, "π": _PI, "e": (sympy.E, (math.log10(math.e), 0.0))}


class _Function(NamedTuple):
    build: Callable[..., Any]
    min_args: int = 1
    max_args: int | None = 1
    # How large a constant result can be next to its arguments (see _Parser._call): "exp" grows
    # exponentially, "bounded" stays below 10**0.5, "same" at most like the arguments.
    growth: str = "same"
    root: bool = False  # takes a root of its argument
    whole: bool = False  # acts on a matrix as a whole (transpose, sum), not entry by entry


def _plain(*names: str, growth: str = "same") -> dict[str, _Function]:
    return {name: _Function(getattr(sympy, name), growth=growth) for name in names}


_FUNCTIONS: dict[str, _Function] = {
    **_plain("sin", "cos", "asin", "acos", "atan", "tanh", "erf", "sign", growth="bounded"),
    **_plain("tan", "sec", "csc", "cot", "asinh", "acosh", "atanh", "floor", "ceiling", "Abs"),
    **_plain("sinh", "cosh", "exp", growth="exp"),
    "atan2": _Function(sympy.atan2, 2, 2, growth="bounded"),
    "log": _Function(sympy.log, 1, 2),
    "ln": _Function(sympy.log),
    "log2": _Function(lambda a: sympy.log(a, 2)),
    "log10": _Function(lambda a: sympy.log(a, 10)),
    "sqrt": _Function(sympy.sqrt, root=True),
    "cbrt": _Function(lambda a: sympy.real_root(a, 3), root=True),  # real: cbrt(-8) = -2
    "abs": _Function(sympy.Abs),
    "ceil": _Function(sympy.ceiling),
    "min": _Function(sympy.Min, 2, None),
    "Min": _Function(sympy.Min, 2, None),
    "max": _Function(sympy.Max, 2, None),
    "Max": _Function(sympy.Max, 2, None),
    "sigmoid": _Function(lambda a: 1 / (1 + sympy.exp(-a)), growth="exp"),
    "softplus": _Function(lambda a: sympy.log(1 + sympy.exp(a)), growth="exp"),
    "relu": _Function(lambda a: sympy.Max(0, a)),
    "transpose": _Function(lambda a: a.T if isinstance(a, sympy.MatrixBase) else a, whole=True),
    "sum": _Function(lambda a: a, whole=True),  # built by _Parser._reduce
    "trace": _Function(lambda a: a, whole=True),  # built by _Parser._reduce
    # SymPy prints these in derivatives (of relu, Max, sign); results must parse back.
    "Heaviside": _Function(sympy.Heaviside, 1, 2, growth="bounded"),
    "DiracDelta": _Function(sympy.DiracDelta, 1, 2),
}


class Token(NamedTuple):
    """One token: ``kind`` is "num", "name", "sup", "end" or the operator itself ("+", "**", "(")."""

    kind: str
    text: str  # as written, for messages
    pos: int  # index in the caller's text


_Magnitude = tuple[float, float]
"""Upper bounds on log10 of max(|c|, 1) and of max(1/|c|, 1) for a constant c: how large and how
small it can be (and so how much precision evaluating it takes)."""


class _Value(NamedTuple):
    expr: Any  # a SymPy expression, or an ImmutableMatrix (never 1x1: that is a scalar)
    mag: _Magnitude | None  # None: the expression has variables; for a matrix, its constant entries


class Binding(NamedTuple):
    """What a name stands for in expressions: a ``--let`` value or a declared vector variable."""

    value: _Value
    source: str  # for messages: "--let W", "--vars x:2"

    @property
    def expr(self) -> Any:
        return self.value.expr


def _shape_text(shape: tuple[int, int]) -> str:
    return f"{shape[0]}x{shape[1]}"


def _entry(value: _Value, k: int) -> _Value:
    """Entry ``k`` (row-major) of a matrix value, with a magnitude if it is a constant."""
    e = value.expr[k]
    return _Value(e, value.mag if not e.free_symbols else None)


# ---------------------------------------------------------------------------------------------
# Size estimates: computed from operands, never by evaluating


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _quote(text: str) -> str:
    """``text`` in quotes for a message, control characters escaped: ``'x'``, ``'\\x00'``."""
    return repr(_short(text))


def _log10(n: int) -> float:
    return math.log10(abs(n)) if n else 0.0


def _times(a: float, b: float) -> float:
    """``a * b`` where 0 * inf is 0: an estimate of nothing times anything is nothing."""
    return 0.0 if a == 0 or b == 0 else a * b


def _pow10(m: float) -> float:
    return math.inf if m > 300 else 10.0**m


def _abs_value(e: Any) -> float:
    """|e| as a float (inf when too large) for Rationals and Floats; 1 for anything else."""
    try:
        return abs(e.p) / e.q if e.is_Rational else abs(float(e)) if e.is_Float else 1.0
    except OverflowError:
        return math.inf


def _magnitude(number: Any) -> _Magnitude:
    """The magnitude of a Rational or Float."""
    if number.is_Rational:
        log = _log10(number.p) - _log10(number.q)
    else:
        mpf = number._mpf_  # (sign, mantissa, exponent, bits): log10 without overflowing a float
        log = (mpf[2] + mpf[3]) * _LOG10_2 if mpf[1] else 0.0
    return (max(log, 0.0), max(-log, 0.0))


def _digits(e: Any, exponents: bool = True) -> float:
    """Upper bound on the digits of the exact numbers SymPy combines when it multiplies or powers ``e``.

    Read from the objects already built (small by construction). With ``exponents=False`` the
    digits of exponents are left out: powering ``x**a`` folds exponents, it does not power them.
    """
    if e.is_Rational:
        return _log10(e.p) + _log10(e.q)
    if e.is_Float:
        return max(_magnitude(e))
    if e.is_Mul:
        return sum(_digits(a, exponents) for a in e.args)
    if e.is_Pow or isinstance(e, sympy.exp):
        base, exponent = e.as_base_exp()
        size = _times(_digits(base), max(_abs_value(exponent), 1.0))
        return size + _digits(exponent) if exponents else size
    return 0.0


def _combine(values: list[_Value], product: bool) -> _Magnitude | None:
    """The magnitude of a sum or product of constants (None if any value has variables)."""
    mags = [v.mag for v in values if v.mag is not None]
    if len(mags) < len(values):
        return None
    ups, downs = zip(*mags, strict=True)
    return (sum(ups), sum(downs)) if product else (max(ups) + math.log10(len(ups)), max(downs))


def _call_magnitude(function: _Function, args: list[_Value]) -> _Magnitude | None:
    mags = [v.mag for v in args if v.mag is not None]
    if len(mags) < len(args):
        return None
    largest = max(max(pair) for pair in mags)  # also the precision the arguments need
    if function.growth == "exp":  # |log10 exp(a)| <= 0.4343 |a|; sigmoid adds log10(2)
        m = max(_times(_pow10(max(up for up, _ in mags)), 0.4343) + _LOG10_2, largest)
        return (m, m)
    return (0.5 if function.growth == "bounded" else largest, largest)


def _count(size: float) -> str:
    if size == math.inf:
        return "more than 10**300"
    return f"about {size:.0f}" if size < 1e15 else f"about {size:.1e}"


def _too_large(snippet: str, size: float) -> LimitError:
    return LimitError(
        f"number too large: {_short(snippet)} would have {_count(size)} digits ({limit_note('digits')})"
    )


def _check_length(text: str) -> None:
    if len(text) > current_limits().input_length:
        raise LimitError(f"input too long: {len(text)} characters ({limit_note('input-length')})")


def _check_depth(text: str, start: int, end: int) -> None:
    """Refuse deep bracket nesting with a loop, before any recursion starts."""
    depth, limit = 0, current_limits().depth
    for match in _BRACKETS.finditer(text, start, end):
        if match.group() in "([":
            depth += 1
            if depth > limit:
                raise _too_deep()
        elif depth:
            depth -= 1


_BRACKET_NAMES = {"(": "parenthesis", ")": "parenthesis", "[": "bracket", "]": "bracket"}
_PARTNER = {")": "(", "]": "["}


def _bracket_problem(text: str, start: int, end: int) -> ParseError | None:
    """The first unbalanced or mismatched bracket in ``text[start:end]``, if any.

    A closing bracket is reported where it stands, an opening bracket that is never closed where
    it opens (the innermost one, as the parser would find it).
    """
    stack: list[tuple[str, int]] = []
    for match in _BRACKETS.finditer(text, start, end):
        char, pos = match.group(), match.start()
        if char in "([":
            stack.append((char, pos))
        elif not stack:
            message = f"unbalanced {_BRACKET_NAMES[char]}: {char!r} has no matching {_PARTNER[char]!r}"
            return ParseError(message, text, pos)
        elif stack[-1][0] != _PARTNER[char]:
            return ParseError(f"mismatched brackets: {stack[-1][0]!r} is closed by {char!r}", text, pos)
        else:
            stack.pop()
    if stack:
        char, pos = stack[-1]
        return ParseError(f"unbalanced {_BRACKET_NAMES[char]}: {char!r} is never closed", text, pos)
    return None


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` moved inwards past whitespace."""
    while start < end and text[start] in _SPACES:
        start += 1
    while end > start and text[end - 1] in _SPACES:
        end -= 1
    return start, end


# ---------------------------------------------------------------------------------------------
# The parser


class _Parser:
    """Recursive descent over ``text[start:end]``; positions are indices in the whole ``text``."""

    def __init__(
        self,
        text: str,
        start: int,
        end: int,
        variables: frozenset[str],
        decimals: str,
        constants_only: bool,
        bindings: Mapping[str, Binding] | None = None,
    ) -> None:
        self.text, self.start, self.end = text, start, end
        self.variables = variables
        self.bindings = bindings or {}
        self.floats = decimals == "float"
        self.constants_only = constants_only
        self.limits = current_limits()
        self.depth = 0
        self.parens = 0  # open parentheses, to tell an unmatched ')' from one that closes too early
        self.symbols: dict[str, Any] = {}
        self.prev: Token | None = None
        self._pos = start
        self.tok = self._scan()

    # -- tokens ------------------------------------------------------------------------------

    def _scan(self) -> Token:
        while True:
            match = _TOKEN.match(self.text, self._pos, self.end)
            if match is None:
                if self._pos >= self.end:
                    return Token("end", "", self.end)
                char = self.text[self._pos]
                hint = f": {_CHARACTER_HINTS[char]}" if char in _CHARACTER_HINTS else ""
                raise self._error(f"unexpected character {_quote(char)}{hint}", self._pos)
            self._pos = match.end()
            group, text, pos = match.lastgroup, match.group(), match.start()
            if group == "space":
                continue
            if group == "num" and self.text[self._pos : self._pos + 1] == ".":
                malformed = _MALFORMED.match(self.text, pos, self.end)
                raise self._error(f"malformed number {_quote(malformed.group() if malformed else text)}", pos)
            if group == "name" and (text.startswith("_") or "__" in text):
                rule = "start with '_'" if text.startswith("_") else "contain '__'"
                raise self._error(f"invalid name {_quote(text)}: a name may not {rule}", pos)
            if group == "sup" and text in ("⁺", "⁻"):
                raise self._error(f"superscript {_quote(text)} must be followed by superscript digits", pos)
            kind = group if group in ("num", "name", "sup") else _OPERATOR_KIND.get(text, text)
            return Token(kind, text, pos)

    def _advance(self) -> Token:
        self.prev, self.tok = self.tok, self._scan()
        return self.prev

    def _error(self, message: str, pos: int) -> ParseError:
        return ParseError(message, self.text, pos)

    def _snippet(self, start: int) -> str:
        """The input from ``start`` to the last token read, for messages."""
        end = self.prev.pos + len(self.prev.text) if self.prev is not None else start
        return _short(" ".join(self.text[start:end].split()))

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > self.limits.depth:
            raise _too_deep()

    # -- grammar -----------------------------------------------------------------------------

    def parse(self) -> Any:
        if self.tok.kind == "end":
            raise self._error("empty expression", self.start)
        value = self._sum()
        if self.tok.kind != "end":
            raise self._stray()
        return value.expr

    def _sum(self) -> _Value:
        start = self.tok.pos
        terms = [self._product()]
        where = [start]  # the position of each term's sign, for a shape error
        while self.tok.kind in ("+", "-"):
            op = self._advance()
            where.append(op.pos)
            term = self._product()
            terms.append(
                _Value(self._build(op.pos, operator.neg, term.expr), term.mag) if op.kind == "-" else term
            )
        if len(terms) == 1:
            return terms[0]
        return self._elementwise(terms, start, lambda values: self._add(values, start), "add", where)

    def _add(self, terms: list[_Value], start: int) -> _Value:
        exprs = [term.expr for term in terms]
        self._check_sum(exprs, start)
        mag = self._checked(_combine(terms, product=False), start)
        return _Value(self._build(start, sympy.Add, *exprs), mag)

    def _product(self) -> _Value:
        if self.tok.kind in ("+", "-"):
            return self._signed(self._product)
        start = self.tok.pos
        factors = [self._power()]
        matmul: list[int | None] = [None]  # the position of each factor's '@', None for '*' and '/'
        where = [start]  # the position of each factor's operator (its own start if implicit)
        while True:
            if self.tok.kind in ("*", "/", "@"):
                op = self._advance()
                factor = self._factor()
                if op.kind == "/":
                    factor = self._map(factor, functools.partial(self._reciprocal, pos=op.pos))
                factors.append(factor)
                matmul.append(op.pos if op.kind == "@" else None)
                where.append(op.pos)
            elif self._implicit():
                where.append(self.tok.pos)
                factors.append(self._power())
                matmul.append(None)
            else:
                break
        if len(factors) == 1:
            return factors[0]
        if not any(isinstance(f.expr, sympy.MatrixBase) for f in factors) and matmul.count(None) == len(
            matmul
        ):
            return self._multiply(factors, start)
        # Left to right, as Python reads a * b @ c: '@' and '*' have the same precedence.
        value = factors[0]
        for factor, at, pos in zip(factors[1:], matmul[1:], where[1:], strict=True):
            if at is not None:
                value = self._matmul(value, factor, start, at)
            else:
                value = self._elementwise(
                    [value, factor], start, lambda fs: self._multiply(fs, start), "multiply", [start, pos]
                )
        return value

    def _reciprocal(self, factor: _Value, pos: int) -> _Value:
        # 1/0 is reported by the product, so that the message shows what was divided
        inverse = self._build(pos, sympy.Pow, factor.expr, sympy.Integer(-1), defined=False)
        return _Value(inverse, factor.mag and factor.mag[::-1])

    def _multiply(self, factors: list[_Value], start: int) -> _Value:
        exprs = [factor.expr for factor in factors]
        # SymPy multiplies all numeric coefficients, and distributes a number over a sum.
        size = sum(map(_digits, exprs)) + max(
            (_digits(t) for f in exprs if f.is_Add for t in f.args), default=0
        )
        self._refuse(size, start)
        mag = self._checked(_combine(factors, product=True), start)
        expr = self._build(start, construct.multiply, *exprs)
        self._check_exponents(expr, start)
        return _Value(expr, mag)

    def _implicit(self) -> bool:
        """Multiplication without '*': after a number (``2x``, ``2(x)``) and in ``)(``."""
        prev = self.prev.kind if self.prev is not None else ""
        return (prev == "num" and self.tok.kind in ("name", "(")) or (prev == ")" and self.tok.kind == "(")

    def _factor(self) -> _Value:
        return self._signed(self._factor) if self.tok.kind in ("+", "-") else self._power()

    def _signed(self, operand: Callable[[], _Value]) -> _Value:
        sign = self._advance()
        self._enter()
        value = operand()
        self.depth -= 1
        return (
            value if sign.kind == "+" else _Value(self._build(sign.pos, operator.neg, value.expr), value.mag)
        )

    def _power(self) -> _Value:
        start = self.tok.pos
        base = self._postfix()
        if self.tok.kind != "**":
            return base
        op = self._advance()
        self._enter()
        exponent = self._factor()  # right-associative, and 2^-1 is allowed
        self.depth -= 1
        return self._elementwise(
            [base, exponent],
            start,
            lambda pair: self._raise(pair[0], pair[1], start),
            "raise",
            [start, op.pos],
        )

    def _postfix(self) -> _Value:
        start = self.tok.pos
        value = self._primary()
        while True:
            tok = self.tok
            if tok.kind == "sup":
                self._advance()
                exponent = tok.text.translate(_SUPERSCRIPTS)
                if len(exponent.lstrip("+-0")) > self.limits.digits:
                    raise _too_large(tok.text, len(exponent))
                power = _Value(sympy.Integer(int(exponent)), _magnitude(sympy.Integer(int(exponent))))
                value = self._map(value, lambda v: self._raise(v, power, start))  # noqa: B023
            elif tok.kind == ".":
                if not _TRANSPOSE.match(self.text, tok.pos, self.end):  # before the name is even read
                    rule = "attribute access is not allowed; the only attribute is .T, the transpose"
                    raise self._error(rule, tok.pos)
                self._advance()
                self._advance()
                value = _Value(value.expr.T, value.mag) if isinstance(value.expr, sympy.MatrixBase) else value
            elif tok.kind == "[":
                raise self._error("subscripts are not allowed", tok.pos)
            else:
                return value

    def _primary(self) -> _Value:
        tok = self.tok
        if tok.kind == "num":
            self._advance()
            return self._number(tok)
        if tok.kind == "name":
            self._advance()
            return self._call(tok) if self.tok.kind == "(" else self._name(tok)
        if tok.kind == "(":
            self._advance()
            self._enter()
            self.parens += 1
            value = self._sum()
            self._close(tok)
            self.parens -= 1
            self.depth -= 1
            return value
        if tok.kind == "[":
            return self._list(tok)
        raise self._expected_operand()

    def _list(self, opening: Token) -> _Value:
        """``[a, b]``: a column; ``[[1, 2], [3, 4]]`` (or ``[u, v]`` of vectors): a matrix by rows."""
        self._advance()
        self._enter()
        self.parens += 1
        items = [self._sum()]
        while self.tok.kind == ",":
            self._advance()
            items.append(self._sum())
        if self.tok.kind == "]":
            self._advance()
        elif self.tok.kind == "end":
            raise self._error("unbalanced bracket: '[' is never closed", opening.pos)
        else:
            raise self._stray()
        self.parens -= 1
        self.depth -= 1
        shapes = [item.expr.shape if isinstance(item.expr, sympy.MatrixBase) else (1, 1) for item in items]
        if all(shape == (1, 1) for shape in shapes):
            return self._matrix([[item] for item in items])
        for shape in shapes:
            if min(shape) > 1:
                rule = f"a row of a matrix must be a list of numbers, not a {_shape_text(shape)} matrix"
                raise ShapeError(rule, self.text, opening.pos)
        lengths = {max(shape) for shape in shapes}
        if len(lengths) != 1:
            found = ", ".join(str(max(shape)) for shape in shapes)
            raise ShapeError(
                f"the rows of a matrix must have one length, found rows of length {found}",
                self.text,
                opening.pos,
            )
        length = lengths.pop()
        rows = [[_entry(item, k) for k in range(length)] if length > 1 else [item] for item in items]
        return self._matrix(rows)

    def _close(self, opening: Token) -> None:
        if self.tok.kind == ")":
            self._advance()
        elif self.tok.kind == "end":
            raise self._error("unbalanced parenthesis: '(' is never closed", opening.pos)
        elif self.tok.kind == ",":
            rule = "parentheses hold one expression (components are separated by top-level commas)"
            raise self._error(f"unexpected ',': {rule}", self.tok.pos)
        else:
            raise self._stray()

    def _number(self, tok: Token) -> _Value:
        match = _NUMBER_PARTS.fullmatch(tok.text)
        assert match is not None  # the token pattern only lets numbers through
        whole, fraction, exponent = match.groups()
        digits = (whole + fraction).lstrip("0")
        value = sympy.Integer(0)
        if digits:
            huge_exponent = len((exponent or "").lstrip("+-0")) > 15
            shift = math.inf if huge_exponent else int(exponent or 0) - len(fraction)
            if len(digits) + abs(shift) > self.limits.digits:  # before int() or 10**shift build anything
                raise _too_large(tok.text, len(digits) + abs(shift))
            mantissa, shift = int(digits), int(shift)
            value = (
                sympy.Integer(mantissa * 10**shift) if shift >= 0 else sympy.Rational(mantissa, 10**-shift)
            )
        if self.floats and tok.text != whole:  # "0.5", "1e-3": a decimal, not an integer
            value = sympy.Float(value, 15)
        return _Value(value, _magnitude(value))

    def _name(self, tok: Token) -> _Value:
        name = tok.text
        if name in self.bindings:
            return self.bindings[name].value
        if name in _CONSTANTS and name not in self.variables:
            return _Value(*_CONSTANTS[name])
        if name in _FUNCTIONS and name not in self.variables:
            raise self._error(f"{_quote(name)} is a function; write {name}(...)", tok.pos)
        if self.constants_only and name.casefold() in _NOT_FINITE_NAMES:
            raise self._error(f"a point value must be a finite number, not {_quote(name)}", tok.pos)
        if self.constants_only:
            hint = "; write e for Euler's number" if name == "E" else ""  # SymPy prints exp(1) as E
            message = f"a point value must be a constant, but it contains the name {_quote(name)}{hint}"
            raise self._error(message, tok.pos)
        if name not in self.symbols:
            self.symbols[name] = make_symbol(name)
        return _Value(self.symbols[name], None)

    def _call(self, name_tok: Token) -> _Value:
        name, start = name_tok.text, name_tok.pos
        if name in self.variables or name in _CONSTANTS or name in self.bindings:
            what = "constant" if name in _CONSTANTS else "variable" if name in self.variables else "value"
            raise self._error(f"{_quote(name)} is a {what}, not a function; write {name}*(...)", start)
        function = _FUNCTIONS.get(name)
        if function is None:
            raise self._error(f"unknown function {_quote(name)}", start)
        opening = self._advance()
        self._enter()
        self.parens += 1
        args: list[_Value] = []
        if self.tok.kind != ")":
            args.append(self._sum())
            while self.tok.kind == ",":
                self._advance()
                args.append(self._sum())
            if self.tok.kind == "=":
                raise self._error("keyword arguments are not allowed", self.tok.pos)
        self._close(opening)
        self.parens -= 1
        self.depth -= 1
        self._count_arguments(name_tok, function, args)
        if function.whole:
            return self._whole(name, args[0], start)
        return self._elementwise(
            args, start, lambda vs: self._apply(name_tok, function, vs), f"apply {name} to"
        )

    def _whole(self, name: str, arg: _Value, start: int) -> _Value:
        """The functions of a whole matrix: transpose, sum, trace."""
        m = arg.expr if isinstance(arg.expr, sympy.MatrixBase) else sympy.ImmutableMatrix([[arg.expr]])
        if name == "transpose":
            return _Value(m.T, arg.mag) if m.shape != (1, 1) else arg
        if name == "trace" and m.rows != m.cols:
            raise ShapeError(
                f"trace needs a square matrix, not a {_shape_text(m.shape)} one", self.text, start
            )
        if m.shape == (1, 1):
            return arg
        picked = range(m.rows) if name == "trace" else range(len(m))
        entries = [_entry(arg, k * (m.cols + 1) if name == "trace" else k) for k in picked]
        return self._add(entries, start)

    def _apply(self, name_tok: Token, function: _Function, args: list[_Value]) -> _Value:
        """One function applied to scalar arguments."""
        start = name_tok.pos
        self._check_arguments(name_tok, function, args)
        mag = self._checked(_call_magnitude(function, args), start)
        expr = self._build(start, construct.apply, function.build, *(arg.expr for arg in args))
        if mag is not None and isinstance(expr, (sympy.floor, sympy.ceiling)):
            # SymPy rounds constants only within about 100 digits; unrounded ones break printing.
            raise LimitError(
                f"number too large: {self._snippet(start)} cannot be rounded exactly "
                "(limit about 100 digits, fixed: SymPy's rounding)"
            )
        return _Value(expr, mag)

    # -- errors ------------------------------------------------------------------------------

    def _expected_operand(self) -> ParseError:
        tok, prev = self.tok, self.prev
        if tok.kind in _NOT_ALLOWED:
            return self._error(_NOT_ALLOWED[tok.kind], tok.pos)
        if tok.kind == "]" and prev is not None and prev.kind in ("[", ","):
            return self._error(
                "empty entry in a list: write a value between the brackets and commas", tok.pos
            )
        if tok.kind == "]" or (tok.kind == ")" and not self.parens):  # "(x + )" is not unmatched
            return _bracket_problem(self.text, self.start, self.end) or (
                self._unmatched(tok) if not self.parens else self._mismatched(tok)
            )
        found = "end of input" if tok.kind == "end" else _quote(tok.text)
        after = f"after {_quote(prev.text)}" if prev is not None else "first"
        return self._error(f"unexpected {found}: expected an operand {after}", tok.pos)

    def _stray(self) -> ParseError:
        """The error for a token that cannot follow a complete operand."""
        tok = self.tok
        if tok.kind in _NOT_ALLOWED:
            return self._error(_NOT_ALLOWED[tok.kind], tok.pos)
        if tok.kind in (")", "]"):  # ")" inside parentheses closes them: it cannot get here
            return _bracket_problem(self.text, self.start, self.end) or (
                self._unmatched(tok) if not self.parens else self._mismatched(tok)
            )
        if tok.kind in ("num", "name", "(") and self.prev is not None:
            between = f"{_quote(self.prev.text)} and {_quote(tok.text)}"
            return self._error(f"missing operator between {between} (use '*' to multiply)", tok.pos)
        return self._error(f"unexpected {_quote(tok.text)}", tok.pos)

    def _unmatched(self, tok: Token) -> ParseError:
        """A closing bracket outside every parenthesis (a '[' never gets this far)."""
        name, opening = _BRACKET_NAMES[tok.kind], _PARTNER[tok.kind]
        return self._error(f"unbalanced {name}: {_quote(tok.text)} has no matching {opening!r}", tok.pos)

    def _mismatched(self, tok: Token) -> ParseError:
        return self._error(f"mismatched brackets: '(' is closed by {_quote(tok.text)}", tok.pos)

    def _count_arguments(self, name_tok: Token, function: _Function, args: list[_Value]) -> None:
        low, high, given = function.min_args, function.max_args, len(args)
        if given < low or (high is not None and given > high):
            takes = f"{low} or more" if high is None else f"{low}" if high == low else f"{low} or {high}"
            counted = f"argument{'' if takes == '1' else 's'} but {given} {'was' if given == 1 else 'were'}"
            raise self._error(f"function {_quote(name_tok.text)} takes {takes} {counted} given", name_tok.pos)

    def _check_arguments(self, name_tok: Token, function: _Function, args: list[_Value]) -> None:
        if function.root and _digits(args[0].expr) > _MAX_ROOT_DIGITS:
            raise self._root_too_large(args[0].expr, name_tok.pos)
        if function.build in (sympy.Min, sympy.Max):
            count = sum(len(a.expr.args) if isinstance(a.expr, (sympy.Min, sympy.Max)) else 1 for a in args)
            if count > _MAX_MINMAX_ARGS:
                snippet = self._snippet(name_tok.pos)
                raise LimitError(
                    f"too many arguments: {snippet} compares {count} values "
                    f"(limit {_MAX_MINMAX_ARGS}, fixed: SymPy compares them pairwise)"
                )

    def _root_too_large(self, radicand: Any, start: int) -> LimitError:
        return LimitError(
            f"number too large: {self._snippet(start)} takes a root of a number with "
            f"{_count(_digits(radicand))} digits "
            f"(limit {_MAX_ROOT_DIGITS}, fixed: SymPy would test it for primality)"
        )

    def _too_many_entries(self, rows: int, cols: int) -> LimitError:
        return LimitError(f"matrix too large: {_shape_text((rows, cols))} entries ({limit_note('entries')})")

    def _exponent_too_large(self, start: int, exponent: Any) -> LimitError:
        return LimitError(
            f"exponent too large: {self._snippet(start)} raises an expression with variables "
            f"to the power {_short(str(exponent))} ({limit_note('exponent')})"
        )

    # -- vectors and matrices -----------------------------------------------------------------

    def _matrix(self, rows: list[list[_Value]]) -> _Value:
        """A matrix of entries; 1x1 is the scalar itself."""
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        mags = [e.mag for row in rows for e in row if e.mag is not None]
        mag = (max(m[0] for m in mags), max(m[1] for m in mags)) if mags else None
        return _Value(sympy.ImmutableMatrix([[e.expr for e in row] for row in rows]), mag)

    def _map(self, value: _Value, function: Callable[[_Value], _Value]) -> _Value:
        if not isinstance(value.expr, sympy.MatrixBase):
            return function(value)
        m = value.expr
        return self._matrix(
            [[function(_entry(value, i * m.cols + j)) for j in range(m.cols)] for i in range(m.rows)]
        )

    def _elementwise(
        self,
        values: list[_Value],
        start: int,
        combine: Callable[[list[_Value]], _Value],
        verb: str,
        where: Sequence[int] = (),
    ) -> _Value:
        """``combine`` entry by entry; scalars combine with every entry, matrices must agree in shape.

        ``where`` holds the position of each value's operator: a shape error points at the first
        value whose shape differs (else at ``start``).
        """
        shaped = [(k, v.expr.shape) for k, v in enumerate(values) if isinstance(v.expr, sympy.MatrixBase)]
        if not shaped:
            return combine(values)
        rows, cols = shaped[0][1]
        for k, other in shaped[1:]:
            if other != (rows, cols):
                hint = "; '@' is the matrix product" if verb == "multiply" else ""
                raise ShapeError(
                    f"cannot {verb} a {_shape_text((rows, cols))} and a {_shape_text(other)} matrix: "
                    f"elementwise operations need equal shapes{hint}",
                    self.text,
                    where[k] if k < len(where) else start,
                )
        if rows * cols > self.limits.entries:
            raise self._too_many_entries(rows, cols)

        def at(k: int) -> list[_Value]:
            return [_entry(v, k) if isinstance(v.expr, sympy.MatrixBase) else v for v in values]

        return self._matrix([[combine(at(i * cols + j)) for j in range(cols)] for i in range(rows)])

    def _matmul(self, left: _Value, right: _Value, start: int, pos: int) -> _Value:
        a, b = (
            v.expr if isinstance(v.expr, sympy.MatrixBase) else sympy.ImmutableMatrix([[v.expr]])
            for v in (left, right)
        )
        if a.cols != b.rows:
            scalar = (1, 1) in (a.shape, b.shape)
            hint = " (declare a vector or matrix variable with --vars, e.g. x:2 or W:2x2)" if scalar else ""
            raise ShapeError(
                f"matrix product of a {_shape_text(a.shape)} and a {_shape_text(b.shape)} matrix: "
                f"the left has {a.cols} column{'s' * (a.cols != 1)}, the right {b.rows} "
                f"row{'s' * (b.rows != 1)}{hint}",
                self.text,
                pos,
            )
        if a.rows * b.cols > self.limits.entries:
            raise self._too_many_entries(a.rows, b.cols)
        inner = math.log10(a.cols)
        self._refuse(max(map(_digits, a)) + max(map(_digits, b)) + inner, start)
        product = self._build(start, operator.mul, a, b)
        mag = None
        if left.mag is not None and right.mag is not None:
            mag = (left.mag[0] + right.mag[0] + inner, left.mag[1] + right.mag[1])
        value = _Value(product, mag)
        return self._matrix(
            [[_entry(value, i * product.cols + j) for j in range(product.cols)] for i in range(product.rows)]
        )

    # -- building, with the size checks made before SymPy does the work ----------------------

    def _build(self, start: int, build: Callable[..., Any], *args: Any, defined: bool = True) -> Any:
        """``build(*args)``; with ``defined``, a result that is not a finite number is an error here.

        SymPy folds ``1/0`` into ``zoo`` and then ``x + zoo`` into ``zoo``: unchecked, ``x + 1/0``
        would silently lose its variable. Arguments were checked when they were built, so a new
        infinity or NaN is the whole result or one of its arguments (``zoo*x``).
        """
        try:
            expr = build(*args)
        except (JhError, MemoryError):
            raise
        except RecursionError:
            raise _too_deep() from None
        except Exception as exc:  # SymPy refusing odd arguments
            detail = _short((str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip("."), 120)
            raise self._error(f"cannot evaluate {_quote(self._snippet(start))}: {detail}", start) from None
        if defined and (expr in _NOT_NUMBERS or any(a in _NOT_NUMBERS for a in expr.args)):
            what = "point value " if self.constants_only else ""
            message = f"{what}{_quote(self._snippet(start))} is undefined (not a finite number)"
            raise self._error(message, start)
        return expr

    def _raise(self, base: _Value, exponent: _Value, start: int) -> _Value:
        b, x = base.expr, exponent.expr
        mag = None
        if x.is_Rational:
            r = _abs_value(x)
            if base.mag is None and abs(x.p) > self.limits.exponent * x.q:
                raise self._exponent_too_large(start, x)
            coefficients = _digits(b, exponents=False)  # raised to r; exponents are only multiplied
            self._refuse(_times(coefficients, r) + _digits(b) - coefficients, start)
            if not x.is_Integer and _digits(b) > _MAX_ROOT_DIGITS:
                raise self._root_too_large(b, start)
            if base.mag is not None:
                up, down = base.mag if x >= 0 else base.mag[::-1]
                mag = (_times(up, r), _times(down, r))
        elif base.mag is not None and exponent.mag is not None:  # 2**pi, 2.0**0.5: |x| <= 10**up(x)
            m = _times(max(base.mag), _pow10(exponent.mag[0]))
            mag = (m, m)
        mag = self._checked(mag, start)
        construct.note_finite_terms(b)  # SymPy asks whether they are infinite
        expr = self._build(start, sympy.Pow, b, x)
        self._check_exponents(expr, start)
        return _Value(expr, mag)

    def _refuse(self, size: float, start: int) -> None:
        if size > self.limits.digits:
            raise _too_large(self._snippet(start), size)

    def _checked(self, mag: _Magnitude | None, start: int) -> _Magnitude | None:
        self._refuse(max(mag) if mag else 0.0, start)
        return mag

    def _check_sum(self, terms: list[Any], start: int) -> None:
        """SymPy adds the coefficients of like terms: numerators and the product of denominators grow."""
        groups: dict[Any, tuple[float, float, int]] = {}
        for term in terms:
            for t in term.args if term.is_Add else (term,):
                coeff, rest = t.as_coeff_Mul()
                if coeff.is_Rational and (coeff.q > 1 or abs(coeff.p) > 10**6):
                    largest, dens, count = groups.get(rest, (0.0, 0.0, 0))
                    groups[rest] = (max(largest, _log10(coeff.p)), dens + _log10(coeff.q), count + 1)
        # Small integer coefficients (not tracked) add at most 6 + log10(len(text)) digits.
        self._refuse(
            max((n + d + math.log10(k) for n, d, k in groups.values() if k > 1), default=0.0) + 13, start
        )

    def _check_exponents(self, expr: Any, start: int) -> None:
        """SymPy folds (x**a)**b and x**a*x**b; the folded exponent is bounded too."""
        for factor in sympy.Mul.make_args(expr):
            limit = self.limits.exponent
            if factor.is_Pow and factor.exp.is_Rational and abs(factor.exp.p) > limit * factor.exp.q:
                if factor.base.free_symbols:
                    raise self._exponent_too_large(start, factor.exp)


def _parse(
    text: str,
    start: int,
    end: int,
    variables: Iterable[Any] = (),
    decimals: str = "exact",
    constants_only: bool = False,
    bindings: Mapping[str, Binding] | None = None,
) -> Any:
    if decimals not in ("exact", "float"):
        raise ValueError(f"decimals must be 'exact' or 'float', not {decimals!r}")
    names = frozenset(getattr(v, "name", v) for v in variables)
    _check_depth(text, start, end)
    try:
        return _Parser(text, start, end, names, decimals, constants_only, bindings).parse()
    except RecursionError:
        raise _too_deep() from None
    except MemoryError:
        raise LimitError(f"out of memory while reading the input ({len(text)} characters)") from None


# ---------------------------------------------------------------------------------------------
# Public API


def make_symbol(name: str) -> sympy.Symbol:
    """The one place jh makes symbols: every variable is real.

    >>> make_symbol("x").is_real
    True
    """
    return sympy.Symbol(name, real=True)


def parse_expression(
    text: str,
    *,
    variables: Iterable[str] = (),
    decimals: str = "exact",
    bindings: Mapping[str, Binding] | None = None,
) -> Any:
    """Read one expression; ``variables`` are names that stay symbols even if they name a constant.

    ``decimals="exact"`` reads ``0.5`` as 1/2; ``"float"`` reads it as a 15-digit Float. The
    result is a SymPy expression, or an ``ImmutableMatrix`` for a vector or matrix value.

    >>> parse_expression("2x^2 + sin(y)")
    2*x**2 + sin(y)
    >>> parse_expression("e + 0.5"), parse_expression("e + 0.5", variables=["e"])
    (1/2 + E, e + 1/2)
    >>> parse_expression("[[1, 2], [3, 4]] @ [x, y]")
    Matrix([
    [  x + 2*y],
    [3*x + 4*y]])
    """
    _check_length(text)
    return _parse(text, 0, len(text), variables, decimals, bindings=bindings)


def split_components(
    text: str, *, item: str = "component", whole: str = "expression"
) -> list[tuple[str, int]]:
    """Split at top-level commas (a ``[...]`` around the whole text is dropped first).

    Returns each component without surrounding whitespace, with its offset in ``text``. ``item``
    and ``whole`` name a component and the whole text in messages: a blank text is an "empty
    expression", a blank piece e.g. an "empty component after the last ','".

    >>> split_components("[x**2 + y, max(x, y)]")
    [('x**2 + y', 1), ('max(x, y)', 11)]
    """
    _check_length(text)
    start, end = _strip(text, 0, len(text))
    if start < end and text[start] == "[" and text[end - 1] == "]":
        depth = 0
        for match in _BRACKETS.finditer(text, start, end):
            depth += 1 if match.group() in "([" else -1
            if depth == 0:
                start, end = (start + 1, end - 1) if match.start() == end - 1 else (start, end)
                break
    bounds, depth, piece_start = [], 0, start
    for match in _SEPARATORS.finditer(text, start, end):
        if match.group() in "([":
            depth += 1
        elif match.group() in ")]":
            depth = max(depth - 1, 0)
        elif depth == 0:
            bounds.append((piece_start, match.start()))
            piece_start = match.end()
    bounds.append((piece_start, end))
    components = []
    for i, (piece_start, piece_end) in enumerate(bounds):
        lo, hi = _strip(text, piece_start, piece_end)
        if lo == hi:
            if len(bounds) == 1:
                where = f"empty {whole}"
            elif i == 0:
                where = f"empty {item} before the first ','"
            elif i == len(bounds) - 1:
                where = f"empty {item} after the last ','"
            else:
                where = f"empty {item} between two commas"
            raise ParseError(where, text, piece_end)
        components.append((text[lo:hi], lo))
    return components


def parse_functions(
    texts: Sequence[str],
    *,
    variables: Iterable[str] = (),
    decimals: str = "exact",
    bindings: Mapping[str, Binding] | None = None,
) -> list[sympy.Expr]:
    """Read the components of every argument (see ``split_components``), in order.

    A component whose value is a vector or matrix contributes its entries (row-major). Error
    positions refer to the whole argument the component came from.

    >>> parse_functions(["x**2 + y, x*y", "[sin(x)]"])
    [x**2 + y, x*y, sin(x)]
    >>> parse_functions(["tanh([[1, 2], [3, 4]] @ [x, y])"])
    [tanh(x + 2*y), tanh(3*x + 4*y)]
    """
    names = frozenset(getattr(v, "name", v) for v in variables)
    total = sum(len(text) for text in texts)
    if len(texts) > 1 and total > current_limits().input_length:  # one text: split_components checks it
        raise LimitError(f"input too long: {total} characters in all ({limit_note('input-length')})")
    out: list[sympy.Expr] = []
    for text in texts:
        for piece, offset in split_components(text):
            value = _parse(text, offset, offset + len(piece), names, decimals, bindings=bindings)
            out += list(value) if isinstance(value, sympy.MatrixBase) else [value]
    return out


_TRANSPOSE = re.compile(r"\.T(?![A-Za-z0-9_])")
_SHAPE = re.compile(r"([0-9]+)(?:[x×]([0-9]+))?")


def component_names(name: str, rows: int, cols: int | None) -> list[str]:
    """The names of the components of a vector ``name:rows`` or a matrix ``name:rowsxcols``.

    >>> component_names("x", 3, None), component_names("W", 2, 2), component_names("V", 1, 12)[-1]
    (['x_1', 'x_2', 'x_3'], ['W_11', 'W_12', 'W_21', 'W_22'], 'V_1_12')
    """
    if cols is None:
        return [f"{name}_{i}" for i in range(1, rows + 1)]
    sep = "" if rows < 10 and cols < 10 else "_"
    return [f"{name}_{i}{sep}{j}" for i in range(1, rows + 1) for j in range(1, cols + 1)]


class Declarations(NamedTuple):
    """A ``--vars`` list: every scalar variable in order, and the vectors and matrices among them."""

    symbols: list[sympy.Symbol]
    shaped: dict[str, Binding]  # name -> its matrix of component symbols


def parse_declarations(text: str) -> Declarations:
    """Read ``--vars``: names, vectors ``x:2`` (components x_1, x_2) and matrices ``W:2x3``
    (components W_11 ... W_23, row-major), in order.

    >>> d = parse_declarations("W:2x2, b:2, c")
    >>> d.symbols
    [W_11, W_12, W_21, W_22, b_1, b_2, c]
    >>> d.shaped["b"].expr
    Matrix([
    [b_1],
    [b_2]])
    """
    names: dict[str, None] = {}  # ordered, and a duplicate is found in O(1): 100,000 names take no time
    shaped: dict[str, Binding] = {}
    for piece, offset in split_components(text, item="variable name", whole="variable list"):
        name, colon, shape = piece.partition(":")
        if colon:
            match = _SHAPE.fullmatch(shape)  # x:2 and W:2x3, written without spaces
            rows, cols = (int(match[1]), int(match[2]) if match[2] else None) if match else (0, 0)
            if not match or rows == 0 or cols == 0:
                where = offset + len(name) + 1
                rule = "a shape is a length (x:3) or rows x columns (W:2x3), at least 1, without spaces"
                raise ParseError(f"invalid shape {_quote(shape)}: {rule}", text, where)
            if len(names) + rows * (cols or 1) > current_limits().variables:
                raise LimitError(
                    f"too many variables: {name}:{shape.strip()} has {rows * (cols or 1)} components "
                    f"({limit_note('variables')})"
                )
        _check_name(name, text, offset)
        parts = component_names(name, rows, cols) if colon else [name]
        for part in [name, *parts] if colon else parts:
            if part in names or part in shaped:
                raise ParseError(f"duplicate variable {_quote(part)}", text, offset)
        for part in parts:
            names[part] = None
        if colon:
            symbols = [make_symbol(part) for part in parts]
            matrix = sympy.ImmutableMatrix(rows, cols or 1, symbols)
            value = _Value(matrix if len(symbols) > 1 else symbols[0], None)
            shaped[name] = Binding(value, f"--vars {name}:{shape.strip()}")
    return Declarations([make_symbol(name) for name in names], shaped)


def parse_variables(text: str) -> list[sympy.Symbol]:
    """Read a comma-separated list of distinct variable names (vectors ``x:2`` give their components).

    >>> parse_variables("x, y, w1")
    [x, y, w1]
    """
    return parse_declarations(text).symbols


def _check_name(piece: str, text: str, offset: int, what: str = "variable name") -> None:
    if piece == "π":
        raise ParseError(f"'π' is the constant pi, not a {what}", text, offset)
    if not _VARIABLE.fullmatch(piece) or "__" in piece:
        hint = "; separate names with ','" if any(c in _SPACES for c in piece) else ""
        valid = _VARIABLE.fullmatch(piece) is not None  # then only the '__' rule is broken
        rule = "a name may not contain '__'" if valid else "a name is a letter, then letters, digits or '_'"
        raise ParseError(f"invalid {what} {_quote(piece)}: {rule}{hint}", text, offset)


def _point_value(text: str, start: int, end: int) -> Any:
    value = _parse(text, start, end, constants_only=True)
    entries = list(value) if isinstance(value, sympy.MatrixBase) else [value]
    for entry in entries:
        _check_point_value(entry, text, start, end)
    return value


def _scalar_point_value(variable: sympy.Symbol, text: str, start: int, end: int) -> Any:
    value = _point_value(text, start, end)
    if isinstance(value, sympy.MatrixBase):
        raise ShapeError(
            f"{variable.name} is a scalar but the point gives a {_shape_text(value.shape)} value", text, start
        )
    return value


def _check_point_value(value: Any, text: str, start: int, end: int) -> None:
    shown = _quote(" ".join(text[start:end].split()))
    if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or value.is_finite is False:
        raise ParseError(f"point value {shown} is undefined (not a finite number)", text, start)
    real = value.is_extended_real
    if real is None:
        try:
            real = value.evalf(30).is_extended_real
        except Exception:  # noqa: BLE001 - undecidable here; the analysis reports it at the point
            real = None
    if real is False:
        raise ParseError(f"point value {shown} is not a real number", text, start)


def parse_point(
    text: str, variables: Sequence[sympy.Symbol], shaped: Mapping[str, Binding] | None = None
) -> dict[sympy.Symbol, sympy.Expr]:
    """Read a point: values in variable order (``2,3``) or by name (``x=2, y=3``).

    Values are exact constants in the expression grammar (``1/2``, ``pi/4``, ``sqrt(2)``, ``1e-3``).
    A vector or matrix variable in ``shaped`` (from ``--vars x:2``) takes a list, ``x=[1, 2]``, or
    its components one by one, ``x_1=1, x_2=2``.

    >>> x, y = parse_variables("x, y")
    >>> parse_point("1/2, pi/4", [x, y]), parse_point("y=sqrt(2), x=1e-3", [x, y])
    ({x: 1/2, y: pi/4}, {x: 1/1000, y: sqrt(2)})
    >>> d = parse_declarations("x:2, c")
    >>> parse_point("x=[1, -1/2], c=0", d.symbols, d.shaped)
    {x_1: 1, x_2: -1/2, c: 0}
    """
    variables = list(variables)
    shaped = shaped or {}
    names = ", ".join(v.name for v in variables) or "none"
    entries: list[tuple[str | None, int, int, int]] = []  # name, its position, value start and end
    for piece, offset in split_components(text, item="coordinate", whole="point"):
        equals = piece.find("=")
        if equals < 0:
            entries.append((None, offset, offset, offset + len(piece)))
            continue
        lo, hi = _strip(text, offset, offset + equals)
        if not _VARIABLE.fullmatch(text[lo:hi]):
            found = f", found {_quote(text[lo:hi])}" if lo < hi else ""
            raise ParseError(f"expected a variable name before '='{found}", text, lo)
        value_lo, value_hi = _strip(text, offset + equals + 1, offset + len(piece))
        if value_lo == value_hi:
            raise ParseError(f"missing value after '{text[lo:hi]}='", text, value_hi)
        entries.append((text[lo:hi], lo, value_lo, value_hi))
    named = [name is not None for name, *_ in entries]
    if any(named) and not all(named):
        rule = "give all values in variable order or all as name=value"
        raise ParseError(
            f"mixed positional and named coordinates: {rule}", text, entries[named.index(not named[0])][1]
        )
    if not named[0]:
        n, m = len(entries), len(variables)
        if n != m:
            counts = f"{n} coordinate{'s' * (n != 1)} but there {'is' if m == 1 else 'are'} {m} variable"
            message = f"point has {counts}{'s' * (m != 1)} ({names})"
            raise ParseError(message, text, entries[m][1] if n > m else len(text))
        return {
            v: _scalar_point_value(v, text, lo, hi)
            for v, (_, _, lo, hi) in zip(variables, entries, strict=True)
        }
    by_name = {v.name: v for v in variables}
    point: dict[Any, Any] = {}
    for name, pos, lo, hi in entries:
        assert name is not None
        group = shaped.get(name)
        if group is not None:
            symbols = list(group.expr) if isinstance(group.expr, sympy.MatrixBase) else [group.expr]
            value = _point_value(text, lo, hi)
            values = list(value) if isinstance(value, sympy.MatrixBase) else [value]
            shape = group.expr.shape if isinstance(group.expr, sympy.MatrixBase) else (1, 1)
            given = value.shape if isinstance(value, sympy.MatrixBase) else (1, 1)
            vectors = min(shape) == 1 and min(given) == 1  # a vector takes a column or a row
            if len(values) != len(symbols) or (given != shape and not vectors):
                raise ShapeError(
                    f"{name} is {_shape_text(shape)} but the point gives a {_shape_text(given)} value",
                    text,
                    lo,
                )
            pairs = list(zip(symbols, values, strict=True))
        elif name in by_name:
            pairs = [(by_name[name], _scalar_point_value(by_name[name], text, lo, hi))]
        else:
            message = f"unknown variable {_quote(name)} in point; the variables are {names}"
            raise ParseError(message, text, pos)
        for symbol, value in pairs:
            if symbol in point:
                raise ParseError(f"variable {_quote(symbol.name)} is given twice", text, pos)
            point[symbol] = value
    missing = [v.name for v in variables if v not in point]
    if missing:
        raise ParseError(f"point has no value for {', '.join(missing)}", text, len(text))
    return {v: point[v] for v in variables}


def bind(name: str, value: Any, source: str = "") -> Binding:
    """A binding for a SymPy value given from Python (``let={"A": Matrix(...)}``)."""
    if isinstance(value, sympy.MatrixBase):
        value = sympy.ImmutableMatrix(value)
        if value.shape == (1, 1):
            value = value[0, 0]
    return Binding(_Value(value, None), source or f"let {name}")


def parse_let(
    text: str,
    *,
    bindings: Mapping[str, Binding],
    variables: Iterable[str] = (),
    decimals: str = "exact",
) -> tuple[str, Binding]:
    """Read ``NAME=VALUE`` (``--let``): a number, an expression or a nested list, which may use
    the names bound before it. Symbols in the value that are not declared variables are parameters.

    >>> name, b = parse_let("A=[[a, b], [b, c]]", bindings={})
    >>> name, b.expr
    ('A', Matrix([
    [a, b],
    [b, c]]))
    """
    _check_length(text)
    equals = text.find("=")
    if equals < 0:
        raise ParseError('--let takes NAME=VALUE, e.g. --let "W=[[1, 2], [3, 4]]"', text, len(text))
    lo, hi = _strip(text, 0, equals)
    name = text[lo:hi]
    _check_name(name, text, lo, what="name")
    variables = frozenset(getattr(v, "name", v) for v in variables)
    if name in _FUNCTIONS or name in _CONSTANTS:
        kind = "function" if name in _FUNCTIONS else "constant"
        raise ParseError(f"--let cannot rebind {_quote(name)}: it is a {kind}", text, lo)
    if name in variables or name in bindings:
        what = "a declared variable" if name in variables else f"already bound ({bindings[name].source})"
        raise ParseError(f"--let cannot bind {_quote(name)}: it is {what}", text, lo)
    value_lo, value_hi = _strip(text, equals + 1, len(text))
    if value_lo == value_hi:
        raise ParseError(f"missing value after '{name}='", text, value_hi)
    _check_depth(text, value_lo, value_hi)
    if decimals not in ("exact", "float"):
        raise ValueError(f"decimals must be 'exact' or 'float', not {decimals!r}")
    try:
        parser = _Parser(text, value_lo, value_hi, variables, decimals, False, bindings)
        value = parser._sum()
        if parser.tok.kind != "end":
            raise parser._stray()
    except RecursionError:
        raise _too_deep() from None
    return name, Binding(value, f"--let {name}")


def natural_key(symbol_or_name: Any) -> tuple[Any, ...]:
    """Sort key for names in natural order: ``x2`` before ``x10``, ``a`` before ``B`` before ``b``.

    >>> sorted(["x10", "y", "x2", "x1"], key=natural_key)
    ['x1', 'x2', 'x10', 'y']
    """
    name = str(getattr(symbol_or_name, "name", symbol_or_name))
    parts = re.split(r"([0-9]+)", name)
    # Digit runs compare by value without int(), which refuses more than 4300 digits.
    key = tuple(
        (len(p.lstrip("0")), p.lstrip("0")) if i % 2 else (p.casefold(), p) for i, p in enumerate(parts)
    )
    return (key, name)


def ordered_symbols(exprs: Iterable[sympy.Expr]) -> list[sympy.Symbol]:
    """The free symbols of all ``exprs`` in natural order.

    >>> ordered_symbols(parse_functions(["x10 + x2*b, a*sin(x1)"]))
    [a, b, x1, x2, x10]
    """
    symbols: set[Any] = set()
    for expr in exprs:
        symbols |= expr.free_symbols
    return sorted(symbols, key=natural_key)
