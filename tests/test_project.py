"""Promises about the project itself: CI runs the README's test command; no eval on user text."""

from __future__ import annotations

import ast
import re

from tests.examples import ROOT


class TestReadmeCommands:
    def _commands(self) -> list[str]:
        text = (ROOT / "README.md").read_text(encoding="utf-8")
        section = text.split("## Install and run on a fresh machine", 1)[1].split("\n## ", 1)[0]
        return re.findall(r"```sh\n(.*?)\n```", section, flags=re.S)

    def test_two_commands_for_a_fresh_machine(self) -> None:
        """The README gives one install-and-run command and one install-and-test command."""
        run, test = self._commands()
        assert "pip install ." in run and "jh jacobian" in run
        assert "pip install '.[test]'" in test and "pytest" in test

    def test_ci_runs_exactly_the_readme_test_command(self) -> None:
        """.ci/run contains the README's test command verbatim."""
        _, test = self._commands()
        assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


class TestNoCodeExecution:
    def test_no_eval_exec_sympify_or_parse_expr_in_the_package(self) -> None:
        """No module of jhcli calls the builtins eval, exec or compile, or SymPy's sympify or parse_expr."""
        builtins = {"eval", "exec", "compile"}  # Poly.eval (a method) is harmless; eval() is not
        parsers = {"sympify", "parse_expr"}
        for path in (ROOT / "jhcli").rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                if isinstance(node.func, ast.Name):
                    assert node.func.id not in builtins | parsers, (
                        f"{path.name}:{node.lineno} calls {node.func.id}"
                    )
                if isinstance(node.func, ast.Attribute):
                    assert node.func.attr not in parsers, f"{path.name}:{node.lineno} calls {node.func.attr}"
