"""Where does a command spend time outside every ``step(...)``, i.e. beyond ``--timeout``'s reach?

A sampling profiler (``SIGPROF`` every millisecond of CPU time) runs while each command below runs
in-process (``CliRunner``); a sample taken while no step is active (``jhcli.limits._deadlines`` is
empty) is charged to the innermost jh function on the stack (and the SymPy function it called).
Commands whose inputs are moderately large make the gaps visible: any line with more than a few
percent of a command's time is a place where a slow input could run past the limit.

Usage::

    .venv/bin/python bench/steps_audit.py            # every command
    .venv/bin/python bench/steps_audit.py hessian    # those whose name contains 'hessian'

It prints one Markdown table per command: the time outside steps, and where it went.
"""

from __future__ import annotations

import collections
import signal
import sys
import tempfile
import time
from types import FrameType

from typer.testing import CliRunner

from jhcli import limits
from jhcli.cli import app

N = 24
ROSEN = " + ".join(f"100*(x{i + 1} - x{i}**2)**2 + (1 - x{i})**2" for i in range(1, N))
ONES = ",".join(["1"] * N)
TRIG = ", ".join(" + ".join(f"sin({i}*y{j})" for j in range(1, 16)) for i in range(1, 16))
TRIG_AT = ",".join(["1/3"] * 15)
DENSE = (
    "exp("
    + " + ".join(f"a{j}*b{j}" for j in range(1, 9))
    + ") * log(1 + "
    + "+".join(f"a{j}**2" for j in range(1, 9))
    + ")"
)
PLOT = tempfile.mktemp(suffix=".png")

CASES: list[tuple[str, list[str]]] = [
    ("jacobian trig 15x15 --at", ["jacobian", TRIG, "--at", TRIG_AT]),
    ("jacobian trig -f latex", ["jacobian", TRIG, "-f", "latex"]),
    ("jacobian trig -f table", ["jacobian", TRIG, "-f", "table"]),
    ("gradient dense --at -f json", ["gradient", DENSE, "--at", ",".join(["1/2"] * 16), "-f", "json"]),
    ("hessian rosenbrock --at --eig", ["hessian", ROSEN, "--at", ONES, "--eig"]),
    ("hessian dense -f markdown", ["hessian", DENSE, "-f", "markdown"]),
    ("hessian --classify (critical)", ["hessian", "x**4 + y**4 - 4*x*y + z**2", "--classify"]),
    ("critical numeric", ["critical", "sin(x)*cos(y) + x**2/10", "--box", "-3:3"]),
    ("check", ["check", TRIG, "--at", TRIG_AT]),
    ("jvp", ["jvp", TRIG, "--v", ",".join(["1"] * 15), "--at", TRIG_AT]),
    ("vjp", ["vjp", TRIG, "--u", ",".join(["1"] * 15), "--at", TRIG_AT]),
    ("hvp", ["hvp", ROSEN, "--v", ONES, "--at", ONES]),
    ("chain", ["chain", "u**2*sin(v) + v*w", "--with", "u=x*y", "--with", "v=exp(x+y)", "--with", "w=x/y"]),
    ("newton --steps", ["newton", ROSEN, "--at", ",".join(["1/2"] * N), "--steps", "3"]),
    ("map", ["map", "x**4 - x*y + sin(x*y)", "--x", "-2:2", "--y", "-2:2", "--grid", "21"]),
    ("profile", ["profile", "x**4 - x*y + sin(x*y)", "--at", "1,1"]),
    ("emit c", ["hessian", DENSE, "--emit", "c"]),
    ("emit numpy", ["jacobian", TRIG, "--emit", "numpy"]),
    ("plot spectrum", ["hessian", ROSEN, "--at", ONES, "--eig", "--plot", PLOT]),
]

_samples: collections.Counter[str] = collections.Counter()
_inside = 0


def _where(frame: FrameType | None) -> str:
    """The innermost jh function on the stack, and the function it called."""
    callee = "?"
    while frame is not None:
        code = frame.f_code
        if "/jhcli/" in code.co_filename and not code.co_filename.endswith(
            ("limits.py", "progress.py", "printing.py")
        ):
            module = code.co_filename.rsplit("/jhcli/", 1)[1].removesuffix(".py").replace("/", ".")
            return f"{module}.{code.co_name}:{frame.f_lineno} -> {callee}"
        callee = code.co_name
        frame = frame.f_back
    return "outside jh"


def _sample(signum: int, frame: FrameType | None) -> None:
    global _inside
    if limits._deadlines:
        _inside += 1
    else:
        _samples[_where(frame)] += 1


def main(selected: list[str]) -> None:
    runner = CliRunner()
    signal.signal(signal.SIGPROF, _sample)
    for name, args in CASES:
        if selected and not any(s in name for s in selected):
            continue
        global _inside
        _samples.clear()
        _inside = 0
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)
        result = runner.invoke(app, [*args, "--timeout", "600"], catch_exceptions=False)
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        wall = time.perf_counter() - start
        outside = sum(_samples.values())
        total = max(outside + _inside, 1)
        share = 100 * outside / total
        print(f"\n### {name}: exit {result.exit_code}, {wall:.2f} s, {share:.0f}% outside steps\n")
        print("| share | where (innermost jh function -> what it called) |\n| ---: | --- |")
        for where, count in _samples.most_common(6):
            if count / total >= 0.01:
                print(f"| {100 * count / total:.0f}% | `{where}` |")


if __name__ == "__main__":
    main(sys.argv[1:])
