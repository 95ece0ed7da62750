"""jh newton: the Newton step, its quadratic model, the gradient-descent view, and iterates.

Expected values are worked by hand in the comments (or by plain Fraction/float arithmetic with the
2 x 2 inverse formula), never taken from jh's own output.
"""

from __future__ import annotations

import functools
import io
import json
from fractions import Fraction

import pytest
import sympy
from rich.console import Console

from jhcli import api
from jhcli.errors import UsageError
from jhcli.models import Certainty, NewtonStep, Result, StepMethod
from jhcli.render import FORMATS, render
from tests.conftest import run_jh


def _step(expr: str, at: str, **options: object) -> NewtonStep:
    n = api.newton(expr, at=[at], **options).points[0].newton  # type: ignore[arg-type]
    assert n is not None
    return n


def _exact(values: object) -> list[sympy.Expr]:
    return list(values)  # type: ignore[call-overload]


R = sympy.Rational


class TestQuadratics:
    # f = 1/2 x.A.x - b.x with A = [[4, 1], [1, 3]], b = (1, 2):
    # A^-1 = [[3, -1], [-1, 4]] / 11, so A^-1 b = (3 - 2, -1 + 8) / 11 = (1/11, 7/11).
    F = "2*x**2 + x*y + 3/2*y**2 - x - 2*y"

    @pytest.mark.parametrize("at", ["0,0", "5,-3", "1/2,2", "-7,100"])
    def test_one_step_lands_on_the_minimiser(self, at: str) -> None:
        """For a quadratic the Newton step from any point lands exactly on A^-1 b."""
        n = _step(self.F, at)
        assert n.method is StepMethod.NEWTON
        assert _exact(n.next_point) == [R(1, 11), R(7, 11)]

    @pytest.mark.parametrize("at", ["0,0", "5,-3", "1/2,2"])
    def test_predicted_change_equals_actual_change(self, at: str) -> None:
        """The quadratic model of a quadratic is the function: predicted == actual, exactly."""
        n = _step(self.F, at)
        assert n.predicted_change is not None and n.actual_change is not None
        assert n.predicted_change.exact == n.actual_change.exact
        # f at the minimiser: 2/121 + 7/121 + 147/242 - 1/11 - 14/11 = -15/22
        assert n.model_value is not None and n.model_value.exact == R(-15, 22)

    def test_positive_definite_example(self) -> None:
        """x² + 3xy + 5y² - x at (1, 1), worked by hand.

        g = (2x + 3y - 1, 3x + 10y) = (4, 13); H = [[2, 3], [3, 10]], det 11, eigenvalues 1, 11.
        d = -H^-1 g = -[[10, -3], [-3, 2]] (4, 13) / 11 = -(1, 14) / 11.
        predicted change = g.d / 2 (since H d = -g) = (-4 - 182) / 22 = -93/11.
        gᵀg = 185, Hg = (47, 142), gᵀHg = 188 + 1846 = 2034.
        """
        n = _step("x**2 + 3*x*y + 5*y**2 - x", "1,1")
        assert _exact(n.step) == [R(-1, 11), R(-14, 11)]
        assert n.step_numeric == (pytest.approx(-1 / 11), pytest.approx(-14 / 11))
        assert n.predicted_change is not None and n.predicted_change.exact == R(-93, 11)
        assert n.curvature_along_gradient is not None and n.curvature_along_gradient.exact == R(2034, 185)
        assert n.line_search_step is not None and n.line_search_step.exact == R(185, 2034)
        assert n.stability_bound is not None and n.stability_bound.exact == R(2, 11)
        assert n.escape_direction is None
        assert n.certainty is Certainty.EXACT


