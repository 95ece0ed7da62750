"""How fast is jh against bare SymPy and, where installed, SymEngine, JAX, Maxima and Giac?

The cases of the issue "Speed and scale", each tool doing the same work (derive, then evaluate at a
point, output to /dev/null), each run timed as a whole process (start-up included), all tools side
by side in one run:

- ``startup``: ``python -c "import sympy"``, ``jh --version``, ``jh --help`` and the seed case
  ``jh jacobian "x**2+y, x*y" --at 2,3``, against Maxima and Giac doing the seed Jacobian.
- ``rosenbrock``: the Hessian of the Rosenbrock function of n variables at (1, ..., 1),
  n = 100, 400, 1000 (``--quick``: 10, 30).
- ``trig``: the dense Jacobian of f_i = sum_j sin(i*x_j), i, j = 1..n, at x_j = 1, n = 100.
- ``batch``: the Jacobian of [x**2+y, x*y, sin(x)*exp(y)] at 10**6 points, from .npy to .npy.

Usage, from the repository root (the Python given by --python needs SymPy; NumPy for ``batch``)::

    python bench/speed.py --out bench/RESULTS.md    # every case, about 15-20 minutes
    python bench/speed.py --quick                   # small sizes, a smoke run of a minute or two
    python bench/speed.py --only startup --repeat 9
    python bench/speed.py --jh-root ../other-checkout --timeout 300

It prints a Markdown report (and writes it to --out): date, machine and versions, then one table
per case with each tool's median wall time and the ratio of that median to jh's. A tool that is
not installed shows "not installed". A run longer than --timeout seconds is stopped and shown as
"> T s (timed out)", and that tool is not run again at the larger sizes of the case.

jh runs as ``PYTHONPATH=<--jh-root> <--python> -m jhcli``, the checkout under test rather than
whatever ``jh`` is on the PATH. Giac has no command-line program in Debian: when the Giac
headers (``libgiac-dev``) and a C++ compiler are present, a 20-line driver (``GIAC_DRIVER``) is
compiled into the temporary directory at the start (a few seconds; the command is printed).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SEED = "x**2+y, x*y"
SEED_POINT = "2,3"
BATCH = "x**2+y, x*y, sin(x)*exp(y)"
CASES = ("startup", "rosenbrock", "trig", "batch")

# ---------------------------------------------------------------------------------------------
# Inputs (pure: tests/test_bench_speed.py checks them)


def variables(n: int) -> list[str]:
    """The variable names x1 ... xn."""
    return [f"x{i}" for i in range(1, n + 1)]


def rosenbrock_text(n: int) -> str:
    """The Rosenbrock function of x1 ... xn in jh syntax: sum of 100*(x{i+1}-x{i}**2)**2 + (1-x{i})**2."""
    return " + ".join(f"100*(x{i + 1}-x{i}**2)**2 + (1-x{i})**2" for i in range(1, n))


def trig_components(n: int) -> list[str]:
    """The n components f_i = sin(i*x1) + ... + sin(i*xn) in jh syntax."""
    return [" + ".join(f"sin({i}*x{j})" for j in range(1, n + 1)) for i in range(1, n + 1)]


def point_text(n: int, value: str = "1") -> str:
    """jh's --at text for the point (value, ..., value) of n variables."""
    return ",".join([value] * n)


# ---------------------------------------------------------------------------------------------
# Measurements and the Markdown report (pure: tested)


@dataclass
class Timing:
    """The runs of one tool on one case: wall seconds of each finished run, or why there are none.

    ``status``: ``ok`` (runs finished), ``timeout`` (a run was stopped at ``limit`` seconds),
    ``failed`` (a nonzero exit), ``missing`` (tool not installed), ``na`` (not applicable),
    ``skipped`` (not run: timed out at a smaller size). ``note`` says more (shown in the cell).
    """

    runs: list[float] = field(default_factory=list)
    status: str = "ok"
    note: str = ""
    limit: float = 0.0
    asked: int = 0

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs and self.status == "ok" else None

    @property
    def lower_bound(self) -> float | None:
        """At least this many seconds: the limit of a run that timed out (or was skipped)."""
        return self.limit if self.status in ("timeout", "skipped") else None


def seconds_text(s: float) -> str:
    """Seconds with about 3 significant digits: 0.0123 s, 0.456 s, 1.23 s, 12.3 s, 123 s."""
    if s >= 100:
        return f"{s:.0f} s"
    if s >= 10:
        return f"{s:.1f} s"
    if s >= 1:
        return f"{s:.2f} s"
    return f"{s:.3g} s"


