"""--emit: generated Python, NumPy and C functions agree with jh's exact values; JAX and LaTeX text.

The generated code is written to a temporary file and imported (Python, NumPy) or compiled with the
system C compiler and called through ctypes. Expected values are jh's own exact values at the same
points (``api.<command>(..., at=[...])``, an independent code path: exact SymPy evaluation), and
for a few cases also SymPy's ``Matrix.jacobian``/``hessian`` of the same expression.
"""

from __future__ import annotations

import ctypes
import importlib.util
import math
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy
import pytest
import sympy

from jhcli import api, codegen
from jhcli.errors import MathError
from tests.conftest import run_jh

CC = shutil.which("cc") or shutil.which("gcc")


@dataclass(frozen=True)
class Case:
    """One function to generate code for, the points to call it at, and its parameter values."""

    id: str
    command: str
    expr: str
    points: list[tuple[float, ...]]
    vars: str | None = None
    let: list[str] = field(default_factory=list)
    params: dict[str, float] = field(default_factory=dict)  # generated-code name -> value

    def result(self) -> Any:
        return getattr(api, self.command)(self.expr, vars=self.vars, let=self.let or None)

    def expected(self, point: tuple[float, ...]) -> list[list[float]]:
        """jh's exact values at ``point``, with the parameters bound to the same (exact) values."""
        exact = [str(Fraction(v)) for v in point]
        lets = [*self.let, *(f"{k.rstrip('_')}={Fraction(v)}" for k, v in self.params.items())]
        r = getattr(api, self.command)(self.expr, vars=self.vars, let=lets or None, at=[",".join(exact)])
        rows = [[e.numeric for e in row] for row in r.points[0].values]
        assert all(v is not None for row in rows for v in row), rows
        return rows  # type: ignore[return-value]


CASES = [
    Case(
        "jacobian",
        "jacobian",
        "x**2*y + sin(x), exp(x*y) - y, log(1 + x**2)*cos(y)",
        [(0.5, 1.5), (-1.25, 0.75), (2.0, -0.3)],
    ),
    Case("gradient", "gradient", "x**2*y + sin(x) + sqrt(x*y) + atan2(y, x)", [(0.5, 1.5), (2.0, 0.25)]),
    Case("hessian", "hessian", "x**4 + y**4 - 4*x*y + exp(x*y)/(1 + y**2)", [(1.0, 1.0), (-0.5, 0.25)]),
    Case(
        "parameters",
        "jacobian",
        "tanh(a*x + b*y), a*x*y",
        [(0.5, 1.5), (-1.0, 0.25)],
        vars="x,y",
        params={"a": 0.75, "b": -1.25},
    ),
    Case(
        "vectors",
        "jacobian",
        "tanh(W @ x + b)",
        [(0.5, -0.25), (1.5, 2.0)],
        vars="x:2",
        let=["W=[[1,2],[3,4]]", "b=[1/2,-1]"],
    ),
    Case(
        "vector-hessian",
        "hessian",
        "sum(log(1 + exp(W @ x)))",
        [(0.5, -0.25), (-1.0, 0.75)],
        vars="x:2",
        let=["W=[[1,-2],[3,4]]"],
    ),
    Case(
        "keywords",
        "gradient",
        "lambda**2*double + sin(double)*E + int*lambda*E + out*double",
        [(0.5, 1.5, -0.75), (2.0, -1.0, 0.5)],
        vars="lambda,double,E",
        params={"int_": 1.5, "out": -0.5},  # Python renames int -> int_
    ),
    Case(
        "relu",
        "jacobian",
        "relu(x)*y + abs(x - y), sign(x)*y**2 + max(x, y) + min(x, 2*y)",
        [(0.5, 1.5), (-1.25, 0.75), (2.0, -0.3), (3.0, 1.0)],  # away from the kinks
    ),
    Case(
        "relu-hessian",
        "hessian",
        "relu(x*y - 1) + abs(x)*y**2 + sign(y)*x**3",
        [(2.0, 1.5), (-0.5, -3.0)],
    ),
    Case(
        "functions",
        "gradient",
        "erf(x) + cbrt(x) + floor(x)*y + sec(x) + acosh(1 + y**2) + log2(x) + log10(y) + sigmoid(x*y)"
        " + softplus(y) + cot(x) + asinh(y) + pi*x + e*y",
        [(0.5, 1.5), (1.25, 0.75)],
    ),
]


