"""--sparse, --sparsity and the table format's corners of a large matrix (jhcli.render.sparse).

Expected values are worked out by hand in the docstrings or computed here with plain SymPy
(``sympy.hessian``, ``Matrix.jacobian``), never taken from jh's own output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy

from jhcli.models import Command, Entry, PointResult, Result, Status
from jhcli.parsing import make_symbol, parse_expression
from jhcli.render import render
from jhcli.render import sparse as sp
from tests.conftest import run_jh
from tests.test_latex_documents import _compile, needs_pdflatex

F = "x**2*y + z**3"
"""H = [[2y, 2x, 0], [2x, 0, 0], [0, 0, 6z]]; at (1, 2, 3): [[4, 2, 0], [2, 0, 0], [0, 0, 18]]."""


def rosenbrock(n: int) -> str:
    return " + ".join(f"100*(x{i + 1}-x{i}**2)**2 + (1-x{i})**2" for i in range(1, n))


def nonzeros(matrix: sympy.MatrixBase) -> list[tuple[int, int, sympy.Expr]]:
    """The non-zero entries, row-major, listed one by one (not through jh)."""
    return [(i, j, matrix[i, j]) for i in range(matrix.rows) for j in range(matrix.cols) if matrix[i, j] != 0]


def same(text: str, expected: sympy.Expr) -> bool:
    """jh's text (read back with jh's parser) equals the SymPy value."""
    return sympy.simplify(parse_expression(text) - expected) == 0


# --sparse in every format --------------------------------------------------------------------
class TestSparseText:
    def test_plain(self) -> None:
        out = run_jh("hessian", F, "--at", "1,2,3", "--sparse", "-f", "plain")
        assert (out.exit_code, out.stderr) == (0, "")
        assert out.stdout == (
            "read as: x**2*y + z**3\n"
            "variables: x, y, z\n"
            "Hessian (rows and columns: variables), non-zero entries (indices from 1):\n"
            "  H[1,1] = ∂²f/∂x²  = 2*y\n"
            "  H[1,2] = ∂²f/∂x∂y = 2*x\n"
            "  H[2,1] = ∂²f/∂y∂x = 2*x\n"
            "  H[3,3] = ∂²f/∂z²  = 6*z\n"
            "4 of 3×3 entries non-zero (density 44.4%)\n"
            "\n"
            "at (x, y, z) = (1, 2, 3), non-zero entries (indices from 1):\n"
            "  H[1,1] = ∂²f/∂x²  = 4\n"
            "  H[1,2] = ∂²f/∂x∂y = 2\n"
            "  H[2,1] = ∂²f/∂y∂x = 2\n"
            "  H[3,3] = ∂²f/∂z²  = 18\n"
            "4 of 3×3 entries non-zero (density 44.4%)\n"
        )

    def test_table(self) -> None:
        out = run_jh("hessian", F, "--sparse", "-f", "table")
        assert (out.exit_code, out.stderr) == (0, "")
        assert out.stdout == (
            "read as: x**2*y + z**3\n"
            "Hessian (rows and columns: variables), non-zero entries (indices from 1)\n"
            "┏━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓\n"
            "┃ entry  ┃ derivative ┃ value ┃\n"
            "┡━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩\n"
            "│ H[1,1] │ ∂²f/∂x²    │   2*y │\n"
            "│ H[1,2] │ ∂²f/∂x∂y   │   2*x │\n"
            "│ H[2,1] │ ∂²f/∂y∂x   │   2*x │\n"
            "│ H[3,3] │ ∂²f/∂z²    │   6*z │\n"
            "└────────┴────────────┴───────┘\n"
            "4 of 3×3 entries non-zero (density 44.4%)\n"
        )

    def test_table_values_with_a_decimal_view(self) -> None:
        """x*y/3 at (1, 1/2): ∂/∂x = y/3 = 1/6, ∂/∂y = x/3 = 1/3."""
        out = run_jh("gradient", "x*y/3", "--at", "1,1/2", "--sparse", "--values-only", "-f", "table")
        assert (out.exit_code, out.stderr) == (0, "")
        assert out.stdout.splitlines()[1:] == [
            "at (x, y) = (1, 1/2), non-zero entries (indices from 1)",
            "┏━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━┓",
            "┃ entry   ┃ derivative ┃      value ┃",
            "┡━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━┩",
            "│ ∇f[1,1] │ ∂f/∂x      │        1/6 │",
            "│         │            │ ≈ 0.166667 │",
            "│ ∇f[2,1] │ ∂f/∂y      │        1/3 │",
            "│         │            │ ≈ 0.333333 │",
            "└─────────┴────────────┴────────────┘",
            "2 of 2×1 entries non-zero (density 100%)",
        ]

    def test_markdown(self) -> None:
        out = run_jh("jacobian", "x*y, z", "--sparse", "-f", "markdown")
        assert (out.exit_code, out.stderr) == (0, "")
        assert out.stdout == (
            "**Jacobian (rows: functions, columns: variables)** of `x*y, z` with respect to `x, y, z`\n"
            "\n"
            "$$\n"
            "\\begin{aligned}\n"
            "J_{1,1} &= y \\\\\n"
            "J_{1,2} &= x \\\\\n"
            "J_{2,3} &= 1 \\\\\n"
            "&\\text{3 of 2$\\times$3 entries non-zero (density 50\\%); indices from 1}\n"
            "\\end{aligned}\n"
            "$$\n"
            "\n"
            "| entry | derivative | value |\n"
            "|---|---|---|\n"
            "| `J[1,1]` | `∂f1/∂x` | `y` |\n"
            "| `J[1,2]` | `∂f1/∂y` | `x` |\n"
            "| `J[2,3]` | `∂f2/∂z` | `1` |\n"
            "\n"
            "3 of 2×3 entries non-zero (density 50%); indices from 1\n"
        )

    def test_latex(self) -> None:
        out = run_jh("hessian", F, "--at", "1,2,3", "--sparse", "-f", "latex")
        assert (out.exit_code, out.stderr) == (0, "")
        count = "&\\text{4 of 3$\\times$3 entries non-zero (density 44.4\\%); indices from 1}"
        assert out.stdout == (
            "% jh hessian: x**2*y + z**3; variables (x, y, z); rows and columns: variables\n"
            "\\begin{align*}\n"
            "H_{1,1} &= 2 y \\\\\n"
            "H_{1,2} &= 2 x \\\\\n"
            "H_{2,1} &= 2 x \\\\\n"
            "H_{3,3} &= 6 z \\\\\n"
            f"{count} \\\\\n"
            "&\\text{at } (x, y, z) = (1, 2, 3) \\\\\n"
            "H_{1,1} &= 4 \\\\\n"
            "H_{1,2} &= 2 \\\\\n"
            "H_{2,1} &= 2 \\\\\n"
            "H_{3,3} &= 18 \\\\\n"
            f"{count}\n"
            "\\end{align*}\n"
        )

    def test_gradient_latex_symbol_is_parenthesised(self) -> None:
        out = run_jh("gradient", "x*y", "--sparse", "-f", "latex")
        assert "(\\nabla f)_{1,1} &= y \\\\\n(\\nabla f)_{2,1} &= x \\\\\n" in out.stdout

    def test_values_only_leaves_out_the_symbolic_list(self) -> None:
        out = run_jh("hessian", F, "--at", "1,2,3", "--sparse", "--values-only", "-f", "plain")
        assert out.exit_code == 0
        assert "Hessian (rows" not in out.stdout
        assert "at (x, y, z) = (1, 2, 3), non-zero entries (indices from 1):" in out.stdout

    def test_undefined_values_are_listed_not_dropped(self) -> None:
        """1/x at x = 0: both entries of row 1 are undefined (f1 itself is); warnings and exit 1 as dense."""
        out = run_jh("jacobian", "1/x, x*y", "--at", "0,1/2", "--sparse", "-f", "plain")
        assert out.exit_code == 1
        point = out.stdout.split("\n\n")[1].splitlines()
        assert point[1:5] == [
            "  J[1,1] = ∂f1/∂x = undefined",
            "  J[1,2] = ∂f1/∂y = undefined",
            "  J[2,1] = ∂f2/∂x = 1/2 ≈ 0.5",
            "3 of 2×2 entries non-zero (density 75%)",
        ]
        assert out.stderr.count("warning: ") == 2

    def test_a_zero_matrix_has_no_entries(self) -> None:
        out = run_jh("hessian", "x + y", "--sparse", "-f", "plain")
        assert out.stdout.splitlines()[2:] == [
            "Hessian (rows and columns: variables), non-zero entries (indices from 1):",
            "0 of 2×2 entries non-zero (density 0%)",
        ]


# --sparse in JSON, against SymPy -------------------------------------------------------------
class TestSparseJson:
    FUNCTION = "x**3*y + exp(z)*x + y**2 + w"
    SYMBOLS = w, x, y, z = [make_symbol(n) for n in "wxyz"]
    EXPR = x**3 * y + sympy.exp(z) * x + y**2 + w
    """The same function built in SymPy: its Hessian comes from ``sympy.hessian``."""

    def test_entries_match_sympy(self) -> None:
        out = run_jh("hessian", self.FUNCTION, "--sparse", "-f", "json")
        assert (out.exit_code, out.stderr) == (0, "")
        data = json.loads(out.stdout)
        assert "matrix" not in data
        assert data["shape"] == [4, 4]
        expected = nonzeros(sympy.hessian(self.EXPR, self.SYMBOLS))
        assert [(i, j) for i, j, _ in data["entries"]] == [(i, j) for i, j, _ in expected]
        for (_, _, text), (_, _, value) in zip(data["entries"], expected, strict=True):
            assert same(text, value), (text, value)

    def test_point_values_and_numeric_share_positions(self) -> None:
        """At (w, x, y, z) = (5, 1, 0, 0) the entry 6xy is 0: not listed, though it is symbolically."""
        out = run_jh("hessian", self.FUNCTION, "--at", "5,1,0,0", "--sparse", "-f", "json")
        assert out.exit_code == 0
        (point,) = json.loads(out.stdout)["points"]
        at = dict(zip(self.SYMBOLS, [5, 1, 0, 0], strict=True))
        expected = nonzeros(sympy.hessian(self.EXPR, self.SYMBOLS).subs(at))
        assert point["value"]["shape"] == point["numeric"]["shape"] == [4, 4]
        positions = [(i, j) for i, j, _ in expected]
        assert [(i, j) for i, j, _ in point["value"]["entries"]] == positions
        assert [(i, j) for i, j, _ in point["numeric"]["entries"]] == positions
        assert (1, 1) not in positions
        for (_, _, text), (_, _, number), (_, _, value) in zip(
            point["value"]["entries"], point["numeric"]["entries"], expected, strict=True
        ):
            assert same(text, value)
            assert number == pytest.approx(float(value), rel=1e-15)

    def test_rosenbrock_entries_match_sympy(self) -> None:
        """The Rosenbrock Hessian is tridiagonal: 3n - 2 non-zero entries."""
        n = 8
        xs = [make_symbol(f"x{i}") for i in range(1, n + 1)]
        f = sum(100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(n - 1))
        out = run_jh("hessian", rosenbrock(n), "--sparse", "-f", "json")
        data = json.loads(out.stdout)
        expected = nonzeros(sympy.hessian(f, xs))
        assert len(expected) == 3 * n - 2 == len(data["entries"])
        for (i, j, text), (k, m, value) in zip(data["entries"], expected, strict=True):
            assert (i, j) == (k, m)
            assert same(text, value)

    def test_sparsity_object(self) -> None:
        """x*y + y*z + z**2: H = [[0,1,0],[1,0,1],[0,1,2]], five non-zero entries; JSON keeps matrix."""
        out = run_jh("hessian", "x*y + y*z + z**2", "--sparsity", "-f", "json")
        data = json.loads(out.stdout)
        assert data["matrix"] == [["0", "1", "0"], ["1", "0", "1"], ["0", "1", "2"]]
        assert data["sparsity"] == {
            "shape": [3, 3],
            "nonzero": 5,
            "density": 5 / 9,
            "pattern": [[0, 1], [1, 0], [1, 2], [2, 1], [2, 2]],
        }

    def test_batch_lines_take_sparse(self) -> None:
        out = run_jh("batch", "-", stdin='hessian "x*y" --sparse\n')
        assert out.exit_code == 0
        data = json.loads(out.stdout)
        assert (data["shape"], data["entries"]) == ([2, 2], [[0, 1, "1"], [1, 0, "1"]])


# --sparsity: the pattern -------------------------------------------------------------------
class TestPattern:
    def test_tridiagonal(self) -> None:
        """Rosenbrock n = 5: a band of three diagonals; 3*5 - 2 = 13 non-zero entries."""
        out = run_jh("hessian", rosenbrock(5), "--sparsity", "-f", "plain")
        assert out.exit_code == 0
        lines = out.stdout.splitlines()
        start = lines.index("sparsity pattern (* non-zero, . zero; rows and columns numbered from 1):")
        assert lines[start + 1 :] == [
            "    1",
            "x1  * * . . .",
            "x2  * * * . .",
            "x3  . * * * .",
            "x4  . . * * *",
            "x5  . . . * *",
            "13 of 5×5 entries non-zero (density 52%)",
        ]
        assert "Hessian (rows" not in out.stdout  # the pattern replaces the symbolic matrix

    def test_arrow_with_single_letter_names(self) -> None:
        """a*(b + c + d) + squares: row and column a full, plus the diagonal: 4 + 3 + 3 = 10 of 16."""
        out = run_jh("hessian", "a*(b + c + d) + a**2 + b**2 + c**2 + d**2", "--sparsity", "-f", "plain")
        assert out.stdout.splitlines()[2:] == [
            "sparsity pattern (* non-zero, . zero; rows and columns numbered from 1):",
            "   a b c d",
            "a  * * * *",
            "b  * * . .",
            "c  * . * .",
            "d  * . . *",
            "10 of 4×4 entries non-zero (density 62.5%)",
        ]

    def test_table_has_the_same_characters(self) -> None:
        plain = run_jh("hessian", "a*b + c**2", "--sparsity", "-f", "plain").stdout.splitlines()
        table = run_jh("hessian", "a*b + c**2", "--sparsity", "-f", "table").stdout.splitlines()
        assert plain[2:] == table[1:]  # table: no "variables:" line

    def test_with_sparse_the_pattern_comes_first(self) -> None:
        out = run_jh("hessian", "a*b", "--sparsity", "--sparse", "-f", "plain").stdout
        assert out.index("sparsity pattern") < out.index("non-zero entries (indices from 1):")

    def test_latex_has_the_pattern_in_comments(self) -> None:
        out = run_jh("hessian", "a*b", "--sparsity", "-f", "latex")
        assert out.stdout.splitlines()[1:6] == [
            "% sparsity pattern (* non-zero, . zero; rows and columns numbered from 1):",
            "%    a b",
            "% a  . *",
            "% b  * .",
            "% 2 of 2×2 entries non-zero (density 50%)",
        ]
        assert "H\\colon &\\ \\text{2 of 2$\\times$2 entries non-zero" in out.stdout

    @staticmethod
    def _banded(n: int) -> Result:
        """A tridiagonal n x n Hessian built by hand (the core is too slow for n = 200 today)."""
        xs = sympy.symbols(f"x1:{n + 1}")
        entries = {}
        for i in range(n):
            entries[i, i] = sympy.Integer(2)
            if i + 1 < n:
                entries[i, i + 1] = entries[i + 1, i] = xs[i]
        matrix = sympy.ImmutableMatrix(sympy.SparseMatrix(n, n, entries))
        return Result(Command.HESSIAN, (sympy.Integer(0),), xs, matrix)

    @pytest.mark.parametrize(("width", "block", "cells"), [(80, 10, 20), (100, 5, 40)])
    def test_n200_is_drawn_in_blocks(self, width: int, block: int, cells: int) -> None:
        """n = 200 at 80 columns: (80 - 3 - 4) // 2 = 36 cells fit, so 10-entry blocks (20 x 20);
        at 100 columns 46 fit: 5-entry blocks (40 x 40). A tridiagonal band stays a band of blocks."""
        lines = sp.plain_lines(sp.result_pattern(self._banded(200), width))
        assert lines[1] == f"each cell = {block}×{block} entries: * if any of them is non-zero"
        grid = lines[3:-1]
        assert len(grid) == cells
        assert lines[-1] == "598 of 200×200 entries non-zero (density 1.5%)"
        for r, line in enumerate(grid):
            label, marks = line[:3], line[5:].split(" ")
            assert label.strip() == str(r * block + 1)
            assert marks == ["*" if abs(r - c) <= 1 else "." for c in range(cells)]
            assert len(line) <= width

    def test_a_wide_jacobian_is_one_row_of_blocks(self) -> None:
        """2 x 1000 in blocks of 25: one row of 40 cells."""
        xs = sympy.symbols("x1:1001")
        matrix = sympy.ImmutableMatrix(sympy.SparseMatrix(2, 1000, {(0, 0): xs[0], (1, 999): 1}))
        result = Result(Command.JACOBIAN, (xs[0], xs[1]), xs, matrix)
        lines = sp.plain_lines(sp.result_pattern(result, 100))
        assert lines[1] == "each cell = 25×25 entries: * if any of them is non-zero"
        assert lines[3] == "1  *" + " ." * 38 + " *"
        assert len(lines) == 5

    @pytest.mark.parametrize(
        ("size", "cells", "block"), [(5, 40, 1), (40, 40, 1), (41, 40, 2), (200, 36, 10), (1000, 46, 25)]
    )
    def test_block_sizes_are_round(self, size: int, cells: int, block: int) -> None:
        assert sp.block_size(size, cells) == block


# The table format's corners of a large matrix ----------------------------------------------------
def _table_cells(stdout: str) -> list[list[str]]:
    """The rows of the first Rich table in ``stdout``, each as [label, cells...]."""
    return [
        [c.strip() for c in line.split("│")[1:-1]] for line in stdout.splitlines() if line.startswith("│")
    ]


class TestCorners:
    CHAIN_30 = " + ".join(f"x{i}*x{i + 1}" for i in range(1, 30))
    """H[i, i+1] = H[i+1, i] = 1, all else 0 (30 x 30)."""

    def test_30_by_30_shows_the_corners_and_a_hint(self) -> None:
        out = run_jh("hessian", self.CHAIN_30, "-f", "table")
        assert (out.exit_code, out.stderr) == (0, "")
        lines = out.stdout.splitlines()
        header = [c.strip() for c in next(line for line in lines if line.startswith("┃")).split("┃")[1:-1]]
        assert header == ["", "x1", "x2", "x3", "…", "x28", "x29", "x30"]
        shown = [0, 1, 2, None, 27, 28, 29]

        def expected(i: int | None, j: int | None) -> str:
            if i is None or j is None:
                return "⋱" if i is None and j is None else "⋮" if i is None else "…"
            return "1" if abs(i - j) == 1 else "0"

        rows = _table_cells(out.stdout)
        assert rows == [["⋮" if i is None else f"x{i + 1}", *(expected(i, j) for j in shown)] for i in shown]
        assert lines[-1] == (
            "30×30 matrix: showing the corners; use --sparse, --sparsity, -f plain or -f json for all of it"
        )

    def test_plain_keeps_every_entry(self) -> None:
        """Plain is for files and pipes: all 30 rows of 30 entries."""
        out = run_jh("hessian", self.CHAIN_30, "-f", "plain")
        rows = [line for line in out.stdout.splitlines() if line.startswith("[")]
        assert len(rows) == 30 and all(len(r.strip("[]").split()) == 30 for r in rows)
        assert "showing the corners" not in out.stdout

    def test_twelve_columns_are_shown_whole_thirteen_are_not(self) -> None:
        """x1*x2 + ... : H[i, i+1] = H[i+1, i] = 1; 12 x 12 in full, 13 x 13 in corners."""
        twelve = run_jh("hessian", " + ".join(f"x{i}*x{i + 1}" for i in range(1, 12)), "-f", "table")
        assert "showing the corners" not in twelve.stdout
        rows = _table_cells(twelve.stdout)
        assert [r[1:] for r in rows] == [
            ["1" if abs(i - j) == 1 else "0" for j in range(12)] for i in range(12)
        ]
        thirteen = run_jh("hessian", " + ".join(f"x{i}*x{i + 1}" for i in range(1, 13)), "-f", "table")
        rows = _table_cells(thirteen.stdout)
        assert [r[0] for r in rows] == [
            "x1",
            "x2",
            "x3",
            "x4",
            "x5",
            "x6",
            "x7",
            "x8",
            "x9",
            "x10",
            "x11",
            "x12",
            "x13",
        ]
        assert rows[0][1:] == ["0", "1", "0", "…", "0", "0", "0"]
        assert "13×13 matrix: showing the corners" in thirteen.stdout

    def test_25_rows_show_the_top_and_bottom(self) -> None:
        """The gradient of Σ x_i² is (2x1, ..., 2x25): 25 rows, more than 24."""
        out = run_jh("gradient", " + ".join(f"x{i}**2" for i in range(1, 26)), "-f", "table")
        rows = _table_cells(out.stdout)
        assert rows == [
            ["x1", "2*x1"], ["x2", "2*x2"], ["x3", "2*x3"], ["⋮", "⋮"],
            ["x23", "2*x23"], ["x24", "2*x24"], ["x25", "2*x25"],
        ]  # fmt: skip
        assert "25×1 matrix: showing the corners" in out.stdout

    def test_values_at_a_point_are_summarised_too(self) -> None:
        """At x = (1, ..., 30) the Hessian is constant: the same corners, under the point's title."""
        point = ",".join(str(i) for i in range(1, 31))
        out = run_jh("hessian", self.CHAIN_30, "--at", point, "--values-only", "-f", "table")
        assert out.exit_code == 0
        rows = _table_cells(out.stdout)
        assert rows[0] == ["x1", "0", "1", "0", "…", "0", "0", "0"]
        assert rows[-1] == ["x30", "0", "0", "0", "…", "0", "1", "0"]
        assert out.stdout.count("showing the corners") == 1

    def test_columns_shrink_to_fit_the_width(self) -> None:
        """Wide entries: fewer corner columns, the table still within the 100-column console."""
        f = " + ".join(f"x{i}**2*x{i + 1}**3*sin(x{i})*cos(x{i + 1})" for i in range(1, 14))
        out = run_jh("hessian", f, "-f", "table")
        table = [line for line in out.stdout.splitlines() if line[:1] in "┏┃┡│└"]
        assert all(len(line) <= 100 for line in table)
        assert "…" in table[1]

    def test_long_lines_about_a_large_matrix_are_clipped(self) -> None:
        """28 terms of 3 factors: "read as" would fill 4 console lines; it is cut to 3."""
        f = " + ".join(f"x{i}*x{i + 1}*x{i + 2}" for i in range(1, 29))
        out = run_jh("hessian", f, "-f", "table")
        assert out.exit_code == 0
        lines = out.stdout.splitlines()
        title = lines.index("Hessian (rows and columns: variables)")
        assert title <= 3 and lines[title - 1].endswith(" characters; -f plain shows all)")
        assert sp.clip("a" * 301, 100, True) == "a" * 201 + " … (301 characters; -f plain shows all)"
        assert sp.clip("a" * 301, 100, False) == "a" * 301


