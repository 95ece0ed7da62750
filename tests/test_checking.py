"""The finite-difference self-check: `jh check`, `--check`, and the core in jhcli.checking.

Expected derivatives come from SymPy's own Matrix.jacobian / hessian or are written by hand; the
finite differences are compared against them, never against jh's own output.
"""

from __future__ import annotations

import json
import math
import re

import pytest
import sympy

from jhcli import api, checking, cli
from jhcli.errors import UsageError
from jhcli.models import Command, Entry, Status
from tests.conftest import run_jh

x, y, z = sympy.symbols("x y z", real=True)


def _at(*values: object) -> dict[sympy.Symbol, sympy.Expr]:
    return {s: sympy.nsimplify(v) for s, v in zip((x, y, z), values, strict=False)}


class TestFiniteDifferences:
    def test_seed_jacobian_is_exact_to_working_precision(self) -> None:
        """(x**2 + y, x*y) at (2, 3): the estimates are [[4, 1], [3, 2]] to far better than 1e-20."""
        estimates = checking.fd_jacobian([x**2 + y, x * y], [x, y], _at(2, 3))
        for row, expected_row in zip(estimates, [[4, 1], [3, 2]], strict=True):
            for estimate, expected in zip(row, expected_row, strict=True):
                assert abs(estimate.value - expected) < 1e-30
                assert estimate.error < 1e-30

    def test_seed_hessian_is_exact_to_working_precision(self) -> None:
        """x**2 + 3xy + y**2: the second differences give [[2, 3], [3, 2]] to far better than 1e-20."""
        estimates = checking.fd_hessian(x**2 + 3 * x * y + y**2, [x, y], _at(1, -5))
        for row, expected_row in zip(estimates, [[2, 3], [3, 2]], strict=True):
            for estimate, expected in zip(row, expected_row, strict=True):
                assert abs(estimate.value - expected) < 1e-30

    @pytest.mark.parametrize("point", [(sympy.Rational(1, 3), -2, 5), (0, 0, 0), (-7, sympy.pi, 100)])
    def test_polynomials_are_exact(self, point: tuple[object, ...]) -> None:
        """Richardson removes every error term of a polynomial of degree < 11: error < 1e-20."""
        f = x**3 * y**2 - 2 * x * y**4 + z**5 * x - 7 * y * z + 3
        at = _at(*point)
        exact_j = sympy.Matrix([f]).jacobian([x, y, z]).subs(at)
        exact_h = sympy.hessian(f, (x, y, z)).subs(at)
        for estimates, exact in (
            (checking.fd_jacobian([f], [x, y, z], at), exact_j),
            (checking.fd_hessian(f, [x, y, z], at), exact_h),
        ):
            for i, row in enumerate(estimates):
                for j, estimate in enumerate(row):
                    error = abs(sympy.Float(estimate.value, 40) - exact[i, j].evalf(40))
                    assert error < 1e-20 * max(1, abs(exact[i, j].evalf())), (i, j)

    def test_step_shrinks_near_a_pole(self) -> None:
        """1/x at 1e-4: the first step (1e-3) crosses the pole, a smaller one settles: -1e8."""
        [[estimate]] = checking.fd_jacobian([1 / x], [x], _at(sympy.Rational(1, 10000)))
        assert abs(estimate.value - (-(10**8))) < 1e-6

    def test_undefined_near_the_point(self) -> None:
        """sqrt(x) at 0: f is not real left of the point at every step: no estimate, and why."""
        [[estimate]] = checking.fd_jacobian([sympy.sqrt(x)], [x], _at(0))
        assert estimate.value is None
        assert "undefined or not real" in estimate.note

    def test_richardson_removes_even_powers(self) -> None:
        """D(h) = 1 + h**2 + h**4: two levels are exact, so three samples give 1 up to rounding."""
        samples = [1 + h**2 + h**4 for h in (0.1, 0.05, 0.025)]
        value, error = checking.richardson(samples)
        assert abs(value - 1) < 1e-13
        assert error < 1e-5

    def test_parameters_need_values(self) -> None:
        """A symbol that is not a variable has no number: a usage error that names it."""
        a = sympy.Symbol("a", real=True)
        with pytest.raises(UsageError, match="a is not a variable"):
            checking.fd_jacobian([a * x], [x], _at(1))


