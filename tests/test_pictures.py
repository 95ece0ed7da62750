"""jh map, jh profile, the spectrum bars of hessian --eig, and --plot image files."""

from __future__ import annotations

import builtins
import json
import math
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import sympy

from jhcli import api
from jhcli.models import CellType
from tests.conftest import run_jh


def _types(out: str) -> list[list[str]]:
    return json.loads(out)["types"]


# jh map: types decided exactly -------------------------------------------------------------------
class TestMapTypes:
    def test_monkey_saddle_is_saddle_everywhere_but_the_origin(self) -> None:
        """x**3 - 3xy**2: H = [[6x, -6y], [-6y, -6x]], det = -36(x**2 + y**2) < 0 except at 0 (H = 0)."""
        out = run_jh("map", "x**3 - 3*x*y**2", "--x", "-1:1", "--y", "-1:1", "-f", "json")
        assert out.exit_code == 0, out.stderr
        data = json.loads(out.stdout)
        types = data["types"]
        assert len(types) == 21 and all(len(row) == 21 for row in types)
        x = [sympy.Rational(v) for v in data["x"]]
        y = [sympy.Rational(v) for v in data["y"]]
        for i, yi in enumerate(y):
            for j, xj in enumerate(x):
                det = -36 * (xj**2 + yi**2)  # by hand, independent of jh
                assert types[i][j] == ("degenerate" if det == 0 else "saddle"), (xj, yi)
        assert types[10][10] == "degenerate" and data["x"][10] == "0" and data["y"][10] == "0"

    @pytest.mark.parametrize(
        ("expr", "expected"),
        [("x**2 + y**2", "convex"), ("x**2 - y**2", "saddle"), ("-x**2 - y**2", "concave")],
    )
    def test_quadratics_have_one_type(self, expr: str, expected: str) -> None:
        result = api.map_types(expr, x="-2:3", y="-1:1", grid=6)
        assert result.landscape is not None
        assert {c.value for row in result.landscape.types for c in row} == {expected}

    def test_cell_centres_and_row_order(self) -> None:
        """Centres are exact: low + (k + 1/2)(high - low)/N; rows run from the top (largest y)."""
        out = run_jh("map", "x*y**3", "--x", "0:1", "--y", "0:1", "--grid", "4", "-f", "json")
        data = json.loads(out.stdout)
        assert data["x"] == ["1/8", "3/8", "5/8", "7/8"]
        assert data["y"] == ["7/8", "5/8", "3/8", "1/8"]
        assert data["row_order"].startswith("top to bottom")
        # H = [[0, 3y**2], [3y**2, 6xy]]: det = -9y**4 < 0 for y != 0: saddle everywhere
        assert {t for row in data["types"] for t in row} == {"saddle"}

    def test_type_changes_exactly_on_a_curve(self) -> None:
        """x**4/12 - y**2/2... H = [[x**2, 0], [0, 1]]: convex for x != 0, degenerate on x = 0 exactly."""
        result = api.map_types("x**4/12 + y**2/2", x="-1:1", y="-1:1", grid=5)
        assert result.landscape is not None
        for row in result.landscape.types:
            assert [c.value for c in row] == ["convex", "convex", "degenerate", "convex", "convex"]

    def test_tiny_offset_from_zero_is_not_rounded_away(self) -> None:
        """At x = 10**-30 the Hessian [[x, 0], [0, 1]] is positive definite: an exact sign, not 0."""
        result = api.map_types("x**3/6 + y**2/2", x="-1:1", y="-1:1", grid=1)
        assert result.landscape is not None
        assert result.landscape.types[0][0] is CellType.DEGENERATE  # centre (0, 0)
        shifted = api.map_types("x**3/6 + y**2/2", x="-1:1+2/10**30", y="-1:1", grid=1)
        assert shifted.landscape is not None
        assert shifted.landscape.x[0] == sympy.Rational(1, 10**30)
        assert shifted.landscape.types[0][0] is CellType.CONVEX

    def test_undefined_cells(self) -> None:
        result = api.map_types("log(x) + y**2", x="-1:1", y="-1:1", grid=2)
        assert result.landscape is not None
        assert [c.value for c in result.landscape.types[0]] == ["undefined", "saddle"]