class TestErrors:
    @pytest.mark.parametrize("command", [("newton", "x**2", "--at", "1"), ("check", "x*y", "--at", "1,2")])
    def test_commands_without_a_sparse_view(self, command: tuple[str, ...]) -> None:
        out = run_jh(*command, "--sparse")
        assert (out.exit_code, out.stdout) == (2, "")
        assert (
            "(--sparse and --sparsity apply to the matrices of jacobian, gradient and hessian)" in out.stderr
        )

    @pytest.mark.parametrize("option", ["--sparse", "--sparsity"])
    def test_not_with_emit(self, option: str) -> None:
        out = run_jh("hessian", "x*y", option, "--emit", "c")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == f"error: --emit prints code; drop {option}\n"


def test_outputs_without_the_options_are_unchanged() -> None:
    """The dense views of the seed Hessian, written by hand."""
    out = run_jh("hessian", F, "--at", "1,2,3", "-f", "plain")
    assert out.stdout == (
        "read as: x**2*y + z**3\n"
        "variables: x, y, z\n"
        "Hessian (rows and columns: variables):\n"
        "[2*y  2*x    0]\n"
        "[2*x    0    0]\n"
        "[  0    0  6*z]\n"
        "\n"
        "at (x, y, z) = (1, 2, 3):\n"
        "[4  2   0]\n"
        "[2  0   0]\n"
        "[0  0  18]\n"
    )
    data = json.loads(run_jh("hessian", F, "-f", "json").stdout)
    assert data["matrix"] == [["2*y", "2*x", "0"], ["2*x", "0", "0"], ["0", "0", "6*z"]]
    assert "entries" not in data and "sparsity" not in data