def ratio_value_text(r: float) -> str:
    return f"{r:.0f}" if r >= 100 else f"{r:.3g}"


def cell_text(t: Timing) -> str:
    """The table cell of one timing."""
    if t.status == "ok":
        text = seconds_text(statistics.median(t.runs))
        if t.asked and len(t.runs) < t.asked:
            text += f" ({len(t.runs)} run{'s' if len(t.runs) > 1 else ''})"
        return text + (f" ({t.note})" if t.note else "")
    if t.status == "timeout":
        return f"> {t.limit:g} s (timed out)"
    if t.status == "skipped":
        return f"> {t.limit:g} s (not run)"
    if t.status == "missing":
        return "not installed"
    if t.status == "na":
        return f"n/a ({t.note})" if t.note else "n/a"
    return f"failed ({t.note})" if t.note else "failed"


def ratio_text(t: Timing, ref: Timing) -> str:
    """The tool's median over the reference's (jh's); a bound when one of them timed out."""
    mine, theirs = t.median, ref.median
    if mine is not None and theirs is not None:
        return ratio_value_text(mine / theirs) if theirs > 0 else ""
    if mine is not None and ref.lower_bound:
        return "< " + ratio_value_text(mine / ref.lower_bound)
    if t.lower_bound and theirs:
        return "> " + ratio_value_text(t.lower_bound / theirs)
    return ""


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; ``|`` in cells is escaped. Columns after the first are right-aligned."""
    lines = ["| " + " | ".join(_escape(h) for h in header) + " |"]
    lines.append("| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |")
    lines += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


@dataclass
class Table:
    """One case: rows of tools, a column pair (median, ratio to the reference row) per size."""

    title: str
    text: str
    columns: list[str]
    rows: list[tuple[str, list[Timing]]]
    reference: str = "jh"
    footer: str = ""

    def markdown(self) -> str:
        header = ["tool"]
        for column in self.columns:
            header += [column, "÷ jh"]
        ref = dict(self.rows).get(self.reference)
        body = []
        for label, timings in self.rows:
            row = [label]
            for i, t in enumerate(timings):
                row += [cell_text(t), ratio_text(t, ref[i]) if ref and label != self.reference else ""]
            body.append(row)
        parts = [f"## {self.title}", self.text, markdown_table(header, body)]
        return "\n\n".join(p for p in parts + [self.footer] if p)


# ---------------------------------------------------------------------------------------------
# Scripts each tool runs (the same work: derive, evaluate at the point, print nothing)

SYMPY_HESSIAN = """\
import pathlib
import sys
import sympy
text, n = pathlib.Path(sys.argv[1]).read_text(), int(sys.argv[2])
xs = sympy.symbols(f"x1:{n + 1}")
H = sympy.hessian(sympy.sympify(text), xs).subs({x: 1 for x in xs})
"""

SYMPY_GRADIENT = """\
import pathlib
import sys
import sympy
text, n = pathlib.Path(sys.argv[1]).read_text(), int(sys.argv[2])
xs = sympy.symbols(f"x1:{n + 1}")
f = sympy.sympify(text)
point = {x: sympy.Integer(1) for x in xs}
entries = {}
for i, x in enumerate(xs):
    g = f.diff(x)
    free = g.free_symbols
    for j, y in enumerate(xs):
        if y in free:
            entries[i, j] = g.diff(y).xreplace(point)
H = sympy.SparseMatrix(n, n, entries)
"""

SYMENGINE_HESSIAN = """\
import pathlib
import sys
import symengine as se
text, n = pathlib.Path(sys.argv[1]).read_text(), int(sys.argv[2])
xs = se.symbols(" ".join(f"x{i}" for i in range(1, n + 1)))
f = se.sympify(text)
one = se.Integer(1)
H = {}
for i, x in enumerate(xs):
    g = f.diff(x)
    for y in g.free_symbols:
        h = g.diff(y)
        H[i, y] = h.subs({s: one for s in h.free_symbols})
"""

JAX_HESSIAN = """\
import sys
import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
n = int(sys.argv[2])
def f(x):
    return jnp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