class TestMapOutput:
    def test_critical_point_marked_in_json(self) -> None:
        out = run_jh("map", "x**2 + y**2 - 2*x", "--x", "0:2", "--y", "-1:1", "--grid", "4", "-f", "json")
        data = json.loads(out.stdout)
        (cp,) = data["critical_points"]
        # (1, 0) lies on cell boundaries: a boundary belongs to the upper cell (column 2, row from top 1)
        assert cp["at"] == {"x": "1", "y": "0"} and cp["type"] == "local minimum"
        assert cp["cell"] == {"row": 1, "column": 2}
        assert set(data) >= {"command", "x", "y", "types", "critical_points", "grid", "box", "certainty"}
        assert data["command"] == "map" and data["certainty"] == "exact"

    def test_plain_grid_exact_text(self) -> None:
        out = run_jh("map", "x**3 - 3*x*y**2", "--x", "-1:1", "--y", "-1:1", "--grid", "5", "-f", "plain")
        assert out.exit_code == 0 and out.stderr == ""
        assert out.stdout == (
            "read as: x**3 - 3*x*y**2\n"
            "variables: x, y\n"
            "Hessian (rows and columns: variables):\n"
            "[ 6*x  -6*y]\n"
            "[-6*y  -6*x]\n"
            "\n"
            "Hessian type at the centres of 5 x 5 cells of x in [-1, 1], y in [-1, 1] (exact)\n"
            "rows: y from 1 (top) to -1 (bottom); columns: x from -1 (left) to 1 (right)\n"
            "  x x x x x\n"
            "  x x x x x\n"
            "  x x * x x\n"
            "  x x x x x\n"
            "  x x x x x\n"
            "legend: + convex (H positive definite)  - concave (H negative definite)\n"
            "        x saddle (H indefinite)  0 degenerate (H singular)  * critical point\n"
            "cells: 24 saddle, 1 degenerate\n"
            "critical points in the box (* marks the cell holding each):\n"
            "  x = 0, y = 0: saddle point (degenerate), f = 0\n"
        )

    def test_mixed_grid_characters(self) -> None:
        """x**3/6 - y**2/2 + ...: H = [[x, 0], [0, -1]]: concave for x < 0, saddle for x > 0."""
        out = run_jh("map", "x**3/6 - y**2/2", "--x", "-1:1", "--y", "0:1", "--grid", "3", "-f", "plain")
        rows = [line for line in out.stdout.splitlines() if re.fullmatch(r"  [-+x0*?]( [-+x0*?])*", line)]
        assert rows == ["  - 0 x", "  - 0 x", "  - * x"]  # the critical point (0, 0): bottom middle

    def test_table_is_the_plain_grid_without_colour(self) -> None:
        out = run_jh("map", "x**2 + y**2", "--x", "-1:1", "--y", "-1:1", "--grid", "3", "-f", "table")
        assert "  + + +\n  + * +\n  + + +\n" in out.stdout

    @pytest.mark.parametrize("fmt", ["latex", "markdown"])
    def test_other_formats(self, fmt: str) -> None:
        out = run_jh("map", "x**2 - y**2", "--x", "-1:1", "--y", "-1:1", "--grid", "3", "-f", fmt)
        assert out.exit_code == 0 and "x x x" in out.stdout

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["x**2 + y**2 + z", "--x", "-1:1", "--y", "-1:1"], "two variables"),
            (["x**2 + y**2", "--x", "1:-1", "--y", "-1:1"], "--x takes LOW:HIGH"),
            (["x**2 + y**2", "--x", "a:1", "--y", "-1:1"], "is not a real number"),
            (["x**2 + y**2", "--y", "-1:1"], "jh map needs --x"),
        ],
    )
    def test_usage_errors(self, args: list[str], message: str) -> None:
        out = run_jh("map", *args)
        assert out.exit_code == 2 and out.stdout == "" and message in out.stderr


