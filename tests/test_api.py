"""The Python API: strings or SymPy in, a Result out; the CLI prints exactly what it returns."""

from __future__ import annotations

import json

import pytest
import sympy

from jhcli import api, gradient, hessian, jacobian
from jhcli.errors import ParseError, UsageError
from jhcli.models import PointType, Status
from tests.conftest import run_jh


class TestInputs:
    def test_strings_and_sympy_give_the_same_result(self) -> None:
        """A SymPy expression (with plain symbols) is treated like the same text."""
        x, y = sympy.symbols("x y")
        from_sympy = jacobian([x**2 + y, x * y], at=[{"x": 2, "y": 3}])
        from_text = jacobian("x**2+y, x*y", at=["2,3"])
        assert from_sympy.matrix == from_text.matrix
        assert from_sympy.to_json() == from_text.to_json()

    def test_symbols_become_real(self) -> None:
        """Symbols are real, so sqrt(x**2) is |x| and its derivative sign(x)."""
        x = sympy.Symbol("x")
        r = gradient(sympy.sqrt(x**2))
        assert r.matrix[0] == sympy.sign(sympy.Symbol("x", real=True))

    def test_points_as_sequences(self) -> None:
        """A point may be a sequence of values in variable order."""
        r = gradient("x*y", at=[(2, 5)])
        assert [e.exact for e in (row[0] for row in r.points[0].values)] == [5, 2]

    def test_vars_as_list(self) -> None:
        """vars may be a list of names or symbols."""
        assert hessian("x*y*z", vars=["z", sympy.Symbol("x")]).variables == (
            sympy.Symbol("z", real=True),
            sympy.Symbol("x", real=True),
        )

    def test_errors_are_jh_errors(self) -> None:
        """Bad input raises JhError subclasses, never SymPy's exceptions."""
        with pytest.raises(ParseError):
            jacobian("x +")
        with pytest.raises(UsageError):
            hessian("x, y")


class TestResult:
    def test_points_hold_exact_entries(self) -> None:
        """Each point holds Entry objects with the exact value and its float."""
        r = gradient("sin(x)", at=["pi/6"])
        entry = r.points[0].values[0][0]
        assert (entry.status, entry.exact, entry.numeric) == (
            Status.OK,
            sympy.sqrt(3) / 2,
            pytest.approx(0.8660254),
        )

    def test_cli_json_is_the_api_json(self) -> None:
        """The CLI's JSON is exactly Result.to_json()."""
        r = hessian("x**2 + 3*x*y + y**2", at=["0,0"], classify=True)
        out = run_jh("hessian", "x**2 + 3*x*y + y**2", "--at", "0,0", "--classify", "-f", "json")
        assert out.stdout == r.to_json()
        assert json.loads(out.stdout)["points"][0]["classification"]["type"] == "saddle point"

    def test_notebook_representations(self) -> None:
        """_repr_latex_ is one $$ block; _repr_markdown_ is the Markdown format."""
        r = jacobian("x*y")
        assert (
            r._repr_latex_()
            == "$$\\begin{aligned}\nJ &= \\begin{bmatrix}y & x\\end{bmatrix}\n\\end{aligned}$$"
        )
        assert r._repr_markdown_() == r.to_markdown()

    def test_classification_is_a_point_type(self) -> None:
        """hessian(classify=True) at a point gives a PointType verdict."""
        r = hessian("x**2 + y**2", at=["0,0"], classify=True)
        assert r.points[0].classification is not None
        assert r.points[0].classification.type is PointType.MINIMUM

    def test_classify_without_points_finds_critical_points(self) -> None:
        """hessian(classify=True) without points is critical()."""
        assert hessian("x**2 + y**2", classify=True).to_json() == api.critical("x**2 + y**2").to_json()

    def test_point_values_given_as_sympy_keep_euler_number(self) -> None:
        """A point value sympy.E is Euler's number, not a variable called E."""
        r = gradient("log(x)", at=[{"x": sympy.E}])
        assert r.points[0].values[0][0].exact == sympy.exp(-1)
