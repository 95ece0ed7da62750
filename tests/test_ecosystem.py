"""Shell integration and packaging: completion, -h everywhere, colour rules, metadata, changelog."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

import jhcli
from jhcli.cli import app
from tests.conftest import run_jh

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(
    c.name or c.callback.__name__ for c in app.registered_commands if c.callback and not c.hidden
)
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*3[0-9]m")  # a foreground colour, not bold or dim


def _jh(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """jh in a fresh process, stdout a pipe (not a terminal)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "TERM")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "jhcli", *args], capture_output=True, text=True, env=full_env, timeout=120
    )


class TestHelpAndCompletion:
    def test_every_command_is_listed(self) -> None:
        """The commands this suite checks are exactly the ones the app registers."""
        assert COMMANDS == [
            "batch",
            "chain",
            "check",
            "critical",
            "gradient",
            "hessian",
            "hvp",
            "jacobian",
            "jvp",
            "map",
            "newton",
            "profile",
            "vjp",
        ]

    @pytest.mark.parametrize("command", COMMANDS)
    def test_short_help_everywhere(self, command: str) -> None:
        """-h is --help on every command: usage on stdout, exit 0, and an example of the command."""
        out = run_jh(command, "-h")
        assert out.exit_code == 0
        assert out.stdout.startswith(f"Usage: jh {command} [OPTIONS] ")
        assert f"jh {command} " in out.stdout.split("Examples:", 1)[1]
        assert out.stdout == run_jh(command, "--help").stdout

    def test_show_completion_prints_a_bash_script(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """`jh --show-completion` prints the script of the shell it runs in; Typer's own switch for
        tests turns the detection off so that the shell can be named (CliRunner has no parent shell)."""
        monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
        out = run_jh("--show-completion", "bash")
        assert out.exit_code == 0
        assert "_jh_completion()" in out.stdout
        assert "complete -o default -F _jh_completion jh" in out.stdout

    def test_completion_completes_commands_without_sympy(self) -> None:
        """Completing 'jh hes' answers 'hessian' and never imports SymPy (it must be instant)."""
        code = (
            "import sys\n"
            "from jhcli.cli import run\n"
            "run()\n"
            "sys.stderr.write('sympy loaded' if 'sympy' in sys.modules else 'sympy not loaded')\n"
        )
        env = {**os.environ, "_JH_COMPLETE": "complete_bash", "COMP_WORDS": "jh hes", "COMP_CWORD": "1"}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
        )
        assert out.stdout.split() == ["hessian"]
        assert out.stderr == "sympy not loaded"


class TestColour:
    ARGS = ("hessian", "x*y", "--at", "0,0", "--classify", "-f", "table")

    def test_no_colour_in_a_pipe(self) -> None:
        assert "\x1b[" not in _jh(*self.ARGS).stdout

    def test_force_colour(self) -> None:
        assert ANSI_COLOUR.search(_jh(*self.ARGS, env={"FORCE_COLOR": "1"}).stdout)

    def test_no_colour_wins_over_force_colour(self) -> None:
        """NO_COLOR removes colours (bold and dim may stay, as no-color.org says)."""
        out = _jh(*self.ARGS, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
        assert "saddle point" in out
        assert not ANSI_COLOUR.search(out)


class TestPackaging:
    META = pytest.importorskip("tomllib").loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"
    ]

    def test_version_lives_in_one_place(self) -> None:
        assert self.META["dynamic"] == ["version"]
        assert version("jhcli") == jhcli.__version__
        assert run_jh("--version").stdout == f"jh {jhcli.__version__}\n"

    def test_metadata_is_complete(self) -> None:
        for key in ("description", "readme", "requires-python", "license", "classifiers", "urls", "scripts"):
            assert self.META[key], key
        assert self.META["scripts"] == {"jh": "jhcli.cli:main"}
        assert set(self.META["optional-dependencies"]) >= {"test", "dev"}

    def test_changelog_has_the_current_version(self) -> None:
        changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
        assert f"\n## {jhcli.__version__} — " in changelog

    def test_package_is_typed(self) -> None:
        assert (ROOT / "jhcli" / "py.typed").exists()


def test_public_names_are_the_api_functions() -> None:
    """Every name in jhcli.__all__ is the api function (no submodule shadows one, in a fresh process)."""
    code = (
        "import jhcli, jhcli.api\n"
        "names = [n for n in jhcli.__all__ if n != '__version__']\n"
        "from jhcli import *\n"
        "import jhcli.newton_step, jhcli.checking\n"
        "bad = [n for n in names if getattr(jhcli, n) is not getattr(jhcli.api, n)]\n"
        "print(len(names), bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout == "10 []\n", out.stderr
