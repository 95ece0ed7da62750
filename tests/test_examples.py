"""Every example in examples.txt and in the README runs and prints exactly what it shows."""

from __future__ import annotations

import pytest

from tests.conftest import run_jh
from tests.examples import Example, examples_file, readme_examples

ALL = examples_file() + readme_examples()


@pytest.mark.parametrize("example", ALL, ids=[e.id for e in ALL])
def test_example_output_is_exact(example: Example) -> None:
    """The command's stdout, stderr and exit code are exactly those written below it."""
    out = run_jh(*example.args, stdin=example.stdin)
    assert (out.exit_code, out.stdout, out.stderr) == (example.exit_code, example.stdout, example.stderr)


def test_examples_cover_every_command_and_format() -> None:
    """examples.txt exercises each command and each output format at least once."""
    from jhcli.render import FORMATS

    used = {a for e in examples_file() for a in e.args}
    commands = {e.args[0] for e in examples_file()}
    from jhcli.cli import app

    registered = {
        c.name or c.callback.__name__ for c in app.registered_commands if c.callback and not c.hidden
    }
    assert registered <= commands, registered - commands
    for fmt in FORMATS:
        assert fmt in used or fmt == "plain", fmt
