"""Symbolic scale: the fast paths give the results plain SymPy gives.

Term-by-term differentiation (``calculus.Terms``), the rule-for-rule differentiator
(``jhcli.engine``), the sparse Hessian and the evaluation that visits only non-zero entries are
each checked against plain SymPy (``sympy.diff``, ``Matrix.jacobian``, ``sympy.hessian``,
substitution) or against the general evaluation path, and a Hessian of 1,000 variables against
the hand formula for Rosenbrock's function.
"""

from __future__ import annotations

import json
import random

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jhcli import api, calculus, engine
from jhcli.analysis import Origin, evaluate_derivatives, evaluate_matrix
from jhcli.models import Status
from jhcli.parsing import make_symbol
from jhcli.printing import matrix_texts, sstr
from tests.conftest import run_jh
from tests.strategies import VARIABLES, X, Y, Z, points, smooth_expressions

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

_leaves = st.one_of(
    st.sampled_from(VARIABLES),
    st.integers(-3, 3).map(sympy.Integer),
    st.sampled_from([sympy.Rational(1, 2), sympy.Rational(-2, 3), sympy.pi, sympy.E]),
)
_functions = st.sampled_from(
    [sympy.sin, sympy.cos, sympy.tan, sympy.exp, sympy.log, sympy.sinh, sympy.cosh, sympy.tanh]
    + [sympy.asin, sympy.acos, sympy.atan, sympy.sqrt]
)
whitelisted = st.recursive(
    _leaves,
    lambda c: st.one_of(
        st.tuples(c, c).map(lambda ab: ab[0] + ab[1]),
        st.tuples(c, c).map(lambda ab: ab[0] * ab[1]),
        st.tuples(c, c).map(lambda ab: ab[0] - ab[1]),
        st.tuples(c, st.integers(-3, 3)).map(lambda ab: ab[0] ** ab[1] if ab[0] != 0 or ab[1] > 0 else ab[0]),
        st.tuples(c, c).map(lambda ab: ab[0] ** ab[1] if ab[0].free_symbols else ab[0]),
        st.tuples(_functions, c).map(lambda fa: fa[0](fa[1])),
    ),
    max_leaves=10,
)
"""Expressions of the node types ``jhcli.engine`` differentiates itself."""


def _symbols(n: int) -> list[sympy.Symbol]:
    return [make_symbol(f"x{i}") for i in range(1, n + 1)]


def rosenbrock(xs: list[sympy.Symbol]) -> sympy.Expr:
    return sympy.Add(*[100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(len(xs) - 1)])


def rosenbrock_text(n: int) -> str:
    return " + ".join(f"100*(x{i + 1}-x{i}**2)**2 + (1-x{i})**2" for i in range(1, n))


def _random_function(rng: random.Random, xs: list[sympy.Symbol], terms: int) -> sympy.Expr:
    """A sparse sum of small polynomial and trigonometric terms in a few of the variables."""
    out = []
    for _ in range(terms):
        a, b = rng.sample(xs, 2)
        c = rng.randint(-5, 5) or 1
        out.append(
            rng.choice(
                [
                    c * a**2 * b,
                    c * sympy.sin(a * b),
                    sympy.cos(c * a) * b**3,
                    (a - c * b) ** 3,
                    sympy.exp(a) * sympy.tanh(b) / c,
                    c * a,
                ]
            )
        )
    return sympy.Add(*out)


class TestEngine:
    @SETTINGS
    @given(whitelisted, st.sampled_from(VARIABLES))
    def test_same_expression_as_sympy_diff(self, expr: sympy.Expr, var: sympy.Symbol) -> None:
        try:
            fast = engine.diff(expr, var)
        except engine.Unsupported:  # SymPy built another node (sqrt(x**2) is Abs(x) for real x), or an
            # infinity (1/0 is zoo), which the engine leaves to SymPy by design
            assert any(
                (not (n.is_Add or n.is_Mul or n.is_Pow or n.func in engine._FUNCTIONS) and not n.is_Atom)
                or (n.is_Atom and not n.free_symbols and not n.is_finite)
                for n in sympy.preorder_traversal(expr)
            )
            return
        assert fast == sympy.diff(expr, var)

    @SETTINGS
    @given(smooth_expressions, st.sampled_from(VARIABLES))
    def test_same_expression_on_smooth_expressions(self, expr: sympy.Expr, var: sympy.Symbol) -> None:
        assert engine.diff(expr, var) == sympy.diff(expr, var)

    def test_rosenbrock_terms(self) -> None:
        xs = _symbols(4)
        for term in rosenbrock(xs).args:
            for v in xs:
                assert engine.diff(term, v) == sympy.diff(term, v)

    @pytest.mark.parametrize(
        "expr",
        [
            sympy.Abs(X) * Y,
            sympy.sign(X),
            sympy.floor(X) * Y,
            sympy.Max(X, Y),
            sympy.Piecewise((X, X > 0), (X**2, True)),
            sympy.Heaviside(X),
            sympy.Float(0.5) * X + sympy.sin(sympy.Abs(Y)),
        ],
    )
    def test_other_nodes_take_the_sympy_path(self, expr: sympy.Expr) -> None:
        with pytest.raises(engine.Unsupported):
            engine.diff(expr, X)
        got = calculus.jacobian([expr], [X, Y], simplify=False)
        assert got == sympy.Matrix([expr]).jacobian([X, Y])


