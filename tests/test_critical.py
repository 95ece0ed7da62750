"""Critical points: exact points, families, periodic patterns, empty and constant cases, numeric search.

Every expectation below was worked out by hand (or, for the numeric search, by an independent
one-dimensional root finder); the reasoning is in each test's docstring.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from jhcli.critical import CriticalSearch, find_critical_points
from jhcli.errors import UsageError
from jhcli.limits import time_budget
from jhcli.models import Certainty, PointType

x, y, z = sympy.symbols("x y z", real=True)
X6 = sympy.symbols("x1:7", real=True)

MIN, MAX, SADDLE = PointType.MINIMUM, PointType.MAXIMUM, PointType.SADDLE
INCONCLUSIVE = PointType.INCONCLUSIVE


def points(search: CriticalSearch) -> dict[tuple[sympy.Expr, ...], PointType]:
    """Exact coordinates of every point mapped to its verdict."""
    return {tuple(v for _, v in p.at): p.classification.type for p in search.points}


def exact(search: CriticalSearch) -> None:
    """The search was exact and exhaustive."""
    assert search.complete is True
    assert search.certainty is Certainty.EXACT


class TestIsolatedPoints:
    def test_quadratic_saddle(self) -> None:
        """x^2 + 3xy + y^2: grad = (2x + 3y, 3x + 2y) = 0 only at 0; H = [[2,3],[3,2]] has det -5: saddle."""
        s = find_critical_points(x**2 + 3 * x * y + y**2, [x, y])
        exact(s)
        assert points(s) == {(0, 0): SADDLE}
        (p,) = s.points
        assert p.value == 0
        assert p.hessian == sympy.Matrix([[2, 3], [3, 2]])
        assert [e.exact for e in p.spectrum.eigenvalues] == [-1, 5]
        assert not s.families

    def test_quartic_with_two_minima(self) -> None:
        """x^4 + y^4 - 4xy + 1: y = x^3 and x^9 = x give 0, +-1 (the other roots of x^8 = 1 are not real)."""
        s = find_critical_points(x**4 + y**4 - 4 * x * y + 1, [x, y])
        exact(s)
        assert points(s) == {(-1, -1): MIN, (0, 0): SADDLE, (1, 1): MIN}
        values = {tuple(v for _, v in p.at): p.value for p in s.points}
        assert values == {(-1, -1): -1, (0, 0): 1, (1, 1): -1}
        assert [p.numeric for p in s.points] == [(-1.0, -1.0), (0.0, 0.0), (1.0, 1.0)]

    def test_cubic_plus_square(self) -> None:
        """x^3 - 3x + y^2: 3x^2 - 3 = 0 and 2y = 0; f_xx = 6x gives a minimum at (1,0), a saddle at (-1,0)."""
        s = find_critical_points(x**3 - 3 * x + y**2, [x, y])
        exact(s)
        assert points(s) == {(-1, 0): SADDLE, (1, 0): MIN}
        assert [p.value for p in s.points] == [2, -2]

    def test_monkey_saddle_is_not_an_extremum(self) -> None:
        """x^3 - 3xy^2 has only the origin (x^2 = y^2, xy = 0); H = 0 there, and f = t^3 along the x-axis."""
        s = find_critical_points(x**3 - 3 * x * y**2, [x, y])
        exact(s)
        assert points(s) == {(0, 0): SADDLE}
        (p,) = s.points
        assert p.classification.degenerate is True
        assert p.classification.certainty is Certainty.EXACT
        assert p.hessian == sympy.zeros(2, 2)

    def test_six_variable_quadratic_is_one_exact_point(self) -> None:
        """sum x_i^2 + sum x_i x_(i+1) - x1 + 2 x6: the tridiagonal system gives (8,-9,10,-11,12,-13)/7."""
        f = sum(v**2 for v in X6) + sum(X6[i] * X6[i + 1] for i in range(5)) - X6[0] + 2 * X6[5]
        s = find_critical_points(f, X6)
        exact(s)
        (p,) = s.points
        assert tuple(v for _, v in p.at) == tuple(sympy.Rational(k, 7) for k in (8, -9, 10, -11, 12, -13))
        assert p.value == sympy.Rational(-17, 7)  # b.x/2 = (-8/7 - 26/7)/2
        assert p.classification.type is MIN  # eigenvalues 2 + 2cos(k pi/7) > 0

    def test_irrational_points_are_exact_roots(self) -> None:
        """x^4/4 - 3x^2/2 + x + y^2: x^3 - 3x + 1 = 0 (roots 2cos(2pi/9), 2cos(4pi/9), 2cos(8pi/9)), y = 0."""
        s = find_critical_points(x**4 / 4 - 3 * x**2 / 2 + x + y**2, [x, y])
        exact(s)
        t = sympy.Symbol("t")
        xs = [p.at[0][1] for p in s.points]
        assert all(sympy.minimal_polynomial(c, t) == t**3 - 3 * t + 1 for c in xs)
        expected = sorted(2 * mpmath.cos(2 * mpmath.pi * k / 9) for k in (1, 2, 4))
        assert [p.numeric[0] for p in s.points] == pytest.approx([float(e) for e in expected])
        # f_xx = 3x^2 - 3 is 7.6 at -1.88, -2.6 at 0.35 and 4.0 at 1.53; f_yy = 2
        assert [p.classification.type for p in s.points] == [MIN, SADDLE, MIN]

    def test_factors_that_never_vanish_are_cancelled(self) -> None:
        """x y e^(-(x^2+y^2)/2): grad = e^(...)(y(1 - x^2), x(1 - y^2)), so 0 and (+-1, +-1)."""
        s = find_critical_points(x * y * sympy.exp(-(x**2 + y**2) / 2), [x, y])
        exact(s)
        assert points(s) == {(-1, -1): MAX, (-1, 1): MIN, (0, 0): SADDLE, (1, -1): MIN, (1, 1): MAX}

    def test_rational_function(self) -> None:
        """xy + 1/x + 1/y: y = 1/x^2 and x = 1/y^2 give x^3 = 1, so (1, 1); H = [[2,1],[1,2]]: minimum."""
        s = find_critical_points(x * y + 1 / x + 1 / y, [x, y])
        exact(s)
        assert points(s) == {(1, 1): MIN}

    def test_points_where_f_is_undefined_are_dropped(self) -> None:
        """log(x^2 + y^2): the numerators 2x, 2y vanish only at the origin, where f is undefined."""
        s = find_critical_points(sympy.log(x**2 + y**2), [x, y])
        exact(s)
        assert s.points == () and s.families == ()
        assert any("no critical points" in n for n in s.notes)

    def test_cone_tip_is_noted_not_listed(self) -> None:
        """sqrt(x^2 + y^2): grad = (x, y)/sqrt(x^2 + y^2) never vanishes; at the tip it does not exist."""
        s = find_critical_points(sympy.sqrt(x**2 + y**2), [x, y])
        exact(s)
        assert s.points == () and s.families == ()
        assert any("vanishes at (0, 0), but f is not differentiable" in n for n in s.notes)

    def test_points_are_sorted_by_coordinates(self) -> None:
        """x^4 - 2x^2 + y^4 - 2y^2 has the nine points {-1, 0, 1}^2, listed in lexicographic order."""
        s = find_critical_points(x**4 - 2 * x**2 + y**4 - 2 * y**2, [x, y])
        exact(s)
        assert [p.numeric for p in s.points] == [(a, b) for a in (-1.0, 0.0, 1.0) for b in (-1.0, 0.0, 1.0)]
        assert points(s)[(0, 0)] is MAX and points(s)[(1, 1)] is MIN and points(s)[(1, 0)] is SADDLE


class TestFamilies:
    def test_line_of_minima(self) -> None:
        """(x - y)^2 is critical exactly on x = y, where f = 0 <= f: every point a non-strict minimum."""
        s = find_critical_points((x - y) ** 2, [x, y])
        exact(s)
        assert s.points == ()
        (fam,) = s.families
        assert fam.description == "the line x = y"
        assert fam.equations == ("x - y = 0",)
        assert fam.classification.type is MIN
        assert fam.classification.degenerate is True

    def test_both_axes(self) -> None:
        """x^2 y^2: grad = (2xy^2, 2x^2y) vanishes on xy = 0, the two axes, where f = 0 <= f."""
        s = find_critical_points(x**2 * y**2, [x, y])
        exact(s)
        assert s.points == ()  # the origin lies on both axes
        assert sorted(f.description for f in s.families) == ["the x-axis (y = 0)", "the y-axis (x = 0)"]
        assert sorted(f.equations for f in s.families) == [("x = 0",), ("y = 0",)]
        assert all(f.classification.type is MIN for f in s.families)

    def test_circle_and_its_centre(self) -> None:
        """(x^2 + y^2 - 1)^2: the circle (minima, f = 0) and the centre, where H = -4I: a maximum."""
        s = find_critical_points((x**2 + y**2 - 1) ** 2, [x, y])
        exact(s)
        assert points(s) == {(0, 0): MAX}
        (fam,) = s.families
        assert fam.equations == ("x**2 + y**2 - 1 = 0",)
        assert fam.classification.type is MIN

    def test_type_varying_along_a_family_is_inconclusive(self) -> None:
        """x^2 y is critical on x = 0, a minimum where y > 0 and a maximum where y < 0: no single verdict."""
        s = find_critical_points(x**2 * y, [x, y])
        exact(s)
        (fam,) = s.families
        assert fam.description == "the y-axis (x = 0)"
        assert fam.classification.type is INCONCLUSIVE
        assert "y > 0" in fam.classification.reason

    def test_curve_in_space(self) -> None:
        """z^2 + (x^2 + y^2 - 1)^2: the unit circle in z = 0 (minima) and the origin (H = diag(-4,-4,2))."""
        s = find_critical_points(z**2 + (x**2 + y**2 - 1) ** 2, [x, y, z])
        exact(s)
        assert points(s) == {(0, 0, 0): SADDLE}
        (fam,) = s.families
        assert set(fam.equations) == {"x**2 + y**2 - 1 = 0", "z = 0"}
        assert fam.classification.type is MIN

    def test_singular_quadratic_line(self) -> None:
        """(x + y)^2 + x + y: grad = (2(x+y) + 1) (1, 1) vanishes on x + y = -1/2, where f = -1/4 is least."""
        s = find_critical_points((x + y) ** 2 + x + y, [x, y])
        exact(s)
        (fam,) = s.families
        assert fam.equations == ("2*x + 2*y + 1 = 0",)
        assert fam.classification.type is MIN
        assert "-1/4" in fam.classification.reason

    def test_variable_the_function_ignores(self) -> None:
        """x^2 + y^2 in (x, y, z) is critical on the z-axis, each point a non-strict minimum."""
        s = find_critical_points(x**2 + y**2, [x, y, z])
        exact(s)
        (fam,) = s.families
        assert fam.description == "the z-axis (x = 0, y = 0)"
        assert fam.classification.type is MIN


class TestPeriodic:
    def test_sine(self) -> None:
        """sin(x): cos x = 0 at pi/2 + 2k pi (f'' = -1, maxima) and 3pi/2 + 2k pi (f'' = 1, minima)."""
        s = find_critical_points(sympy.sin(x), [x])
        exact(s)
        assert s.points == ()
        found = {f.equations: f.classification.type for f in s.families}
        assert found == {("x = pi/2 + 2*pi*k",): MAX, ("x = 3*pi/2 + 2*pi*k",): MIN}
        assert all("every integer k" in f.description for f in s.families)

    def test_periodic_in_one_variable_of_two(self) -> None:
        """sin(x) + y^2: y = 0 and cos x = 0; H = diag(-sin x, 2) is a saddle at pi/2, a minimum at 3pi/2."""
        s = find_critical_points(sympy.sin(x) + y**2, [x, y])
        exact(s)
        found = {f.equations: f.classification.type for f in s.families}
        assert found == {("x = pi/2 + 2*pi*k", "y = 0"): SADDLE, ("x = 3*pi/2 + 2*pi*k", "y = 0"): MIN}

    def test_stationary_inflections(self) -> None:
        """cos(x)^3: f' = -3cos^2 sin; at pi/2 + 2k pi f'' = 0 but f''' = -6 != 0, so not an extremum."""
        s = find_critical_points(sympy.cos(x) ** 3, [x])
        exact(s)
        found = {f.equations: f.classification.type for f in s.families}
        assert found[("x = pi/2 + 2*pi*k",)] is SADDLE
        assert found[("x = 2*pi*k",)] is MAX and found[("x = pi + 2*pi*k",)] is MIN


class TestNoCriticalPoints:
    def test_exponential_plus_linear(self) -> None:
        """e^x + y: df/dy = 1 never vanishes, so there is no critical point, and that is certain."""
        s = find_critical_points(sympy.exp(x) + y, [x, y])
        exact(s)
        assert s.points == () and s.families == ()
        (note,) = s.notes
        assert note.startswith("no critical points") and "(exp(x), 1)" in note

    def test_tangent(self) -> None:
        """tan(x): f' = 1 + tan^2 x >= 1 never vanishes."""
        s = find_critical_points(sympy.tan(x), [x])
        exact(s)
        assert s.points == () and s.families == ()

    def test_inconsistent_linear_system(self) -> None:
        """x^2 + 2xy + y^2 + x: grad = (2(x+y) + 1, 2(x+y)) cannot vanish: 2(x+y) would be both -1 and 0."""
        s = find_critical_points(x**2 + 2 * x * y + y**2 + x, [x, y])
        exact(s)
        assert s.points == () and s.families == ()
        assert "inconsistent" in s.notes[0]


