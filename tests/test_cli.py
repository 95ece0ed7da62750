"""The command line: exact stdout, stderr and exit codes through CliRunner."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from jhcli import __version__
from tests.conftest import run_jh


class TestStartup:
    def test_help_and_version_do_not_import_sympy(self) -> None:
        """Importing the CLI module, --help and --version never load SymPy (fast start)."""
        code = (
            "import sys\n"
            "from typer.testing import CliRunner\n"
            "from jhcli.cli import app\n"
            "r = CliRunner()\n"
            "assert r.invoke(app, ['--help']).exit_code == 0\n"
            "assert r.invoke(app, ['--version']).exit_code == 0\n"
            "assert r.invoke(app, ['hessian', '--help']).exit_code == 0\n"
            "print('sympy' in sys.modules)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert out.stdout == "False\n"

    def test_version(self) -> None:
        """--version prints the package version."""
        out = run_jh("--version")
        assert (out.exit_code, out.stdout, out.stderr) == (0, f"jh {__version__}\n", "")

    def test_python_dash_m_works(self) -> None:
        """python -m jhcli is the same program."""
        out = subprocess.run(
            [sys.executable, "-m", "jhcli", "jacobian", "x*y", "-f", "json"], capture_output=True, text=True
        )
        assert out.returncode == 0
        assert json.loads(out.stdout)["matrix"] == [["y", "x"]]

    @pytest.mark.parametrize("command", ["jacobian", "gradient", "grad", "hessian", "critical"])
    def test_every_command_has_help_with_an_example(self, command: str) -> None:
        """-h works on every command and shows an example invocation."""
        out = run_jh(command, "-h")
        assert out.exit_code == 0
        assert "Examples:" in out.stdout and "jh " in out.stdout


class TestUsageErrors:
    def test_unknown_option(self) -> None:
        """An unknown option is one line on stderr, exit 2, nothing on stdout."""
        out = run_jh("jacobian", "x", "--bogus")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == "error: No such option: --bogus\n  (see 'jh --help')\n"

    def test_expression_with_leading_minus_points_to_double_dash(self) -> None:
        """-x**2-y**2 taken for options gets a hint to put it after '--'."""
        out = run_jh("hessian", "-x**2-y**2")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == (
            "error: No such option: -x\n"
            "  (an expression that starts with '-' goes after '--', options before it: "
            'jh hessian --at 0,0 -- "-x**2-y**2")\n'
            "  (see 'jh --help')\n"
        )

    def test_options_after_double_dash_are_explained(self) -> None:
        """An option written after '--' is not silently read as an expression."""
        out = run_jh("hessian", "--", "-x**2", "--at", "0")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == "error: '--at' after '--' is read as an expression; put options before '--'\n"

    def test_missing_expression(self) -> None:
        """A command without its expression says so, exit 2."""
        out = run_jh("hessian")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr.startswith("error: Missing argument")

    def test_bad_format_choice(self) -> None:
        """An unknown --format lists the choices, exit 2."""
        out = run_jh("jacobian", "x", "-f", "xml")
        assert (out.exit_code, out.stdout) == (2, "")
        assert "'xml' is not one of 'table', 'plain', 'latex', 'markdown', 'json'" in out.stderr


class TestJacobianCommand:
    def test_seed_example_plain(self) -> None:
        """The notes' Jacobian of (x^2 + y, xy) at (2, 3) is [[4, 1], [3, 2]]."""
        out = run_jh("jacobian", "x**2+y, x*y", "--at", "2,3")
        assert (out.exit_code, out.stderr) == (0, "")
        assert out.stdout == (
            "read as: x**2 + y, x*y\n"
            "variables: x, y\n"
            "Jacobian (rows: functions, columns: variables):\n"
            "[2*x  1]\n"
            "[  y  x]\n"
            "\n"
            "at (x, y) = (2, 3):\n"
            "[4  1]\n"
            "[3  2]\n"
        )

    def test_components_as_separate_arguments_and_brackets(self) -> None:
        """Components may be several arguments or one bracketed list; the result is the same."""
        a = run_jh("jacobian", "x**2+y", "x*y", "-f", "json")
        b = run_jh("jacobian", "[x**2+y, x*y]", "-f", "json")
        assert a.exit_code == b.exit_code == 0
        assert json.loads(a.stdout)["matrix"] == json.loads(b.stdout)["matrix"] == [["2*x", "1"], ["y", "x"]]

    def test_commas_inside_calls_do_not_split(self) -> None:
        """atan2(y, x) is one component: only top-level commas separate components."""
        out = run_jh("jacobian", "atan2(y, x), x", "-f", "json")
        data = json.loads(out.stdout)
        assert data["functions"] == ["atan2(y, x)", "x"]
        assert data["matrix"] == [["-y/(x**2 + y**2)", "x/(x**2 + y**2)"], ["1", "0"]]

    def test_stdin_and_repeated_points(self) -> None:
        """'-' reads the components from stdin; every --at point gets its values."""
        out = run_jh("jacobian", "-", "--at", "2,3", "--at", "1,1", "-f", "json", stdin="x**2+y, x*y\n")
        data = json.loads(out.stdout)
        assert out.exit_code == 0
        assert [p["value"] for p in data["points"]] == [[["4", "1"], ["3", "2"]], [["2", "1"], ["1", "1"]]]
        assert [p["numeric"] for p in data["points"]] == [[[4.0, 1.0], [3.0, 2.0]], [[2.0, 1.0], [1.0, 1.0]]]

    def test_empty_stdin_is_an_error(self) -> None:
        """Nothing on stdin is a usage error."""
        out = run_jh("jacobian", "-", stdin="")
        assert (out.exit_code, out.stdout, out.stderr) == (2, "", "error: no expression on standard input\n")

    def test_declared_variable_order_and_zero_column(self) -> None:
        """--vars fixes the column order; a declared variable that does not occur is a zero column."""
        out = run_jh("jacobian", "x*y", "--vars", "z,y,x", "-f", "json")
        data = json.loads(out.stdout)
        assert (data["variables"], data["matrix"]) == (["z", "y", "x"], [["0", "x", "y"]])

    def test_natural_variable_order(self) -> None:
        """Without --vars, x2 comes before x10."""
        out = run_jh("jacobian", "x10 + 2*x2 + 3*x1", "-f", "json")
        data = json.loads(out.stdout)
        assert (data["variables"], data["matrix"]) == (["x1", "x2", "x10"], [["3", "2", "1"]])

    def test_undeclared_symbols_are_parameters(self) -> None:
        """With --vars x, the symbol a is a parameter and stays in the values."""
        out = run_jh("jacobian", "a*x**2", "--vars", "x", "--at", "3", "-f", "json")
        data = json.loads(out.stdout)
        assert out.exit_code == 0
        assert data["points"][0]["value"] == [["6*a"]]
        assert data["points"][0]["numeric"] == [[None]]


