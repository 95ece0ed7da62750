"""The command line: exact stdout, stderr and exit codes through CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jhcli import __version__
from tests.conftest import run_jh


class TestStartup:
    def test_help_and_version_do_not_import_sympy(self) -> None:
        """Importing the CLI module, --help and --version never load SymPy (fast start)."""
        code = (
            "import sys\n"
            "from typer.testing import CliRunner\n"
            "from jhcli.cli import app\n"
            "r = CliRunner()\n"
            "assert r.invoke(app, ['--help']).exit_code == 0\n"
            "assert r.invoke(app, ['--version']).exit_code == 0\n"
            "assert r.invoke(app, ['hessian', '--help']).exit_code == 0\n"
            "print('sympy' in sys.modules)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert out.stdout == "False\n"

    def test_version(self) -> None:
        """--version prints the package version."""
        out = run_jh("--version")
        assert (out.exit_code, out.stdout, out.stderr) == (0, f"jh {__version__}\n", "")

    def test_python_dash_m_works(self) -> None:
        """python -m jhcli is the same program."""
        out = subprocess.run(
            [sys.executable, "-m", "jhcli", "jacobian", "x*y", "-f", "json"], capture_output=True, text=True
        )
        assert out.returncode == 0
        assert json.loads(out.stdout)["matrix"] == [["y", "x"]]

    @pytest.mark.parametrize("command", ["jacobian", "gradient", "grad", "hessian", "critical"])
    def test_every_command_has_help_with_an_example(self, command: str) -> None:
        """-h works on every command and shows an example invocation."""
        out = run_jh(command, "-h")
        assert out.exit_code == 0
        assert "Examples:" in out.stdout and "jh " in out.stdout


class TestUsageErrors:
    def test_unknown_option(self) -> None:
        """An unknown option is one line on stderr, exit 2, nothing on stdout."""
        out = run_jh("jacobian", "x", "--bogus")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == "error: No such option: --bogus\n  (see 'jh --help')\n"

    def test_expression_with_leading_minus_points_to_double_dash(self) -> None:
        """-x**2-y**2 taken for options gets a hint to put it after '--'."""
        out = run_jh("hessian", "-x**2-y**2")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == (
            "error: No such option: -x\n"
            "  (an expression that starts with '-' goes after '--', options before it: "
            'jh hessian --at 0,0 -- "-x**2-y**2")\n'
            "  (see 'jh --help')\n"
        )

    def test_options_after_double_dash_are_explained(self) -> None:
        """An option written after '--' is not silently read as an expression."""
        out = run_jh("hessian", "--", "-x**2", "--at", "0")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == "error: '--at' after '--' is read as an expression; put options before '--'\n"

    def test_missing_expression(self) -> None:
        """A command without its expression says so, exit 2."""
        out = run_jh("hessian")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr.startswith("error: Missing argument")

    def test_bad_format_choice(self) -> None:
        """An unknown --format lists the choices, exit 2."""
        out = run_jh("jacobian", "x", "-f", "xml")
        assert (out.exit_code, out.stdout) == (2, "")
        assert "'xml' is not one of 'table', 'plain', 'latex', 'markdown', 'json'" in out.stderr