# jh profile -------------------------------------------------------------------------------------
class TestProfile:
    def test_quadratic_along_a_unit_eigenvector(self) -> None:
        """f = x**2 + 3xy + y**2 at (1, -1) (a point where g = (-1, 1)): along eigmin d = (1, -1)/sqrt(2),
        lambda = -1, so f(P + t d) = f(P) + t g.d - t**2/2 exactly, with g.d = -sqrt(2)."""
        result = api.profile("x**2 + 3*x*y + y**2", at="1,-1", along="eigmin", range="-1:1", points=5)
        p = result.profile
        assert p is not None
        s = sympy.sqrt(2)
        assert [sympy.simplify(c - e) for c, e in zip(p.direction, (s / 2, -s / 2), strict=True)] == [0, 0]
        assert p.eigenvalue is not None and p.eigenvalue.exact == -1
        assert p.curvature.exact == -1 and sympy.simplify(p.slope.exact + s) == 0
        for t, f, q in zip(p.t, p.f, p.model, strict=True):
            expected = -1 - s * t - t**2 / 2  # f(P) = 1 - 3 + 1 = -1
            assert f is not None and sympy.simplify(f.exact - expected) == 0
            assert sympy.simplify(q.exact - expected) == 0

    def test_along_a_given_vector_is_normalised(self) -> None:
        out = run_jh("profile", "x**2 + y", "--at", "0,0", "--along", "v=3,4", "--points", "3", "-f", "json")
        data = json.loads(out.stdout)
        assert data["direction"]["exact"] == ["3/5", "4/5"] and data["direction"]["normalised"] is True
        # f(3t/5, 4t/5) = 9t**2/25 + 4t/5
        assert data["t"] == [-1.0, 0.0, 1.0]
        assert data["f"] == pytest.approx([9 / 25 - 4 / 5, 0.0, 9 / 25 + 4 / 5])
        assert data["f_exact"] == ["-11/25", "0", "29/25"]
        assert data["model_exact"] == data["f_exact"]  # a quadratic is its own model

    def test_along_the_gradient(self) -> None:
        result = api.profile("exp(x) + y", at="0,0", along="grad", points=3)
        p = result.profile
        assert p is not None
        s = sympy.sqrt(2)
        assert [sympy.simplify(c - s / 2) for c in p.direction] == [0, 0]
        assert p.slope.numeric == pytest.approx(math.sqrt(2))  # |g| = sqrt(2)
        assert p.f[0] is not None and p.f[0].numeric == pytest.approx(
            math.exp(-1 / math.sqrt(2)) - 1 / math.sqrt(2)
        )

    def test_mlp_top_eigenvector_is_numeric_and_labelled(self) -> None:
        """Exercise 4 of the notes: the MLP's Hessian has tanh values, so d is a numeric eigenvector."""
        result = api.profile(
            "W2@tanh(W1@x + b1) + b2",
            vars="W1:2x2,b1:2,W2:1x2,b2,x:2",
            at="W1=[[0.5,-0.3],[0.8,0.2]], b1=[0.1,-0.4], W2=[[1.5,-0.7]], b2=0.2, x=[1,0.5]",
            along="eigmax",
        )
        data = json.loads(result.to_json())
        d = data["direction"]
        assert d["certainty"] == "numeric" and d["exact"] is None
        assert sum(c * c for c in d["numeric"]) == pytest.approx(1.0)
        # d.H.d of a unit eigenvector is its eigenvalue
        assert data["curvature"]["numeric"] == pytest.approx(d["eigenvalue"]["numeric"])
        assert len(data["t"]) == 21 and data["f"][10] == pytest.approx(data["model"][10])
        # the model is the second-order Taylor polynomial: it agrees with f to O(t**3) near 0
        assert abs(data["f"][11] - data["model"][11]) < 1e-3
        # f at t = 1 by plain float arithmetic on P + d
        p = [0.5, -0.3, 0.8, 0.2, 0.1, -0.4, 1.5, -0.7, 0.2, 1.0, 0.5]
        w11, w12, w21, w22, b11, b12, v1, v2, b2, x1, x2 = (
            a + b for a, b in zip(p, d["numeric"], strict=True)
        )
        f1 = v1 * math.tanh(w11 * x1 + w12 * x2 + b11) + v2 * math.tanh(w21 * x1 + w22 * x2 + b12) + b2
        assert data["f"][-1] == pytest.approx(f1, rel=1e-12)
        assert "numeric: a floating-point eigenvector" in result.to_plain()

    def test_plain_chart_exact_text(self) -> None:
        out = run_jh(
            "profile", "x**2 + y**2", "--at", "0,0", "--along", "v=1,0", "--points", "5", "-f", "plain"
        )
        assert out.exit_code == 0
        assert out.stdout == (
            "read as: x**2 + y**2\n"
            "variables: x, y\n"
            "at P: x = 0, y = 0\n"
            "direction d: the vector 1,0, normalised to length 1 (exact)\n"
            "  d = (1, 0)\n"
            "f(P): 0\n"
            "slope g·d: 0\n"
            "curvature d·H·d: 2\n"
            "model q(t) = f(P) + t g·d + t²/2 d·H·d\n"
            "\n"
            "f(P + t d): ● f,  · quadratic model (● where they coincide)\n"
            "1 │●       ●\n"
            "  │\n"
            "  │\n"
            "  │\n"
            "  │\n"
            "  │\n"
            "  │\n"
            "  │\n"
            "  │  ●   ●\n"
            "  │\n"
            "0 │    ●\n"
            "  └──────────\n"
            "   -1       1  t\n"
            "\n"
            "t     f(P + t d)  model q(t)  f - q\n"
            "-1    1           1           0\n"
            "-1/2  1/4 ≈ 0.25  1/4 ≈ 0.25  0\n"
            "0     0           0           0\n"
            "1/2   1/4 ≈ 0.25  1/4 ≈ 0.25  0\n"
            "1     1           1           0\n"
        )

    @pytest.mark.parametrize(
        ("args", "message", "code"),
        [
            (["x**2 + y**2"], "needs a point", 2),
            (["x**2 + y**2", "--at", "0,0", "--along", "sideways"], "--along takes", 2),
            (["x**2 + y**2", "--at", "0,0", "--along", "grad"], "the gradient is 0", 1),
            (["x**2 + y**2", "--at", "0,0", "--along", "v=0,0"], "zero vector", 1),
            (["x**2 + y**2", "--at", "0,0", "--range", "1:1"], "--range takes", 2),
        ],
    )
    def test_errors(self, args: list[str], message: str, code: int) -> None:
        out = run_jh("profile", *args)
        assert out.exit_code == code and out.stdout == "" and message in out.stderr, out.stderr