class TestDerivatives:
    @pytest.mark.parametrize("n", [3, 8, 20, 40])
    def test_jacobian_equals_sympy(self, n: int) -> None:
        rng = random.Random(n)
        xs = _symbols(n)
        fs = [_random_function(rng, xs, 4) for _ in range(n // 2 + 1)]
        expected = sympy.Matrix(fs).jacobian(xs)
        pair = calculus.jacobian_pair(fs, xs)
        assert pair.raw == expected
        assert pair.shown == expected.applyfunc(calculus.tidy_derivative)

    @pytest.mark.parametrize("n", [3, 6, 12])
    def test_hessian_equals_sympy(self, n: int) -> None:
        rng = random.Random(100 + n)
        xs = _symbols(n)
        f = _random_function(rng, xs, 2 * n)
        expected = sympy.hessian(f, xs)
        got = calculus.hessian(f, xs)
        assert got.shape == (n, n)
        assert got == got.T
        assert (got - expected).applyfunc(sympy.simplify) == sympy.zeros(n, n)
        assert calculus.hessian(f, xs, simplify=False) == expected

    def test_gradient_equals_sympy(self) -> None:
        xs = _symbols(10)
        f = _random_function(random.Random(7), xs, 15)
        assert calculus.gradient(f, xs, simplify=False) == sympy.Matrix([sympy.diff(f, v) for v in xs])

    def test_rosenbrock_12_equals_sympy_hessian(self) -> None:
        xs = _symbols(12)
        assert calculus.hessian(rosenbrock(xs), xs) == sympy.hessian(rosenbrock(xs), xs)

    def test_rosenbrock_50_equals_the_hand_formula(self) -> None:
        n = 50
        xs = _symbols(n)

        def entry(i: int, j: int) -> sympy.Expr:
            if i == j:
                if i == n - 1:
                    return sympy.Integer(200)
                return 1200 * xs[i] ** 2 - 400 * xs[i + 1] + (202 if i > 0 else 2)
            return -400 * xs[min(i, j)] if abs(i - j) == 1 else sympy.S.Zero

        assert calculus.hessian(rosenbrock(xs), xs) == sympy.Matrix(n, n, entry)

    def test_non_smooth_entries_take_the_sympy_path(self) -> None:
        """|x|, sign, floor, max and Piecewise terms beside polynomial ones: still SymPy's derivatives."""
        f = (
            sympy.Abs(X) * Y**2
            + sympy.Max(X, Z) * Y
            + sympy.floor(Z) * X
            + sympy.Piecewise((X * Y, X > 0), (0, True))
            + X**3 * Y
        )
        xs = [X, Y, Z]
        grad = calculus.gradient(f, xs, simplify=False)
        assert grad == sympy.Matrix([sympy.diff(f, v) for v in xs])
        assert calculus.hessian(f, xs, simplify=False) == sympy.hessian(f, xs).applyfunc(
            lambda e: e.replace(calculus._is_unevaluated_jump, calculus._chain_rule_for_jump)
        )

    def test_polynomials_are_left_as_built(self) -> None:
        """A polynomial entry is shown as SymPy builds it; other entries are tidied."""
        p = 1200 * X**2 - 400 * Y + 202
        assert calculus.tidy_derivative(p) is p
        assert calculus.tidy_derivative(-400 * X * (-(X**2) + Y)) == -400 * X * (-(X**2) + Y)
        r = -(X**2) / (X**2 + Y**2) ** sympy.Rational(3, 2) + 1 / sympy.sqrt(X**2 + Y**2)
        assert calculus.tidy_derivative(r) == Y**2 / (X**2 + Y**2) ** sympy.Rational(3, 2)

    @SETTINGS
    @given(st.lists(st.one_of(st.sampled_from(VARIABLES), _leaves), min_size=1, max_size=4), _functions)
    def test_cheap_simplify_leaves_products_alone(self, factors: list[sympy.Expr], f: sympy.Function) -> None:
        """Without a sum there is nothing to factor: the fast path returns what the rewritings would."""
        expr = sympy.Mul(*factors) * f(sympy.Mul(*factors[:2]))
        candidates = [expr, sympy.factor_terms(expr), sympy.factor_terms(sympy.together(expr))]
        assert calculus.cheap_simplify(expr) == min(candidates, key=sympy.count_ops)

    def test_sparse_matrix_is_the_dense_matrix(self) -> None:
        entries = {(0, 1): X, (2, 2): sympy.Integer(3), (1, 0): sympy.S.Zero}
        dense = sympy.ImmutableMatrix([[0, X, 0], [0, 0, 0], [0, 0, 3]])
        got = calculus.sparse_matrix(3, 3, entries)
        assert got == dense
        assert type(got) is type(dense)
        assert calculus.nonzero_entries(got) == {(0, 1): X, (2, 2): 3}


def _general_path(matrix, raw, point, needs, origin):  # type: ignore[no-untyped-def]
    """The evaluation every entry goes through, zeros included (``evaluate_matrix``)."""
    sources = [[[*needs(i), raw[i, j]] for j in range(matrix.cols)] for i in range(matrix.rows)]
    origins = [[origin(i, j) for j in range(matrix.cols)] for i in range(matrix.rows)]
    return evaluate_matrix(matrix, point, sources=sources, origins=origins)


class TestEvaluation:
    @settings(SETTINGS, max_examples=40)
    @given(smooth_expressions, points)
    def test_hessian_at_a_point_equals_substitution(self, f: sympy.Expr, point: dict) -> None:
        r = api.hessian(f, vars="x,y,z", at=[point])
        expected = sympy.hessian(f, VARIABLES).xreplace(point)
        got = [[e.exact for e in row] for row in r.points[0].values]
        for i in range(3):
            for j in range(3):
                assert sympy.simplify(got[i][j] - expected[i, j]) == 0

    @pytest.mark.parametrize(
        ("text", "point"),
        [
            ("log(x) + y**2 + z", "0,1,2"),  # the function is undefined: every entry, zeros too
            ("x*abs(x) + y*z", "0,1,1"),  # a kink where the derivative exists
            ("abs(x) * y + z**2", "0,1,1"),  # a kink where it does not
            ("x/y + z**3", "1,0,1"),  # a division by zero in one row
            ("sqrt(x) + y*z", "-1,1,1"),  # complex values
            ("floor(x)*y + z", "1,2,3"),  # a jump
            ("max(x, y) + z**2", "1,1,0"),
        ],
    )
    def test_sparse_evaluation_equals_the_general_path(self, text: str, point: str) -> None:
        xs = [X, Y, Z]
        f = api.hessian(text, vars="x,y,z").functions[0]
        at = dict(zip(xs, [sympy.Integer(c) for c in point.split(",")], strict=True))
        grad = calculus.gradient_pair(f, xs)
        hess = calculus.hessian_pair(grad, xs)
        needs = lambda i: [f, grad.raw[i, 0]]  # noqa: E731
        origin = lambda i, j: Origin(grad.shown[i, 0], xs[j], Origin(f, xs[i]))  # noqa: E731
        fast = evaluate_derivatives(hess.shown, hess.raw, at, needs=needs, origin=origin)
        assert fast == _general_path(hess.shown, hess.raw, at, needs, origin)

    def test_undefined_function_makes_zero_entries_undefined(self) -> None:
        values = api.hessian("log(x) + y**2", at=["0,1"]).points[0].values
        assert all(e.status is Status.UNDEFINED for row in values for e in row)
        assert values[0][1].reason == "y**2 + log(x) is undefined at this point"

    def test_jacobian_of_dense_trig_at_a_point(self) -> None:
        n = 12
        text = ", ".join(" + ".join(f"sin({i}*x{j})" for j in range(1, n + 1)) for i in range(1, n + 1))
        r = api.jacobian(text, at=[",".join(["1"] * n)])
        values = r.points[0].values
        for i in range(1, n + 1):
            for j in range(1, n + 1):
                assert r.matrix[i - 1, j - 1] == i * sympy.cos(i * make_symbol(f"x{j}"))
                assert values[i - 1][j - 1].exact == i * sympy.cos(i)

    def test_rosenbrock_1000_at_a_point(self) -> None:
        """A sparse Hessian of 1,000 variables, checked against the hand formula at a point."""
        n = 1000
        x = [(k % 5) - 2 for k in range(n)]  # -2, -1, 0, 1, 2, -2, ...
        r = api.hessian(rosenbrock_text(n), at=[",".join(map(str, x))])
        h = r.points[0].values
        assert r.matrix.shape == (n, n)
        assert len(calculus.nonzero_entries(r.matrix)) == 3 * n - 2
        for i in [0, 1, 2, 499, 996, 997]:
            assert h[i][i].exact == 1200 * x[i] ** 2 - 400 * x[i + 1] + 2 + (200 if i > 0 else 0)
            assert h[i][i + 1].exact == h[i + 1][i].exact == -400 * x[i]
            assert h[i][i + 2].exact == 0
        assert h[n - 1][n - 1].exact == 200
        assert h[0][n - 1].numeric == 0.0
        x1, x2 = make_symbol("x1"), make_symbol("x2")
        assert r.matrix[0, 0] == 1200 * x1**2 - 400 * x2 + 2
        assert r.matrix[0, 1] == -400 * x1


class TestRendering:
    def test_matrix_texts_are_sstr(self) -> None:
        m = sympy.ImmutableMatrix([[0, X**2 - 1, -(10**30)], [sympy.Rational(1, 3), sympy.E * X, 0]])
        assert matrix_texts(m) == [[sstr(m[i, j]) for j in range(3)] for i in range(2)]
        assert matrix_texts(m)[0] == ["0", "x**2 - 1", "-1000000000000000000000000000000"]

    @pytest.mark.parametrize("k", [0, 1, -1, 7, -123456789, 10**40, -(10**40)])
    def test_integer_text_is_the_printers(self, k: int) -> None:
        from sympy.printing.str import StrPrinter

        assert sstr(sympy.Integer(k)) == StrPrinter().doprint(sympy.Integer(k)) == str(k)

    def test_json_of_a_large_hessian(self) -> None:
        n = 60
        out = run_jh("hessian", rosenbrock_text(n), "--at", ",".join(["1"] * n), "-f", "json")
        assert out.exit_code == 0, out.stderr
        data = json.loads(out.stdout)
        assert len(data["matrix"]) == n and all(len(row) == n for row in data["matrix"])
        assert data["matrix"][0][:3] == ["1200*x1**2 - 400*x2 + 2", "-400*x1", "0"]
        value = data["points"][0]["value"]
        assert value[0][:3] == ["802", "-400", "0"]  # 1200 - 400 + 2
        assert value[5][5] == "1002" and value[n - 1][n - 1] == "200"
        assert data["points"][0]["numeric"][5][4:7] == [-400.0, 1002.0, -400.0]


_sum_terms = st.one_of(
    _leaves,
    st.tuples(_leaves, _leaves).map(lambda ab: ab[0] * ab[1]),
    st.tuples(st.sampled_from(VARIABLES), st.integers(-3, 4)).map(lambda ab: ab[0] ** ab[1]),
    st.tuples(_functions, st.sampled_from(VARIABLES)).map(lambda fa: fa[0](fa[1])),
    st.floats(-5, 5, allow_nan=False).map(sympy.Float),
)
_powers_of_sums = st.tuples(
    st.lists(_sum_terms, min_size=2, max_size=4).map(lambda ts: sympy.Add(*ts)),
    st.integers(-4, 5),
    st.one_of(_leaves, st.tuples(_leaves, _leaves).map(lambda ab: ab[0] * ab[1])),
).map(lambda p: p[2] * p[0] ** p[1])


class TestIntegerPowers:
    """The engine builds d(B**n) as (dB*n) * B**(n-1): the same expression as SymPy's
    B**n * (dB*n/B), for sums, symbols, functions and their products as B."""

    @settings(SETTINGS, max_examples=400)
    @given(_powers_of_sums, st.sampled_from(VARIABLES))
    def test_powers_of_sums(self, expr: sympy.Expr, var: sympy.Symbol) -> None:
        try:
            fast = engine.diff(expr, var)
        except engine.Unsupported:
            return  # an infinity or a node SymPy made of it (checked in TestEngine)
        slow = sympy.diff(expr, var)
        assert fast == slow
        assert sympy.srepr(fast) == sympy.srepr(slow)

    @pytest.mark.parametrize(
        "expr",
        [
            X**2,
            X**-1,
            X**5,
            (1 - X) ** 2,
            (X + 1) ** 2,
            3 * (X + 1) ** 2,
            100 * (Y - X**2) ** 2,
            (X + Y) ** -2,
            sympy.sin(X) ** 3,
            (sympy.exp(X) + X) ** 2,
            (X * Y + sympy.Rational(1, 2)) ** 4,
            (sympy.Float(0.5) * X + 1) ** 2,
        ],
        ids=str,
    )
    def test_known_cases(self, expr: sympy.Expr) -> None:
        for var in (X, Y):
            assert sympy.srepr(engine.diff(expr, var)) == sympy.srepr(sympy.diff(expr, var))