def _load(code: str, path: Path) -> ModuleType:
    path.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _close(actual: Any, expected: Any) -> None:
    assert numpy.shape(actual) == numpy.shape(expected)
    for a, e in zip(numpy.ravel(actual), numpy.ravel(expected), strict=True):
        assert math.isclose(float(a), e, rel_tol=1e-12, abs_tol=1e-12), (a, e)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_python(case: Case, tmp_path: Path) -> None:
    """The plain-Python function returns nested lists equal to jh's values."""
    module = _load(codegen.emit(case.result(), "python"), tmp_path / f"py_{case.id.replace('-', '_')}.py")
    function = getattr(module, case.command)
    for point in case.points:
        value = function(*point, **case.params)
        assert isinstance(value, list) and all(isinstance(row, list) for row in value)
        _close(value, case.expected(point))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_numpy(case: Case, tmp_path: Path) -> None:
    """The NumPy function returns an (m, n) array at scalars, and (m, n, k) at arrays of k points."""
    module = _load(codegen.emit(case.result(), "numpy"), tmp_path / f"np_{case.id.replace('-', '_')}.py")
    function = getattr(module, case.command)
    expected = [case.expected(p) for p in case.points]
    for point, want in zip(case.points, expected, strict=True):
        value = function(*point, **case.params)
        assert isinstance(value, numpy.ndarray) and value.dtype == numpy.float64
        _close(value, want)
    columns = [numpy.array(c) for c in zip(*case.points, strict=True)]
    batch = function(*columns, **case.params)
    assert batch.shape == (*numpy.shape(expected[0]), len(case.points))
    _close(numpy.moveaxis(batch, -1, 0), expected)