class TestPoints:
    def test_named_coordinates_in_any_order(self) -> None:
        """--at y=3,x=2 is the same point as --at 2,3."""
        out = run_jh("jacobian", "x**2+y, x*y", "--at", "y=3,x=2", "-f", "json")
        assert json.loads(out.stdout)["points"][0]["at"] == {"x": "2", "y": "3"}

    def test_exact_values(self) -> None:
        """1/2, pi/4, sqrt(2) and 1e-3 are exact; the decimal view follows --digits."""
        out = run_jh(
            "gradient",
            "sin(x) + y**2 + z + w**3",
            "--vars",
            "x,y,z,w",
            "--at",
            "pi/4,sqrt(2),1/2,1e-3",
            "--digits",
            "4",
        )
        assert out.exit_code == 0
        assert out.stdout.endswith(
            "at (x, y, z, w) = (pi/4, sqrt(2), 1/2, 1/1000):\n"
            "[sqrt(2)/2]\n"
            "[2*sqrt(2)]\n"
            "[        1]\n"
            "[3/1000000]\n"
            "≈\n"
            "[0.7071]\n"
            "[ 2.828]\n"
            "[     1]\n"
            "[ 3e-06]\n"
        )

    @pytest.mark.parametrize(
        ("point", "message"),
        [
            ("1,2,3", "error: point has 3 coordinates but there are 2 variables (x, y)\n  1,2,3\n      ^\n"),
            ("x=1,z=2", "error: unknown variable 'z' in point; the variables are x, y\n  x=1,z=2\n      ^\n"),
            ("x=1,x=2", "error: variable 'x' is given twice\n  x=1,x=2\n      ^\n"),
            ("x=1", "error: point has no value for y\n  x=1\n     ^\n"),
        ],
    )
    def test_bad_points(self, point: str, message: str) -> None:
        """Wrong arity, unknown names, duplicates and missing coordinates: exit 2, one message."""
        out = run_jh("jacobian", "x*y", "--at", point)
        assert (out.exit_code, out.stdout, out.stderr) == (2, "", message)


