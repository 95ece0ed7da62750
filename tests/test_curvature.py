"""Curvature at a point: exact inertia, readable spectra, sound verdicts on degenerate critical points."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jhcli import curvature
from jhcli.curvature import classify, classify_from_hessian, inertia, reading_sentences, spectrum
from jhcli.errors import MathError, ShapeError
from jhcli.models import Certainty, Inertia, PointType

x, y, z = sympy.symbols("x y z", real=True)
O2 = {x: 0, y: 0}
O3 = {x: 0, y: 0, z: 0}
MIN, MAX, SADDLE = PointType.MINIMUM, PointType.MAXIMUM, PointType.SADDLE


def _eigsy(matrix: sympy.Matrix) -> list[float]:
    """Independent numeric eigenvalues (mpmath's symmetric eigensolver at 30 digits)."""
    with mpmath.workdps(30):
        values, _ = mpmath.eigsy(
            mpmath.matrix([[mpmath.mpf(str(e.evalf(40))) for e in row] for row in matrix.tolist()])
        )
        return sorted(float(v) for v in values)


def _values(matrix: sympy.Matrix) -> list[float]:
    """Eigenvalues from ``spectrum``, with multiplicity, as floats."""
    return [e.numeric for e in spectrum(matrix).eigenvalues for _ in range(e.multiplicity)]


def _no_imaginary_unit(expr: object) -> bool:
    return not (isinstance(expr, sympy.Basic) and expr.has(sympy.I))


class TestInertia:
    def test_indefinite_two_by_two(self) -> None:
        """[[2, 3], [3, 2]] has one positive and one negative eigenvalue."""
        assert inertia(sympy.Matrix([[2, 3], [3, 2]])) == Inertia(1, 1, 0)

    def test_zero_matrix(self) -> None:
        """The zero matrix has only zero eigenvalues (not 'both semidefinite')."""
        assert inertia(sympy.zeros(3, 3)) == Inertia(0, 0, 3)

    def test_singular_matrix_counts_the_kernel(self) -> None:
        """[[1, 1], [1, 1]] has eigenvalues 0 and 2."""
        assert inertia(sympy.Matrix([[1, 1], [1, 1]])) == Inertia(1, 0, 1)

    def test_twenty_by_twenty_matches_sylvester(self) -> None:
        """A 20x20 congruence P^T D P has the inertia of D (Sylvester's law), found exactly in under 1 s."""
        rng = random.Random(20)
        n = 20
        d = [rng.choice([-3, -2, -1, 0, 1, 2, 5]) for _ in range(n)]
        lower = sympy.eye(n)
        upper = sympy.eye(n)
        for i in range(n):
            for j in range(i):
                lower[i, j] = rng.randint(-2, 2)
                upper[j, i] = sympy.Rational(rng.randint(-2, 2), rng.randint(1, 3))
        p = lower * upper  # det 1, so invertible
        a = p.T * sympy.diag(*d) * p
        expected = Inertia(sum(v > 0 for v in d), sum(v < 0 for v in d), d.count(0))
        assert inertia(a) == expected

    def test_symbolic_constants_are_exact(self) -> None:
        """Entries such as sqrt(2), pi, E and sin(1) are decided exactly, including an exact zero."""
        assert inertia(sympy.Matrix([[sympy.sqrt(2), 1], [1, sympy.pi]])) == Inertia(2, 0, 0)
        assert inertia(sympy.Matrix([[sympy.E, sympy.sin(1)], [sympy.sin(1), 1]])) == Inertia(2, 0, 0)
        # det = 2 - sqrt(2)*sqrt(2) is exactly 0
        assert inertia(
            sympy.Matrix([[sympy.sqrt(2), sympy.sqrt(2)], [sympy.sqrt(2), sympy.sqrt(2)]])
        ) == Inertia(1, 0, 1)

    def test_floats_use_the_tolerance(self) -> None:
        """With floats, an eigenvalue of 1e-12 counts as zero at the default tolerance and not at 1e-15."""
        m = sympy.Matrix([[1.0, 0], [0, 1e-12]])
        assert inertia(m) == Inertia(1, 0, 1)
        assert inertia(m, tolerance=1e-15) == Inertia(2, 0, 0)

    def test_rejects_non_symmetric_and_symbolic_matrices(self) -> None:
        """A non-symmetric matrix or one with free symbols is refused with a clear error."""
        with pytest.raises(MathError, match="symmetric"):
            inertia(sympy.Matrix([[1, 2], [3, 4]]))
        with pytest.raises(MathError, match="symbolic"):
            inertia(sympy.Matrix([[x, 0], [0, 1]]))
        with pytest.raises(ShapeError):
            inertia(sympy.Matrix([[1, 2]]))


class TestSpectrum:
    def test_integer_eigenvalues(self) -> None:
        """[[2, 3], [3, 2]] has eigenvalues -1 and 5, determinant -5 and trace 4, all exact."""
        s = spectrum(sympy.Matrix([[2, 3], [3, 2]]))
        assert [e.exact for e in s.eigenvalues] == [-1, 5]
        assert (s.determinant, s.trace, s.condition_number) == (-5, 4, 5)
        assert s.certainty is Certainty.EXACT and s.tolerance is None
        assert s.readings == ("mixed signs: saddle directions",)

    def test_square_roots(self) -> None:
        """[[1, 1], [1, 0]] has eigenvalues (1 -+ sqrt 5)/2 and condition number (3 + sqrt 5)/2."""
        s = spectrum(sympy.Matrix([[1, 1], [1, 0]]))
        lo, hi = (e.exact for e in s.eigenvalues)
        assert sympy.simplify(lo - (1 - sympy.sqrt(5)) / 2) == 0
        assert sympy.simplify(hi - (1 + sympy.sqrt(5)) / 2) == 0
        assert sympy.simplify(s.condition_number - (3 + sympy.sqrt(5)) / 2) == 0

    def test_zero_and_radical_eigenvalues(self) -> None:
        """[[1, 1, 0], [1, 0, 1], [0, 1, -1]] has eigenvalues -sqrt 3, 0, sqrt 3 and condition number oo."""
        s = spectrum(sympy.Matrix([[1, 1, 0], [1, 0, 1], [0, 1, -1]]))
        assert [e.exact for e in s.eigenvalues] == [-sympy.sqrt(3), 0, sympy.sqrt(3)]
        assert s.condition_number is sympy.oo
        assert s.inertia == Inertia(1, 1, 1)
        assert "1 zero eigenvalue: a flat direction" in s.readings

    def test_irreducible_cubic_is_trigonometric_and_real(self) -> None:
        """An irreducible cubic gives real cosine forms (no I) that an independent solver confirms."""
        m = sympy.Matrix([[0, 1, 0], [1, 0, 1], [0, 1, 1]])  # t^3 - t^2 - 2t + 1, no rational root
        s = spectrum(m)
        t = sympy.Symbol("t")
        assert sympy.Poly(m.charpoly(t).as_expr(), t).is_irreducible
        exact = [e.exact for e in s.eigenvalues if e.exact is not None]
        assert len(exact) == 3 and all(_no_imaginary_unit(e) for e in exact)
        assert all(e.has(sympy.cos) or e.has(sympy.sin) for e in exact)
        assert [float(e) for e in exact] == pytest.approx(_eigsy(m), abs=1e-12)
        for e in exact:  # each is a root of the characteristic polynomial to 40 digits
            assert abs(m.charpoly(t).as_expr().subs(t, e).evalf(50)) < 1e-40

    def test_unreadable_roots_are_certified_numbers(self) -> None:
        """An irreducible quartic gives exact=None and numeric values that match an independent solver."""
        m = sympy.Matrix([[1, 2, 3, 4], [2, 5, 6, 7], [3, 6, 8, 9], [4, 7, 9, 10]])
        s = spectrum(m)
        assert all(e.exact is None for e in s.eigenvalues)
        assert [e.numeric for e in s.eigenvalues] == pytest.approx(_eigsy(m), rel=1e-13)
        assert (s.determinant, s.trace) == (-2, 24)
        assert s.certainty is Certainty.EXACT and s.condition_number.is_Float

    def test_multiplicity_and_eigenspace(self) -> None:
        """The 3x3 identity has eigenvalue 1 of multiplicity 3 with the standard basis as eigenspace."""
        s = spectrum(sympy.eye(3), vectors=True)
        (only,) = s.eigenvalues
        assert (only.exact, only.multiplicity) == (1, 3)
        assert set(only.vectors) == {(1, 0, 0), (0, 1, 0), (0, 0, 1)}
        assert s.readings == ("all eigenvalues positive: locally convex",)

    def test_exact_vectors_are_eigenvectors(self) -> None:
        """Every exact eigenvector v satisfies A v = lambda v exactly, and starts with 1."""
        for m in (
            sympy.Matrix([[2, 3], [3, 2]]),
            sympy.Matrix([[1, 1], [1, 0]]),
            sympy.Matrix([[0, 1, 0], [1, 0, 1], [0, 1, 1]]),
            sympy.Matrix([[2, 1, 1], [1, 2, 1], [1, 1, 2]]),
        ):
            s = spectrum(m, vectors=True)
            assert sum(len(e.vectors) for e in s.eigenvalues) == m.rows
            for e in s.eigenvalues:
                for v in e.vectors:
                    col = sympy.Matrix(v)
                    assert next(c for c in v if c != 0) == 1
                    residual = (m * col - e.exact * col).evalf(60)
                    assert all(abs(r) < 1e-50 for r in residual)

    def test_symbolic_constant_entries(self) -> None:
        """Entries sqrt(2), pi, E, sin(1) give real eigenvalues (no I) that an independent solver confirms."""
        for m in (
            sympy.Matrix([[sympy.sqrt(2), 1], [1, sympy.pi]]),
            sympy.Matrix([[sympy.E, sympy.sin(1)], [sympy.sin(1), 1]]),
            sympy.Matrix([[sympy.sqrt(2), 0, 0], [0, sympy.sqrt(2), 0], [0, 0, sympy.sqrt(2)]]),
        ):
            s = spectrum(m, vectors=True)
            assert all(_no_imaginary_unit(e.exact) for e in s.eigenvalues)
            assert _values(m) == pytest.approx(_eigsy(m), rel=1e-13)
            assert s.certainty is Certainty.EXACT
        triple = spectrum(sympy.sqrt(2) * sympy.eye(3))
        assert [(e.exact, e.multiplicity) for e in triple.eigenvalues] == [(sympy.sqrt(2), 3)]

    def test_float_matrix_is_numeric(self) -> None:
        """A matrix of floats gives a numeric spectrum with the tolerance recorded."""
        s = spectrum(sympy.Matrix([[2.0, 1.0], [1.0, 2.0]]), vectors=True)
        assert [e.numeric for e in s.eigenvalues] == pytest.approx([1.0, 3.0])
        assert all(e.exact is None for e in s.eigenvalues)
        assert s.certainty is Certainty.NUMERIC and s.tolerance == 1e-9
        v = s.eigenvalues[0].vectors[0]
        assert v == pytest.approx((2**-0.5, -(2**-0.5)))

    def test_condition_numbers(self) -> None:
        """Condition number: exact ratio, oo when singular, and an ill-conditioned reading from 1000 on."""
        assert spectrum(sympy.Matrix([[1000, 0], [0, 1]])).condition_number == 1000
        assert spectrum(sympy.Matrix([[999, 0], [0, -1]])).condition_number == 999
        assert spectrum(sympy.Matrix([[1, 1], [1, 1]])).condition_number is sympy.oo
        assert spectrum(sympy.zeros(2, 2)).condition_number is sympy.oo
        wide = spectrum(sympy.Matrix([[10**6, 0], [0, 1]]))
        assert "condition number 1000000: ill-conditioned (gradient descent will be slow)" in wide.readings
        narrow = spectrum(sympy.Matrix([[999, 0], [0, 1]]))
        assert not any("ill-conditioned" in r for r in narrow.readings)
        floats = spectrum(sympy.Matrix([[1e6, 0], [0, 1.0]]))
        assert "condition number 1e6: ill-conditioned (gradient descent will be slow)" in floats.readings

    def test_readings(self) -> None:
        """Readings follow the notes: convex, concave, saddle directions, flat directions."""
        assert reading_sentences(Inertia(0, 2, 0), sympy.Integer(1)) == (
            "all eigenvalues negative: locally concave",
        )
        assert reading_sentences(Inertia(0, 0, 2), sympy.oo) == (
            "all eigenvalues zero: no curvature to second order (flat in every direction)",
        )
        semidefinite = reading_sentences(Inertia(1, 0, 2), sympy.oo)
        assert "2 zero eigenvalues: flat directions" in semidefinite
        assert any("positive semidefinite" in r for r in semidefinite)
        assert curvature.WIDE_SPREAD == 1000


# (function, variables, point, expected type, expected degenerate flag, phrases the reason contains)
NAMED = [
    pytest.param(x**2 + 3 * x * y + y**2, (x, y), O2, SADDLE, False, ["-1 and 5"], id="x2+3xy+y2"),
    pytest.param(x**2 + y**2, (x, y), O2, MIN, False, ["positive definite", "2, 2"], id="bowl"),
    pytest.param(-(x**2) - y**2, (x, y), O2, MAX, False, ["negative definite"], id="cap"),
    pytest.param(x**3, (x,), {x: 0}, SADDLE, True, ["f'''(0) = 6", "stationary inflection"], id="x3"),
    pytest.param(x**4, (x,), {x: 0}, MIN, True, ["f^(4)(0) = 24 > 0", "strict local minimum"], id="x4"),
    pytest.param(-(x**4), (x,), {x: 0}, MAX, True, ["f^(4)(0) = -24 < 0"], id="-x4"),
    pytest.param(x**4 + y**4, (x, y), O2, MIN, True, ["x**4 + y**4", "even degree 4"], id="x4+y4"),
    pytest.param(
        x**3 - 3 * x * y**2, (x, y), O2, SADDLE, True, ["odd degree 3", "changes sign"], id="monkey"
    ),
    pytest.param(x**2 + y**4, (x, y), O2, MIN, True, ["kernel direction (0, 1)", "y**4"], id="x2+y4"),
    pytest.param(x**2 + y**3, (x, y), O2, SADDLE, True, ["y**3 changes sign"], id="x2+y3"),
    pytest.param(
        x**2 - 2 * x * y + y**2 + x**4,
        (x, y),
        O2,
        MIN,
        True,
        ["kernel direction (1, 1)", "t**4"],
        id="valley",
    ),
    pytest.param(
        (y - x**2) * (y - 3 * x**2),
        (x, y),
        O2,
        SADDLE,
        True,
        ["y = 2*x**2", "-x**4 < 0", "y**2 > 0"],
        id="peano",
    ),
    pytest.param(x**2 - y**2 + z**4, (x, y, z), O3, SADDLE, True, ["both signs (-2, 0, 2)"], id="x2-y2+z4"),
    pytest.param(
        (x - 1) ** 2 + (y + 2) ** 4, (x, y), {x: 1, y: -2}, MIN, True, ["(y + 2)**4"], id="translated"
    ),
    pytest.param(sympy.cos(x) + y**2, (x, y), O2, SADDLE, False, ["-1 and 2"], id="cos(x)+y2"),
    pytest.param(1 - sympy.cos(x) + y**4, (x, y), O2, MIN, True, ["y**4"], id="1-cos(x)+y4"),
]


class TestClassifyNamedCases:
    @pytest.mark.parametrize(("f", "variables", "point", "kind", "degenerate", "phrases"), NAMED)
    def test_verdict(self, f, variables, point, kind, degenerate, phrases) -> None:
        """Each named case of the issue gets its known verdict, exactly, with a reason naming the evidence."""
        c = classify(f, variables, point)
        assert c.type is kind, c.reason
        assert c.degenerate is degenerate
        assert c.certainty is Certainty.EXACT and c.tolerance is None
        for phrase in phrases:
            assert phrase in c.reason
        assert c.reason[0].islower() and "\n" not in c.reason

    def test_not_critical_gives_the_gradient(self) -> None:
        """At (1, 0) the gradient of x^2 + y^2 is (2, 0), which the reason shows."""
        c = classify(x**2 + y**2, (x, y), {x: 1, y: 0})
        assert c.type is PointType.NOT_CRITICAL
        assert c.reason == "the gradient (2, 0) is not zero here"

    def test_not_critical_in_one_variable(self) -> None:
        """In one variable the reason names f'(p)."""
        c = classify(x**3 - 3 * x, (x,), {x: 2})
        assert c.type is PointType.NOT_CRITICAL and c.reason == "f'(2) = 9 is not zero"

    def test_tiny_exact_gradient_is_not_rounded_away(self) -> None:
        """A gradient of pi - 355/113 (about 3e-7) is exactly non-zero: not a critical point."""
        c = classify(x**2 + (sympy.pi - sympy.Rational(355, 113)) * y, (x, y), O2)
        assert c.type is PointType.NOT_CRITICAL and c.certainty is Certainty.EXACT

    def test_honest_inconclusive(self) -> None:
        """A quartic form vanishing along (1, 1, 1) stays inconclusive; the reason says what was tried."""
        f = x**4 + y**4 + z**4 - x**2 * y**2 - y**2 * z**2 - z**2 * x**2
        c = classify(f, (x, y, z), O3)
        assert c.type is PointType.INCONCLUSIVE
        assert "could not be shown definite or indefinite" in c.reason
        assert "splitting lemma" in c.reason and "Newton polygon" in c.reason

    def test_not_smooth_is_inconclusive(self) -> None:
        """With a singular Hessian and Abs in f, Taylor arguments are refused rather than guessed."""
        c = classify(sympy.Abs(x) ** 3 + y**2, (x, y), O2)
        assert c.type is PointType.INCONCLUSIVE and "not smooth" in c.reason

    def test_undefined_derivative_is_inconclusive(self) -> None:
        """sqrt(x^2 + y^2) at the origin is not differentiable there, and the verdict says so."""
        c = classify(sympy.sqrt(x**2 + y**2), (x, y), O2)
        assert c.type is PointType.INCONCLUSIVE and "not twice differentiable" in c.reason

    def test_missing_coordinate(self) -> None:
        """A point without a value for every variable is a shape error."""
        with pytest.raises(ShapeError, match="no value for y"):
            classify(x**2 + y**2, (x, y), {x: 0})


class TestClassifyDegenerate:
    @pytest.mark.parametrize(
        ("f", "variables", "kind", "phrase"),
        [
            (-(x**2) - y**4, (x, y), MAX, "negative away from 0"),
            (-((y - x**2) * (y - 3 * x**2)), (x, y), SADDLE, "x**4 > 0"),
            ((x - y) ** 2 + (x + y) ** 3, (x, y), SADDLE, "along the line y = x"),
            (x**4 - y**4, (x, y), SADDLE, "both signs"),
            (-((x**2 + y**2) ** 2), (x, y), MAX, "negative away from p"),
            (x**4 + y**6, (x, y), MIN, "weights 3, 2"),
            (z**2 + x**4 + y**6, (x, y, z), MIN, "weights 3, 2"),
            (z**2 + x**4 - y**4, (x, y, z), SADDLE, "both signs"),
            (x * y * z, (x, y, z), SADDLE, "odd degree 3"),
            (x**2 + 2 * x * y**2 - y**6 + y**4, (x, y), SADDLE, "x = -y**2"),
            (x**2 - 2 * x * y**2, (x, y), SADDLE, "x = y**2"),
            (x**2 + y**2 - z**3 * x + z**6, (x, y, z), MIN, "3*z**6/4"),
        ],
    )
    def test_more_degenerate_points(self, f, variables, kind, phrase) -> None:
        """Degenerate points beyond the named ones: maxima, rotated kernels, weighted forms, valleys."""
        c = classify(f, variables, dict.fromkeys(variables, 0))
        assert c.type is kind, c.reason
        assert c.degenerate and phrase in c.reason

    def test_non_strict_minimum_on_a_valley(self) -> None:
        """(y - x^2)^2 vanishes on the curve y = x^2: a local minimum that is not strict."""
        c = classify((y - x**2) ** 2, (x, y), O2)
        assert c.type is MIN and "not strict" in c.reason

    def test_sum_of_even_powers(self) -> None:
        """x^2 y^2 + z^2 >= 0 with equality on the x-axis: a non-strict minimum."""
        c = classify(x**2 * y**2 + z**2, (x, y, z), O3)
        assert c.type is MIN and "not strict" in c.reason and "y = 0, z = 0" in c.reason

    def test_peano_surface_away_from_the_origin(self) -> None:
        """Peano's surface moved to (2, 1) is still not an extremum, witnessed by a translated parabola."""
        f = (y - 1 - (x - 2) ** 2) * (y - 1 - 3 * (x - 2) ** 2)
        c = classify(f, (x, y), {x: 2, y: 1})
        assert c.type is SADDLE and "-(x - 2)**4 < 0" in c.reason

    def test_non_polynomial_witness_curve(self) -> None:
        """(y - sin^2 x)(y - 3 sin^2 x) is not an extremum: f < f(p) along the curve y = 2x^2."""
        f = (y - sympy.sin(x) ** 2) * (y - 3 * sympy.sin(x) ** 2)
        c = classify(f, (x, y), O2)
        assert c.type is SADDLE and "y = 2*x**2" in c.reason

    def test_non_polynomial_zero_hessian(self) -> None:
        """cos x + cos y - 2 + (x^2 + y^2)/2 starts with (x^4 + y^4)/24: a strict minimum."""
        c = classify(sympy.cos(x) + sympy.cos(y) - 2 + (x**2 + y**2) / 2, (x, y), O2)
        assert c.type is MIN and "x**4/24 + y**4/24" in c.reason

    def test_irrational_point(self) -> None:
        """(x - sqrt 2)^4 + (y - pi)^2 at (sqrt 2, pi) is a strict minimum, decided exactly."""
        c = classify((x - sympy.sqrt(2)) ** 4 + (y - sympy.pi) ** 2, (x, y), {x: sympy.sqrt(2), y: sympy.pi})
        assert c.type is MIN and c.certainty is Certainty.EXACT

    def test_algebraic_critical_point(self) -> None:
        """At the real root of x^5 - x - 1 (a CRootOf), x^6/6 - x^2/2 - x + y^2 has a minimum."""
        r = sympy.CRootOf(x**5 - x - 1, 0)
        c = classify(x**6 / 6 - x**2 / 2 - x + y**2, (x, y), {x: r, y: 0})
        assert c.type is MIN and c.certainty is Certainty.EXACT


class TestNumericInput:
    def test_floats_give_numeric_certainty(self) -> None:
        """Floats in f make the verdict numeric, with the tolerance stated in the reason."""
        c = classify(1.0 * x**2 + y**2, (x, y), O2)
        assert (c.type, c.certainty, c.tolerance) == (MIN, Certainty.NUMERIC, 1e-9)
        assert "1e-9" in c.reason

    def test_float_point_within_tolerance_is_critical(self) -> None:
        """A point 1e-12 off the minimum still counts as critical at tolerance 1e-9."""
        c = classify(x**2 + y**2, (x, y), {x: 1e-12, y: 0.0})
        assert c.type is MIN and c.certainty is Certainty.NUMERIC

    def test_float_point_outside_tolerance_is_not_critical(self) -> None:
        """At x = 0.5 the gradient (1, 0) exceeds the tolerance."""
        c = classify(x**2 + y**2, (x, y), {x: 0.5, y: 0})
        assert c.type is PointType.NOT_CRITICAL and c.reason.startswith("the gradient (1, 0)")

    def test_numeric_degenerate_is_inconclusive(self) -> None:
        """A float Hessian with an eigenvalue below the tolerance is not guessed at."""
        c = classify(x**2 + 1e-12 * y**2, (x, y), O2)
        assert c.type is PointType.INCONCLUSIVE and c.degenerate and c.certainty is Certainty.NUMERIC

    def test_numeric_mixed_signs_is_a_saddle(self) -> None:
        """Mixed signs decide a saddle even when another eigenvalue is numerically zero."""
        c = classify(x**2 - 1.0 * y**2 + 1e-13 * z**2, (x, y, z), O3)
        assert c.type is SADDLE and c.certainty is Certainty.NUMERIC


class TestClassifyFromHessian:
    def test_reuses_a_spectrum(self) -> None:
        """A caller with the Hessian and its spectrum gets the same verdict as classify."""
        h = sympy.Matrix([[2, 3], [3, 2]])
        c = classify_from_hessian(h, spectrum_at_point=spectrum(h))
        assert c == classify(x**2 + 3 * x * y + y**2, (x, y), O2)

    def test_degenerate_needs_the_function(self) -> None:
        """Without f, a singular semidefinite Hessian is inconclusive; with f it is decided."""
        h = sympy.Matrix([[2, 0], [0, 0]])
        assert classify_from_hessian(h).type is PointType.INCONCLUSIVE
        assert classify_from_hessian(h, x**2 + y**4, (x, y), O2).type is MIN
        assert classify_from_hessian(h, x**2 - y**4, (x, y), O2).type is SADDLE


_small = st.integers(-3, 3)


@st.composite
def _quadratic_plus_cubic(draw: st.DrawFn) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...], dict, sympy.Matrix]:
    n = draw(st.sampled_from([2, 3]))
    vs = (x, y, z)[:n]
    a = sympy.zeros(n, n)
    for i in range(n):
        for j in range(i, n):
            a[i, j] = a[j, i] = draw(_small)
    assume(a.det() != 0)
    centre = {v: sympy.Integer(draw(st.integers(-2, 2))) for v in vs}
    h = sympy.Matrix([v - centre[v] for v in vs])
    cubic = sum(sympy.Rational(draw(st.integers(-4, 4)), 2) * h[i] ** 2 * h[(i + 1) % n] for i in range(n))
    f = (h.T * a * h)[0] / 2 + cubic
    return f, vs, centre, a