class TestSaddles:
    def test_seed_function(self) -> None:
        """x² + 3xy + y² (H = [[2, 3], [3, 2]], eigenvalues -1 and 5) at (1, 2).

        g = (2 + 6, 3 + 4) = (8, 7); f is a quadratic form, so d lands on 0: d = (-1, -2).
        Hg = (16 + 21, 24 + 14) = (37, 38); gᵀHg = 296 + 266 = 562; gᵀg = 113.
        Stability bound 2/5; escape direction ∝ (1, -1), signed so g.v <= 0: (-1, 1).
        """
        result = api.newton("x**2 + 3*x*y + y**2", at=["1,2"])
        point = result.points[0]
        n = point.newton
        assert n is not None and point.spectrum is not None
        assert [ev.exact for ev in point.spectrum.eigenvalues] == [-1, 5]
        assert _exact(n.step) == [-1, -2]
        assert n.curvature_along_gradient is not None and n.curvature_along_gradient.exact == R(562, 113)
        assert n.line_search_step is not None and n.line_search_step.exact == R(113, 562)
        assert n.stability_bound is not None and n.stability_bound.exact == R(2, 5)
        v = n.escape_direction
        assert v is not None and v[0] == -v[1] != 0
        assert 8 * v[0] + 7 * v[1] <= 0
        assert not n.escape_normalised
        assert any("saddle of the model, not a minimum" in note for note in n.notes)

    def test_saddle_escape_direction_from_the_help(self) -> None:
        """x² - y² at (1, 1): H = diag(2, -2); escape along (0, 1) (g = (2, -2), so g.v = -2 < 0)."""
        n = _step("x**2 - y**2", "1,1")
        assert n.escape_direction == (0, 1)
        assert n.escape_eigenvalue is not None and n.escape_eigenvalue.exact == -2
        # gᵀHg = 2*2*2 + (-2)*(-2)*(-2) = 0: the model is linear along -g, no line-search step
        assert n.curvature_along_gradient is not None and n.curvature_along_gradient.exact == 0
        assert n.line_search_step is None
        assert any("no exact line-search step" in note for note in n.notes)

    def test_negative_curvature_along_the_gradient(self) -> None:
        """x² - 3y² at (1, 1): g = (2, -6), gᵀHg = 2*4 - 6*36 = -208 < 0, gᵀg = 40: κ = -26/5."""
        n = _step("x**2 - 3*y**2", "1,1")
        assert n.curvature_along_gradient is not None and n.curvature_along_gradient.exact == R(-26, 5)
        assert n.line_search_step is None
        assert any("curves down along -g" in note for note in n.notes)

    def test_maximum_has_no_stability_bound(self) -> None:
        """-x² - y² at (1, 1): H = -2I, λmax = -2 ≤ 0; Newton heads to the maximum (0, 0)."""
        n = _step("-x**2 - y**2", "1,1")
        assert _exact(n.next_point) == [0, 0]
        assert n.stability_bound is None
        assert any("no upper limit" in note for note in n.notes)
        assert any("maximum of the model" in note for note in n.notes)
        assert n.escape_direction is not None  # one vector of the 2-dimensional eigenspace

    def test_critical_point(self) -> None:
        """At a critical point the step is 0 and there is no gradient direction."""
        n = _step("x**2 + 3*x*y + y**2", "0,0")
        assert n.critical and _exact(n.step) == [0, 0]
        assert n.curvature_along_gradient is None and n.line_search_step is None
        assert n.stability_bound is not None and n.stability_bound.exact == R(2, 5)


class TestSingular:
    def test_flat_direction_not_in_range(self) -> None:
        """x² + y at (1, 1): H = diag(2, 0) is singular; H⁺ = diag(1/2, 0), d = -H⁺(2, 1) = (-1, 0).

        g is not in the range of H. Model change: g.d + d.H.d/2 = -2 + 1 = -1; f(0, 1) - f(1, 1) = -1.
        """
        n = _step("x**2 + y", "1,1")
        assert n.method is StepMethod.PSEUDO_INVERSE
        assert _exact(n.step) == [-1, 0]
        assert n.predicted_change is not None and n.predicted_change.exact == -1
        assert n.actual_change is not None and n.actual_change.exact == -1
        assert any("H is singular: the Newton step -H⁻¹g does not exist" in note for note in n.notes)
        assert any("not in the range of H" in note for note in n.notes)

    def test_valley_in_range(self) -> None:
        """(x - y)² at (1, 0): H = [[2, -2], [-2, 2]] = 4uuᵀ (u = (1, -1)/√2), H⁺ = uuᵀ/4.

        g = (2, -2); d = -(1/8)[[1, -1], [-1, 1]](2, -2) = (-1/2, 1/2), landing on the valley floor.
        """
        n = _step("(x - y)**2", "1,0")
        assert n.method is StepMethod.PSEUDO_INVERSE
        assert _exact(n.step) == [R(-1, 2), R(1, 2)]
        assert _exact(n.next_point) == [R(1, 2), R(1, 2)]
        assert any("lies in the range of H" in note for note in n.notes)

    def test_json_says_pseudo_inverse(self) -> None:
        out = run_jh("newton", "x**2 + y", "--at", "1,1", "-f", "json")
        assert out.exit_code == 0
        point = json.loads(out.stdout)["points"][0]
        assert point["step_method"] == "pseudo-inverse"
        assert point["step"] == ["-1", "0"]


