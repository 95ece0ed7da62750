"""jh batch: one jh command per line, JSON Lines out, the worst exit code, untrusted lines."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sympy

from jhcli import api
from jhcli.cli import BATCH_LINE_LIMIT
from jhcli.parsing import make_symbol, parse_expression
from tests.conftest import Outcome, run_jh


def batch(tmp_path: Path, text: str, *options: str) -> tuple[Outcome, list[dict[str, Any]]]:
    """Run ``jh batch FILE`` on ``text``; the outcome and the parsed output lines."""
    path = tmp_path / "jobs.txt"
    path.write_text(text, encoding="utf-8")
    out = run_jh("batch", str(path), *options)
    return out, [json.loads(line) for line in out.stdout.splitlines()]


def alone(line: str) -> Outcome:
    """The same line run as a command of its own with -f json."""
    return run_jh(*shlex.split(line), "-f", "json")


SUCCESSES = [
    'jacobian "x**2 + y, x*y" --at 2,3',
    'grad "x**2*y + sin(x)" --at x=1,y=pi/2',
    'gradient "x**2 + y**2"',
    'hessian "x**4 + y**4 - 4*x*y" --at 1,1 --eig',
    'hessian "x**2 + 3*x*y + y**2" --classify',
    'critical "x**3 - 3*x*y**2"',
    'jvp "x**2 + y, x*y" --v 1,0 --at 2,3',
    'vjp "x**2 + y, x*y" --u a,b',
    'hvp "x**2 + 3*x*y + y**2" --v 1,-1',
    'chain "u**2 + v" --with "u=x*y" --with "v=sin(x)"',
    'newton "x**2 + 3*x*y + 5*y**2 - x" --at 1,1',
    'check "x**2+y, x*y" --at 2,3',
    'jacobian "W@x" --vars x:2 --let "W=[[1,2],[3,4]]"',
]


class TestSuccess:
    def test_each_line_equals_the_command_run_alone_with_json(self, tmp_path: Path) -> None:
        """Every object is the command's own -f json object plus its line number, in input order."""
        out, objects = batch(tmp_path, "\n".join(SUCCESSES) + "\n")
        assert (out.exit_code, out.stderr) == (0, "")
        assert len(out.stdout.splitlines()) == len(SUCCESSES)
        assert [o["line"] for o in objects] == list(range(1, len(SUCCESSES) + 1))
        for line, obj in zip(SUCCESSES, objects, strict=True):
            single = alone(line)
            assert single.exit_code == 0, line
            assert {k: v for k, v in obj.items() if k != "line"} == json.loads(single.stdout), line

    def test_values_are_right(self, tmp_path: Path) -> None:
        """The Hessian in a batch line is SymPy's own hessian of the function."""
        x, y = make_symbol("x"), make_symbol("y")  # the parser's symbols
        f = x**4 + y**4 - 4 * x * y
        out, [obj] = batch(tmp_path, 'hessian "x**4 + y**4 - 4*x*y" --at 1,1\n')
        expected = sympy.hessian(f, (x, y))
        got = sympy.Matrix([[parse_expression(e) for e in row] for row in obj["matrix"]])
        assert out.exit_code == 0 and got == expected
        assert obj["points"][0]["numeric"] == [[12.0, -4.0], [-4.0, 12.0]]  # 12x**2, -4 at (1, 1)

    def test_output_is_compact_json_lines(self, tmp_path: Path) -> None:
        """One compact object per line: no spaces after separators, no pretty-printing."""
        out, _ = batch(tmp_path, 'gradient "x*y"\n')
        assert out.stdout == (
            '{"line":1,"command":"gradient","functions":["x*y"],"variables":["x","y"],'
            '"matrix":[["y"],["x"]],"points":[]}\n'
        )

    def test_leading_jh_and_explicit_json_format_are_accepted(self, tmp_path: Path) -> None:
        """A line may start with 'jh' and may say -f json (the only format of a batch)."""
        out, objects = batch(
            tmp_path, 'jh gradient "x*y"\ngradient "x*y" -f json\ngradient "x*y" --format=json\n'
        )
        assert out.exit_code == 0
        assert [o["matrix"] for o in objects] == [[["y"], ["x"]]] * 3

    def test_comments_and_blank_lines_are_skipped(self, tmp_path: Path) -> None:
        """# lines (also indented) and blank or whitespace-only lines produce nothing; numbers stay true."""
        text = '# jobs\n\n   \n  # indented\r\ngradient "x*y"\n\t\n# end\ngradient "x**2"'
        out, objects = batch(tmp_path, text)
        assert out.exit_code == 0
        assert [(o["line"], o["matrix"]) for o in objects] == [(5, [["y"], ["x"]]), (8, [["2*x"]])]

    def test_empty_file(self, tmp_path: Path) -> None:
        """Nothing to run: no output, exit 0."""
        out, objects = batch(tmp_path, "# nothing\n\n")
        assert (out.exit_code, out.stdout, out.stderr) == (0, "", "")

    def test_stdin(self) -> None:
        """'-' reads the lines from standard input."""
        out = run_jh("batch", "-", stdin='\ufeffgradient "x*y"\n# c\nhessian "x**2*y" --at 1,2\n')
        objects = [json.loads(line) for line in out.stdout.splitlines()]
        assert (out.exit_code, out.stderr) == (0, "")
        assert [(o["line"], o["command"]) for o in objects] == [(1, "gradient"), (3, "hessian")]
        assert objects[1]["points"][0]["value"] == [["4", "2"], ["2", "0"]]  # [[2y, 2x], [2x, 0]] at (1, 2)


