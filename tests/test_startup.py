"""Start-up: what a jh process loads, and the shortcuts that keep it small (issue 6, part 1).

Times are measured in bench/ (bench/speed.py), never asserted here; these tests pin the
mechanisms: which modules a run imports, and that the shortcuts change no output.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jhcli import cli


def _run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


_HEAVY = ("sympy", "numpy", "rich", "pydantic", "symengine", "matplotlib")


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["hessian", "--help"], ["jacobian", "-h"]])
def test_help_and_version_load_nothing_heavy(argv: list[str]) -> None:
    """`jh --version`, `--help` and a command's help run jh without SymPy, NumPy, Rich, pydantic."""
    code = (
        "import sys\n"
        f"sys.argv = ['jh', *{argv!r}]\n"
        "from jhcli.cli import run\n"
        "run()\n"
        f"print('LOADED', sorted(set(sys.modules) & set({_HEAVY!r})))\n"
    )
    last = _run_python(code).splitlines()[-1]
    assert last == "LOADED []"


def test_seed_case_loads_neither_tensors_nor_rich_nor_pydantic() -> None:
    """The seed Jacobian, piped: SymPy yes; SymPy's tensor/combinatorics, Rich and pydantic no."""
    code = (
        "import sys, io\n"
        "sys.argv = ['jh', 'jacobian', 'x**2+y, x*y', '--at', '2,3', '-f', 'json']\n"
        "from jhcli.cli import run\n"
        "out, sys.stdout = sys.stdout, io.StringIO()\n"
        "run()\n"
        "text, sys.stdout = sys.stdout.getvalue(), out\n"
        "print(text.strip())\n"
        "mods = set(sys.modules)\n"
        "heavy = ('sympy', 'sympy.combinatorics', 'rich', 'pydantic', 'jhcli.findings', 'numpy')\n"
        "print(sorted(m for m in heavy if m in mods))\n"
    )
    lines = _run_python(code).splitlines()
    data = json.loads("\n".join(lines[:-1]))
    assert data["matrix"] == [["2*x", "1"], ["y", "x"]]
    assert data["points"][0]["value"] == [["4", "1"], ["3", "2"]]
    assert lines[-1] == "['sympy']"


def test_findings_are_importable_from_models_and_loaded_on_first_use() -> None:
    """``jhcli.models`` re-exports the records of ``jhcli.findings`` lazily: same classes, loaded late."""
    code = (
        "import sys, jhcli.models as m\n"
        "print('jhcli.findings' in sys.modules)\n"
        "from jhcli.models import Spectrum\n"
        "import jhcli.findings as f\n"
        "print(Spectrum is f.Spectrum, m.Profile is f.Profile)\n"
        "try:\n"
        "    m.NoSuchRecord\n"
        "except AttributeError as e:\n"
        "    print(e)\n"
    )
    assert _run_python(code) == ("False\nTrue True\nmodule 'jhcli.models' has no attribute 'NoSuchRecord'\n")


def test_deferred_tensor_module_hands_over_to_sympy() -> None:
    """After the stand-in is installed, sums work, and real tensors still work and are SymPy's own."""
    code = (
        "import sys\n"
        "from jhcli.cli import _defer_tensor_import\n"
        "_defer_tensor_import()\n"
        "import sympy\n"
        "x = sympy.Symbol('x')\n"
        "print(x + 1, 'sympy.combinatorics' in sys.modules)\n"
        "from sympy.tensor.tensor import TensorIndexType, tensor_indices, TensorHead, TensExpr\n"
        "L = TensorIndexType('L'); i = tensor_indices('i', L); A = TensorHead('A', [L])\n"
        "e = A(i) + A(i)\n"
        "import sympy.tensor.tensor as T\n"
        "print(e, isinstance(e, TensExpr), T.TensExpr is TensExpr, type(T).__name__)\n"
    )
    assert _run_python(code) == "x + 1 False\n2*A(i) True True module\n"


def test_deferred_tensor_module_is_not_installed_over_a_loaded_one() -> None:
    code = (
        "import sys, sympy.tensor.tensor as real\n"
        "from jhcli.cli import _defer_tensor_import\n"
        "_defer_tensor_import()\n"
        "print(sys.modules['sympy.tensor.tensor'] is real)\n"
    )
    assert _run_python(code) == "True\n"