class TestComparison:
    def _seed(self) -> tuple[list[sympy.Expr], sympy.Matrix]:
        f = [x**2 + y, x * y]
        return f, sympy.Matrix(f).jacobian([x, y]).subs({x: 2, y: 3})

    def test_correct_matrix_agrees(self) -> None:
        """SymPy's own Jacobian at (2, 3) agrees; errors are reported per entry."""
        f, exact = self._seed()
        report = checking.check_jacobian(f, [x, y], _at(2, 3), exact)
        assert report.agree and report.method == "central differences, Richardson-extrapolated"
        assert report.max_abs_error is not None and report.max_abs_error < 1e-20
        first = report.entries[0][0]
        assert (first.symbolic, first.agree) == (4.0, True)
        assert first.finite_difference == pytest.approx(4.0, abs=1e-14)
        assert first.rel_error == pytest.approx(first.abs_error / 4)
        assert first.tolerance == pytest.approx(1e-10 + 4e-8)

    def test_wrong_matrix_disagrees_where_it_is_wrong(self) -> None:
        """A matrix with one wrong entry (x instead of y: 2 where 3 belongs) disagrees there only."""
        f, _ = self._seed()
        report = checking.check_jacobian(f, [x, y], _at(2, 3), sympy.Matrix([[4, 1], [2, 2]]))
        assert not report.agree
        assert [(i, j) for i, j, _ in report.disagreements] == [(1, 0)]
        assert report.entries[1][0].abs_error == pytest.approx(1.0)
        assert report.max_abs_error == pytest.approx(1.0)

    @pytest.mark.parametrize(("delta", "agree"), [(1e-6, False), (1e-7, False), (1e-8, True), (1e-12, True)])
    def test_tolerance_is_atol_plus_rtol_times_value(self, delta: float, agree: bool) -> None:
        """Entry 4 perturbed by delta: agrees exactly when delta <= 1e-10 + 1e-8 * 4."""
        f, exact = self._seed()
        perturbed = exact.copy()
        perturbed[0, 0] = sympy.Integer(4) + sympy.Float(delta, 30)
        report = checking.check_jacobian(f, [x, y], _at(2, 3), perturbed)
        assert report.agree is agree
        assert report.entries[0][0].abs_error == pytest.approx(delta, rel=1e-6)

    def test_perturbed_hessian_disagrees(self) -> None:
        """A symmetric perturbation of the seed Hessian is caught in both off-diagonal entries."""
        f = x**2 + 3 * x * y + y**2
        wrong = sympy.Matrix([[2, 3.001], [3.001, 2]])
        report = checking.check_hessian(f, [x, y], _at(0, 0), wrong)
        assert sorted((i, j) for i, j, _ in report.disagreements) == [(0, 1), (1, 0)]

    def test_undefined_symbolic_value_never_agrees(self) -> None:
        """An undefined entry cannot agree, whatever the finite difference says, and says why."""
        undefined = Entry(Status.UNDEFINED, None, None, "not differentiable here")
        report = checking.check_jacobian([x * abs(x)], [x], _at(0), [[undefined]])
        entry = report.entries[0][0]
        assert not entry.agree and entry.abs_error is None
        assert entry.note == "the symbolic value is undefined (not differentiable here)"
        assert report.max_abs_error is None

    def test_finite_differences_that_blow_up_disagree(self) -> None:
        """|x| at 0 given a Hessian value 0: the second difference 2/h blows up and never settles."""
        report = checking.check_hessian(abs(x), [x], _at(0), [[0]])
        entry = report.entries[0][0]
        assert not report.agree and entry.finite_difference is not None and entry.finite_difference > 1e3
        assert entry.note.startswith("the finite differences did not settle (Richardson error estimate ")
        assert entry.note.endswith("): f may not be smooth near the point")

    def test_zero_has_no_relative_error(self) -> None:
        """rel_error is None where the symbolic value is 0 (the absolute error still counts)."""
        report = checking.check_jacobian([x * y], [x, y], _at(0, 0), [[0, 0]])
        assert report.agree and report.max_rel_error is None
        assert all(e.rel_error is None for e in report.entries[0])


