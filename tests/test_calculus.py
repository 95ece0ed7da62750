"""Derivatives: layout conventions, the seed examples, and properties checked independently."""

from __future__ import annotations

import mpmath
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from jhcli import calculus
from tests.strategies import VARIABLES, X, Y, Z, points, smooth_expressions

a, b = sympy.symbols("a b", real=True)


class TestJacobian:
    def test_seed_example(self) -> None:
        """The notes' Jacobian of (x^2 + y, xy) is [[2x, 1], [y, x]]."""
        assert calculus.jacobian([X**2 + Y, X * Y], [X, Y]) == sympy.Matrix([[2 * X, 1], [Y, X]])

    def test_rows_are_functions_and_columns_are_variables(self) -> None:
        """A map R^3 -> R^2 has a 2 x 3 Jacobian with J[i, j] = d f_i / d x_j."""
        j = calculus.jacobian([X * Y * Z, X + 2 * Z], [X, Y, Z])
        assert j.shape == (2, 3)
        assert j[0, 2] == X * Y and j[1, 2] == 2

    def test_undeclared_variable_gives_a_zero_column(self) -> None:
        """Differentiating by a variable that does not occur gives zeros, not an error."""
        assert calculus.jacobian([X**2], [X, Y]) == sympy.Matrix([[2 * X, 0]])

    def test_chain_rule_exercise(self) -> None:
        """Exercise 1: d tanh(ax + by) / d(x, y) = (1 - tanh^2) (a, b)."""
        t = sympy.tanh(a * X + b * Y)
        j = calculus.jacobian([t], [X, Y])
        assert sympy.simplify(j - sympy.Matrix([[a * (1 - t**2), b * (1 - t**2)]])) == sympy.zeros(1, 2)

    def test_simplification_is_cheap_but_helps(self) -> None:
        """d/dx of x/sqrt(x^2+y^2) is shown as y^2/(x^2+y^2)^(3/2), with --no-simplify left raw."""
        f = X / sympy.sqrt(X**2 + Y**2)
        assert calculus.jacobian([f], [X])[0] == Y**2 / (X**2 + Y**2) ** sympy.Rational(3, 2)
        assert calculus.jacobian([f], [X], simplify=False)[0] == sympy.diff(f, X)


class TestGradient:
    def test_gradient_is_a_column(self) -> None:
        """The gradient of f: R^2 -> R is 2 x 1."""
        g = calculus.gradient(X**2 * Y + sympy.sin(X), [X, Y])
        assert g.shape == (2, 1)
        assert list(g) == [2 * X * Y + sympy.cos(X), X**2]


class TestHessian:
    def test_seed_example(self) -> None:
        """The notes' Hessian of x^2 + 3xy + y^2 is [[2, 3], [3, 2]]."""
        assert calculus.hessian(X**2 + 3 * X * Y + Y**2, [X, Y]) == sympy.Matrix([[2, 3], [3, 2]])

    def test_quadratic_form_hessian_is_twice_the_matrix(self) -> None:
        """Exercise 2: the Hessian of x^T A x for symmetric A is 2A."""
        p, q, r = sympy.symbols("p q r", real=True)
        A = sympy.Matrix([[p, q], [q, r]])
        v = sympy.Matrix([X, Y])
        f = sympy.expand((v.T * A * v)[0])
        assert calculus.hessian(f, [X, Y]) == 2 * A

    def test_sparse_pattern(self) -> None:
        """Entries between variables that never meet are exactly zero."""
        h = calculus.hessian(X**3 + Y**3 + Z**3, [X, Y, Z])
        assert h == sympy.diag(6 * X, 6 * Y, 6 * Z)

    @settings(max_examples=60, deadline=None)
    @given(smooth_expressions)
    def test_hessian_is_symmetric(self, f: sympy.Expr) -> None:
        """H equals its transpose for every smooth function."""
        h = calculus.hessian(f, list(VARIABLES))
        assert h == h.T

    @settings(max_examples=60, deadline=None)
    @given(smooth_expressions)
    def test_hessian_is_the_jacobian_of_the_gradient(self, f: sympy.Expr) -> None:
        """H[i, j] equals SymPy's own d2f/dx_i dx_j (independently computed), up to simplification."""
        h = calculus.hessian(f, list(VARIABLES))
        for i, vi in enumerate(VARIABLES):
            for j, vj in enumerate(VARIABLES):
                difference = h[i, j] - sympy.diff(f, vi, vj)
                assert sympy.expand(difference) == 0 or difference.equals(0)

    @settings(max_examples=40, deadline=None)
    @given(smooth_expressions, points)
    def test_hessian_matches_central_differences(self, f: sympy.Expr, point: dict) -> None:
        """At random points, H agrees with central second differences of f (computed with mpmath)."""
        h = calculus.hessian(f, list(VARIABLES))
        fn = sympy.lambdify(VARIABLES, f, modules="mpmath")
        with mpmath.workdps(40):
            p = [mpmath.mpf(point[v].p) / point[v].q for v in VARIABLES]
            step = mpmath.mpf("1e-8")
            for i in range(3):
                for j in range(3):

                    def at(di: int, dj: int, i: int = i, j: int = j) -> mpmath.mpf:
                        q = list(p)
                        q[i] += di * step
                        q[j] += dj * step
                        return fn(*q)

                    fd = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * step**2)
                    exact = h[i, j].xreplace(point).evalf(40)
                    assert abs(fd - mpmath.mpf(str(exact))) <= mpmath.mpf("1e-6") * (1 + abs(fd))

    @given(st.integers(2, 6))
    def test_diagonal_quadratic_in_n_variables(self, n: int) -> None:
        """sum_k k x_k^2 has the diagonal Hessian diag(2, 4, ..., 2n)."""
        xs = sympy.symbols(f"x1:{n + 1}", real=True)
        f = sum((k + 1) * v**2 for k, v in enumerate(xs))
        assert calculus.hessian(f, xs) == sympy.diag(*[2 * (k + 1) for k in range(n)])
