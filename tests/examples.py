"""Reading executable examples: ``examples.txt`` and the ``console`` blocks of the README.

An example is a line ``$ jh ARGS`` (optionally ``$ echo TEXT | jh ARGS``) followed by the exact
stdout. Lines starting with ``stderr: `` give the expected stderr, a line ``exit: N`` the exit
code (default 0). Examples are separated by a blank line followed by the next ``$`` line; lines
starting with ``# `` (a hash and a space) are comments. No jh output line starts that way; C code
from ``--emit c`` has ``#include`` lines, which are output.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Example:
    source: str
    line: int
    command: str
    args: tuple[str, ...]
    stdin: str | None
    stdout: str
    stderr: str
    exit_code: int

    @property
    def id(self) -> str:
        return f"{self.source}:{self.line}"


def _parse_command(command: str) -> tuple[tuple[str, ...], str | None]:
    stdin = None
    if " | jh " in command:
        left, right = command.split(" | jh ", 1)
        words = shlex.split(left)
        assert words[0] == "echo", f"only 'echo ... | jh' is supported: {command}"
        stdin = " ".join(words[1:]) + "\n"
        command = "jh " + right
    words = shlex.split(command)
    assert words[0] == "jh", command
    return tuple(words[1:]), stdin


def parse_examples(text: str, source: str) -> list[Example]:
    examples: list[Example] = []
    lines = ["" if line == "#" or line.startswith("# ") else line for line in text.splitlines()]
    starts = [i for i, line in enumerate(lines) if line.startswith("$ ")]
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        body = lines[start + 1 : end]
        while body and body[-1] == "":
            body.pop()
        stdout = [line for line in body if not line.startswith(("stderr: ", "exit: "))]
        stderr = [line[len("stderr: ") :] for line in body if line.startswith("stderr: ")]
        codes = [int(line[len("exit: ") :]) for line in body if line.startswith("exit: ")]
        args, stdin = _parse_command(lines[start][2:])
        examples.append(
            Example(
                source=source,
                line=start + 1,
                command=lines[start][2:],
                args=args,
                stdin=stdin,
                stdout="\n".join(stdout) + "\n" if stdout else "",
                stderr="\n".join(stderr) + "\n" if stderr else "",
                exit_code=codes[0] if codes else 0,
            )
        )
    return examples


def examples_file() -> list[Example]:
    return parse_examples((ROOT / "examples.txt").read_text(encoding="utf-8"), "examples.txt")


def readme_examples() -> list[Example]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out: list[Example] = []
    for match in re.finditer(r"```console\n(.*?)```", text, flags=re.S):
        line = text[: match.start()].count("\n") + 2
        for ex in parse_examples(match.group(1), "README.md"):
            out.append(Example(**{**ex.__dict__, "line": ex.line + line - 1}))
    return out