class TestApi:
    @pytest.mark.parametrize("point", ["0,0", "1,-1", "1/2,3", "-2/3,pi/7", "5,5"])
    def test_tanh_chain_rule_at_several_points(self, point: str) -> None:
        """Seed exercise 1: tanh(a x + b y), a = 2, b = -3; Jacobian a(1 - tanh²), b(1 - tanh²)."""
        result = api.check("tanh(2*x - 3*y)", at=[point])
        report = result.points[0].check
        assert report is not None and report.agree
        (px, py) = (float(v) for _, v in result.points[0].at)
        sech2 = 1 / math.cosh(2 * px - 3 * py) ** 2  # 1 - tanh² without float cancellation
        hand = [2 * sech2, -3 * sech2]
        for entry, expected in zip(report.entries[0], hand, strict=True):
            assert entry.finite_difference == pytest.approx(expected, rel=1e-12, abs=1e-300)

    @pytest.mark.parametrize("point", ["0,0", "1,-1", "1/2,3"])
    def test_tanh_hessian_at_several_points(self, point: str) -> None:
        """The Hessian of tanh(2x - 3y) agrees too; H[0][0] = -2·4·tanh(u)(1 - tanh²u) by hand."""
        result = api.check("tanh(2*x - 3*y)", at=[point], hessian=True)
        assert result.command is Command.CHECK and result.kind is Command.HESSIAN
        report = result.points[0].check
        assert report is not None and report.agree
        (px, py) = (float(v) for _, v in result.points[0].at)
        t = math.tanh(2 * px - 3 * py)
        assert report.entries[0][0].finite_difference == pytest.approx(-8 * t * (1 - t * t), abs=1e-12)

    def test_smooth_enough_at_a_kink(self) -> None:
        """x*|x| is differentiable at 0 (derivative 0) though not twice: the Jacobian check agrees."""
        report = api.check("x*abs(x)", at=["0"]).points[0].check
        assert report is not None and report.agree

    def test_kink_is_a_failed_check(self) -> None:
        """abs(x) at 0 has no derivative: the check fails and says the symbolic value is undefined."""
        report = api.check("abs(x) + y", at=["0,1"]).points[0].check
        assert report is not None and not report.agree
        assert report.entries[0][0].note.startswith("the symbolic value is undefined")
        assert report.entries[0][1].agree

    def test_check_flag_on_jacobian_and_hessian(self) -> None:
        """--check adds a report to each point of jacobian and hessian; the command stays."""
        jac = api.jacobian("x**2 + y, x*y", at=["2,3", "1,1"], check=True)
        hes = api.hessian("x**2 + 3*x*y + y**2", at=["1,2"], eig=True, check=True)
        assert jac.command is Command.JACOBIAN and all(p.check and p.check.agree for p in jac.points)
        assert hes.command is Command.HESSIAN and hes.points[0].spectrum is not None
        assert hes.points[0].check is not None and hes.points[0].check.agree
        assert api.jacobian("x*y", at=["1,2"]).points[0].check is None

    @pytest.mark.parametrize(
        ("call", "message"),
        [
            (lambda: api.check("x*y"), "jh check needs a point"),
            (lambda: api.jacobian("x*y", check=True), "--check needs a point"),
            (lambda: api.hessian("x*y", check=True, classify=True), "--check needs a point"),
            (lambda: api.check("x*y", at=["1,2"], rtol=-1), "--rtol must be a finite number >= 0"),
            (lambda: api.check("x*y", at=["1,2"], atol=math.nan), "--atol must be a finite number >= 0"),
            (lambda: api.check("x*y", at=["1,2"], rtol=0, atol=0), "both 0"),
        ],
    )
    def test_usage_errors(self, call, message: str) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(UsageError, match=re.escape(message)):
            call()