H = jax.jit(jax.hessian(f))(jnp.ones(n)).block_until_ready()
"""

SYMPY_JACOBIAN = """\
import pathlib
import sys
import sympy
text, n = pathlib.Path(sys.argv[1]).read_text(), int(sys.argv[2])
xs = sympy.symbols(f"x1:{n + 1}")
fs = [sympy.sympify(t) for t in text.split(",")]
J = sympy.Matrix(fs).jacobian(xs).subs({x: 1 for x in xs})
"""

SYMENGINE_JACOBIAN = """\
import pathlib
import sys
import symengine as se
text, n = pathlib.Path(sys.argv[1]).read_text(), int(sys.argv[2])
xs = se.symbols(" ".join(f"x{i}" for i in range(1, n + 1)))
fs = [se.sympify(t) for t in text.split(",")]
J = se.DenseMatrix(fs).jacobian(se.DenseMatrix(xs)).subs({x: 1 for x in xs})
"""

JAX_JACOBIAN = """\
import sys
import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
n = int(sys.argv[2])
i = jnp.arange(1, n + 1, dtype=jnp.float64)
def f(x):
    return jnp.sin(jnp.outer(i, x)).sum(axis=1)
J = jax.jit(jax.jacfwd(f))(jnp.ones(n)).block_until_ready()
"""

LAMBDIFY_BATCH = """\
import sys
import numpy as np
import sympy
x, y = sympy.symbols("x y")
J = sympy.Matrix(sympy.sympify(sys.argv[3])).jacobian([x, y])
fn = sympy.lambdify((x, y), list(J), modules="numpy", cse=True)
pts = np.load(sys.argv[1])
cols = fn(pts[:, 0], pts[:, 1])
out = np.stack([np.broadcast_to(c, (len(pts),)) for c in cols], axis=1).reshape(len(pts), 3, 2)
np.save(sys.argv[2], out)
"""

SYMENGINE_BATCH = """\
import sys
import numpy as np
import symengine as se
x, y = se.symbols("x y")
J = se.DenseMatrix([se.sympify(t) for t in sys.argv[3].split(",")]).jacobian(se.DenseMatrix([x, y]))
fn = se.Lambdify([x, y], list(J), cse=True)
pts = np.load(sys.argv[1])
np.save(sys.argv[2], np.asarray(fn(pts)).reshape(len(pts), 3, 2))
"""

JAX_BATCH = """\
import sys
import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
import numpy as np
def f(p):
    x, y = p[0], p[1]
    return jnp.stack([x**2 + y, x * y, jnp.sin(x) * jnp.exp(y)])