def _compile(code: str, tmp_path: Path, stem: str) -> ctypes.CDLL:
    assert CC is not None
    source, library = tmp_path / f"{stem}.c", tmp_path / f"lib{stem}.so"
    source.write_text(code, encoding="utf-8")
    flags = ["-std=c99", "-Wall", "-Werror", "-pedantic", "-shared", "-fPIC", "-O2"]
    done = subprocess.run(
        [CC, *flags, "-o", str(library), str(source), "-lm"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr + code
    return ctypes.CDLL(str(library))


@pytest.mark.skipif(CC is None, reason="no C compiler (cc or gcc) on PATH")
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_c(case: Case, tmp_path: Path) -> None:
    """The C function (compiled as strict C99) writes jh's values to out, row-major."""
    result = case.result()
    code = codegen.emit(result, "c")
    function = getattr(_compile(code, tmp_path, case.id.replace("-", "_")), f"jh_{case.command}")
    n, (rows, cols) = len(result.variables), result.matrix.shape
    params = [case.params.get(p.name, case.params.get(p.name + "_")) for p in codegen.parameters(result)]
    function.restype = None
    function.argtypes = [ctypes.POINTER(ctypes.c_double), *[ctypes.c_double] * len(params)]
    function.argtypes += [ctypes.POINTER(ctypes.c_double)]
    for point in case.points:
        x, out = (ctypes.c_double * n)(*point), (ctypes.c_double * (rows * cols))()
        function(x, *params, out)
        _close(numpy.reshape(list(out), (rows, cols)), case.expected(point))


def test_python_matches_sympy_directly(tmp_path: Path) -> None:
    """Independent of jh's evaluation: SymPy's own Matrix.hessian, evaluated with evalf."""
    x, y = sympy.symbols("x y", real=True)
    f = x**3 * sympy.exp(-y) + sympy.sin(x * y)
    module = _load(codegen.emit(api.hessian("x**3*exp(-y) + sin(x*y)"), "python"), tmp_path / "h.py")
    for px, py in [(0.5, 1.5), (-2.0, 0.25)]:
        want = sympy.hessian(f, (x, y)).evalf(30, subs={x: px, y: py})
        _close(module.hessian(px, py), [[float(v) for v in want.row(i)] for i in range(2)])


def test_cse_shares_the_subexpression() -> None:
    """tanh(a*x + b*y) is computed once, in a temporary, in every target."""
    result = api.jacobian("tanh(a*x + b*y)", vars="x,y")
    for target, call in [("python", "math.tanh("), ("numpy", "numpy.tanh("), ("jax", "jax.numpy.tanh(")]:
        code = codegen.emit(result, target)
        assert code.count(call) == 1 and "_t0 = " in code, code
    c = codegen.emit(result, "c")
    assert c.split("{")[1].count("tanh(") == 1 and "const double _t0 = " in c
    latex = codegen.emit(result, "latex")
    assert latex.count(r"\tanh") == 1 and r"t_{0} &= " in latex


def test_docstring_names_variables_parameters_layout_and_source() -> None:
    code = codegen.emit(api.jacobian("tanh(a*x + b*y), a*x*y", vars="x,y"), "python")
    assert "def jacobian(x, y, *, a, b):" in code
    for text in [
        "J[i][j] = d f[i] / d v[j]: rows are functions, columns are variables.",
        "f[0] = tanh(a*x + b*y)",
        "f[1] = a*x*y",
        "variables v = (x, y): positional arguments, in this order",
        "parameters: a, b (keyword-only arguments)",
        "Returns a list of 2 rows of 2 numbers each.",
    ]:
        assert text in code
    c = codegen.emit(api.jacobian("tanh(a*x + b*y), a*x*y", vars="x,y"), "c")
    assert "void jh_jacobian(const double *x, double a, double b, double *out)" in c
    assert "x[0] = x, x[1] = y" in c and "out[i*2 + j] = entry [i][j]" in c


def test_unsafe_names_are_renamed_with_the_mapping_documented() -> None:
    result = api.gradient("lambda*double + int*E + M_PI*x + pow*out", vars="lambda,double,E,x")
    py = codegen.emit(result, "python")
    assert "def gradient(lambda_, double, E, x, *, int_, M_PI, out, pow_):" in py
    assert "renamed for python: lambda -> lambda_, int -> int_, pow -> pow_" in py
    c = codegen.emit(result, "c")
    assert (
        "void jh_gradient(const double *x, double int_, double M_PI_, double out_, double pow_, double *out)"
        in c
    )
    assert "renamed for C: int -> int_, M_PI -> M_PI_, out -> out_, pow -> pow_" in c
    assert "x[0] = lambda, x[1] = double, x[2] = E, x[3] = x" in c


def test_unicode_names() -> None:
    """θ is a Python identifier; C gets an ASCII name."""
    result = api.gradient("θ**2*x", vars="θ,x")
    assert "def gradient(θ, x):" in codegen.emit(result, "python")
    assert "double u03b8" in codegen.emit(api.gradient("θ**2*x", vars="x"), "c")


def test_jax_text(tmp_path: Path) -> None:
    """JAX: jax.numpy calls and a vectorisable erf; run it if jax is installed, else compile() it."""
    case = Case("erf", "gradient", "erf(x)*y + relu(x)*y", [(0.5, 1.5), (-1.25, 0.75)])
    code = codegen.emit(case.result(), "jax")
    assert "import jax.numpy" in code and "jax.scipy.special.erf(x)" in code and "math." not in code
    assert "jax.numpy.heaviside(x, 1/2)" in code
    compile(code, "<jax>", "exec")
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed: checked that the text compiles as Python only")
    import jax  # pragma: no cover - needs jax

    module = _load(code, tmp_path / "jx.py")  # pragma: no cover
    for point in case.points:  # pragma: no cover - JAX's default float32: about 7 digits
        value = numpy.asarray(module.gradient(*point))
        assert value.dtype == numpy.float32
        for a, e in zip(value.ravel(), numpy.ravel(case.expected(point)), strict=True):
            assert math.isclose(float(a), e, rel_tol=1e-6, abs_tol=1e-6), (a, e)
    jax.config.update("jax_enable_x64", True)  # pragma: no cover - then float64, to 1e-12
    try:
        for point in case.points:
            _close(numpy.asarray(module.gradient(*point)), case.expected(point))
    finally:
        jax.config.update("jax_enable_x64", False)


def test_latex_target() -> None:
    out = run_jh("jacobian", "tanh(a*x + b*y)", "--vars", "x,y", "--emit", "latex")
    assert (out.exit_code, out.stderr) == (0, "")
    assert out.stdout == (
        "% jh jacobian: tanh(a*x + b*y); variables (x, y); "
        "J[i][j] = d f[i] / d v[j]: rows are functions, columns are variables\n"
        "% t_0: common subexpressions of the Jacobian\n"
        "\\begin{align*}\n"
        "t_{0} &= 1 - \\tanh^{2}{\\left(a x + b y \\right)} \\\\\n"
        "J &= \\begin{bmatrix}a t_{0} & b t_{0}\\end{bmatrix}\n"
        "\\end{align*}\n"
    )


def test_latex_temporaries_avoid_variable_names() -> None:
    code = codegen.emit(api.jacobian("sin(t*s) + cos(t*s)", vars="t,s"), "latex")
    assert "u_{0} &= s t" in code


def test_cli_python_output_is_exact(tmp_path: Path) -> None:
    """jh gradient --emit python prints exactly the function, and nothing on stderr."""
    out = run_jh("gradient", "x**2*y", "--emit", "python")
    assert (out.exit_code, out.stderr) == (0, "")
    assert out.stdout == (
        "def gradient(x, y):\n"
        '    """The gradient of f at one point (generated by jh --emit).\n'
        "\n"
        "    g[j][0] = d f / d v[j]: a column, one row per variable.\n"
        "      f = x**2*y\n"
        "      variables v = (x, y): positional arguments, in this order\n"
        "    Returns a list of 2 rows of 1 number each.\n"
        '    """\n'
        "    return [\n"
        "        [2*x*y],\n"
        "        [x**2],\n"
        "    ]\n"
    )
    assert _load(out.stdout, tmp_path / "g.py").gradient(3, 2) == [[12], [9]]


def test_cli_notes_reach_the_docstring() -> None:
    out = run_jh("hessian", "relu(x)*y", "--emit", "numpy")
    assert (out.exit_code, out.stderr) == (0, "")
    assert (
        "    Note: the matrix shown holds where x != 0 (a jump makes the derivative fail there).\n"
        in out.stdout
    )
    assert "numpy.heaviside(x, 1/2)" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["jacobian", "x*y", "--at", "1,2"], "error: --emit prints code; drop --at\n"),
        (["hessian", "x**2*y", "--classify"], "error: --emit prints code; drop --classify\n"),
        (["hessian", "x**2", "--eig"], "error: --emit prints code; drop --eig\n"),
    ],
)
def test_cli_conflicting_options(args: list[str], message: str) -> None:
    out = run_jh(*args, "--emit", "c")
    assert (out.exit_code, out.stdout, out.stderr) == (2, "", message)