class TestUndefinedValues:
    @pytest.mark.parametrize(
        ("expr", "point", "reason"),
        [
            ("log(x)", "0", "log(x) is undefined at this point"),
            ("1/x", "0", "1/x is undefined at this point"),
            (
                "abs(x)",
                "0",
                "not differentiable here: x = 0 is a kink of |.| or sign, "
                "and the one-sided derivatives in x are -1 and 1",
            ),
            (
                "relu(x)",
                "0",
                "not differentiable here: x = 0 is a kink of max, min or relu, "
                "and the one-sided derivatives in x are 0 and 1",
            ),
        ],
    )
    def test_undefined_entry_is_reported_not_printed_as_a_number(
        self, expr: str, point: str, reason: str
    ) -> None:
        """The value is "undefined", numeric null, a warning names the entry, exit 1."""
        out = run_jh("gradient", expr, "--at", point, "-f", "json")
        data = json.loads(out.stdout)
        assert out.exit_code == 1
        assert data["points"][0]["value"] == [["undefined"]]
        assert data["points"][0]["numeric"] == [[None]]
        assert out.stderr == f"warning: ∂f/∂x at x = {point}: {reason}\n"

    def test_hidden_zero_over_zero(self) -> None:
        """d/dx sqrt(x^2+y^2) = x/sqrt(x^2+y^2) is undefined at the origin, not 0."""
        out = run_jh("gradient", "sqrt(x**2+y**2)", "--at", "0,0", "-f", "json")
        data = json.loads(out.stdout)
        assert out.exit_code == 1
        assert data["points"][0]["value"] == [["undefined"], ["undefined"]]
        assert "zoo" not in out.stdout and "nan" not in out.stdout

    def test_not_real_value_gives_the_complex_value(self) -> None:
        """sqrt(x) at -4: the derivative 1/(2 sqrt(x)) is -I/4, not real: numeric null, exit 1."""
        out = run_jh("gradient", "sqrt(x)", "--at", "-4", "-f", "json")
        point = json.loads(out.stdout)["points"][0]
        assert out.exit_code == 1
        assert (point["value"], point["numeric"]) == ([["-I/4"]], [[None]])
        assert out.stderr == "warning: ∂f/∂x at x = -4: the value is not real\n"

    def test_defined_points_still_succeed(self) -> None:
        """log(x) at 1 is fine: exit 0."""
        out = run_jh("gradient", "log(x)", "--at", "1", "-f", "json")
        assert (out.exit_code, json.loads(out.stdout)["points"][0]["value"]) == (0, [["1"]])