class TestOneCommandApp:
    def test_a_command_name_builds_only_that_command(self) -> None:
        single = cli._app_for(["hessian", "x*y"])
        assert [cli._command_name(c) for c in single.registered_commands] == ["hessian"]
        assert single.registered_callback is cli.app.registered_callback
        assert len(cli.app.registered_commands) > 10  # the app itself is untouched

    def test_alias_builds_the_alias(self) -> None:
        single = cli._app_for(["grad", "x*y"])
        assert [cli._command_name(c) for c in single.registered_commands] == ["grad"]

    def test_version_builds_no_command(self) -> None:
        assert cli._app_for(["--version"]).registered_commands == []

    @pytest.mark.parametrize("argv", [[], ["--help"], ["--version", "x"], ["batch", "-"], ["jacobain", "x"]])
    def test_everything_else_gets_the_whole_app(self, argv: list[str]) -> None:
        assert cli._app_for(argv) is cli.app

    def test_misspelt_command_still_lists_suggestions(self) -> None:
        """The whole app answers an unknown command, so Click's suggestions still name real commands."""
        done = subprocess.run(
            [sys.executable, "-m", "jhcli", "jacobain", "x"], capture_output=True, text=True, timeout=120
        )
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == (
            "error: No such command 'jacobain'. Did you mean 'jacobian', 'chain'?\n  (see 'jh --help')\n"
        )

    def test_single_command_process_output_equals_the_whole_app(self) -> None:
        """Through main() (one command built) and through the app (all built): the same bytes."""
        from tests.conftest import run_jh

        argv = ["hessian", "x**2 + 3*x*y + y**2", "--classify", "--at", "0,0", "-f", "plain"]
        done = subprocess.run(
            [sys.executable, "-m", "jhcli", *argv], capture_output=True, text=True, timeout=120
        )
        whole = run_jh(*argv)
        assert (done.returncode, done.stdout, done.stderr) == (whole.exit_code, whole.stdout, whole.stderr)


class TestProcessEnd:
    """``main`` flushes and ends the process with ``os._exit`` (no teardown); ``run`` returns the code."""

    def test_run_returns_the_exit_code_and_leaves_the_collector_on(self) -> None:
        code = (
            "import gc, io, sys\n"
            "from jhcli.cli import run\n"
            "out, sys.stdout = sys.stdout, io.StringIO()\n"
            "codes = [run(['jacobian', 'x**2', '-f', 'json']), run(['hessian', '1/x', '--at', '0']),\n"
            "         run(['--version']), run(['jacobain', 'x'])]\n"
            "sys.stdout = out\n"
            "print(codes, gc.isenabled(), gc.get_freeze_count() > 100000)\n"
        )
        assert _run_python(code).splitlines()[-1] == "[0, 1, 0, 2] True True"

    def test_a_large_output_reaches_a_pipe_whole(self) -> None:
        from tests.conftest import run_jh

        functions = ", ".join(f"x{i}**2*sin(x{i + 1})" for i in range(1, 120))
        argv = ["jacobian", functions, "-f", "json", "--at", ",".join(["1"] * 120)]
        done = subprocess.run(
            [sys.executable, "-m", "jhcli", *argv], capture_output=True, text=True, timeout=300
        )
        whole = run_jh(*argv)
        assert len(done.stdout) > 100_000
        assert (done.returncode, done.stdout, done.stderr) == (0, whole.stdout, "")

    def test_errors_keep_their_code_and_message(self) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "jhcli", "hessian", "x**", "-f", "json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.startswith("error: ")

    @pytest.mark.parametrize(
        "argv",
        [
            ["jacobian", "x**2, x*y", "-f", "json"],
            ["jacobian", ", ".join(f"x{i}**2" for i in range(1, 200)), "-f", "json"],  # over a pipe's buffer
            ["batch", "-"],
        ],
        ids=["small", "large", "batch"],
    )
    def test_a_closed_pipe_ends_quietly_with_141(self, argv: list[str]) -> None:
        """The reader has gone before jh writes: no message, no traceback, exit 141 (128 + SIGPIPE)."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "jhcli", *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        proc.stdout.close()  # type: ignore[union-attr]
        _, err = proc.communicate(b'jacobian "x**2"\nhessian "x*y"\n', timeout=300)
        assert (proc.returncode, err.decode()) == (141, "")