class TestFailures:
    def test_undefined_value_is_a_warning_line_with_exit_1(self, tmp_path: Path) -> None:
        """The warnings the command prints on stderr become a list; the line and the batch exit 1."""
        line = 'gradient "log(x)" --at 0'
        out, [obj] = batch(tmp_path, line + "\n")
        single = alone(line)
        assert (out.exit_code, out.stderr) == (1, "")
        assert obj["warnings"] == [w.removeprefix("warning: ") for w in single.stderr.splitlines()]
        assert obj["warnings"] == ["∂f/∂x at x = 0: log(x) is undefined at this point"]
        assert obj["exit_code"] == 1
        assert {k: v for k, v in obj.items() if k not in ("line", "warnings", "exit_code")} == json.loads(
            single.stdout
        )

    @pytest.mark.parametrize(
        "line", ['check "abs(x)" --at 0', 'check "sin(x)" --at 1 --rtol 1e-60 --atol 1e-60']
    )
    def test_disagreeing_check_is_a_warning_line_with_exit_1(self, tmp_path: Path, line: str) -> None:
        """A check that disagrees (and an undefined derivative) warns exactly as on stderr, exit 1."""
        out, [obj] = batch(tmp_path, line + "\n")
        single = alone(line)
        assert (out.exit_code, single.exit_code, obj["exit_code"]) == (1, 1, 1)
        assert obj["warnings"] == [w.removeprefix("warning: ") for w in single.stderr.splitlines()]
        assert any(w.startswith("the finite-difference check disagrees at ") for w in obj["warnings"])
        assert obj["points"][0]["check"]["agree"] is False

    def test_parse_error_has_the_caret_message(self, tmp_path: Path) -> None:
        """The error text is the CLI's stderr without 'error: ': message, input line and caret."""
        out, [obj] = batch(tmp_path, 'jacobian "x**2 +"\n')
        single = alone('jacobian "x**2 +"')
        assert out.exit_code == 2 and single.exit_code == 2
        assert obj == {"line": 1, "error": single.stderr.removeprefix("error: ").rstrip("\n"), "exit_code": 2}
        assert obj["error"].endswith("\n  x**2 +\n        ^")

    def test_unknown_option_has_the_cli_message(self, tmp_path: Path) -> None:
        """Typer's own usage errors read exactly as on the command line."""
        out, [obj] = batch(tmp_path, "jacobian x --bogus\n")
        assert out.exit_code == 2
        assert obj == {"line": 1, "error": "No such option: --bogus\n  (see 'jh --help')", "exit_code": 2}
        assert run_jh("jacobian", "x", "--bogus").stderr == f"error: {obj['error']}\n"

    @pytest.mark.parametrize(
        "line",
        [
            "hessian x --digits 0",
            "foo x",
            "hessian",
            "hessian x --at",
            "hessian -x**2 --at 1",
            "newton x**2",
            "jacobian x --rtol 1e-3",
            "critical x --box 5:1",
        ],
    )
    def test_usage_errors_match_the_cli(self, tmp_path: Path, line: str) -> None:
        """Bad values, unknown commands, missing arguments: the CLI's message and exit code."""
        out, [obj] = batch(tmp_path, line + "\n")
        single = run_jh(*shlex.split(line))
        assert single.exit_code == 2 and single.stderr.startswith("error: ")
        assert obj == {"line": 1, "error": single.stderr.removeprefix("error: ").rstrip("\n"), "exit_code": 2}

    def test_unclosed_quote(self, tmp_path: Path) -> None:
        """A line shlex cannot split is an error line."""
        out, objects = batch(tmp_path, 'jacobian "x**2\ngradient "x*y"\n')
        assert out.exit_code == 2
        assert objects[0] == {
            "line": 1,
            "error": "cannot split the line into words: No closing quotation",
            "exit_code": 2,
        }
        assert objects[1]["matrix"] == [["y"], ["x"]]

    @pytest.mark.parametrize(
        ("line", "error"),
        [
            ("batch other.txt", "jh batch cannot run inside a batch file"),
            ("jh batch -", "jh batch cannot run inside a batch file"),
            ("hessian x**2 -f latex", "a batch line's output is JSON: drop '-f latex'"),
            ("hessian x**2 --format=markdown", "a batch line's output is JSON: drop '-f markdown'"),
            ("jacobian -", "'-' (standard input) cannot be used in a batch line: write the expression"),
            ("hessian --help", "no help in a batch line: run 'jh hessian --help'"),
            ("grad -h", "no help in a batch line: run 'jh grad --help'"),
            ("--version", 'a line starts with a command, e.g. hessian "x**2*y" --at 1,2'),
            ("jh", 'a line starts with a command, e.g. hessian "x**2*y" --at 1,2'),
        ],
    )
    def test_lines_a_batch_refuses(self, tmp_path: Path, line: str, error: str) -> None:
        """Nested batch, another format, stdin, help and options without a command are error lines."""
        out, objects = batch(tmp_path, line + "\n")
        assert (out.exit_code, out.stderr) == (2, "")
        assert objects == [{"line": 1, "error": error, "exit_code": 2}]

    def test_exit_code_is_the_worst_line(self, tmp_path: Path) -> None:
        """0, 1, 2 and 3 lines: the batch exits with the largest, after running every line."""
        ok, undefined, usage, limit = (
            'gradient "x*y"',
            'gradient "log(x)" --at 0',
            "grad x --bogus",
            "grad x**99999",
        )
        for lines, code in [
            ([ok, ok], 0),
            ([ok, undefined, ok], 1),
            ([usage, undefined, ok], 2),
            ([ok, limit, usage, undefined], 3),
        ]:
            out, objects = batch(tmp_path, "\n".join(lines) + "\n")
            assert out.exit_code == code, lines
            assert [o.get("exit_code", 0) for o in objects] == [
                {ok: 0, undefined: 1, usage: 2, limit: 3}[line] for line in lines
            ]

    def test_line_too_long(self, tmp_path: Path) -> None:
        """A line over the limit is a limit error (exit 3); the next line still runs."""
        out, objects = batch(tmp_path, "gradient " + "x" * BATCH_LINE_LIMIT + '\ngradient "x*y"\n')
        assert out.exit_code == 3
        assert objects[0] == {
            "line": 1,
            "error": f"line too long (limit {BATCH_LINE_LIMIT} characters)",
            "exit_code": 3,
        }
        assert (objects[1]["line"], objects[1]["matrix"]) == (2, [["y"], ["x"]])

    @pytest.mark.parametrize("name", ["missing.txt", "."])
    def test_unreadable_file_is_exit_2_before_anything(self, tmp_path: Path, name: str) -> None:
        """A missing file or a directory: one error on stderr, nothing on stdout."""
        path = tmp_path / name
        out = run_jh("batch", str(path))
        assert (out.exit_code, out.stdout) == (2, "")
        reason = "No such file or directory" if name == "missing.txt" else "Is a directory"
        assert out.stderr == f"error: cannot read {str(path)!r}: {reason}\n"

    def test_internal_error_is_one_line_without_traceback(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A bug in a command is an error line, never a traceback, even with --debug in the line."""

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("boom")

        monkeypatch.setattr(api, "gradient", broken)
        out, objects = batch(tmp_path, 'gradient "x*y" --debug\n')
        assert (out.exit_code, out.stderr) == (1, "")
        assert objects == [
            {
                "line": 1,
                "error": "internal error: RuntimeError: boom (run with --debug for details)",
                "exit_code": 1,
            }
        ]


class TestTimeout:
    def test_each_line_gets_the_batch_timeout_unless_it_gives_its_own(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """--timeout of the batch is the default of every line; a line's own --timeout wins."""
        seen: list[float] = []
        original = api.gradient

        def spy(*args: Any, **kwargs: Any) -> Any:
            seen.append(kwargs["timeout"])
            return original(*args, **kwargs)

        monkeypatch.setattr(api, "gradient", spy)
        out, _ = batch(
            tmp_path, 'gradient "x*y"\ngradient "x*y" --timeout 3\ngradient "x*y"\n', "--timeout", "7"
        )
        assert out.exit_code == 0
        assert seen == [7.0, 3.0, 7.0]
        seen.clear()
        batch(tmp_path, 'gradient "x*y"\n')
        assert seen == [60.0]  # the CLI's default

    def test_batch_timeout_is_validated(self, tmp_path: Path) -> None:
        """A negative --timeout of the batch is a usage error before any line runs."""
        out, _ = batch(tmp_path, 'gradient "x*y"\n', "--timeout", "-1")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr.startswith("error: Invalid value for '--timeout'")


class TestSecurity:
    @pytest.mark.parametrize(
        "line",
        [
            'jacobian "x; rm -rf /"',
            "jacobian x; rm -rf /",
            'jacobian "$(touch PWNED)"',
            "jacobian $(touch PWNED)",
            "jacobian `touch PWNED`",
            'jacobian "`touch PWNED`"',
            "gradient x*y && touch PWNED",
            "gradient x*y | touch PWNED",
            "gradient x*y > PWNED",
            "gradient 'x' --vars '$(touch PWNED)'",
            "gradient __import__('os').system('touch PWNED')",
            "gradient x --at 1 ; touch PWNED",
            "gradient *",
        ],
    )
    def test_shell_syntax_is_never_run(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str
    ) -> None:
        """Pipes, substitutions, redirections and globs are plain words: errors, no file appears."""
        work = tmp_path / "work"
        work.mkdir()
        monkeypatch.chdir(work)
        jobs = tmp_path / "jobs.txt"
        jobs.write_text(line + "\n", encoding="utf-8")
        out = run_jh("batch", str(jobs))
        [obj] = [json.loads(x) for x in out.stdout.splitlines()]
        assert list(work.iterdir()) == []
        assert out.stderr == ""
        assert obj["exit_code"] == 2 and out.exit_code == 2
        assert "Traceback" not in obj["error"]

    def test_control_characters_and_line_separators_stay_inside_one_line(self, tmp_path: Path) -> None:
        """Unicode line separators and escapes in a line never split an output object."""
        out, objects = batch(tmp_path, 'gradient "x\u2028y\x85z\x1b[31m"\ngradient "x*y"\n')
        assert len(out.stdout.split("\n")) == 3  # two objects and the final newline
        assert len(out.stdout.splitlines()) == 2
        assert objects[0]["exit_code"] == 2 and objects[1]["line"] == 2
        assert "\x1b" not in out.stdout and "\u2028" not in out.stdout and "\x85" not in out.stdout

    def test_invalid_utf8_is_an_error_line(self, tmp_path: Path) -> None:
        """Undecodable bytes become U+FFFD, which the parser rejects with its position."""
        path = tmp_path / "jobs.txt"
        path.write_bytes(b'gradient "x*\xff"\ngradient "x*y"\n')
        out = run_jh("batch", str(path))
        objects = [json.loads(x) for x in out.stdout.splitlines()]
        assert out.exit_code == 2
        assert objects[0]["exit_code"] == 2 and "^" in objects[0]["error"]
        assert objects[1]["matrix"] == [["y"], ["x"]]


def test_batch_help_does_not_import_sympy() -> None:
    """jh batch --help starts without SymPy, like every other help."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from jhcli.cli import app\n"
        "r = CliRunner().invoke(app, ['batch', '--help'])\n"
        "assert r.exit_code == 0 and 'Examples:' in r.stdout, r.stdout\n"
        "print('sympy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"


def test_process_reads_stdin_streaming(tmp_path: Path) -> None:
    """As a process: output of the first line arrives before stdin is closed (line by line)."""
    with subprocess.Popen(
        [sys.executable, "-m", "jhcli", "batch", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write('gradient "x*y"\n')
        proc.stdin.flush()
        first = json.loads(proc.stdout.readline())
        proc.stdin.write("grad x --bogus\n")
        proc.stdin.close()
        second = json.loads(proc.stdout.readline())
        assert proc.wait(timeout=60) == 2
    assert (first["matrix"], second["exit_code"]) == ([["y"], ["x"]], 2)


def test_readme_jobs_file_example_is_exact(tmp_path: Path) -> None:
    """The README's multi-line jobs.txt and the output it shows for it are kept true."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Batch files: `jh batch`", 1)[1]
    blocks = re.findall(r"```text\n(.*?)```", section, flags=re.S)
    jobs, output = blocks[0], blocks[1]
    (tmp_path / "jobs.txt").write_text(jobs, encoding="utf-8")
    out = run_jh("batch", str(tmp_path / "jobs.txt"))
    assert "`jh batch jobs.txt` writes four lines and exits with 2" in section
    assert (out.exit_code, out.stdout, out.stderr) == (2, output, "")