class TestCli:
    def test_agree_exit_0(self) -> None:
        """The seed Jacobian checks: stdout ends with the verdict, nothing on stderr, exit 0."""
        out = run_jh("check", "x**2+y, x*y", "--at", "2,3", "-f", "plain")
        assert (out.exit_code, out.stderr) == (0, "")
        lines = out.stdout.splitlines()
        assert lines[:10] == [
            "read as: x**2 + y, x*y",
            "variables: x, y",
            "Jacobian (rows: functions, columns: variables):",
            "[2*x  1]",
            "[  y  x]",
            "",
            "at (x, y) = (2, 3):",
            "[4  1]",
            "[3  2]",
            "finite-difference check (central differences, Richardson-extrapolated), abs error per entry:",
        ]
        assert lines[12].startswith("max abs error: ")
        assert lines[13] == "tolerance: |symbolic - finite difference| ≤ 1e-10 + 1e-08·|symbolic| per entry"
        assert re.fullmatch(r"check: agree \(max abs error \S+e-\d\d ≤ tolerance\)", lines[14])

    def test_kink_exit_1_with_warning(self) -> None:
        """abs(x) at 0: the result is printed, the disagreement warned about on stderr, exit 1."""
        out = run_jh("check", "abs(x)", "--at", "0", "-f", "plain")
        assert out.exit_code == 1
        reason = (
            "not differentiable here: x = 0 is a kink of |.| or sign, "
            "and the one-sided derivatives in x are -1 and 1"
        )
        assert out.stdout.endswith(
            f"check: DISAGREE at entry (1, 1) ∂f/∂x: the symbolic value is undefined ({reason})\n"
        )
        assert out.stderr == (
            f"warning: ∂f/∂x at x = 0: {reason}\n"
            "warning: the finite-difference check disagrees at x = 0, at entry (1, 1) ∂f/∂x: "
            f"the symbolic value is undefined ({reason})\n"
        )

    def test_tolerance_too_tight_exit_1(self) -> None:
        """An impossible tolerance makes a correct Jacobian disagree: --rtol/--atol are used."""
        out = run_jh("check", "tanh(2*x - 3*y)", "--at", "1/2,1/5", "--rtol", "0", "--atol", "1e-60")
        assert out.exit_code == 1 and "check: DISAGREE at entry (1, 1) ∂f/∂x: symbolic" in out.stdout
        assert "the tolerance 1e-60 is finer than the 40-digit finite differences resolve" in out.stdout
        assert out.stderr.startswith("warning: the finite-difference check disagrees at (x, y) = (1/2, 1/5)")

    def test_hessian_check_json(self) -> None:
        """jh check --hessian -f json: command, derivative, and the check object with its keys."""
        out = run_jh("check", "x**2 + 3*x*y + y**2", "--hessian", "--at", "1,2", "-f", "json")
        assert (out.exit_code, out.stderr) == (0, "")
        data = json.loads(out.stdout)
        assert (data["command"], data["derivative"]) == ("check", "hessian")
        assert data["matrix"] == [["2", "3"], ["3", "2"]]
        point = data["points"][0]
        assert point["value"] == [["2", "3"], ["3", "2"]] and point["numeric"] == [[2.0, 3.0], [3.0, 2.0]]
        check = point["check"]
        assert check["agree"] is True and check["max_abs_error"] < 1e-20 and check["max_rel_error"] < 1e-20
        assert (check["rtol"], check["atol"]) == (1e-8, 1e-10)
        assert check["method"] == "central differences, Richardson-extrapolated"
        entry = check["entries"][0][1]
        assert {"symbolic", "finite_difference", "abs_error", "rel_error", "agree"} <= set(entry)
        assert entry["symbolic"] == 3.0 and entry["finite_difference"] == pytest.approx(3.0, abs=1e-15)

    def test_check_flag_json_and_null_rel_error(self) -> None:
        """jacobian --check: each point gets "check"; rel_error is null where the value is 0."""
        out = run_jh("jacobian", "x*y", "--at", "0,0", "--at", "1,2", "--check", "-f", "json")
        assert out.exit_code == 0
        points = json.loads(out.stdout)["points"]
        assert "derivative" not in json.loads(out.stdout)
        assert [e["rel_error"] for e in points[0]["check"]["entries"][0]] == [None, None]
        assert points[0]["check"]["max_rel_error"] is None
        assert all(p["check"]["agree"] for p in points)

    def test_hessian_check_flag_plain(self) -> None:
        """hessian --check --eig: the report follows the eigen-analysis; exit 0."""
        out = run_jh("hessian", "x**4 + y**4 - 4*x*y", "--at", "1,1", "--eig", "--check", "-f", "plain")
        assert (out.exit_code, out.stderr) == (0, "")
        assert out.stdout.index("eigenvalues:") < out.stdout.index("finite-difference check")
        assert "check: agree (max abs error" in out.stdout

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["check", "x*y"], "jh check needs a point: give one with --at, e.g. --at 2,3"),
            (["jacobian", "x*y", "--check"], "--check needs a point: give one with --at, e.g. --at 2,3"),
            (["hessian", "x*y", "--check"], "--check needs a point: give one with --at, e.g. --at 2,3"),
            (
                ["jacobian", "x*y", "--rtol", "1e-3"],
                "--rtol and --atol apply to the finite-difference check: add --check",
            ),
            (["check", "x*y", "--at", "1,2", "--atol", "-1"], "--atol must be a finite number >= 0, got -1"),
            (
                ["check", "tanh(a*x + b*y)", "--vars", "x,y", "--at", "1,2"],
                "the finite-difference check needs numbers, but a, b are not variables: "
                "give each a value with --let (e.g. --let a=1/2) or list it in --vars and --at",
            ),
        ],
    )
    def test_usage_errors_exit_2(self, args: list[str], message: str) -> None:
        out = run_jh(*args)
        assert (out.exit_code, out.stdout, out.stderr) == (2, "", f"error: {message}\n")

    def test_options_after_double_dash_are_caught(self) -> None:
        """'--check' after '--' is an option in the wrong place, not an expression."""
        out = run_jh("jacobian", "--at", "1", "--", "x", "--check")
        assert out.exit_code == 2 and "'--check' after '--' is read as an expression" in out.stderr

    def test_help_has_examples(self) -> None:
        out = run_jh("check", "-h")
        assert out.exit_code == 0
        assert "Examples:" in out.stdout and 'jh check "x**2+y, x*y" --at 2,3' in out.stdout
        assert "--hessian" in out.stdout and "--rtol" in out.stdout

    def test_cli_defaults_match_the_core(self) -> None:
        """The CLI repeats the default tolerances (to keep SymPy out of --help): they must match."""
        assert (cli.DEFAULT_RTOL, cli.DEFAULT_ATOL) == (checking.RTOL, checking.ATOL)