# hessian --eig: the spectrum as bars --------------------------------------------------------------
class TestSpectrumBars:
    def test_exact_text_at_width_100(self) -> None:
        out = run_jh("hessian", "x**2 + 3*x*y + y**2", "--eig", "-f", "table")
        bars = out.stdout.split("reading: mixed signs: saddle directions\n", 1)[1]
        assert bars == (
            "spectrum (bars to scale; | is 0, o an eigenvalue 0):\n"
            "  λ1 = -1                  ████|\n"
            "  λ2 = 5                       |████████████████████\n"
        )

    def test_zero_eigenvalue_is_marked(self) -> None:
        out = run_jh("hessian", "x**2 - 2*x*y + y**2", "--eig", "-f", "table")
        lines = out.stdout.splitlines()
        start = lines.index("spectrum (bars to scale; | is 0, o an eigenvalue 0):")
        pad = " " * 20  # the negative half of the chart is empty
        assert lines[start + 1 :] == [f"  λ1 = 0  {pad}o", f"  λ2 = 4  {pad}|" + "█" * 20]

    def test_plain_output_has_no_bars(self) -> None:
        out = run_jh("hessian", "x**2 + 3*x*y + y**2", "--eig", "-f", "plain")
        assert "█" not in out.stdout


# --plot ------------------------------------------------------------------------------------------
def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