class TestFormats:
    def test_latex_uses_the_matrix_environment(self) -> None:
        """-f latex gives an align* block with bmatrix, or the --latex-env environment."""
        out = run_jh("jacobian", "x**2+y, x*y", "--at", "2,3", "-f", "latex", "--latex-env", "pmatrix")
        assert out.stdout == (
            "% jh jacobian: x**2 + y, x*y; variables (x, y); rows: functions, columns: variables\n"
            "\\begin{align*}\n"
            "J &= \\begin{pmatrix}2 x & 1\\\\y & x\\end{pmatrix} \\\\\n"
            "J\\big|_{(x, y) = (2, 3)} &= \\begin{pmatrix}4 & 1\\\\3 & 2\\end{pmatrix}\n"
            "\\end{align*}\n"
        )

    def test_latex_prints_greek_and_undefined(self) -> None:
        """Variables named lambda print as \\lambda; an undefined value as \\text{undefined}."""
        out = run_jh("gradient", "log(lambda)", "--at", "0", "-f", "latex")
        assert out.exit_code == 1
        assert "\\nabla f &= \\begin{bmatrix}\\frac{1}{\\lambda}\\end{bmatrix}" in out.stdout
        assert "\\begin{bmatrix}\\text{undefined}\\end{bmatrix}" in out.stdout

    def test_table_echoes_how_the_input_was_read(self) -> None:
        """The table format starts with 'read as:' so x^2y is seen to mean x**2*y."""
        out = run_jh("gradient", "x^2y", "-f", "table")
        assert out.exit_code == 0
        assert out.stdout.startswith("read as: x**2*y\n")

    def test_table_never_interprets_markup(self) -> None:
        """Square brackets in a vector function are not eaten as Rich markup."""
        out = run_jh("jacobian", "[x, y]", "-f", "table")
        assert "[x, y]" not in out.stdout  # brackets were the vector syntax, not printed
        assert "read as: x, y" in out.stdout

    def test_json_has_exactly_the_documented_keys(self) -> None:
        """The JSON object has the keys of the schema in DESIGN.md."""
        out = run_jh("hessian", "x**2 + 3*x*y + y**2", "--at", "1,1", "-f", "json")
        data = json.loads(out.stdout)
        assert list(data) == ["command", "functions", "variables", "matrix", "points"]
        assert list(data["points"][0]) == ["at", "value", "numeric"]
        assert data["matrix"] == [["2", "3"], ["3", "2"]]

    def test_json_exact_values_parse_back(self) -> None:
        """Exact values in JSON are in jh's own syntax: e (Euler) reads back as e."""
        out = run_jh("gradient", "exp(x)", "--at", "1", "-f", "json")
        value = json.loads(out.stdout)["points"][0]["value"][0][0]
        assert value == "e"
        again = run_jh("gradient", f"x*{value}", "-f", "json")
        assert json.loads(again.stdout)["matrix"] == [["e"]]

    def test_markdown_has_math_and_a_table(self) -> None:
        """-f markdown has a $$ block and a table of the same entries."""
        out = run_jh("hessian", "x*y", "-f", "markdown")
        assert (
            "$$\n\\begin{aligned}\nH &= \\begin{bmatrix}0 & 1\\\\1 & 0\\end{bmatrix}\n\\end{aligned}\n$$"
            in out.stdout
        )
        assert "| `x` | `0` | `1` |" in out.stdout


class TestErrors:
    def test_syntax_error_has_a_caret_and_no_stdout(self) -> None:
        """A syntax error shows the input line and a caret under the spot, exit 2."""
        out = run_jh("hessian", "x**2 + * y")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr.endswith("  x**2 + * y\n         ^\n")
        assert out.stderr.startswith("error: ")

    def test_unknown_function_is_named(self) -> None:
        """An unknown function is an error naming it."""
        out = run_jh("gradient", "foo(x)")
        assert (out.exit_code, out.stderr) == (2, "error: unknown function 'foo'\n  foo(x)\n  ^\n")

    def test_timeout_names_the_step(self) -> None:
        """A step that runs past --timeout stops with exit 3 and names the step."""
        out = run_jh("hessian", "exp(sin(x*y*z)**7/(1+x**2+y**4))*tanh(x+y+z)**5", "--timeout", "0.001")
        assert (out.exit_code, out.stdout) == (3, "")
        assert re.match(
            r"error: time limit of 0\.001 s reached while (reading the input|computing the )", out.stderr
        )
        assert out.stderr.endswith("; raise it with --timeout SECONDS (0 means no limit)\n")

    def test_huge_power_is_refused(self) -> None:
        """10**10**10 is refused before any work, exit 3."""
        out = run_jh("gradient", "x + 10**10**10")
        assert (out.exit_code, out.stdout) == (3, "")
        assert "limit 4000" in out.stderr

    def test_no_traceback_without_debug(self) -> None:
        """Errors never print a traceback unless --debug."""
        out = run_jh("gradient", "x +")
        assert "Traceback" not in out.stderr
        debug = run_jh("gradient", "x +", "--debug")
        assert "Traceback" in debug.stderr

    def test_vector_function_to_gradient(self) -> None:
        """gradient of two components says to use jacobian."""
        out = run_jh("gradient", "x, y")
        assert out.stderr == (
            "error: gradient needs one scalar function, got 2 components; "
            "use 'jh jacobian' for a vector function\n"
        )

    @pytest.mark.parametrize("box", ["5:1", "a:b", "5"])
    def test_bad_box(self, box: str) -> None:
        """--box must be LOW:HIGH with LOW < HIGH."""
        out = run_jh("critical", "x**2", "--box", box)
        assert (out.exit_code, out.stdout) == (2, "")
        assert (
            out.stderr
            == f"error: --box takes LOW:HIGH, finite numbers with LOW < HIGH, e.g. -5:5; got '{box}'\n"
        )