pts = jnp.asarray(np.load(sys.argv[1]))
np.save(sys.argv[2], np.asarray(jax.jit(jax.vmap(jax.jacfwd(f)))(pts)))
"""
"""The inline JAX batch script, used when --jax-batch names no file (called as SCRIPT IN.npy OUT.npy)."""

GIAC_DRIVER = r"""
// Evaluates the Giac statements of a file, one per line; prints nothing (-p: the last result).
#include <giac/config.h>
#include <giac/giac.h>
#include <fstream>
#include <iostream>
#include <string>
int main(int argc, char **argv) {
  giac::context ctx;
  bool print = argc > 2 && std::string(argv[1]) == "-p";
  std::ifstream in(argv[argc - 1]);
  std::string line;
  giac::gen last;
  while (std::getline(in, line))
    if (!line.empty()) last = giac::eval(giac::gen(line, &ctx), 1, &ctx);
  if (print) std::cout << last << std::endl;
  return 0;
}
"""


def maxima_program(statements: Sequence[str]) -> str:
    return "".join(f"{s}$\n" for s in statements)


def maxima_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(items) + "]"


# ---------------------------------------------------------------------------------------------
# Running


@dataclass
class Run:
    seconds: float
    code: int | None  # None: stopped at the time limit
    stderr: str


def run_once(cmd: Sequence[str], timeout: float, env: dict[str, str], stdin: str | None, cwd: Path) -> Run:
    """One whole process, stdout to /dev/null; stopped (with its process group) at ``timeout``.

    ``cwd`` is a directory without a ``jhcli`` package: ``python -m`` puts the working directory
    ahead of PYTHONPATH on ``sys.path``, which would time the wrong checkout.
    """
    with open(stdin or os.devnull, "rb") as source:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            stdin=source,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            start_new_session=True,  # Maxima is a shell script that starts Lisp: stop both
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return Run(time.perf_counter() - start, None, "")
        return Run(time.perf_counter() - start, proc.returncode, err.decode(errors="replace"))


@dataclass
class Command:
    """How a tool does one case: argv, optional stdin file, environment; or why it cannot."""

    argv: list[str] = field(default_factory=list)
    stdin: str | None = None
    env: dict[str, str] | None = None
    missing: str = ""  # non-empty: not installed (or not applicable: see ``na``)
    na: bool = False


class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.tmp = tmp
        # Runs start in the temporary directory: paths given relative to here must still work.
        args.python, args.maxima, args.giac = (
            os.path.abspath(p) if p and os.sep in p else p for p in (args.python, args.maxima, args.giac)
        )
        args.jh_root = os.path.abspath(args.jh_root)
        self.python = args.python
        self.jh_env = dict(os.environ, PYTHONPATH=str(Path(args.jh_root).resolve()))
        # jh runs with its bytecode compiled, as after `pip install` (which compiles every module):
        # with PYTHONDONTWRITEBYTECODE set and no __pycache__, each run would compile jh's source
        # again (tens of milliseconds that no installed jh pays).
        self.jh_env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(
            [args.python, "-m", "compileall", "-q", os.path.join(args.jh_root, "jhcli")], check=False
        )
        self.env = dict(os.environ)
        self.env.pop("PYTHONPATH", None)
        self.env.setdefault("JAX_PLATFORMS", "cpu")
        self.versions: dict[str, str] = {}
        self.giac: str | None = None
        self.maxima = args.maxima or shutil.which("maxima")
        self.skip: dict[tuple[str, str], float] = {}  # (case, tool) -> limit it timed out at

    # --- tools and versions

    def py_version(self, code: str) -> str | None:
        out = subprocess.run(
            [self.python, "-c", code], capture_output=True, text=True, env=self.env, cwd=self.tmp, check=False
        )
        return out.stdout.strip() if out.returncode == 0 else None

    def discover(self) -> None:
        v = self.versions
        got = subprocess.run(
            self.jh() + ["--version"],
            capture_output=True,
            text=True,
            env=self.jh_env,
            cwd=self.tmp,
            check=False,
        )
        if got.returncode != 0:
            sys.exit(f"speed.py: cannot run jh from {self.args.jh_root}: {got.stderr.strip()}")
        commit = subprocess.run(
            ["git", "-C", self.args.jh_root, "log", "-1", "--format=%h %cs"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", self.args.jh_root, "status", "--porcelain", "--untracked-files=no", "--", "jhcli"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        v["jh"] = got.stdout.strip().removeprefix("jh ") + (
            f" (commit {commit}{', jhcli/ modified' if dirty else ''})" if commit else ""
        )
        v["Python"] = self.py_version("import platform; print(platform.python_version())") or "?"
        sympy = self.py_version("import sympy; print(sympy.__version__)")
        if sympy is None:
            sys.exit(f"speed.py: {self.python} cannot import sympy")
        v["SymPy"] = sympy
        ground = self.py_version("from sympy.external.gmpy import GROUND_TYPES as g; print(g)")
        if ground:
            v["SymPy"] += f" (ground types: {ground})"
        for name, code in [
            ("NumPy", "import numpy; print(numpy.__version__)"),
            ("SymEngine", "import symengine; print(symengine.__version__)"),
            ("JAX", "import jax, jaxlib; print(jax.__version__, '(jaxlib', jaxlib.__version__ + ')')"),
        ]:
            v[name] = self.py_version(code) or "not installed"
        if self.maxima:
            out = subprocess.run([self.maxima, "--version"], capture_output=True, text=True, check=False)
            v["Maxima"] = out.stdout.strip().removeprefix("Maxima ") or "?"
        else:
            v["Maxima"] = "not installed"
        self.giac = self.args.giac or self.build_giac()
        if self.giac:
            prog = self.tmp / "version.giac"
            prog.write_text("version()\n")
            out = subprocess.run([self.giac, "-p", str(prog)], capture_output=True, text=True, check=False)
            v["Giac"] = out.stdout.strip().strip('"').split(",")[0].removeprefix("giac ") or "?"
            if not self.args.giac:
                v["Giac"] += " (libgiac through a compiled driver)"
        else:
            v["Giac"] = "not installed"

    def build_giac(self) -> str | None:
        cxx = shutil.which("c++") or shutil.which("g++")
        if not cxx or not Path("/usr/include/giac/giac.h").exists():
            return None
        source, binary = self.tmp / "giacdriver.cc", self.tmp / "giacdriver"
        source.write_text(GIAC_DRIVER)
        cmd = [cxx, "-O2", "-o", str(binary), str(source), "-lgiac", "-lgmp"]
        log(f"compiling the Giac driver: {' '.join(cmd)}")
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log(f"  failed, Giac counts as not installed: {done.stderr.strip()[:300]}")
            return None
        return str(binary)

    def jh(self) -> list[str]:
        return [self.python, "-m", "jhcli"]

    def installed(self, name: str) -> bool:
        return self.versions.get(name, "not installed") != "not installed"

    # --- commands

    def file(self, name: str, text: str) -> str:
        path = self.tmp / name
        path.write_text(text)
        return str(path)

    def script(self, tool: str, name: str, source: str, *argv: str) -> Command:
        if not self.installed(tool):
            return Command(missing="not installed")
        return Command([self.python, self.file(name, source), *argv], env=self.env)

    def maxima_cmd(self, name: str, statements: Sequence[str]) -> Command:
        if not self.maxima:
            return Command(missing="not installed")
        path = self.file(name, maxima_program(statements))
        return Command([self.maxima, "--very-quiet", "-r", f'batchload("{path}")$ quit()$'], env=self.env)

    def giac_cmd(self, name: str, statements: Sequence[str]) -> Command:
        if not self.giac:
            return Command(missing="not installed")
        return Command([self.giac, self.file(name, "\n".join(statements) + "\n")], env=self.env)

    # --- measuring

    def measure(
        self,
        case: str,
        tool: str,
        command: Command,
        repeat: int,
        na_if: Callable[[Run], str | None] | None = None,
    ) -> Timing:
        if command.missing:
            return Timing(
                status="na" if command.na else "missing", note=command.missing if command.na else ""
            )
        limit = self.args.timeout
        if (case, tool) in self.skip:
            return Timing(status="skipped", limit=limit)
        timing = Timing(limit=limit, asked=repeat)
        for _ in range(repeat):
            run = run_once(command.argv, limit, command.env or self.env, command.stdin, self.tmp)
            if run.code is None:
                self.skip[case, tool] = limit
                if not timing.runs:
                    timing.status = "timeout"
                else:
                    timing.note = "the next run timed out"
                break
            if run.code != 0:
                note = na_if(run) if na_if else None
                if note:
                    return Timing(status="na", note=note)
                first = run.stderr.strip().splitlines()[-1:] or [""]
                return Timing(status="failed", note=f"exit {run.code}: {first[0][:80]}")
            timing.runs.append(run.seconds)
            if run.seconds > self.args.single_above:
                break
        shown = cell_text(timing)
        log(f"  {tool:<42} {shown:<28} {' '.join(f'{r:.3f}' for r in timing.runs)}")
        return timing

    def interleaved(
        self, case: str, rows: Sequence[tuple[str, Command]], repeat: int
    ) -> list[tuple[str, list[Timing]]]:
        """``measure`` each command once per round, ``repeat`` rounds: the tools take turns."""
        merged: dict[str, Timing] = {}
        for _ in range(repeat):
            for label, command in rows:
                timing = self.measure(case, label, command, 1)
                known = merged.setdefault(label, timing)
                if known is not timing and known.status == "ok":
                    if timing.status == "ok":
                        known.runs.extend(timing.runs)
                        known.asked += 1
                    else:
                        merged[label] = timing
        return [(label, [merged[label]]) for label, _ in rows]

    # --- cases

    def startup(self) -> Table:
        log("startup")
        r = self.args.repeat
        jh = self.jh()
        seed = [*jh, "jacobian", SEED, "--at", SEED_POINT]
        env = self.jh_env
        rows = [
            ("`python -c pass`", Command([self.python, "-c", "pass"], env=self.env)),
            ('`python -c "import sympy"`', Command([self.python, "-c", "import sympy"], env=self.env)),
            ("`jh --version`", Command([*jh, "--version"], env=env)),
            ("`jh --help`", Command([*jh, "--help"], env=env)),
            ("jh", Command(seed, env=env)),
            (
                "Maxima",
                self.maxima_cmd(
                    "seed.mac", ["J: jacobian([x**2+y, x*y], [x, y])", "V: subst([x = 2, y = 3], J)"]
                ),
            ),
            (
                "Giac",
                self.giac_cmd(
                    "seed.giac", ["J:=tran(diff([x**2+y, x*y], [x, y]))", "subst(J, [x, y], [2, 3])"]
                ),
            ),
        ]
        timings = self.interleaved("startup", rows, r)
        by = dict(timings)
        jh_t, sympy_t = by["jh"][0], by['`python -c "import sympy"`'][0]
        footer = ""
        if jh_t.median and sympy_t.median:
            footer = (
                f"**jh seed ÷ `import sympy` = {jh_t.median / sympy_t.median:.2f}** "
                "(the issue's goal: at most 1.15)."
            )
        return Table(
            "Start-up and the seed case",
            f'`jh` is the seed case `jh jacobian "{SEED}" --at {SEED_POINT}` (plain output); Maxima '
            "and Giac compute the same Jacobian and its value at (2, 3). Medians of "
            f"{r} runs, whole processes, the tools taking turns (one run of each, {r} rounds): "
            "start-up times follow the machine's speed from second to second, and a ratio of two "
            "medians taken minutes apart would measure that.",
            ["median"],
            timings,
            footer=footer,
        )

    def rosenbrock(self) -> Table:
        sizes = [10, 30] if self.args.quick else self.args.rosenbrock_sizes
        r = min(self.args.repeat, 3)
        tools = [
            "jh",
            "jh, dense JSON",
            "SymPy `hessian`, `subs`",
            "SymPy gradient once, per-entry free symbols",
            "SymEngine `diff` loop",
            "Maxima `hessian`, `subst`",
            "Maxima gradient, `jacobian`, `ev`",
            "Giac `hessian`, `subst`",
            "JAX `jit(hessian)`, float64",
        ]
        cols: dict[str, list[Timing]] = {t: [] for t in tools}
        for n in sizes:
            log(f"rosenbrock n = {n}")
            text = rosenbrock_text(n)
            src = self.file(f"rosen{n}.txt", text)
            xs = variables(n)
            at = point_text(n)
            maxima_head = [f"f: {text}", f"X: {maxima_list(xs)}"]
            mpoint = maxima_list([f"{x} = 1" for x in xs])
            commands = {
                "jh": Command(
                    [*self.jh(), "hessian", "-", "--at", at, "--sparse", "-f", "json", "--timeout", "0"],
                    stdin=src,
                    env=self.jh_env,
                ),
                tools[1]: Command(
                    [*self.jh(), "hessian", "-", "--at", at, "-f", "json", "--timeout", "0"],
                    stdin=src,
                    env=self.jh_env,
                ),
                tools[2]: self.script("SymPy", "sympy_hessian.py", SYMPY_HESSIAN, src, str(n)),
                tools[3]: self.script("SymPy", "sympy_gradient.py", SYMPY_GRADIENT, src, str(n)),
                tools[4]: self.script("SymEngine", "symengine_hessian.py", SYMENGINE_HESSIAN, src, str(n)),
                tools[5]: self.maxima_cmd(
                    f"rosen{n}a.mac", [*maxima_head, "H: hessian(f, X)", f"V: subst({mpoint}, H)"]
                ),
                tools[6]: self.maxima_cmd(
                    f"rosen{n}b.mac",
                    [*maxima_head, "H: jacobian(makelist(diff(f, v), v, X), X)", f"V: ev(H, {mpoint})"],
                ),
                tools[7]: self.giac_cmd(
                    f"rosen{n}.giac",
                    [
                        f"H:=hessian({text}, {maxima_list(xs)})",
                        f"V:=subst(H, {maxima_list(xs)}, {maxima_list(['1'] * n)})",
                    ],
                ),
                tools[8]: self.script("JAX", "jax_hessian.py", JAX_HESSIAN, src, str(n)),
            }
            for tool in tools:
                cols[tool].append(self.measure("rosenbrock", tool, commands[tool], r))
        return Table(
            "Rosenbrock Hessian at (1, ..., 1)",
            "f = Σ 100·(x_{i+1} − x_i²)² + (1 − x_i)², i = 1..n−1. jh: "
            "`jh hessian - --at 1,...,1 --sparse -f json --timeout 0 < f.txt > /dev/null` (the non-zero "
            "entries of the Hessian and of its value, as a sparse problem is meant to be asked; the "
            "dense JSON of all n² entries is the second row); the others derive "
            "the Hessian from the same text and substitute the point (exact), except JAX, which "
            f"differentiates a vectorised NumPy-style f. Medians of up to {r} runs (one run when it "
            f"takes over {self.args.single_above:g} s).",
            [f"n = {n}" for n in sizes],
            [(t, cols[t]) for t in tools],
        )

    def trig(self) -> Table:
        sizes = [10] if self.args.quick else self.args.trig_sizes
        r = min(self.args.repeat, 3)
        tools = [
            "jh",
            "SymPy `jacobian`, `subs`",
            "SymEngine `jacobian`, `subs`",
            "Maxima `jacobian`, `subst`",
            "Giac `diff`, `subst`",
            "JAX `jit(jacfwd)`, float64",
        ]
        cols: dict[str, list[Timing]] = {t: [] for t in tools}
        for n in sizes:
            log(f"trig n = {n}")
            comps = trig_components(n)
            text = ", ".join(comps)
            src = self.file(f"trig{n}.txt", text)
            xs = variables(n)
            commands = {
                "jh": Command(
                    [*self.jh(), "jacobian", "-", "--at", point_text(n), "-f", "json", "--timeout", "0"],
                    stdin=src,
                    env=self.jh_env,
                ),
                tools[1]: self.script("SymPy", "sympy_jacobian.py", SYMPY_JACOBIAN, src, str(n)),
                tools[2]: self.script("SymEngine", "symengine_jacobian.py", SYMENGINE_JACOBIAN, src, str(n)),
                tools[3]: self.maxima_cmd(
                    f"trig{n}.mac",
                    [
                        f"J: jacobian({maxima_list(comps)}, {maxima_list(xs)})",
                        f"V: subst({maxima_list([f'{x} = 1' for x in xs])}, J)",
                    ],
                ),
                tools[4]: self.giac_cmd(
                    f"trig{n}.giac",
                    [
                        f"J:=tran(diff({maxima_list(comps)}, {maxima_list(xs)}))",
                        f"V:=subst(J, {maxima_list(xs)}, {maxima_list(['1'] * n)})",
                    ],
                ),
                tools[5]: self.script("JAX", "jax_jacobian.py", JAX_JACOBIAN, src, str(n)),
            }
            for tool in tools:
                cols[tool].append(self.measure("trig", tool, commands[tool], r))
        return Table(
            "Dense trigonometric Jacobian at x_j = 1",
            "f_i = Σ_j sin(i·x_j), i, j = 1..n (n² terms). jh: "
            "`jh jacobian - --at 1,...,1 -f json --timeout 0 < f.txt > /dev/null`; the others "
            "derive from the same text and substitute the point (exact values i·cos(i)), except JAX "
            f"(floats, a vectorised f). Medians of up to {r} runs (one run when it takes over "
            f"{self.args.single_above:g} s).",
            [f"n = {n}" for n in sizes],
            [(t, cols[t]) for t in tools],
        )

    def batch(self) -> Table:
        import numpy as np  # only this case needs NumPy in the benchmark's own Python

        points = 10_000 if self.args.quick else self.args.points
        r = self.args.repeat
        log(f"batch, {points} points")
        pts_path = self.tmp / "points.npy"
        rng = np.random.default_rng(0)
        np.save(pts_path, rng.uniform(-1.0, 1.0, size=(points, 2)))
        pts = str(pts_path)
        jax_script = Path(self.args.jax_batch)
        if jax_script.is_file():
            jax_label, jax_cmd = f"JAX `{jax_script.name}`", str(jax_script.resolve())
        else:
            jax_label, jax_cmd = (
                "JAX `jit(vmap(jacfwd))` (inline script)",
                self.file("jax_batch.py", JAX_BATCH),
            )
        outs: dict[str, str] = {}
        tools = ["jh", "SymPy `lambdify(cse=True)`", "SymEngine `Lambdify(cse=True)`", jax_label]

        def out(tool: str) -> str:
            outs[tool] = str(self.tmp / f"out{len(outs)}.npy")
            return outs[tool]

        commands = {
            "jh": Command(
                [*self.jh(), "jacobian", BATCH, "--at-file", pts, "--output", out("jh")], env=self.jh_env
            ),
            tools[1]: self.script("SymPy", "lambdify_batch.py", LAMBDIFY_BATCH, pts, out(tools[1]), BATCH),
            tools[2]: self.script(
                "SymEngine", "symengine_batch.py", SYMENGINE_BATCH, pts, out(tools[2]), BATCH
            ),
            tools[3]: (
                Command([self.python, jax_cmd, pts, out(tools[3])], env=self.env)
                if self.installed("JAX")
                else Command(missing="not installed")
            ),
        }

        def no_at_file(run: Run) -> str | None:
            return "jh has no --at-file" if run.code == 2 and "No such option" in run.stderr else None

        timings = {t: self.measure("batch", t, commands[t], r, no_at_file) for t in tools}
        # The same numbers? Compare every output with the first one that exists.
        expected = None
        for tool in tools:
            if timings[tool].status != "ok" or not Path(outs[tool]).exists():
                continue
            got = np.load(outs[tool])
            if expected is None:
                expected = got
            elif got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-12, atol=1e-12):
                timings[tool].note = "output differs from the first tool's!"
        rows = []
        for tool in tools:
            t = timings[tool]
            if t.median:
                t.note = (t.note + "; " if t.note else "") + f"{points / t.median / 1e6:.2g} M points/s"
            rows.append((tool, [t]))
        return Table(
            f"Batch: Jacobian of [x²+y, x·y, sin(x)·eʸ] at {points:,} points",
            f"From a `.npy` file of shape ({points:,}, 2) to a `.npy` file of shape ({points:,}, 3, 2), "
            f"float64, whole process (reading, compiling and writing included). jh: `jh jacobian "
            f'"{BATCH}" --at-file points.npy --output out.npy`. The outputs are compared with each '
            f"other (rtol 1e-12). Medians of {r} runs.",
            ["median"],
            rows,
        )


# ---------------------------------------------------------------------------------------------
# The report


def machine() -> dict[str, str]:
    info: dict[str, str] = {}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        models = [
            line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")
        ]
        info["CPU"] = models[0] if models else platform.processor() or platform.machine()
    except OSError:
        info["CPU"] = platform.processor() or platform.machine()
    info["cores"] = str(os.cpu_count())
    try:
        kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        info["RAM"] = f"{kb / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        info["RAM"] = "?"
    os_name = platform.system()
    try:
        release = dict(
            line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line
        )
        os_name = release.get("PRETTY_NAME", os_name).strip('"')
    except OSError:
        pass
    info["OS"] = f"{os_name}, kernel {platform.release()}, {platform.machine()}"
    return info


def load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def report(bench: Bench, tables: list[Table], started: str, load_start: str, elapsed: float) -> str:
    args = bench.args
    head = [
        "# jh speed: benchmark results",
        "",
        f"Generated by `python bench/speed.py{' ' + ' '.join(args.argv) if args.argv else ''}` "
        f"on {started} in {elapsed / 60:.1f} minutes.",
        "",
        "| machine | |",
        "| --- | --- |",
    ]
    head += [f"| {k} | {_escape(v)} |" for k, v in machine().items()]
    head += [f"| load average (1, 5, 15 min) | {load_start} at the start, {load()} at the end |", ""]
    head += ["| tool | version |", "| --- | --- |"]
    head += [f"| {k} | {_escape(v)} |" for k, v in bench.versions.items()]
    head += [
        "",
        "Wall time of whole processes (start-up included), output to /dev/null; the median of the "
        f"runs; **÷ jh** is the tool's median over jh's (above 1: jh is faster; `<`/`>` when one "
        f"of them timed out). A run over {args.timeout:g} s is stopped, and that tool is not run at "
        "the larger sizes of the case.",
    ]
    return "\n".join(head) + "\n\n" + "\n\n".join(t.markdown() for t in tables) + "\n"


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs per case (default 5; at most 3 for rosenbrock and trig)"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a run may take (default 120)")
    parser.add_argument(
        "--single-above", type=float, default=30.0, help="do not repeat runs longer than this (default 30 s)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes only: a smoke run")
    parser.add_argument("--only", action="append", choices=CASES, help="run only this case (repeatable)")
    parser.add_argument("--out", help="also write the Markdown report to this file")
    parser.add_argument("--jh-root", default=str(ROOT), help="the jh checkout to time (default: this one)")
    parser.add_argument(
        "--python", default=sys.executable, help="the Python of jh and of the scripts (default: this one)"
    )
    parser.add_argument("--maxima", help="the maxima program (default: maxima on the PATH)")
    parser.add_argument("--giac", help="a Giac driver taking a file of statements (default: compile one)")
    parser.add_argument(
        "--jax-batch",
        default=str(ROOT / "bench" / "jax_batch.py"),
        help="JAX batch script, run as SCRIPT IN.npy OUT.npy (default bench/jax_batch.py, else inline)",
    )
    parser.add_argument(
        "--rosenbrock-sizes", type=sizes, default=[100, 400, 1000], help="default 100,400,1000"
    )
    parser.add_argument("--trig-sizes", type=sizes, default=[100], help="default 100")
    parser.add_argument("--points", type=int, default=1_000_000, help="batch points (default 10**6)")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    started = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    load_start = load()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="jh-speed-") as tmp:
        bench = Bench(args, Path(tmp))
        bench.discover()
        log("versions: " + "; ".join(f"{k} {v}" for k, v in bench.versions.items()))
        tables = [getattr(bench, case)() for case in CASES if not args.only or case in args.only]
    text = report(bench, tables, started, load_start, time.perf_counter() - t0)
    print(text, end="")
    if args.out:
        Path(args.out).write_text(text)
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
