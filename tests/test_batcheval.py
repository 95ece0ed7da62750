"""Batch evaluation: --at-file (.npy, .csv, stdin) and --output (.npy, .csv, .jsonl, stdout).

Expected values are NumPy formulas written here (J of [x**2 + y, x*y, sin(x)*exp(y)] is
[[2x, 1], [y, x], [cos(x) e^y, sin(x) e^y]]) or plain SymPy, never jh's own output.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

from jhcli import api
from jhcli.batcheval import (
    CHUNK_ROWS,
    BatchSummary,
    compile_matrix,
    entry_names,
    evaluate_file,
    evaluate_points,
)
from jhcli.errors import UsageError
from jhcli.models import Command, Result
from tests.conftest import run_jh

F = "x**2+y, x*y, sin(x)*exp(y)"


def expected_j(points: np.ndarray) -> np.ndarray:
    """J of [x**2 + y, x*y, sin(x)*exp(y)] at each row, by hand: shape (n, 3, 2)."""
    x, y = points[:, 0], points[:, 1]
    one = np.ones_like(x)
    return np.stack(
        [
            np.stack([2 * x, one], axis=-1),
            np.stack([y, x], axis=-1),
            np.stack([np.cos(x) * np.exp(y), np.sin(x) * np.exp(y)], axis=-1),
        ],
        axis=1,
    )


def random_points(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-2, 2, (n, 2))


def write_csv(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def error(out: object, message: str) -> None:
    """A usage error: exit 2, nothing on stdout, the one message on stderr."""
    assert (out.exit_code, out.stdout, out.stderr) == (2, "", f"error: {message}\n")  # type: ignore[attr-defined]


class TestInputs:
    def test_npy_2d_to_npy(self, tmp_path: Path) -> None:
        points = random_points(1000)
        np.save(tmp_path / "p.npy", points)
        out = run_jh("jacobian", F, "--at-file", str(tmp_path / "p.npy"), "--output", str(tmp_path / "J.npy"))
        assert (out.exit_code, out.stdout, out.stderr) == (0, "", "")
        values = np.load(tmp_path / "J.npy")
        assert values.shape == (1000, 3, 2) and values.dtype == np.float64
        np.testing.assert_allclose(values, expected_j(points), rtol=1e-14, atol=0)

    def test_npy_1d_for_one_variable(self, tmp_path: Path) -> None:
        xs = np.linspace(-3, 3, 7)
        np.save(tmp_path / "p.npy", xs)
        out = run_jh(
            "gradient", "sin(x)*x", "--at-file", str(tmp_path / "p.npy"), "--output", str(tmp_path / "g.npy")
        )
        assert out.exit_code == 0
        values = np.load(tmp_path / "g.npy")
        assert values.shape == (7, 1, 1)
        np.testing.assert_allclose(values[:, 0, 0], np.cos(xs) * xs + np.sin(xs), rtol=1e-14, atol=1e-15)

    def test_npy_int_array(self, tmp_path: Path) -> None:
        np.save(tmp_path / "p.npy", np.array([[2, 3], [1, 1]], dtype=np.int64))
        out = run_jh("jacobian", "x**2+y, x*y", "--at-file", str(tmp_path / "p.npy"))
        assert (
            out.stdout
            == "x,y,J[1][1],J[1][2],J[2][1],J[2][2]\n2.0,3.0,4.0,1.0,3.0,2.0\n1.0,1.0,2.0,1.0,1.0,1.0\n"
        )

    def test_csv_without_header_to_stdout(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "2,3\n1,1\n")
        out = run_jh("jacobian", "x**2+y, x*y", "--at-file", path)
        expected = "x,y,J[1][1],J[1][2],J[2][1],J[2][2]\n2.0,3.0,4.0,1.0,3.0,2.0\n1.0,1.0,2.0,1.0,1.0,1.0\n"
        assert (out.exit_code, out.stdout, out.stderr) == (0, expected, "")
        assert run_jh("jacobian", "x**2+y, x*y", "--at-file", path, "--output", "-").stdout == expected

    def test_csv_with_header(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "x,y\n2,3\n")
        out = run_jh("jacobian", "x**2+y, x*y", "--at-file", path)
        assert out.stdout == "x,y,J[1][1],J[1][2],J[2][1],J[2][2]\n2.0,3.0,4.0,1.0,3.0,2.0\n"

    def test_csv_reordered_header(self, tmp_path: Path) -> None:
        """Columns are matched by name: y,x is read as the points (x, y) = (2, 3)."""
        path = write_csv(tmp_path / "p.csv", "y, x\n3,2\n")
        out = run_jh("jacobian", "x**2+y, x*y", "--at-file", path)
        assert out.stdout == "x,y,J[1][1],J[1][2],J[2][1],J[2][2]\n2.0,3.0,4.0,1.0,3.0,2.0\n"

    def test_csv_blank_lines_bom_spaces_and_crlf(self, tmp_path: Path) -> None:
        path = tmp_path / "p.csv"
        path.write_bytes("\ufeffx,y\r\n\r\n 2 , 3 \r\n\r\n1,1\r\n".encode())
        out = run_jh("jacobian", "x**2+y, x*y", "--at-file", str(path))
        assert out.stdout.splitlines()[1:] == ["2.0,3.0,4.0,1.0,3.0,2.0", "1.0,1.0,2.0,1.0,1.0,1.0"]

    def test_stdin(self) -> None:
        out = run_jh("jacobian", "x**2+y, x*y", "--at-file", "-", stdin="y,x\n3,2\n")
        assert (out.exit_code, out.stdout, out.stderr) == (
            0,
            "x,y,J[1][1],J[1][2],J[2][1],J[2][2]\n2.0,3.0,4.0,1.0,3.0,2.0\n",
            "",
        )

    def test_shaped_variables(self, tmp_path: Path) -> None:
        """--vars x:2: the columns are the components x_1, x_2, in order or by header name."""
        path = write_csv(tmp_path / "p.csv", "x_2,x_1\n5,1\n")
        out = run_jh("gradient", "x.T@x", "--vars", "x:2", "--at-file", path)
        assert out.stdout == "x_1,x_2,grad[1],grad[2]\n1.0,5.0,2.0,10.0\n"
        np.save(tmp_path / "p.npy", np.array([[1.0, 2.0]]))
        out = run_jh(
            "jacobian",
            "W@x",
            "--vars",
            "x:2",
            "--let",
            "W=[[1,2],[3,4]]",
            "--at-file",
            str(tmp_path / "p.npy"),
        )
        assert out.stdout == "x_1,x_2,J[1][1],J[1][2],J[2][1],J[2][2]\n1.0,2.0,1.0,2.0,3.0,4.0\n"


class TestOutputs:
    def test_csv_file(self, tmp_path: Path) -> None:
        points = random_points(50)
        np.save(tmp_path / "p.npy", points)
        out = run_jh("jacobian", F, "--at-file", str(tmp_path / "p.npy"), "--output", str(tmp_path / "J.csv"))
        assert (out.exit_code, out.stdout, out.stderr) == (0, "", "")
        lines = (tmp_path / "J.csv").read_text().splitlines()
        assert lines[0] == "x,y,J[1][1],J[1][2],J[2][1],J[2][2],J[3][1],J[3][2]"
        table = np.array([[float(c) for c in line.split(",")] for line in lines[1:]])
        assert table.shape == (50, 8)
        np.testing.assert_array_equal(table[:, :2], points)  # repr round-trips float64 exactly
        np.testing.assert_allclose(table[:, 2:].reshape(50, 3, 2), expected_j(points), rtol=1e-14, atol=0)

    def test_jsonl_with_null_for_nan(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "x\n4\n0\n-1\n")
        out = run_jh("gradient", "sqrt(x)", "--at-file", path, "--output", str(tmp_path / "g.jsonl"))
        assert out.exit_code == 0
        rows = [json.loads(line) for line in (tmp_path / "g.jsonl").read_text().splitlines()]
        assert rows == [
            {"at": [4.0], "value": [[0.25]]},
            {"at": [0.0], "value": [[None]]},
            {"at": [-1.0], "value": [[None]]},
        ]

    def test_npy_from_csv_has_the_real_count(self, tmp_path: Path) -> None:
        """CSV input: the count is known only at the end; the .npy header is rewritten with it."""
        points = random_points(1234, seed=1)
        text = "x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in points.tolist())
        path = write_csv(tmp_path / "p.csv", text)
        evaluate_file(api.jacobian(F), path, str(tmp_path / "J.npy"), chunk_rows=100)
        values = np.load(tmp_path / "J.npy")
        assert values.shape == (1234, 3, 2)
        np.testing.assert_allclose(values, expected_j(points), rtol=1e-14, atol=0)
        with open(tmp_path / "J.npy", "rb") as f:
            version = np.lib.format.read_magic(f)
            assert version == (1, 0)
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            assert (shape, fortran, dtype) == ((1234, 3, 2), False, np.dtype("<f8"))
            assert f.tell() % 64 == 0

    def test_entry_names(self) -> None:
        assert entry_names(api.hessian("x*y")) == ["H[1][1]", "H[1][2]", "H[2][1]", "H[2][2]"]
        assert entry_names(api.gradient("x*y")) == ["grad[1]", "grad[2]"]
        assert entry_names(api.jvp("x*y, x", v="1,0")) == ["jvp[1]", "jvp[2]"]
        assert entry_names(api.vjp("x*y, x", u="1,0")) == ["vjp[1]", "vjp[2]"]
        assert entry_names(api.hvp("x*y", v="1,0")) == ["hvp[1]", "hvp[2]"]

    def test_products(self, tmp_path: Path) -> None:
        """H·v of x**4 + y**4 - 4xy with v = (1, -1): [12x² + 4, -4 - 12y²]; J·v and uᵀJ likewise."""
        path = write_csv(tmp_path / "p.csv", "1,2\n-1,0.5\n")
        out = run_jh("hvp", "x**4 + y**4 - 4*x*y", "--v", "1,-1", "--at-file", path)
        assert out.stdout == "x,y,hvp[1],hvp[2]\n1.0,2.0,16.0,-52.0\n-1.0,0.5,16.0,-7.0\n"
        out = run_jh("jvp", "x**2 + y, x*y", "--v", "1,0", "--at-file", path)
        assert out.stdout == "x,y,jvp[1],jvp[2]\n1.0,2.0,2.0,2.0\n-1.0,0.5,-2.0,0.5\n"
        out = run_jh("vjp", "x**2 + y, x*y", "--u", "0,1", "--at-file", path)
        assert out.stdout == "x,y,vjp[1],vjp[2]\n1.0,2.0,2.0,1.0\n-1.0,0.5,0.5,-1.0\n"

    def test_hessian_values(self, tmp_path: Path) -> None:
        points = random_points(100, seed=2)
        np.save(tmp_path / "p.npy", points)
        out = run_jh(
            "hessian",
            "x**4 + y**4 - 4*x*y",
            "--at-file",
            str(tmp_path / "p.npy"),
            "--output",
            str(tmp_path / "H.npy"),
        )
        assert out.exit_code == 0
        x, y = points[:, 0], points[:, 1]
        h = np.stack([np.stack([12 * x**2, -4 + 0 * x], -1), np.stack([-4 + 0 * x, 12 * y**2], -1)], 1)
        np.testing.assert_allclose(np.load(tmp_path / "H.npy"), h, rtol=1e-14, atol=0)

    def test_replaces_an_existing_output(self, tmp_path: Path) -> None:
        (tmp_path / "J.csv").write_text("old\n")
        path = write_csv(tmp_path / "p.csv", "1\n")
        assert (
            run_jh("gradient", "x**2", "--at-file", path, "--output", str(tmp_path / "J.csv")).exit_code == 0
        )
        assert (tmp_path / "J.csv").read_text() == "x,grad[1]\n1.0,2.0\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["J.csv", "p.csv"]  # no temporary file left


class TestUndefined:
    def test_entries_become_nan_and_are_counted(self, tmp_path: Path) -> None:
        """Only the undefined entries are NaN; stderr counts the points with one; exit 0."""
        path = write_csv(tmp_path / "p.csv", "x,y\n4,1\n0,2\n-1,3\n")
        out = run_jh("gradient", "sqrt(x)*y", "--at-file", path)
        assert out.exit_code == 0
        assert out.stdout == "x,y,grad[1],grad[2]\n4.0,1.0,0.25,2.0\n0.0,2.0,nan,0.0\n-1.0,3.0,nan,nan\n"
        assert out.stderr == "warning: 2 of 3 points have undefined values (written as NaN)\n"

    def test_one_point(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "1\n0\n")
        out = run_jh("gradient", "log(x)", "--at-file", path)  # 1/x: inf at 0
        assert out.stdout == "x,grad[1]\n1.0,1.0\n0.0,nan\n"
        assert out.stderr == "warning: 1 of 2 points has undefined values (written as NaN)\n"

    def test_large_counts_have_separators(self) -> None:
        assert BatchSummary(1_000_000, 3).warning() == (
            "3 of 1,000,000 points have undefined values (written as NaN)"
        )
        assert BatchSummary(10, 0).warning() is None

    def test_nan_in_the_input(self) -> None:
        values = evaluate_points(api.jacobian("x**2+y, x*y"), [[float("nan"), 1.0]])
        np.testing.assert_array_equal(values, [[[np.nan, 1.0], [1.0, np.nan]]])

    def test_kinks_are_nan(self) -> None:
        """|.|, max, min, relu at their kink: the derivative does not exist there (not sign(0) = 0)."""
        pts = [[0.0, 2.0], [1.5, 2.0], [-1.5, 2.0]]
        np.testing.assert_array_equal(
            evaluate_points(api.gradient("abs(x)*y"), pts)[:, :, 0], [[np.nan, 0.0], [2.0, 1.5], [-2.0, 1.5]]
        )
        np.testing.assert_array_equal(
            evaluate_points(api.gradient("relu(x)*y"), pts)[:, :, 0], [[np.nan, 0.0], [2.0, 1.5], [0.0, 0.0]]
        )
        same = [[1.0, 1.0], [2.0, 1.0], [1.0, 2.0]]
        np.testing.assert_array_equal(
            evaluate_points(api.gradient("max(x, y)"), same)[:, :, 0], [[np.nan, np.nan], [1, 0], [0, 1]]
        )
        np.testing.assert_array_equal(
            evaluate_points(api.gradient("min(x, y)"), same)[:, :, 0], [[np.nan, np.nan], [0, 1], [1, 0]]
        )

    def test_jumps_are_nan(self) -> None:
        """sign and floor jump: the derivative shown as 0 off the jump is NaN on it."""
        r = api.gradient("sign(x)*y**2")
        assert r.jumps is not None and r.jumps[0].has(sympy.DiracDelta)
        np.testing.assert_array_equal(
            evaluate_points(r, [[0.0, 1.0], [2.0, 1.0], [-2.0, 3.0]])[:, :, 0],
            [[np.nan, np.nan], [0.0, 2.0], [0.0, -6.0]],
        )
        r = api.gradient("floor(x)*y")
        np.testing.assert_array_equal(
            evaluate_points(r, [[1.0, 1.0], [1.5, 1.0], [-2.5, 1.0]])[:, :, 0],
            [[np.nan, 1.0], [0.0, 1.0], [0.0, -3.0]],
        )
        h = evaluate_points(api.hessian("relu(x)*y"), [[0.0, 1.0], [1.0, 1.0]])
        np.testing.assert_array_equal(h, [[[np.nan, np.nan], [np.nan, 0.0]], [[0.0, 1.0], [1.0, 0.0]]])
        assert api.gradient("x**2").jumps is None

    def test_piecewise_and_constants(self) -> None:
        x, y = sympy.symbols("x y", real=True)
        r = api.jacobian([sympy.Piecewise((x**2, x > 0), (y * x, True)), 3 * x + 2 * y], vars="x,y")
        got = evaluate_points(r, [[2.0, 5.0], [-1.0, 5.0]])
        np.testing.assert_array_equal(got, [[[4.0, 0.0], [3.0, 2.0]], [[5.0, -1.0], [3.0, 2.0]]])


class TestFunctions:
    """jh's special functions through NumPy, against formulas written here."""

    xs = np.array([-3.0, -0.5, 0.25, 1.0, 2.5])

    def grad(self, text: str) -> np.ndarray:
        return evaluate_points(api.gradient(text), self.xs)[:, 0, 0]

    def test_sigmoid(self) -> None:
        s = 1 / (1 + np.exp(-self.xs))
        np.testing.assert_allclose(self.grad("sigmoid(x)"), s * (1 - s), rtol=1e-14)

    def test_softplus(self) -> None:
        np.testing.assert_allclose(self.grad("softplus(x)"), 1 / (1 + np.exp(-self.xs)), rtol=1e-14)

    def test_erf(self) -> None:
        """erf itself (in x*erf(x)'s derivative) through math.erf, value by value."""
        want = [math.erf(v) + v * 2 / math.sqrt(math.pi) * math.exp(-(v**2)) for v in self.xs]
        np.testing.assert_allclose(self.grad("x*erf(x)"), want, rtol=1e-14)

    def test_trig_log_atan2(self) -> None:
        xs = self.xs
        np.testing.assert_allclose(
            self.grad("tanh(x) + log(1 + x**2)"), 1 - np.tanh(xs) ** 2 + 2 * xs / (1 + xs**2)
        )
        got = evaluate_points(api.gradient("atan2(y, x)"), [[1.0, 1.0], [-2.0, 0.5]])[:, :, 0]
        np.testing.assert_allclose(got, [[-0.5, 0.5], [-0.5 / 4.25, -2 / 4.25]], rtol=1e-14)

    def test_constant_entries_broadcast(self) -> None:
        """Constant entries fill every point (shape (n, rows, cols)), in every chunk."""
        r = api.jacobian("x + 2*y, 3*y, 7", vars="x,y")
        got = evaluate_points(r, random_points(5))
        assert got.shape == (5, 3, 2)
        np.testing.assert_array_equal(got, np.broadcast_to([[1.0, 2.0], [0.0, 3.0], [0.0, 0.0]], (5, 3, 2)))

    def test_parameters_are_refused(self) -> None:
        with pytest.raises(UsageError, match="depends on a, b, which are not variables"):
            compile_matrix(api.jacobian("a*x + b*y", vars="x,y"))