class TestKinks:
    def test_x_abs_x_is_differentiable_once_but_not_twice(self) -> None:
        """x*|x| has derivative 0 at 0 (one-sided limits agree) but no second derivative (-2 vs 2)."""
        first = run_jh("gradient", "x*abs(x)", "--at", "0", "-f", "json")
        assert (first.exit_code, json.loads(first.stdout)["points"][0]["value"]) == (0, [["0"]])
        second = run_jh("hessian", "x*abs(x)", "--at", "0", "-f", "json")
        assert second.exit_code == 1
        assert json.loads(second.stdout)["points"][0]["value"] == [["undefined"]]
        assert second.stderr == (
            "warning: ∂²f/∂x² at x = 0: not differentiable here: x = 0 is a kink of |.| or sign, "
            "and the one-sided derivatives in x are -2 and 2\n"
        )

    def test_smooth_square_of_relu(self) -> None:
        """max(x, 0)**2 is differentiable at 0 with derivative 0."""
        out = run_jh("gradient", "max(x, 0)**2", "--at", "0", "-f", "json")
        assert (out.exit_code, json.loads(out.stdout)["points"][0]["value"]) == (0, [["0"]])

    def test_jump_is_not_differentiable(self) -> None:
        """sign(x) jumps at 0: no derivative there, even though SymPy's formula gives 0 nearby."""
        out = run_jh("gradient", "sign(x)", "--at", "0", "-f", "json")
        assert out.exit_code == 1
        assert out.stderr == "warning: ∂f/∂x at x = 0: not differentiable here: sign(x) jumps in x\n"

    def test_kink_away_from_the_point_is_harmless(self) -> None:
        """|x - y| at (1, 0) is differentiable: the gradient is (1, -1)."""
        out = run_jh("gradient", "abs(x - y)", "--at", "1,0", "-f", "json")
        assert (out.exit_code, json.loads(out.stdout)["points"][0]["value"]) == (0, [["1"], ["-1"]])


class TestSizeLimits:
    def test_too_many_variables(self) -> None:
        """More than 2000 variables is refused with exit 3 before any differentiation."""
        expr = "+".join(f"x{i}" for i in range(2001))
        out = run_jh("gradient", expr)
        assert (out.exit_code, out.stdout) == (3, "")
        assert out.stderr == (
            "error: too many variables: 2001 (limit 2000; raise it with --limit variables=N)\n"
        )

    def test_value_too_long_to_print(self) -> None:
        """d/dx x**5000 at 10 = 5000*10**4999 has 5003 digits: refused with exit 3, not a traceback."""
        out = run_jh("gradient", "x**5000", "--at", "10")
        assert (out.exit_code, out.stdout) == (3, "")
        assert out.stderr == (
            "error: a value at this point has about 5003 digits (limit 4000; raise it with --limit "
            "value-digits=N; or evaluate at a point with smaller numbers)\n"
        )

    def test_classify_where_the_hessian_does_not_exist(self) -> None:
        """|x| + y**2 at the origin: no Hessian, so the verdict is inconclusive with the reason, exit 1."""
        out = run_jh("hessian", "abs(x) + y**2", "--at", "0,0", "--classify", "-f", "json")
        assert out.exit_code == 1
        assert json.loads(out.stdout)["points"][0]["classification"] == {
            "type": "inconclusive",
            "degenerate": False,
            "reason": "the Hessian does not exist here (the first derivative sign(x) does not exist here, "
            "so neither does this one), so the derivative tests do not apply",
            "certainty": "exact",
        }


