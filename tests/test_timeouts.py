"""``--timeout`` reaches every step of every command: a slow step is stopped with exit 3.

A core function on the command's path is replaced by one that runs in small pure-Python steps
(sleeps of a millisecond) for at most ``GIVE_UP`` seconds; the signal of the time limit stops it
between two of them. Had the function run outside every ``step(...)``, it would end by itself
and the test would fail with its AssertionError instead of the time-limit message.
"""

from __future__ import annotations

import importlib
import json
import time
from pathlib import Path
from typing import Any

import pytest

from jhcli import analysis, api, calculus, checking, codegen, curvature, landscape, newton_step, parsing
from jhcli.render import images, latex, plain
from jhcli.render import json as json_render
from tests.conftest import Outcome, run_jh

CRITICAL = importlib.import_module("jhcli.critical")  # ``jhcli.critical`` is also the API function

LIMIT = "0.5"
GIVE_UP = 20.0


def slow(*args: Any, **kwargs: Any) -> Any:
    """Runs until a time limit stops it; fails the test if none does within GIVE_UP seconds."""
    end = time.monotonic() + GIVE_UP
    while time.monotonic() < end:
        time.sleep(0.001)
    raise AssertionError("not stopped by the time limit: this code runs outside every step")


def stopped(while_: str) -> Outcome:
    message = (
        f"error: time limit of {LIMIT} s reached while {while_}; "
        "raise it with --timeout SECONDS (0 means no limit)\n"
    )
    return Outcome(3, "", message)


@pytest.mark.parametrize(
    ("target", "name", "args", "while_"),
    [
        # reading the input: expressions, points, vectors, --with, ranges
        (api, "parse_functions", ("gradient", "x*y"), "reading the input"),
        (api, "parse_point", ("gradient", "x*y", "--at", "1,2"), "reading the input"),
        (api, "split_components", ("jvp", "x*y", "--v", "1,0"), "reading the input"),
        (api, "parse_variables", ("chain", "u", "--with", "u=x"), "reading the input"),
        (api, "parse_expression", ("map", "x*y", "--x", "0:1", "--y", "0:1"), "reading the input"),
        # estimating the memory, differentiating
        (api.memory, "nodes", ("hessian", "x*y"), "estimating the memory needed"),
        (calculus, "_term_diff", ("jacobian", "x*y, x"), "computing the Jacobian"),
        (calculus, "_term_diff", ("gradient", "x*y"), "computing the gradient"),
        (calculus, "_term_diff", ("hessian", "x*y"), "computing the gradient"),
        (calculus, "_term_diff", ("jvp", "x*y", "--v", "1,0"), "computing the Jacobian-vector product"),
        (calculus, "_term_diff", ("vjp", "x*y", "--u", "1"), "computing the gradient"),
        (calculus, "_term_diff", ("hvp", "x*y", "--v", "1,0"), "computing the gradient"),
        (calculus, "_term_diff", ("chain", "u", "--with", "u=x"), "computing the Jacobian"),
        (calculus, "_term_diff", ("newton", "x*y", "--at", "1,1"), "computing the gradient"),
        (calculus, "_term_diff", ("critical", "x*y"), "computing the gradient"),
        (calculus, "_term_diff", ("map", "x*y", "--x", "0:1", "--y", "0:1"), "computing the gradient"),
        (calculus, "_term_diff", ("profile", "x*y", "--at", "1,1"), "computing the gradient"),
        (calculus, "away_from_jumps", ("gradient", "x*y"), "tidying the result"),
        # evaluation and analysis
        (analysis, "_evaluate", ("gradient", "x*y", "--at", "1,2"), "evaluating at a point"),
        (
            checking,
            "fd_jacobian",
            ("check", "x*y", "--at", "1,2"),
            "checking the Jacobian against finite differences",
        ),
        (CRITICAL, "_newton", ("critical", "sin(x) + x**2/10"), "searching numerically for critical points"),
        (newton_step, "_dot", ("newton", "x**2 + y**4", "--at", "1,1"), "computing the Newton step"),
        (
            newton_step,
            "_dot",
            ("newton", "x**2 + y**4", "--at", "1,1", "--steps", "2"),
            "computing the Newton step",
        ),
        (
            newton_step,
            "_stays_exact",
            ("newton", "x**2 + y**4", "--at", "1,1", "--steps", "2"),
            "taking Newton step 1",
        ),
        (
            landscape,
            "cell_type",
            ("map", "x*y", "--x", "0:1", "--y", "0:1"),
            "deciding the type of each cell",
        ),
        (curvature, "spectrum", ("profile", "x*y", "--at", "1,1"), "computing eigenvectors"),
        # output: rendering, code, pictures
        (plain, "render", ("gradient", "x*y", "-f", "plain"), "writing the result"),
        (latex, "render", ("gradient", "x*y", "-f", "latex"), "writing the result"),
        (json_render, "render", ("gradient", "x*y", "-f", "json"), "writing the result"),
        (codegen, "_doc", ("gradient", "x*y", "--emit", "numpy"), "generating the code"),
        (
            images,
            "save_plot",
            ("hessian", "x**2", "--eig", "--plot", "never-written.png"),
            "drawing the picture",
        ),
    ],
)
def test_slow_step_is_stopped(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    target: Any,
    name: str,
    args: tuple[str, ...],
    while_: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # --plot writes its file here
    assert run_jh(*args).exit_code in (0, 1)  # SymPy's lazy imports happen here, not in the timed run
    monkeypatch.setattr(target, name, slow)
    assert run_jh(*args, "--timeout", LIMIT) == stopped(while_)


def test_batch_line_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line of ``jh batch`` runs under its --timeout (or the batch's) and reports exit 3; the next runs."""
    monkeypatch.setattr(calculus, "_term_diff", slow)
    out = run_jh("batch", "-", "--timeout", LIMIT, stdin='hessian "x*y"\njacobian "x" --timeout 0.6\n')
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert out.exit_code == 3
    assert lines == [
        {"line": 1, "error": stopped("computing the gradient").stderr[7:-1], "exit_code": 3},
        {
            "line": 2,
            "error": "time limit of 0.6 s reached while computing the Jacobian; "
            "raise it with --timeout SECONDS (0 means no limit)",
            "exit_code": 3,
        },
    ]


def test_parsing_an_expression_is_a_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parser's own builder, deep inside ``parse_functions``."""
    monkeypatch.setattr(parsing._Parser, "_build", slow)
    assert run_jh("hessian", "x*y", "--timeout", LIMIT) == stopped("reading the input")