class TestChunks:
    @pytest.mark.parametrize("out_name", ["J.npy", "J.csv", "J.jsonl"])
    @pytest.mark.parametrize("in_name", ["p.npy", "p.csv"])
    def test_tiny_chunks_give_the_same_file(self, tmp_path: Path, in_name: str, out_name: str) -> None:
        points = random_points(10, seed=3)
        if in_name.endswith(".npy"):
            np.save(tmp_path / in_name, points)
        else:
            write_csv(tmp_path / in_name, "".join(f"{a!r},{b!r}\n" for a, b in points.tolist()))
        result = api.jacobian(F)
        calls: list[tuple[int, int | None]] = []
        whole = evaluate_file(result, str(tmp_path / in_name), str(tmp_path / ("whole-" + out_name)))
        small = evaluate_file(
            result,
            str(tmp_path / in_name),
            str(tmp_path / out_name),
            chunk_rows=3,
            on_chunk=lambda done, total: calls.append((done, total)),
        )
        assert whole == small == BatchSummary(10, 0)
        total = 10 if in_name.endswith(".npy") else None
        assert calls == [(3, total), (6, total), (9, total), (10, total)]
        assert (tmp_path / out_name).read_bytes() == (tmp_path / ("whole-" + out_name)).read_bytes()

    def test_chunk_size_adapts_to_large_matrices(self) -> None:
        """A 100 x 100 matrix: fewer points per chunk; its constant entries are not compiled."""
        assert compile_matrix(api.jacobian(F)).chunk_rows() == CHUNK_ROWS
        x, y = sympy.symbols("x y", real=True)
        matrix = sympy.ImmutableMatrix(100, 100, lambda i, j: x * y if i == j < 3 else i + j)
        result = Result(command=Command.HESSIAN, functions=(), variables=(x, y), matrix=matrix)
        big = compile_matrix(result)
        assert big.varying == (0, 101, 202)
        assert 1 <= big.chunk_rows() < 1000
        values = evaluate_points(result, [[2.0, 3.0], [1.0, -1.0]])
        want = np.add.outer(np.arange(100.0), np.arange(100.0))
        want[[0, 1, 2], [0, 1, 2]] = 6.0
        np.testing.assert_array_equal(values[0], want)

    def test_error_in_a_later_chunk_leaves_no_file(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "1,2\n3,4\n5,6\n7,oops\n")
        (tmp_path / "J.npy").write_bytes(b"old")
        with pytest.raises(UsageError, match=r"line 4, column 2 \(y\): 'oops' is not a number"):
            evaluate_file(api.jacobian("x*y"), path, str(tmp_path / "J.npy"), chunk_rows=2)
        assert (tmp_path / "J.npy").read_bytes() == b"old"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["J.npy", "p.csv"]

    def test_stdout_gets_nothing_after_an_error_in_a_later_chunk(self, tmp_path: Path) -> None:
        text = "".join(f"{i},1\n" for i in range(70000)) + "1,x\n"  # more than one chunk of 2^16
        out = run_jh("jacobian", "x*y", "--at-file", "-", stdin=text)
        error(out, "standard input line 70001, column 2 (y): 'x' is not a number")