class TestDoubleDash:
    def test_double_minus_expression_after_double_dash(self) -> None:
        """'--sin(x)' after '--' is the expression -(-sin(x)), not an option."""
        out = run_jh("gradient", "--", "--sin(x)", "-f", "json")
        assert out.exit_code == 2  # "-f" and "json" after '--' are components too
        out = run_jh("gradient", "-f", "json", "--", "--sin(x)")
        assert (out.exit_code, json.loads(out.stdout)["matrix"]) == (0, [["cos(x)"]])

    def test_byte_order_mark_on_stdin_is_ignored(self) -> None:
        """A BOM at the start of stdin (Windows tools) is not an error."""
        out = run_jh("gradient", "-", "-f", "json", stdin="\ufeffx**2\n")
        assert (out.exit_code, json.loads(out.stdout)["matrix"]) == (0, [["2*x"]])

    def test_too_many_components(self) -> None:
        """More than 2000 components is refused with exit 3."""
        out = run_jh("jacobian", ",".join(["x"] * 2001))
        assert (out.exit_code, out.stdout, out.stderr) == (
            3,
            "",
            "error: too many components: 2001 (limit 2000; raise it with --limit functions=N)\n",
        )


class TestValuesOnly:
    """--values-only leaves the symbolic matrix out of the text formats, and JSON keeps it."""

    def test_plain_has_no_symbolic_matrix(self) -> None:
        out = run_jh("jacobian", "x**2 + y, x*y", "--at", "2,3", "--values-only")
        assert (out.exit_code, out.stderr) == (0, "")
        assert out.stdout == (
            "read as: x**2 + y, x*y\nvariables: x, y\n\nat (x, y) = (2, 3):\n[4  1]\n[3  2]\n"
        )

    def test_without_points_the_matrix_is_shown(self) -> None:
        assert run_jh("hessian", "x*y", "--values-only").stdout == run_jh("hessian", "x*y").stdout

    def test_json_keeps_the_matrix(self) -> None:
        with_flag = run_jh("gradient", "x*y", "--at", "1,2", "--values-only", "-f", "json")
        assert with_flag.stdout == run_jh("gradient", "x*y", "--at", "1,2", "-f", "json").stdout

    def test_latex_leaves_out_the_symbolic_row(self) -> None:
        out = run_jh("hessian", "x**3*y", "--at", "1,1", "--values-only", "-f", "latex")
        assert "H &=" not in out.stdout
        assert r"H\big|_{(x, y) = (1, 1)} &= \begin{bmatrix}6 & 3\\3 & 0\end{bmatrix}" in out.stdout


class TestWideExactValues:
    """Exact values too wide to read are shown as their decimal view, pointing to JSON."""

    def test_plain_shows_decimals_only(self) -> None:
        out = run_jh("jacobian", "tanh(x*y + 1/7)**5 + tanh(x - y/3)**7", "--at", "2/3,5/7")
        block = out.stdout.split("at (x, y) = (2/3, 5/7):\n", 1)[1].splitlines()
        assert block == ["≈ (decimal view; the exact values are in -f json)", "[0.254065  0.204811]"]

    def test_json_has_the_exact_values(self) -> None:
        out = run_jh("jacobian", "tanh(x*y + 1/7)**5 + tanh(x - y/3)**7", "--at", "2/3,5/7", "-f", "json")
        assert '"value": [["(7 - 7*tanh(3/7)**2)*tanh(3/7)**6 + 25*(1 - tanh(13/21)**2)' in out.stdout

    def test_narrow_exact_values_stay(self) -> None:
        out = run_jh("gradient", "tanh(x)", "--at", "1")
        assert "[1 - tanh(1)**2]\n≈\n[0.419974]\n" in out.stdout
