"""bench/speed.py does not rot: its inputs are valid jh input with the right derivatives, its SymPy
scripts compute the same matrices, and its Markdown tables show medians and ratios as documented.

No timing is asserted here (speed is measured by the script itself, outside the test suite).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
import sympy

from tests.conftest import run_jh

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "speed.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_speed", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


speed = _load()
X = sympy.symbols("x1:6")  # x1 ... x5


def _rosenbrock_by_hand() -> sympy.Expr:
    x1, x2, x3, x4, x5 = X
    return (
        100 * (x2 - x1**2) ** 2 + (1 - x1) ** 2 + 100 * (x3 - x2**2) ** 2 + (1 - x2) ** 2
        + 100 * (x4 - x3**2) ** 2 + (1 - x3) ** 2 + 100 * (x5 - x4**2) ** 2 + (1 - x4) ** 2
    )  # fmt: skip


def _matrix(rows: list[list[str]]) -> sympy.Matrix:
    return sympy.Matrix([[sympy.Rational(v) for v in row] for row in rows])


class TestInputs:
    def test_rosenbrock_text_is_jh_input_with_the_hessian_of_sympy(self) -> None:
        assert speed.variables(5) == ["x1", "x2", "x3", "x4", "x5"]
        out = run_jh(
            "hessian", "-", "--at", speed.point_text(5), "-f", "json", stdin=speed.rosenbrock_text(5)
        )
        assert out.exit_code == 0, out.stderr
        data = json.loads(out.stdout)
        assert data["variables"] == ["x1", "x2", "x3", "x4", "x5"]
        expected = sympy.hessian(_rosenbrock_by_hand(), X)
        got = sympy.Matrix([[sympy.S(e) for e in row] for row in data["matrix"]])
        assert (got - expected).applyfunc(sympy.expand) == sympy.zeros(5, 5)
        # At (1, ..., 1), by hand: 1200 - 400 + 2 on the first diagonal entry, 1200 - 400 + 202 inside,
        # 200 on the last; -400 next to the diagonal.
        assert _matrix(data["points"][0]["value"]) == sympy.Matrix(
            [
                [802, -400, 0, 0, 0],
                [-400, 1002, -400, 0, 0],
                [0, -400, 1002, -400, 0],
                [0, 0, -400, 1002, -400],
                [0, 0, 0, -400, 200],
            ]
        )

    def test_trig_components_are_jh_input_with_the_jacobian_of_sympy(self) -> None:
        comps = speed.trig_components(3)
        assert comps[1] == "sin(2*x1) + sin(2*x2) + sin(2*x3)"
        out = run_jh("jacobian", "-", "--at", speed.point_text(3), "-f", "json", stdin=", ".join(comps))
        assert out.exit_code == 0, out.stderr
        data = json.loads(out.stdout)
        # d/dx_j sum_k sin(i*x_k) = i*cos(i*x_j); at x_j = 1: i*cos(i) along row i.
        assert [[sympy.S(e) for e in row] for row in data["points"][0]["value"]] == [
            [sympy.cos(1)] * 3,
            [2 * sympy.cos(2)] * 3,
            [3 * sympy.cos(3)] * 3,
        ]

    @pytest.mark.parametrize("source", ["SYMPY_HESSIAN", "SYMPY_GRADIENT"])
    def test_the_sympy_scripts_compute_the_hessian_at_the_point(
        self, source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        text = tmp_path / "f.txt"
        text.write_text(speed.rosenbrock_text(5))
        monkeypatch.setattr(sys, "argv", ["script", str(text), "5"])
        namespace: dict[str, object] = {}
        exec(compile(getattr(speed, source), source, "exec"), namespace)  # our own script text
        point = {x: 1 for x in X}
        assert sympy.Matrix(namespace["H"]) == sympy.hessian(_rosenbrock_by_hand(), X).subs(point)


class TestTables:
    def test_seconds_and_cells(self) -> None:
        assert [speed.seconds_text(s) for s in (0.01234, 0.4567, 1.234, 12.34, 123.4)] == [
            "0.0123 s",
            "0.457 s",
            "1.23 s",
            "12.3 s",
            "123 s",
        ]
        Timing = speed.Timing
        assert speed.cell_text(Timing(runs=[3.0, 1.0, 2.0], asked=3)) == "2.00 s"
        assert speed.cell_text(Timing(runs=[40.0], asked=3)) == "40.0 s (1 run)"
        assert speed.cell_text(Timing(status="timeout", limit=120)) == "> 120 s (timed out)"
        assert speed.cell_text(Timing(status="skipped", limit=120)) == "> 120 s (not run)"
        assert speed.cell_text(Timing(status="missing")) == "not installed"
        assert speed.cell_text(Timing(status="na", note="jh has no --at-file")) == "n/a (jh has no --at-file)"
        assert speed.cell_text(Timing(status="failed", note="exit 3: too big")) == "failed (exit 3: too big)"

    def test_ratios_to_jh(self) -> None:
        Timing = speed.Timing
        jh = Timing(runs=[2.0, 2.0, 100.0])  # median 2
        assert speed.ratio_text(Timing(runs=[1.0, 0.5, 0.6]), jh) == "0.3"  # 0.6 / 2
        assert speed.ratio_text(Timing(runs=[500.0]), jh) == "250"
        assert speed.ratio_text(Timing(status="timeout", limit=120), jh) == "> 60"
        assert speed.ratio_text(Timing(runs=[1.2]), Timing(status="timeout", limit=120)) == "< 0.01"
        assert speed.ratio_text(Timing(status="missing"), jh) == ""
        assert (
            speed.ratio_text(Timing(status="timeout", limit=120), Timing(status="timeout", limit=120)) == ""
        )

    def test_markdown_table_of_a_case(self) -> None:
        Timing = speed.Timing
        table = speed.Table(
            "Case",
            "What it measures.",
            ["n = 10", "n = 20"],
            [
                ("jh", [Timing(runs=[1.0, 3.0, 2.0]), Timing(runs=[4.0])]),
                ("a|b", [Timing(runs=[4.0, 4.0, 4.0]), Timing(status="missing")]),
            ],
        )
        assert table.markdown() == (
            "## Case\n\nWhat it measures.\n\n"
            "| tool | n = 10 | ÷ jh | n = 20 | ÷ jh |\n"
            "| --- | ---: | ---: | ---: | ---: |\n"
            "| jh | 2.00 s |  | 4.00 s |  |\n"
            "| a\\|b | 4.00 s | 2 | not installed |  |"
        )