class TestPlotFiles:
    def test_spectrum_png(self, tmp_path: Path) -> None:
        pytest.importorskip("matplotlib")
        path = tmp_path / "spectrum.png"
        out = run_jh("hessian", "x**2 + 3*x*y + y**2", "--eig", "--plot", str(path), "-f", "json")
        assert out.exit_code == 0, out.stderr
        json.loads(out.stdout)  # the output is unchanged by --plot
        width, height = _png_size(path)
        assert 300 <= width <= 2000 and 200 <= height <= 2000
        assert path.stat().st_size < 100_000

    def test_map_png_colours_by_region(self, tmp_path: Path) -> None:
        """x**3 - 3xy**2: the type panel (right half) is the saddle colour almost everywhere."""
        pytest.importorskip("matplotlib")
        from matplotlib.image import imread

        from jhcli.render.images import TYPE_COLOURS

        path = tmp_path / "map.png"
        out = run_jh("map", "x**3 - 3*x*y**2", "--x", "-1:1", "--y", "-1:1", "--plot", str(path))
        assert out.exit_code == 0, out.stderr
        _png_size(path)
        pixels = imread(str(path))
        h, w = pixels.shape[:2]

        def rgb(hex_colour: str) -> tuple[float, ...]:
            return tuple(int(hex_colour[k : k + 2], 16) / 255 for k in (1, 3, 5))

        def share(region: Any, colour: str) -> float:
            target = rgb(colour)
            hits = total = 0
            for row in region:
                for px in row:
                    total += 1
                    hits += all(abs(float(px[c]) - target[c]) < 0.02 for c in range(3))
            return hits / total

        right = pixels[int(0.2 * h) : int(0.8 * h), int(0.62 * w) : int(0.95 * w)]
        left = pixels[int(0.2 * h) : int(0.8 * h), int(0.1 * w) : int(0.35 * w)]
        saddle = TYPE_COLOURS[CellType.SADDLE]
        assert share(right, saddle) > 0.6
        assert share(right, TYPE_COLOURS[CellType.CONVEX]) == 0  # no convex cell anywhere
        assert share(left, saddle) < 0.05  # the contour panel is not painted by type

    def test_profile_svg_and_pdf(self, tmp_path: Path) -> None:
        pytest.importorskip("matplotlib")
        svg, pdf = tmp_path / "profile.svg", tmp_path / "profile.pdf"
        for path in (svg, pdf):
            out = run_jh("profile", "x**4 - x*y", "--at", "1,1", "--along", "grad", "--plot", str(path))
            assert out.exit_code == 0, out.stderr
        root = ET.parse(svg).getroot()
        assert root.tag.endswith("svg")
        assert pdf.read_bytes().startswith(b"%PDF")

    def test_same_command_same_bytes(self, tmp_path: Path) -> None:
        pytest.importorskip("matplotlib")
        a, b = tmp_path / "a.png", tmp_path / "b.png"
        for path in (a, b):
            run_jh("profile", "x**2 + y**2", "--at", "1,0", "--plot", str(path))
        assert a.read_bytes() == b.read_bytes()

    def test_unknown_extension_is_a_usage_error(self, tmp_path: Path) -> None:
        out = run_jh("map", "x*y", "--x", "0:1", "--y", "0:1", "--plot", str(tmp_path / "map.jpg"))
        assert out.exit_code == 2 and out.stdout == ""
        assert "--plot writes .png, .svg or .pdf" in out.stderr
        assert not (tmp_path / "map.jpg").exists()

    def test_hessian_plot_needs_eig(self, tmp_path: Path) -> None:
        out = run_jh("hessian", "x*y", "--plot", str(tmp_path / "s.png"))
        assert (
            out.exit_code == 2
            and out.stderr == "error: --plot on hessian draws the eigenvalue spectrum: add --eig\n"
        )

    def test_missing_matplotlib_names_the_install_command(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        real_import = builtins.__import__

        def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
            if name == "matplotlib" or name.startswith("matplotlib."):
                raise ImportError(f"No module named {name!r}")
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_matplotlib)
        path = tmp_path / "map.png"
        out = run_jh("map", "x*y", "--x", "0:1", "--y", "0:1", "--plot", str(path))
        assert out.exit_code == 2 and out.stdout == ""
        assert out.stderr == (
            "error: --plot needs matplotlib, which is not installed: run pip install 'jhcli[plot]'\n"
        )
        assert not path.exists()

    def test_help_does_not_import_matplotlib(self) -> None:
        import subprocess
        import sys

        code = (
            "import sys\nfrom jhcli.cli import app\n"
            "try:\n    app(['map', '--help'])\nexcept SystemExit:\n    pass\n"
            "print('matplotlib' in sys.modules, 'sympy' in sys.modules)"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert out.stdout.strip().endswith("False False")
