"""Products without forming the matrix (J·v, uᵀJ, H·v) and the chain rule, checked independently.

Expected values are computed by hand or by SymPy's own ``Matrix.jacobian`` / ``hessian`` followed
by an ordinary matrix product: never by jh's product functions themselves.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from jhcli import api, calculus
from jhcli.errors import MathError, ParseError, UsageError
from jhcli.models import Certainty, Status
from jhcli.render import FORMATS, render
from tests.conftest import Outcome, run_jh
from tests.strategies import X, Y, Z, smooth_expressions

a, b, c = sympy.symbols("a b c", real=True)
XYZ = [X, Y, Z]

FUNCTIONS = [
    [X**2 + Y, X * Y],  # the notes' example
    [sympy.sin(X * Y) + Z, sympy.exp(X - Z) * Y, X * Y * Z],
    [sympy.tanh(a * X + b * Y)],  # seed exercise 1, with parameters
    [sympy.sqrt(X**2 + Y**2 + 1), sympy.log(1 + X**2) * Y],
]
VECTORS = [[1, 0, 0], [2, -3, sympy.Rational(1, 2)], [a, b, c], [sympy.sqrt(2), 0, -1]]


def _zero(matrix: sympy.MatrixBase) -> bool:
    return all(sympy.simplify(sympy.expand(e)) == 0 for e in matrix)


def _text(result: Any, fmt: str) -> str:
    output = render(result, fmt)
    if isinstance(output, str):
        return output
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None, markup=False).print(output)
    return buffer.getvalue()


class TestCalculus:
    @pytest.mark.parametrize("fs", FUNCTIONS)
    @pytest.mark.parametrize("v", VECTORS)
    def test_jvp_equals_jacobian_times_v(self, fs: list[sympy.Expr], v: list[Any]) -> None:
        """d/dt f(x + t v) at t = 0 is J·v with J from SymPy's Matrix.jacobian."""
        expected = sympy.Matrix(fs).jacobian(XYZ) * sympy.Matrix(v)
        got = calculus.jvp(fs, XYZ, v)
        assert got.shape == (len(fs), 1)
        assert _zero(got - expected)

    @pytest.mark.parametrize("fs", FUNCTIONS)
    def test_vjp_equals_transposed_jacobian_times_u(self, fs: list[sympy.Expr]) -> None:
        """The gradient of u·f is Jᵀu (uᵀJ as a column), for a symbolic u."""
        u = sympy.Matrix(sympy.symbols(f"u1:{len(fs) + 1}", real=True))
        expected = sympy.Matrix(fs).jacobian(XYZ).T * u
        got = calculus.vjp(fs, XYZ, list(u))
        assert got.shape == (3, 1)
        assert _zero(got - expected)

    @pytest.mark.parametrize(
        "f", [X**2 + 3 * X * Y + Y**2, sympy.exp(X * Y) * Z, X**4 * Y - sympy.cos(Y * Z)]
    )
    @pytest.mark.parametrize("v", VECTORS)
    def test_hvp_equals_hessian_times_v(self, f: sympy.Expr, v: list[Any]) -> None:
        """The gradient of ∇f·v is H·v with H from sympy.hessian."""
        expected = sympy.hessian(f, XYZ) * sympy.Matrix(v)
        got = calculus.hvp(f, XYZ, v)
        assert got.shape == (3, 1)
        assert _zero(got - expected)

    @settings(max_examples=25, deadline=None)
    @given(
        st.lists(smooth_expressions, min_size=1, max_size=2),
        st.lists(st.integers(-3, 3), min_size=3, max_size=3),
    )
    def test_products_property(self, fs: list[sympy.Expr], v: list[int]) -> None:
        """For random smooth functions and integer vectors: J·v, Jᵀu and H·v agree with the matrices."""
        jac = sympy.Matrix(fs).jacobian(XYZ)
        assert _zero(calculus.jvp(fs, XYZ, v) - jac * sympy.Matrix(v))
        u = v[: len(fs)]
        assert _zero(calculus.vjp(fs, XYZ, u) - jac.T * sympy.Matrix(u))
        assert _zero(calculus.hvp(fs[0], XYZ, v) - sympy.hessian(fs[0], XYZ) * sympy.Matrix(v))

    def test_products_do_not_form_the_matrix(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """J·v takes m derivatives (not m·n), uᵀJ takes n (not m·n), H·v takes 2n (not n²)."""
        calls = []
        original = calculus._finish  # every derivative of a function by one variable ends there

        def counting(*args: Any, **kwargs: Any) -> Any:
            calls.append(args)
            return original(*args, **kwargs)

        monkeypatch.setattr(calculus, "_finish", counting)
        fs = [X * Y * Z, X + Y + Z]  # every function depends on every variable
        calculus.jvp(fs, XYZ, [1, 2, 3])
        assert len(calls) == 2
        calls.clear()
        calculus.vjp(fs, XYZ, [1, 2])
        assert len(calls) == 3
        calls.clear()
        calculus.hvp(X * Y * Z, XYZ, [1, 2, 3])
        assert len(calls) == 6

    def test_jvp_of_floor_falls_back_to_partials(self) -> None:
        """floor has no derivative SymPy evaluates along a line: the sum of partials is used instead."""
        got = calculus.jvp([sympy.floor(X) * Y], [X, Y], [1, 2])
        assert calculus.away_from_jumps(got)[0] == sympy.Matrix([2 * sympy.floor(X)])


class TestApi:
    def test_jvp_seed_example_at_a_point(self) -> None:
        """J of (x^2 + y, xy) is [[2x, 1], [y, x]]; times (1, 0) at (2, 3) that is (4, 3)."""
        r = api.jvp("x**2 + y, x*y", v="1,0", at=["2,3"])
        assert r.matrix == sympy.Matrix([2 * X, Y])
        assert [row[0].exact for row in r.points[0].values] == [4, 3]
        assert r.vector == (1, 0)

    def test_named_and_symbolic_directions(self) -> None:
        """--v by name (any order) and with parameters gives a symbolic J·v."""
        named = api.jvp("x**2 + y, x*y", v="y=b, x=a")
        assert named.vector == (a, b)
        assert named.matrix == sympy.Matrix([2 * a * X + b, a * Y + b * X])

    def test_exact_values_in_the_vector(self) -> None:
        """Vector values are exact expressions: 1/2 and sqrt(2) stay exact."""
        r = api.hvp("x**2 + y**2", v="1/2, sqrt(2)")
        assert r.matrix == sympy.Matrix([1, 2 * sympy.sqrt(2)])

    def test_vjp_is_the_backprop_gradient(self) -> None:
        """With u = dL/dy at the point, uᵀJ is the gradient of L(f(x)) there (L = y1²/2 + y2).

        At (1, 2): y1 = 1 + 2 = 3, so dL/dy = (y1, 1) = (3, 1).
        """
        f1, f2 = X**2 + Y, X * Y
        r = api.vjp("x**2 + y, x*y", u="3, 1", at=["1,2"])
        loss = (f1**2 / 2 + f2).diff(X), (f1**2 / 2 + f2).diff(Y)
        expected = [d.subs({X: 1, Y: 2}) for d in loss]
        assert [row[0].exact for row in r.points[0].values] == expected

    def test_vector_may_not_depend_on_the_variables(self) -> None:
        """v(x) would add a term (∂v/∂x) to H·v: refused."""
        with pytest.raises(UsageError, match=r"--v may not depend on the variables \(x\)"):
            api.hvp("x**2*y", v="x, 1")

    @pytest.mark.parametrize(
        ("call", "message"),
        [
            (lambda: api.jvp("x*y", v="1"), "--v has 1 value but there are 2 variables (x, y)"),
            (lambda: api.jvp("x*y", v="1,2,3"), "--v has 3 values but there are 2 variables (x, y)"),
            (
                lambda: api.vjp("x, y, x*y", u="1,2"),
                "--u has 2 values but there are 3 components (functions)",
            ),
            (lambda: api.vjp("x, y", u="x=1,y=2"), "--u takes its values in component order, without names"),
            (lambda: api.jvp("x*y", v="x=1"), "--v has no value for y"),
            (lambda: api.jvp("x*y", v="x=1,z=2"), "unknown variable 'z' in --v; the variables are x, y"),
            (lambda: api.jvp("x*y", v="1,1/0"), "'1/0' is undefined (not a finite number)"),
        ],
    )
    def test_bad_vectors(self, call: Any, message: str) -> None:
        """Wrong length names both counts; other mistakes say what is wrong."""
        with pytest.raises(ParseError) as info:
            call()
        assert info.value.message == message

    def test_missing_vector(self) -> None:
        """jvp without v is a usage error, not a crash."""
        with pytest.raises(UsageError, match=r"--v is required"):
            api.jvp("x*y")

    def test_directional_derivative_at_a_kink(self) -> None:
        """x|x| has J·v = 0 at 0; |x| has no two-sided derivative along v = 1 there."""
        smooth = api.jvp("x*abs(x)", v="1", at=["0"]).points[0].values[0][0]
        assert (smooth.status, smooth.exact) == (Status.OK, 0)
        kink = api.jvp("abs(x)", v="1", at=["0"]).points[0].values[0][0]
        assert kink.status is Status.UNDEFINED
        assert "along v = (1)" in kink.reason and "-1 and 1" in kink.reason

    def test_hvp_at_a_point_matches_the_hessian(self) -> None:
        """H·v at (1, 1) of x^4 + y^4 - 4xy with v = (1, 2): H = [[12, -4], [-4, 12]], so (4, 20)."""
        r = api.hvp("x**4 + y**4 - 4*x*y", v="1,2", at=["1,1"])
        assert [row[0].exact for row in r.points[0].values] == [4, 20]


class TestChain:
    def test_issue_example(self) -> None:
        """u**2 + v with u = xy, v = sin(x): factors [2u, 1], [[y, x], [cos x, 0]], product by hand."""
        r = api.chain("u**2 + v", inner=["u=x*y", "v=sin(x)"])
        u, v = sympy.symbols("u v", real=True)
        factors = {f.key: f.matrix for f in r.factors}
        assert factors["outer_intermediate"] == sympy.Matrix([[2 * u, 1]])
        assert factors["outer"] == sympy.Matrix([[2 * X * Y, 1]])
        assert factors["inner"] == sympy.Matrix([[Y, X], [sympy.cos(X), 0]])
        assert _zero(r.matrix - sympy.Matrix([[2 * X * Y**2 + sympy.cos(X), 2 * X**2 * Y]]))
        assert r.composed == (X**2 * Y**2 + sympy.sin(X),)
        assert r.check is not None and (r.check.equal, r.check.certainty) == (True, Certainty.EXACT)

    def test_seed_exercise(self) -> None:
        """tanh(u), u = ax + by: [a(1 - tanh²(ax + by)), b(1 - tanh²(ax + by))]."""
        r = api.chain("tanh(u)", inner={"u": "a*x + b*y"}, vars="x,y")
        t = sympy.tanh(a * X + b * Y)
        assert _zero(r.matrix - sympy.Matrix([[a * (1 - t**2), b * (1 - t**2)]]))
        assert r.variables == (X, Y)

    def test_product_equals_sympys_jacobian_of_the_composition(self) -> None:
        """A map R^2 -> R^2 -> R^2 at a point: values by hand from (x + y)(x - y) and 2x."""
        r = api.chain("u*v, u + v", inner=["u=x+y", "v=x-y"], at=["1,2"])
        composed = sympy.Matrix([(X + Y) * (X - Y), 2 * X])
        assert _zero(r.matrix - composed.jacobian([X, Y]))
        assert [[e.exact for e in row] for row in r.points[0].values] == [[2, -4], [2, 0]]

    def test_outer_parameters(self) -> None:
        """A name in OUTER that no --with binds is a parameter: k*u with u = x² gives 2kx."""
        r = api.chain("k*u", inner=["u=x**2"])
        k = sympy.Symbol("k", real=True)
        assert r.matrix == sympy.Matrix([[2 * k * X]])

    def test_numeric_fallback(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """If SymPy cannot prove the difference is 0, a numeric check at sample points says so."""
        monkeypatch.setattr(api, "attempt", lambda *args: None)
        check = api._check_chain(sympy.Matrix([sympy.sin(X) ** 2 + sympy.cos(X) ** 2]), sympy.Matrix([1]))
        assert (check.equal, check.certainty, check.tolerance) == (True, Certainty.NUMERIC, 1e-9)
        with pytest.raises(MathError, match="differs"):
            api._check_chain(sympy.Matrix([sympy.sin(X) ** 2]), sympy.Matrix([1]))

    @pytest.mark.parametrize(
        ("args", "stderr"),
        [
            (
                ("u",),
                "error: chain needs the inner functions: --with NAME=EXPR, e.g. --with u=x*y (repeatable)\n",
            ),
            (("u", "--with", "u x"), "error: --with takes NAME=EXPR, e.g. --with u=x*y; got 'u x'\n"),
            (("u", "--with", "u=x", "--with", "u=y"), "error: --with binds u twice\n"),
            (
                ("u", "--with", "u=u*x"),
                "error: u is both an intermediate name (--with) and an inner variable: rename one\n",
            ),
            (
                ("u*x", "--with", "u=x*y"),
                "error: the outer function uses the inner variable x; write it in the intermediate "
                "names only (bind one with --with, e.g. --with w=x)\n",
            ),
        ],
    )
    def test_usage_errors(self, args: tuple[str, ...], stderr: str) -> None:
        """Malformed or contradictory bindings: one line on stderr, exit 2, nothing on stdout."""
        out = run_jh("chain", *args)
        assert (out.exit_code, out.stdout, out.stderr) == (2, "", stderr)

    def test_floor_in_outer_is_refused(self) -> None:
        """floor's derivative is no function at its jumps: exit 1 with a pointer to 'jh jacobian'."""
        out = run_jh("chain", "floor(u)", "--with", "u=x*y")
        assert (out.exit_code, out.stdout) == (1, "")
        assert "use 'jh jacobian' on the composed function" in out.stderr


class TestCli:
    def test_jvp_plain(self) -> None:
        """The exact plain output of the notes' example times v = (1, 0)."""
        out = run_jh("jvp", "x**2 + y, x*y", "--v", "1,0", "--at", "2,3", "-f", "plain")
        assert (out.exit_code, out.stderr) == (0, "")
        assert out.stdout == (
            "read as: x**2 + y, x*y\n"
            "variables: x, y\n"
            "v: (1, 0)\n"
            "J·v (a column, one row per function):\n"
            "[2*x]\n"
            "[  y]\n"
            "\n"
            "at (x, y) = (2, 3):\n"
            "[4]\n"
            "[3]\n"
        )

    @pytest.mark.parametrize(
        ("args", "matrix", "vector", "value"),
        [
            (
                ("jvp", "x**2 + y, x*y", "--v", "x=1,y=-1"),
                [["2*x - 1"], ["-x + y"]],
                ["1", "-1"],
                [["3"], ["1"]],
            ),
            (("vjp", "x**2 + y, x*y", "--u", "1,1"), [["2*x + y"], ["x + 1"]], ["1", "1"], [["7"], ["3"]]),
            (("hvp", "x**2*y", "--v", "1,2"), [["4*x + 2*y"], ["2*x"]], ["1", "2"], [["14"], ["4"]]),
        ],
    )
    def test_json(
        self, args: tuple[str, ...], matrix: list[list[str]], vector: list[str], value: list[list[str]]
    ) -> None:
        """JSON: the usual keys, a column matrix, the vector as exact strings (values by hand at (2, 3))."""
        out = run_jh(*args, "--at", "2,3", "-f", "json")
        assert (out.exit_code, out.stderr) == (0, "")
        data = json.loads(out.stdout)
        assert data["command"] == args[0]
        assert data["variables"] == ["x", "y"]
        assert (data["matrix"], data["vector"]) == (matrix, vector)
        assert data["points"][0]["at"] == {"x": "2", "y": "3"}
        assert data["points"][0]["value"] == value
        assert data["points"][0]["numeric"] == [[float(r[0])] for r in value]

    def test_chain_plain(self) -> None:
        """The issue's example, exactly: each factor, the product and the check."""
        out = run_jh("chain", "u**2 + v", "--with", "u=x*y", "--with", "v=sin(x)", "-f", "plain")
        assert (out.exit_code, out.stderr) == (0, "")
        assert out.stdout == (
            "read as: u**2 + v\n"
            "with: u = x*y, v = sin(x)\n"
            "composed: x**2*y**2 + sin(x)\n"
            "variables: x, y\n"
            "outer Jacobian in u, v:\n"
            "[2*u  1]\n"
            "outer Jacobian at the inner functions:\n"
            "[2*x*y  1]\n"
            "inner Jacobian:\n"
            "[     y  x]\n"
            "[cos(x)  0]\n"
            "product J_outer(inner(x))·J_inner(x) (rows: functions, columns: variables):\n"
            "[2*x*y**2 + cos(x)  2*x**2*y]\n"
            "check: the product equals the Jacobian of the composed function (exact): "
            "their difference simplifies to 0\n"
        )

    def test_chain_json(self) -> None:
        """JSON keys of the chain rule: factors, composed, check (and with)."""
        out = run_jh("chain", "u*v, u + v", "--with", "u=x+y", "--with", "v=x-y", "--at", "1,2", "-f", "json")
        assert (out.exit_code, out.stderr) == (0, "")
        data = json.loads(out.stdout)
        assert data["command"] == "chain"
        assert data["functions"] == ["u*v", "u + v"]
        assert data["variables"] == ["x", "y"]
        assert data["with"] == {"u": "x + y", "v": "x - y"}
        assert data["composed"] == ["(x - y)*(x + y)", "2*x"]
        assert data["factors"]["outer"] == [["x - y", "x + y"], ["1", "1"]]
        assert data["factors"]["inner"] == [["1", "1"], ["1", "-1"]]
        assert data["matrix"] == [["2*x", "-2*y"], ["2", "0"]]
        assert data["check"]["equal"] is True and data["check"]["certainty"] == "exact"
        assert data["points"][0]["value"] == [["2", "-4"], ["2", "0"]]

    @pytest.mark.parametrize(
        ("args", "stderr"),
        [
            (("jvp", "x*y"), "error: --v is required: a direction with 2 values, e.g. --v 1,0\n"),
            (
                ("vjp", "x, y, x*y"),
                "error: --u is required: a vector of output weights with 3 values, e.g. --u 1,0,0\n",
            ),
            (
                ("hvp", "x*y", "--v", "1"),
                "error: --v has 1 value but there are 2 variables (x, y)\n  1\n   ^\n",
            ),
            (
                ("hvp", "x, y", "--v", "1,0"),
                "error: hvp needs one scalar function, got 2 components; "
                "use 'jh jacobian' for a vector function\n",
            ),
            (
                ("jvp", "x*y", "--v", "x,1"),
                "error: --v may not depend on the variables (x): it is a fixed vector; "
                "other names in it are parameters\n",
            ),
        ],
    )
    def test_usage_errors(self, args: tuple[str, ...], stderr: str) -> None:
        """Missing or malformed vectors: exit 2, the message on stderr, nothing on stdout."""
        out = run_jh(*args)
        assert (out.exit_code, out.stdout, out.stderr) == (2, "", stderr)

    def test_undefined_value_warns_and_exits_1(self) -> None:
        """A product undefined at a point is reported like the other commands: warning, exit 1."""
        out = run_jh("jvp", "log(x)", "--v", "1", "--at", "0", "-f", "plain")
        assert out.exit_code == 1
        assert out.stderr == "warning: D_v f at x = 0: log(x) is undefined at this point\n"

    @pytest.mark.parametrize(
        ("command", "words"),
        [
            ("jvp", ["Backpropagation uses VJPs", "n JVPs"]),
            ("vjp", ["backpropagation", "m VJPs against n JVPs", "dL/dy"]),
            ("hvp", ["Hessian-free", "conjugate gradients"]),
            ("chain", ["J_outer(inner(x))", "parameter"]),
        ],
    )
    def test_help_says_which_mode_backprop_uses(self, command: str, words: list[str]) -> None:
        """The help explains the cost argument and has examples."""
        out = run_jh(command, "--help")
        text = " ".join(out.stdout.split())
        assert out.exit_code == 0 and "Examples:" in text
        for word in words:
            assert word in text, word

    def test_stdin_and_no_simplify(self) -> None:
        """'-' reads the function from stdin; --no-simplify leaves the raw derivative."""
        out = run_jh("vjp", "-", "--u", "1", "--no-simplify", "-f", "json", stdin="x**2*y\n")
        assert json.loads(out.stdout)["matrix"] == [["2*x*y"], ["x**2"]]


PRODUCT_RESULTS = {
    "jvp": lambda: api.jvp("log(x), x*y", v="1,a", at=["0,1", "1,2"]),
    "vjp": lambda: api.vjp("x**2 + y, x*y", u="1,2", at=["1/3,2"]),
    "hvp": lambda: api.hvp("x**4 + y**4 - 4*x*y", v="1,0", at=["1,1"]),
    "chain": lambda: api.chain("tanh(u), u*v", inner=["u=a*x + b*y", "v=x"], vars="x,y", at=["0,0"]),
}


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("name", list(PRODUCT_RESULTS))
def test_every_format_renders_products(fmt: str, name: str) -> None:
    """Each format shows the vector (or the chain's factors) and the titled column."""
    result = PRODUCT_RESULTS[name]()
    text = _text(result, fmt)
    assert text.strip() and text.endswith("\n")
    if fmt == "json":
        data = json.loads(text)
        assert ("factors" in data) == (name == "chain") and ("vector" in data) == (name != "chain")
    elif name == "chain":
        assert "check" in text
    elif fmt != "latex":
        assert {"jvp": "v: (1, a)", "vjp": "u: (1, 2)", "hvp": "v: (1, 0)"}[name] in text


class TestVectorVariables:
    """--v takes a vector variable's value as a list; products work on x:2 and --let."""

    def test_hvp_of_a_quadratic_form_is_a_plus_a_transpose_times_v(self) -> None:
        # f = x^T A x has H = A + A^T = [[4, 3], [3, 6]] for A = [[2, 1], [2, 3]]; H (1, 0) = (4, 3)
        args = ("hvp", "x.T@A@x", "--vars", "x:2", "--let", "A=[[2,1],[2,3]]", "-f", "json")
        by_list = run_jh(*args, "--v", "x=[1,0]")
        assert by_list.exit_code == 0
        assert json.loads(by_list.stdout)["matrix"] == [["4"], ["3"]]
        assert by_list.stdout == run_jh(*args, "--v", "1,0").stdout

    def test_wrong_length_names_both_counts(self) -> None:
        out = run_jh("hvp", "x.T@x", "--vars", "x:2", "--v", "x=[1,0,1]")
        assert out == Outcome(2, "", "error: x has 2 components but --v gives 3\n  x=[1,0,1]\n    ^\n")

    def test_vjp_of_a_layer_is_w_transpose_times_u_scaled(self) -> None:
        # f = W x: J = W, so u^T J = W^T u = [[1, 3], [2, 4]] (1, 1) = (4, 6)
        out = run_jh("vjp", "W@x", "--vars", "x:2", "--let", "W=[[1,2],[3,4]]", "--u", "1,1", "-f", "json")
        assert json.loads(out.stdout)["matrix"] == [["4"], ["6"]]
