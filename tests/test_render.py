"""Every format renders every kind of result, from the one registry."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from jhcli import api
from jhcli.models import Result
from jhcli.render import FORMATS, render
from jhcli.render.common import format_float, sstr
from jhcli.render.latex import text_escape

RESULTS = {
    "jacobian with an undefined entry": lambda: api.jacobian("log(x), x*y", at=["0,1", "1,2"]),
    "gradient with a decimal view": lambda: api.gradient("sin(x) + y", at=["pi/3,0"]),
    "hessian with eigen-analysis and verdict": lambda: api.hessian(
        "x**2 + 3*x*y + y**2", at=["0,0"], vectors=True, classify=True
    ),
    "constant hessian eigen-analysis": lambda: api.hessian("3*x**2 - 2*x*y + 5*y**2", eig=True),
    "critical points": lambda: api.critical("x**3 - 3*x + y**2"),
    "critical families and notes": lambda: api.critical("(x - y)**2"),
    "no critical point": lambda: api.critical("exp(x) + y"),
    "finite-difference check that agrees": lambda: api.check("x**2 + y, x*y", at=["2,3"]),
    "hessian check with an undefined entry": lambda: api.hessian("abs(x) + y**2", at=["0,1"], check=True),
    "map of hessian types": lambda: api.map_types("x**3 - 3*x*y**2", x="-1:1", y="-1:1", grid=3),
    "profile along an eigenvector": lambda: api.profile("x**4 - x*y", at="1,1", along="eigmin", points=5),
}


def _text(result: Result, fmt: str) -> str:
    output = render(result, fmt)
    if isinstance(output, str):
        return output
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None, markup=False).print(output)
    return buffer.getvalue()


class TestRegistry:
    @pytest.mark.parametrize("fmt", list(FORMATS))
    @pytest.mark.parametrize("name", list(RESULTS))
    def test_every_format_renders_every_result(self, fmt: str, name: str) -> None:
        """Each registered format turns each kind of result into non-empty text ending in a newline."""
        text = _text(RESULTS[name](), fmt)
        assert text.strip() and text.endswith("\n")
        if fmt == "json":
            json.loads(text)

    @pytest.mark.parametrize("name", list(RESULTS))
    def test_formats_carry_the_same_verdicts(self, name: str) -> None:
        """A verdict shown in one format is shown in all of them."""
        result = RESULTS[name]()
        verdicts = {p.classification.type.value for p in result.points if p.classification}
        verdicts |= {c.classification.type.value for c in result.critical_points or ()}
        for fmt in FORMATS:
            text = _text(result, fmt)
            for verdict in verdicts:
                assert verdict in text, (fmt, verdict)

    def test_unknown_format(self) -> None:
        """Asking the registry for a format it does not have names the choices."""
        with pytest.raises(ValueError, match="choose one of table, plain, latex, markdown, json"):
            render(api.gradient("x"), "xml")


class TestHelpers:
    def test_euler_number_prints_as_e(self) -> None:
        """Euler's number is written e, as jh reads it; exp(1) when a variable is called e."""
        import sympy

        e_var = sympy.Symbol("e", real=True)
        assert sstr(sympy.E * 2) == "2*e"
        assert sstr(sympy.E + e_var) == "e + exp(1)"

    @pytest.mark.parametrize(
        ("value", "digits", "text"),
        [(0.70710678, 6, "0.707107"), (-0.0, 6, "0"), (3e-06, 4, "3e-06"), (2.0, 6, "2")],
    )
    def test_format_float(self, value: float, digits: int, text: str) -> None:
        """Floats get the requested significant digits, without -0."""
        assert format_float(value, digits) == text

    def test_latex_text_is_escaped(self) -> None:
        """Reasons placed in \\text{} have LaTeX's special characters escaped."""
        assert text_escape("x_1 ^ 2 & 50% {a}") == r"x\_1 \^{} 2 \& 50\% \{a\}"