class TestConstant:
    def test_every_point(self) -> None:
        """A constant is critical everywhere: one family, 'every point', non-strict minimum (and maximum)."""
        s = find_critical_points(sympy.Integer(5), [x, y])
        exact(s)
        (fam,) = s.families
        assert fam.description == "every point"
        assert fam.classification.type is MIN
        assert "maximum" in fam.classification.reason
        assert "every point is critical (f is constant)" in s.notes


class TestNumericSearch:
    def test_transcendental_equation(self) -> None:
        """cos x + x^2/10: sin x = x/5 forces |x| <= 5, where the roots are 0 and +-2.5957...: all found."""
        s = find_critical_points(sympy.cos(x) + x**2 / 10, [x])
        assert s.complete is False
        assert s.certainty is Certainty.NUMERIC
        r = float(mpmath.findroot(lambda t: mpmath.sin(t) - t / 5, 2.6))
        assert [p.numeric[0] for p in s.points] == pytest.approx([-r, 0.0, r], abs=1e-9)
        # f'' = -cos x + 1/5: -0.8 at 0, 0.2 - cos(2.5957) = 1.05 at +-r
        assert [p.classification.type for p in s.points] == [MIN, MAX, MIN]
        assert all(p.classification.certainty is Certainty.NUMERIC for p in s.points)
        assert any(n.startswith("numeric search") for n in s.notes)

    def test_coupled_system_has_only_the_origin(self) -> None:
        """x^2 + y^2 + sin(xy): 2|x| <= |y| and 2|y| <= |x| force the origin, a minimum: H = [[2,1],[1,2]]."""
        s = find_critical_points(x**2 + y**2 + sympy.sin(x * y), [x, y], starts=60)
        assert s.complete is False and s.certainty is Certainty.NUMERIC
        assert [p.numeric for p in s.points] == [(0.0, 0.0)]
        assert s.points[0].classification.type is MIN

    def test_box_limits_the_search(self) -> None:
        """With the box 1:4 only the root 2.5957... of sin x = x/5 is inside."""
        s = find_critical_points(sympy.cos(x) + x**2 / 10, [x], box=(1, 4), starts=20)
        assert [round(p.numeric[0], 6) for p in s.points] == [2.595739]
        assert "[1, 4]" in s.notes[0]

    def test_plateau_is_not_mistaken_for_a_critical_point(self) -> None:
        """x^y has tiny gradient where x is small and y large, but its only critical point is (1, 0)."""
        s = find_critical_points(x**y, [x, y], starts=80)
        assert [p.numeric for p in s.points] == [(1.0, 0.0)]
        assert s.complete is False

    def test_exact_solving_out_of_time_falls_back(self) -> None:
        """When the exact solve exceeds the time limit the answer is a labelled numeric search."""
        f = x**4 * y**2 + y**4 * z**2 + z**4 * x**2 + x**3 * y + y**3 * z + z**3 * x + x**2 + y**2 + z**2 - x
        with time_budget(0.3):
            s = find_critical_points(f, [x, y, z], box=(-2, 2), starts=10)
        assert s.complete is False and s.certainty is Certainty.NUMERIC
        assert "ran out of time" in s.notes[0]


class TestInterface:
    def test_parameters_are_refused(self) -> None:
        """A symbol that is not a variable has no numeric value to search with: a usage error."""
        a = sympy.Symbol("a", real=True)
        with pytest.raises(UsageError, match="not variables"):
            find_critical_points(a * x**2, [x])

    @settings(max_examples=15, deadline=None)
    @given(
        st.lists(st.integers(-4, 4), min_size=3, max_size=3),
        st.lists(st.integers(-5, 5), min_size=2, max_size=2),
    )
    def test_nonsingular_quadratic_has_one_point(self, entries: list[int], b: list[int]) -> None:
        """f = v^T A v / 2 + b.v with det A != 0 has exactly one critical point, A^-1 (-b)."""
        a = sympy.Matrix([[entries[0], entries[1]], [entries[1], entries[2]]])
        if a.det() == 0:
            return
        v = sympy.Matrix([x, y])
        f = sympy.expand((v.T * a * v)[0] / 2 + b[0] * x + b[1] * y)
        s = find_critical_points(f, [x, y])
        exact(s)
        (p,) = s.points
        assert sympy.Matrix([c for _, c in p.at]) == a.LUsolve(-sympy.Matrix(b))