class TestUndefined:
    def test_undefined_point_reports_and_exits_1(self) -> None:
        """log(x) at x = 0: the values are shown as undefined, warnings on stderr, exit 1."""
        out = run_jh("newton", "log(x) + y**2", "--at", "0,1", "-f", "plain")
        assert out.exit_code == 1
        assert "Newton step:\n  not computed: f has no real value here" in out.stdout
        assert out.stderr.startswith("warning: ∂²f/∂x² at (x, y) = (0, 1): ")

    def test_api_problem(self) -> None:
        n = _step("log(x) + y**2", "0,1")
        assert n.problem is not None and n.step is None

    def test_f_undefined_after_the_step(self) -> None:
        """log(x) - x at x = 3: g = 1/3 - 1 = -2/3, H = -1/9, d = -(-2/3)/(-1/9) = -6 → x + d = -3."""
        n = _step("log(x) - x", "3")
        assert _exact(n.step) == [-6]
        assert n.actual_change is None
        assert any("no real value at x + d" in note for note in n.notes)


def _rosenbrock_newton(x: Fraction, y: Fraction) -> tuple[Fraction, Fraction]:
    """One Newton step on (1 - x)² + 100 (y - x²)² with the 2 x 2 inverse formula."""
    gx = -2 * (1 - x) - 400 * x * (y - x * x)
    gy = 200 * (y - x * x)
    a, b, d = 1200 * x * x - 400 * y + 2, -400 * x, Fraction(200)
    det = a * d - b * b
    return x - (d * gx - b * gy) / det, y - (-b * gx + a * gy) / det


class TestIterates:
    def test_rosenbrock(self) -> None:
        """From (-1.2, 1) the exact rational iterates head to (1, 1), then continue numerically."""
        result = api.newton("(1-x)**2 + 100*(y-x**2)**2", at=["-1.2,1"], steps=6)
        assert result.iteration is not None
        its = result.iteration.iterates
        assert [it.k for it in its] == list(range(7))
        x, y = Fraction(-6, 5), Fraction(1)
        for it in its[:6]:
            assert it.certainty is Certainty.EXACT
            assert (it.x[0], it.x[1]) == (R(x.numerator, x.denominator), R(y.numerator, y.denominator))
            assert it.step_method is StepMethod.NEWTON
            x, y = _rosenbrock_newton(x, y)
        assert its[1].x == (R(-523, 445), R(3072, 2225))
        last = its[6]
        assert last.certainty is Certainty.NUMERIC  # x_6 has more than 200 digits
        assert float(last.x[0]) == pytest.approx(float(x), abs=1e-15)
        assert float(last.x[1]) == pytest.approx(float(y), abs=1e-15)
        assert abs(float(last.x[0]) - 1) < 1e-12 and abs(float(last.x[1]) - 1) < 1e-10
        assert result.iteration.stop == "did 6 steps"

    def test_converges_exactly_on_a_quadratic(self) -> None:
        result = api.newton("x**2 + 3*x*y + y**2", at=["1,2"], steps=5)
        assert result.iteration is not None
        assert [it.x for it in result.iteration.iterates] == [(1, 2), (0, 0)]
        assert result.iteration.stop.startswith("converged: g = 0 exactly at x_1")

    def test_stalls_when_the_pseudo_inverse_step_is_zero(self) -> None:
        """x² + y: after one step x = 0, g = (0, 1) lies in the null space of H: no progress."""
        result = api.newton("x**2 + y", at=["1,1"], steps=4)
        assert result.iteration is not None
        assert len(result.iteration.iterates) == 2
        assert "makes no progress" in result.iteration.stop and not result.iteration.failed

    def test_stops_where_f_is_undefined(self) -> None:
        """log(x) - x from 3 jumps to -3, where log has no real value: exit 1 with a warning."""
        out = run_jh("newton", "log(x) - x", "--at", "3", "--steps", "3", "-f", "json")
        assert out.exit_code == 1
        data = json.loads(out.stdout)
        assert data["iterates_failed"] is True
        assert [it["x"] for it in data["iterates"]] == [["3"], ["-3"]]
        assert "warning: iterates: stopped at x_1:" in out.stderr

    def test_iterates_json_contract(self) -> None:
        out = run_jh("newton", "(1-x)**2 + 100*(y-x**2)**2", "--at", "-1.2,1", "--steps", "2", "-f", "json")
        assert out.exit_code == 0
        first = json.loads(out.stdout)["iterates"][0]
        # g = (-1078/5, -88) at (-6/5, 1); f = (11/5)² + 100 (1 - 36/25)² = 121/25 + 484/25
        assert first == {
            "k": 0,
            "x": ["-6/5", "1"],
            "x_numeric": [-1.2, 1.0],
            "f": "121/5",
            "f_numeric": 24.2,
            "gradient_norm": pytest.approx(((1078 / 5) ** 2 + 88**2) ** 0.5),
            "step_method": "newton",
            "certainty": "exact",
        }