def test_renderers_read_only_the_nonzero_entries() -> None:
    """A hand-built 300 x 300 diagonal with values at a point: --sparse lists 300 entries."""
    n = 300
    xs = sympy.symbols(f"x1:{n + 1}")
    matrix = sympy.ImmutableMatrix(sympy.SparseMatrix(n, n, {(i, i): xs[i] ** 2 for i in range(n)}))
    zero = Entry(Status.OK, sympy.S.Zero, 0.0)
    values = [[zero] * n for _ in range(n)]
    for i in range(n):
        values[i][i] = Entry(Status.OK, sympy.Integer(i + 1), float(i + 1))
    point = PointResult(at=tuple((x, sympy.Integer(1)) for x in xs), values=tuple(map(tuple, values)))
    result = Result(Command.HESSIAN, (sympy.Integer(0),), xs, matrix, points=(point,))
    data = json.loads(render(result, "json", sparse=True))
    assert data["entries"] == [[i, i, f"x{i + 1}**2"] for i in range(n)]
    assert data["points"][0]["value"]["entries"] == [[i, i, str(i + 1)] for i in range(n)]
    text = render(result, "plain", sparse=True)
    assert text.count("300 of 300×300 entries non-zero (density 0.333%)") == 2


@needs_pdflatex
@pytest.mark.parametrize(
    "args",
    [
        ("hessian", rosenbrock(5), "--at", "1,1,1,1,1/2", "--sparse", "--sparsity"),
        ("gradient", "x*y/3 + α**2", "--at", "1,2,3", "--sparse"),
        ("jacobian", "x*y, z", "--sparsity"),
    ],
)
def test_latex_documents_compile(args: tuple[str, ...], tmp_path: Path) -> None:
    out = run_jh(*args, "--standalone")
    assert out.exit_code == 0, out.stderr
    body = [line for line in out.stdout.splitlines() if not line.startswith("%")]
    assert all(line.isascii() for line in body)
    assert _compile(out.stdout, tmp_path).startswith(b"%PDF")
