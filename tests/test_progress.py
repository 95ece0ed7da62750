"""Tests for the progress hook (``jhcli.progress``) and the CLI's Rich progress display."""

from __future__ import annotations

import io
import json
import sys
import time
from typing import Any

import pytest
import sympy
from rich.console import Console

from jhcli import analysis, api, calculus, cli, progress
from jhcli.critical import find_critical_points
from jhcli.parsing import make_symbol
from tests.conftest import Outcome, run_jh


class Recorder:
    """A reporter that records every call: ("start", description, total), ("update", key, done, total)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.open: set[int] = set()

    def start(self, description: str, total: int | None) -> int:
        key = len([c for c in self.calls if c[0] == "start"])
        self.calls.append(("start", description, total))
        self.open.add(key)
        return key

    def update(self, key: int, completed: int, total: int | None) -> None:
        assert key in self.open
        self.calls.append(("update", key, completed, total))

    def stop(self, key: int) -> None:
        self.open.remove(key)
        self.calls.append(("stop", key))

    def task(self, description: str) -> tuple[int | None, list[int]]:
        """(total, the counts reported) of the first task with this description."""
        starts = [c for c in self.calls if c[0] == "start"]
        key = next(k for k, c in enumerate(starts) if c[1] == description)
        return starts[key][2], [c[2] for c in self.calls if c[0] == "update" and c[1] == key]


def symbols(n: int) -> list[sympy.Symbol]:
    return [make_symbol(f"x{i}") for i in range(1, n + 1)]


class TestHook:
    def test_no_reporter_by_default(self) -> None:
        """Without a reporter a task is the shared no-op: advancing it records and costs nothing."""
        assert progress.current_reporter() is None
        with progress.task("computing the Hessian", total=3) as advance:
            advance()
            advance(2)
            advance.update(3, 4)
        assert (advance.completed, advance.total) == (0, None)
        with progress.task("another") as other:
            assert other is advance

    def test_results_do_not_depend_on_a_reporter(self) -> None:
        xs = symbols(3)
        f = xs[0] ** 2 * xs[1] + sympy.sin(xs[1] * xs[2])
        with progress.reporting(Recorder()):
            watched = calculus.hessian(f, xs)
        assert watched == calculus.hessian(f, xs) == sympy.hessian(f, xs)

    def test_hessian_of_n_variables_advances_n_times(self) -> None:
        n = 6
        xs = symbols(n)
        f = sympy.Add(*[(xs[i + 1] - xs[i] ** 2) ** 2 for i in range(n - 1)])
        recorder = Recorder()
        with progress.reporting(recorder):
            calculus.hessian(f, xs)
        assert recorder.task("computing the gradient") == (n, list(range(1, n + 1)))
        assert recorder.task("computing the Hessian") == (n, list(range(1, n + 1)))
        assert not recorder.open  # every task was stopped
        assert progress.current_reporter() is None  # and the reporter is gone after the block

    def test_jacobian_advances_once_per_row(self) -> None:
        xs = symbols(2)
        recorder = Recorder()
        with progress.reporting(recorder):
            calculus.jacobian([xs[0] * xs[1], xs[0], xs[1] ** 2], xs)
        assert recorder.task("computing the Jacobian") == (3, [1, 2, 3])

    def test_evaluation_advances_once_per_row(self) -> None:
        x, y = symbols(2)
        matrix = sympy.Matrix([[x, y], [x * y, 1], [0, x]])
        recorder = Recorder()
        with progress.reporting(recorder):
            values = analysis.evaluate_matrix(matrix, {x: sympy.Integer(2), y: sympy.Integer(3)})
        assert [[e.exact for e in row] for row in values] == [[2, 3], [6, 1], [0, 2]]
        assert recorder.task("evaluating at a point") == (3, [1, 2, 3])

    def test_critical_point_search_advances_once_per_start(self) -> None:
        """A numeric search (no exact method applies) reports each of its starting points."""
        x, y = symbols(2)
        recorder = Recorder()
        with progress.reporting(recorder):
            search = find_critical_points(
                sympy.sin(x) * sympy.cos(y) + x**2 / 10, [x, y], box=(-1, 1), starts=12
            )
        assert search.complete is False  # the numeric search ran
        assert recorder.task("searching for critical points") == (12, list(range(1, 13)))

    def test_newton_steps_are_reported(self) -> None:
        recorder = Recorder()
        with progress.reporting(recorder):
            result = api.newton("x**4 + y**2", at=["1,1"], steps=3)
        assert result.iteration is not None
        total, counts = recorder.task("taking Newton steps")
        assert total == 4
        assert counts == list(range(1, len(result.iteration.iterates) + 1))

    def test_map_reports_each_row_of_cells(self) -> None:
        recorder = Recorder()
        with progress.reporting(recorder):
            api.map_types("x**2 - y**2", x="-1:1", y="-1:1", grid=3)
        assert recorder.task("deciding the type of each cell") == (3, [1, 2, 3])

    def test_update_fits_a_chunk_callback(self) -> None:
        """``advance.update`` takes (done, total), as an ``on_chunk`` callback does."""
        recorder = Recorder()

        def work(on_chunk: Any) -> None:
            for done in (1000, 2000, 2500):
                on_chunk(done, 2500)

        with progress.reporting(recorder), progress.task("evaluating at the points") as advance:
            work(advance.update)
        assert recorder.task("evaluating at the points") == (None, [1000, 2000, 2500])
        assert [c[3] for c in recorder.calls if c[0] == "update"] == [2500, 2500, 2500]

    def test_a_task_is_stopped_when_its_work_fails(self) -> None:
        recorder = Recorder()
        with pytest.raises(ZeroDivisionError), progress.reporting(recorder), progress.task("failing", 2):
            _ = 1 / 0
        assert recorder.calls == [("start", "failing", 2), ("stop", 0)]


def rich_output(delay: float, work: Any) -> str:
    buffer = io.StringIO()
    reporter = progress.RichReporter(Console(file=buffer, force_terminal=True, width=80), delay=delay)
    with progress.reporting(reporter):
        work()
    return buffer.getvalue()


class TestRichReporter:
    def test_shows_a_task_once_the_delay_has_passed(self) -> None:
        xs = symbols(4)
        out = rich_output(0, lambda: calculus.hessian(sympy.Add(*xs) ** 2, xs))
        assert "computing the Hessian" in out
        assert "━" in out  # the bar
        assert out.endswith("\x1b[?25h\r")  # transient: the display is cleared and the cursor shown again

    def test_shows_nothing_before_the_delay(self) -> None:
        xs = symbols(4)
        assert rich_output(3600, lambda: calculus.hessian(sympy.Add(*xs) ** 2, xs)) == ""

    def test_a_slow_task_appears_after_the_delay(self) -> None:
        """A task that runs past the delay (here 0.05 s) is drawn by the timer, without an advance."""
        buffer = io.StringIO()
        reporter = progress.RichReporter(Console(file=buffer, force_terminal=True, width=80), delay=0.05)
        with progress.reporting(reporter), progress.task("waiting for the timer", total=None):
            give_up = time.monotonic() + 30
            while "waiting for the timer" not in buffer.getvalue() and time.monotonic() < give_up:
                time.sleep(0.01)
        assert "waiting for the timer" in buffer.getvalue()


class TestCli:
    def test_no_progress_when_stderr_is_not_a_terminal(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Even with no delay, CliRunner's stderr (not a terminal) gets no progress display."""
        monkeypatch.setattr(progress, "DEFAULT_DELAY", 0.0)
        out = run_jh("hessian", "x1**2*x2 + x3", "-f", "json")
        assert (out.exit_code, out.stderr) == (0, "")
        assert json.loads(out.stdout)["matrix"] == [
            ["2*x2", "2*x1", "0"],
            ["2*x1", "0", "0"],
            ["0", "0", "0"],
        ]

    def test_reporter_only_on_a_terminal_and_never_in_batch(self, monkeypatch: pytest.MonkeyPatch) -> None:
        assert cli._progress_reporter() is None  # the test's stderr is no terminal
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
        assert isinstance(cli._progress_reporter(), progress.RichReporter)
        token = cli._BATCH.set([])
        try:
            assert cli._progress_reporter() is None
        finally:
            cli._BATCH.reset(token)

    def test_batch_output_is_unchanged(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(progress, "DEFAULT_DELAY", 0.0)
        out = run_jh("batch", "-", stdin='gradient "x*y"\n')
        assert out == Outcome(
            0,
            '{"line":1,"command":"gradient","functions":["x*y"],"variables":["x","y"],'
            '"matrix":[["y"],["x"]],"points":[]}\n',
            "",
        )

    def test_batch_evaluation_reports_points_done(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
    ) -> None:
        """--at-file reports the points evaluated after each chunk, against the number of points."""
        import numpy as np

        from jhcli import batcheval

        points = tmp_path / "points.npy"
        np.save(points, np.arange(10.0).reshape(5, 2))
        recorder = Recorder()
        monkeypatch.setattr(cli, "_progress_reporter", lambda: recorder)
        monkeypatch.setattr(batcheval, "CHUNK_ROWS", 2)
        out = run_jh("jacobian", "x*y", "--at-file", str(points), "--output", str(tmp_path / "J.npy"))
        assert (out.exit_code, out.stdout, out.stderr) == (0, "", "")
        total, counts = recorder.task("evaluating at the points of the file")
        starts = [c[1] for c in recorder.calls if c[0] == "start"]
        key = starts.index("evaluating at the points of the file")
        totals = {c[3] for c in recorder.calls if c[0] == "update" and c[1] == key}
        assert (total, counts, totals) == (None, [2, 4, 5], {5})  # chunks of 2; 5 points in the .npy
        assert not recorder.open
        J = np.load(tmp_path / "J.npy")
        assert J.shape == (5, 1, 2)
        assert J[:, 0, 0].tolist() == [1.0, 3.0, 5.0, 7.0, 9.0]  # dJ/dx = y
        assert J[:, 0, 1].tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]  # dJ/dy = x