class TestCli:
    def test_json_contract(self) -> None:
        out = run_jh("newton", "x**2 + 3*x*y + 5*y**2 - x", "--at", "1,1", "-f", "json")
        assert out.exit_code == 0 and out.stderr == ""
        data = json.loads(out.stdout)
        assert data["command"] == "newton"
        assert data["matrix"] == [["2", "3"], ["3", "10"]]
        p = data["points"][0]
        assert p["value"] == [["2", "3"], ["3", "10"]]
        assert [e["exact"] for e in p["eigenvalues"]] == ["1", "11"]
        assert p["gradient"] == ["4", "13"]
        assert p["step"] == ["-1/11", "-14/11"]
        assert p["step_numeric"] == [pytest.approx(-1 / 11), pytest.approx(-14 / 11)]
        assert p["step_method"] == "newton"
        assert p["model"]["predicted_change"] == p["model"]["actual_change"] == "-93/11"
        assert p["model"]["predicted_change_numeric"] == pytest.approx(-93 / 11)
        assert p["model"]["value"] == "-5/11"  # 8 - 93/11
        gd = p["gradient_descent"]
        assert (gd["curvature_along_gradient"], gd["line_search_step"], gd["stability_bound"]) == (
            "2034/185",
            "185/2034",
            "2/11",
        )
        assert gd["stability_bound_numeric"] == pytest.approx(2 / 11)
        assert p["escape_direction"] is None

    def test_escape_direction_json(self) -> None:
        out = run_jh("newton", "x**2 - y**2", "--at", "1,1", "-f", "json")
        assert json.loads(out.stdout)["points"][0]["escape_direction"] == ["0", "1"]

    def test_missing_at(self) -> None:
        out = run_jh("newton", "x**2")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == "error: jh newton needs a point: give one with --at, e.g. --at 1,1\n"

    @pytest.mark.parametrize("steps", ["0", "101"])
    def test_steps_out_of_range(self, steps: str) -> None:
        out = run_jh("newton", "x**2", "--at", "1", "--steps", steps)
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr.startswith("error: Invalid value for '--steps'")

    def test_steps_need_one_point(self) -> None:
        out = run_jh("newton", "x**2", "--at", "1", "--at", "2", "--steps", "2")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == "error: --steps iterates from one point; got 2 --at points\n"

    def test_api_validates_steps(self) -> None:
        with pytest.raises(UsageError, match="--steps takes a whole number from 1 to 100"):
            api.newton("x**2", at=["1"], steps=0)

    def test_vector_function_is_refused(self) -> None:
        out = run_jh("newton", "x**2, y", "--at", "1,1")
        assert out.exit_code == 2 and "newton needs one scalar function" in out.stderr

    def test_help_examples(self) -> None:
        out = run_jh("newton", "-h")
        assert out.exit_code == 0
        assert 'jh newton "(1-x)**2 + 100*(y-x**2)**2" --at -1.2,1 --steps 6' in out.stdout

    def test_steps_is_an_option_name_after_double_dash(self) -> None:
        out = run_jh("newton", "--at", "1", "--", "x**2", "--steps")
        assert out.exit_code == 2 and "'--steps' after '--'" in out.stderr

    def test_plain_sections(self) -> None:
        out = run_jh("newton", "x**2 - y**2", "--at", "1,1", "-f", "plain")
        assert out.exit_code == 0
        for section in ("gradient:", "Hessian:", "Newton step:", "quadratic model:", "gradient descent:"):
            assert f"\n{section}\n" in out.stdout
        assert "escape direction:\n  v = (0, 1)\n" in out.stdout
        assert "  d = -H⁻¹g = (-1, -1)\n" in out.stdout

    def test_float_input_is_numeric(self) -> None:
        """With --float the Hessian holds floats: decisions are numeric with a tolerance."""
        n = _step("0.5*x**2 + y**2", "1,1", decimals="float")
        assert n.certainty is Certainty.NUMERIC and n.tolerance is not None
        assert n.step_numeric == (pytest.approx(-1.0), pytest.approx(-1.0))


@functools.cache
def _result(expr: str, at: str, steps: int | None) -> Result:
    return api.newton(expr, at=[at], steps=steps)


def _text(output: object) -> str:
    if isinstance(output, str):
        return output
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None, markup=False).print(output)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize(
    "case",
    [
        ("x**2 + 3*x*y + y**2", "1,2", 3),
        ("x**2 + y", "1,1", 2),
        ("log(x) + y**2", "0,1", None),
        ("sin(x)*cos(y) + x**2/10", "1,pi/3", None),
    ],
)
def test_every_format_renders(fmt: str, case: tuple[str, str, int | None]) -> None:
    """Every format renders a saddle with iterates, a singular H, an undefined point, long exact values."""
    expr, at, steps = case
    text = _text(render(_result(expr, at, steps), fmt))
    assert text.strip() and text.endswith("\n")
    if fmt == "json":
        json.loads(text)
    elif "log" not in expr:
        assert "2/λmax" in text or r"\lambda_{\max}" in text
