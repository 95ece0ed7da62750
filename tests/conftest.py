"""Shared fixtures: a deterministic CLI runner (no colour, fixed width)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

from jhcli.cli import app


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render tests are deterministic: colour off, fixed width."""
    for name in ("FORCE_COLOR", "NO_COLOR", "TERM", "COLUMNS", "JH_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")


def run_jh(*args: str, stdin: str | None = None) -> Outcome:
    """Run ``jh ARGS`` in-process and return exit code, stdout and stderr separately."""
    result = CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def jh():  # type: ignore[no-untyped-def]
    return run_jh