def test_cli_unknown_target() -> None:
    out = run_jh("jacobian", "x*y", "--emit", "rust")
    assert (out.exit_code, out.stdout) == (2, "")
    assert "'rust' is not one of 'numpy', 'python', 'c', 'jax', 'latex'" in out.stderr


def test_unprintable_function_is_a_math_error() -> None:
    x = sympy.Symbol("x", real=True)
    result = api.gradient(sympy.LambertW(x) * x)
    with pytest.raises(MathError, match="cannot write this result as python code: .*LambertW"):
        codegen.emit(result, "python")
    assert "W" in codegen.emit(result, "latex")


def test_result_to_code_and_other_commands() -> None:
    assert api.jacobian("x*y").to_code("python").startswith("def jacobian(x, y):")
    with pytest.raises(api.UsageError, match="--emit works with jacobian, gradient and hessian"):
        codegen.emit(api.jvp("x*y", v="1,0"), "python")


def test_help_does_not_import_sympy() -> None:
    code = "import sys, jhcli.cli; print('sympy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "False\n"


def test_c_docs_example(tmp_path: Path) -> None:
    """The README's C example, exactly; it compiles when a compiler is present."""
    out = run_jh(
        "jacobian",
        "tanh(W @ x + b)",
        "--vars",
        "x:2",
        "--let",
        "W=[[1,2],[3,4]]",
        "--let",
        "b=[1/2,-1]",
        "--emit",
        "c",
    )
    assert (out.exit_code, out.stderr) == (0, "")
    assert out.stdout == (
        "#include <math.h>\n"
        "\n"
        "/*\n"
        " * The Jacobian of f at one point (generated by jh --emit).\n"
        " *\n"
        " * J[i][j] = d f[i] / d v[j]: rows are functions, columns are variables.\n"
        " *   f[0] = tanh(x_1 + 2*x_2 + 1/2)\n"
        " *   f[1] = tanh(3*x_1 + 4*x_2 - 1)\n"
        " *   variables v = x[0 .. 1]: x[0] = x_1, x[1] = x_2\n"
        " * Writes the 2 x 2 matrix to out[0 .. 3], row-major: out[i*2 + j] = entry [i][j].\n"
        " */\n"
        "void jh_jacobian(const double *x, double *out)\n"
        "{\n"
        "    const double _t0 = pow(tanh(x[0] + 2*x[1] + 1.0/2.0), 2);\n"
        "    const double _t1 = pow(tanh(3*x[0] + 4*x[1] - 1), 2);\n"
        "    out[0] = 1 - _t0;\n"
        "    out[1] = 2 - 2*_t0;\n"
        "    out[2] = 3 - 3*_t1;\n"
        "    out[3] = 4 - 4*_t1;\n"
        "}\n"
    )
    if CC is not None:
        function = _compile(out.stdout, tmp_path, "docs").jh_jacobian
        x, result = (ctypes.c_double * 2)(0.25, -0.5), (ctypes.c_double * 4)()
        function(x, result)
        t0, t1 = math.tanh(0.25 - 1 + 0.5) ** 2, math.tanh(0.75 - 2 - 1) ** 2
        _close(list(result), [1 - t0, 2 - 2 * t0, 3 - 3 * t1, 4 - 4 * t1])


def test_help_example_gradient_c() -> None:
    """The --help example: a parameter named x becomes x_ next to the input array x."""
    out = run_jh("gradient", "log(1 + exp(-w*x))", "--vars", "w", "--emit", "c")
    assert (out.exit_code, out.stderr) == (0, "")
    assert "void jh_gradient(const double *x, double x_, double *out)" in out.stdout
    assert "    out[0] = -x_/(exp(x[0]*x_) + 1);\n" in out.stdout


def test_batch_line_with_emit_is_an_error_line() -> None:
    """jh batch writes JSON Lines: a line asking for code is an error line, the others still run."""
    out = run_jh("batch", "-", stdin='jacobian "x*y" --emit python\ngradient "x**2"\n')
    assert (out.exit_code, out.stderr) == (2, "")
    assert out.stdout.splitlines()[0] == (
        '{"line":1,"error":"a batch line\'s output is JSON: drop \'--emit\'","exit_code":2}'
    )
    assert '"matrix":[["2*x"]]' in out.stdout.splitlines()[1]