class TestProperties:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
    @given(_quadratic_plus_cubic(), st.lists(st.tuples(_small, _small, _small), min_size=12, max_size=12))
    def test_verdict_agrees_with_sampling(self, case, directions) -> None:
        """For non-degenerate quadratic-plus-cubic f the verdict matches exact samples of f near the point."""
        f, vs, centre, a = case
        c = classify(f, vs, centre)
        n = len(vs)
        with mpmath.workdps(30):
            _, vecs = mpmath.eigsy(mpmath.matrix(a.tolist()))
            eigen_dirs = [[vecs[i, k] for i in range(n)] for k in range(n)]
        dirs = [[sympy.Rational(round(float(c_) * 10**6), 10**6) for c_ in d] for d in eigen_dirs]
        dirs += [[sympy.Integer(c_) for c_ in d[:n]] for d in directions if any(d[:n])]
        r = sympy.Rational(1, 10**6)
        f0 = f.subs(centre)
        signs = set()
        for d in dirs:
            for s in (1, -1):
                value = f.subs({v: centre[v] + s * r * d_ for v, d_ in zip(vs, d, strict=True)}) - f0
                signs.add(sympy.sign(value))
        assert not c.degenerate and c.certainty is Certainty.EXACT
        if c.type is MIN:
            assert signs == {1}
        elif c.type is MAX:
            assert signs == {-1}
        else:
            assert c.type is SADDLE and {1, -1} <= signs

    @settings(max_examples=30, deadline=None)
    @given(st.integers(3, 8), st.sampled_from([1, -1]), st.sampled_from([1, -1]), st.integers(1, 3))
    def test_one_flat_direction(self, k, s, outer, c) -> None:
        """outer*(x^2 + s*c*y^k): the flat direction decides; k odd or s < 0 gives a saddle."""
        f = outer * (x**2 + s * c * y**k)
        verdict = classify(f, (x, y), O2).type
        if k % 2 == 1 or s < 0:
            assert verdict is SADDLE
        else:
            assert verdict is (MIN if outer > 0 else MAX)


def test_transcendental_entries_past_4x4_skip_the_factoring_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    """5 x 5 with tanh(1/2) entries: no exact factoring (it only spends its budget), inertia still exact."""
    from jhcli import curvature

    def refuse(*args: object) -> None:
        raise AssertionError("factoring was attempted")

    monkeypatch.setattr(curvature, "_exact_roots", refuse)
    t = sympy.tanh(sympy.Rational(1, 2))
    m = sympy.diag(t, -t, 2 * t, 0, 0)
    s = curvature.spectrum(m)
    assert (s.inertia.positive, s.inertia.negative, s.inertia.zero) == (2, 1, 2)
    assert [e.multiplicity for e in s.eigenvalues] == [1, 2, 1, 1]
    assert s.eigenvalues[1].exact == 0 and s.eigenvalues[1].numeric == 0.0
    assert abs(s.eigenvalues[0].numeric + float(t)) < 1e-12