class TestErrors:
    def test_missing_file(self, tmp_path: Path) -> None:
        path = str(tmp_path / "nope.csv")
        error(
            run_jh("gradient", "x*y", "--at-file", path), f"cannot read {path!r}: No such file or directory"
        )

    def test_wrong_column_count(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "x,y\n1,2\n1,2,3\n")
        error(
            run_jh("gradient", "x*y", "--at-file", path),
            f"{path} line 3: 3 values, expected 2 (one per variable: x, y)",
        )

    def test_non_numeric_cell(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "x,y\n1,2\n1,abc\n")
        error(
            run_jh("gradient", "x*y", "--at-file", path),
            f"{path} line 3, column 2 (y): 'abc' is not a number",
        )
        path = write_csv(tmp_path / "q.csv", "1,2\n,2\n")
        error(run_jh("gradient", "x*y", "--at-file", path), f"{path} line 2, column 1 (x): an empty cell")

    @pytest.mark.parametrize("text", ["", "\n\n", "x,y\n"])
    def test_empty(self, tmp_path: Path, text: str) -> None:
        path = write_csv(tmp_path / "p.csv", text)
        error(run_jh("gradient", "x*y", "--at-file", path), f"{path} holds no points")
        error(run_jh("gradient", "x*y", "--at-file", "-", stdin=text), "standard input holds no points")

    def test_header_mismatch(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "x,z\n1,2\n")
        error(
            run_jh("gradient", "x*y", "--at-file", path),
            f"{path}: the header does not match the variables (x, y): unknown column z; no column for y",
        )
        path = write_csv(tmp_path / "q.csv", "x,x\n1,2\n")
        error(run_jh("gradient", "x*y", "--at-file", path), f"{path}: the header names x more than once")

    def test_npy_shape_and_type(self, tmp_path: Path) -> None:
        np.save(tmp_path / "a.npy", np.zeros((4, 3)))
        path = str(tmp_path / "a.npy")
        error(
            run_jh("gradient", "x*y", "--at-file", path),
            f"{path} holds an array of shape (4, 3): expected (points, 2), "
            "2 columns in variable order (x, y)",
        )
        np.save(tmp_path / "b.npy", np.zeros(4))
        path = str(tmp_path / "b.npy")
        error(
            run_jh("gradient", "x*y", "--at-file", path),
            f"{path} holds an array of shape (4,): expected (points, 2), 2 columns in variable order (x, y)"
            " — a 1-D array only for one variable",
        )
        np.save(tmp_path / "c.npy", np.zeros((2, 2), dtype=complex))
        path = str(tmp_path / "c.npy")
        error(
            run_jh("gradient", "x*y", "--at-file", path),
            f"{path} holds complex128 values: expected real numbers (float or int)",
        )
        np.save(tmp_path / "d.npy", np.zeros((0, 2)))
        path = str(tmp_path / "d.npy")
        error(run_jh("gradient", "x*y", "--at-file", path), f"{path} holds no points")

    def test_not_an_npy_file(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.npy", "1,2\n")
        out = run_jh("gradient", "x*y", "--at-file", path)
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr.startswith(f"error: cannot read {path!r}: not a .npy array of numbers (")

    def test_unknown_extensions(self, tmp_path: Path) -> None:
        error(
            run_jh("gradient", "x*y", "--at-file", "p.txt"),
            "--at-file takes a .npy or .csv file, or - for CSV on standard input; got 'p.txt'",
        )
        path = write_csv(tmp_path / "p.csv", "1,2\n")
        error(
            run_jh("gradient", "x*y", "--at-file", path, "--output", "out.xlsx"),
            "--output takes a .npy, .csv or .jsonl file, or - for CSV on standard output; got 'out.xlsx'",
        )

    def test_refuses_to_overwrite_the_input(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "1,2\n")
        error(
            run_jh("gradient", "x*y", "--at-file", path, "--output", path),
            f"--output would overwrite the input file {path!r}: choose another name",
        )
        assert Path(path).read_text() == "1,2\n"

    def test_output_folder_missing(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "1,2\n")
        target = str(tmp_path / "no" / "J.npy")
        error(
            run_jh("gradient", "x*y", "--at-file", path, "--output", target),
            f"cannot write {target!r}: no such directory {str(tmp_path / 'no')!r}",
        )

    def test_conflicting_options(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "1,2\n")
        error(
            run_jh("gradient", "x*y", "--at", "1,2", "--at-file", path),
            "--at and --at-file both give points: use one",
        )
        error(
            run_jh("gradient", "x*y", "--output", "J.npy"),
            "--output goes with --at-file (the points to evaluate at)",
        )
        error(
            run_jh("gradient", "x*y", "--at-file", path, "-f", "json"),
            "--at-file writes values (CSV, or the kind of --output FILE: .npy, .csv, .jsonl), "
            "not a formatted result: drop '-f json'",
        )
        error(
            run_jh("hessian", "x*y", "--at-file", path, "--eig"),
            "--at-file writes the values at its points; drop --eig",
        )
        error(
            run_jh("gradient", "x*y", "--at-file", path, "--emit", "c"),
            "--at-file writes the values at its points; drop --emit",
        )
        error(
            run_jh("gradient", "-", "--at-file", "-", stdin="x*y\n"),
            "'-' cannot be both the expression and --at-file: standard input is read once",
        )

    def test_parameters(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "1,2\n")
        error(
            run_jh("jacobian", "a*x + y", "--vars", "x,y", "--at-file", path),
            "--at-file needs numbers, but the matrix depends on a, which is not a variable: "
            "give values with --let NAME=VALUE or list them in --vars",
        )
        out = run_jh("jacobian", "a*x + y", "--vars", "x,y", "--let", "a=3", "--at-file", path)
        assert out.stdout == "x,y,J[1][1],J[1][2]\n1.0,2.0,3.0,1.0\n"

    def test_not_in_a_batch_line(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "p.csv", "1,2\n")
        jobs = tmp_path / "jobs.txt"
        jobs.write_text(f'gradient "x*y" --at-file {path}\n')
        out = run_jh("batch", str(jobs))
        assert json.loads(out.stdout) == {
            "line": 1,
            "error": "a batch line writes no files: drop '--at-file'",
            "exit_code": 2,
        }


def test_help_does_not_import_numpy() -> None:
    code = (
        "import sys\nfrom jhcli.cli import app\n"
        "try:\n    app(['jacobian', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('numpy' in sys.modules, 'sympy' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip().endswith("False False")
