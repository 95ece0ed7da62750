"""Time the sparse views of a 1000 x 1000 Rosenbrock Hessian (about 3,000 non-zero entries).

The Hessian and its values at x = (1, ..., 1) are built by hand (the derivative of each term is
known), so this times the rendering only: ``--sparse`` in plain, table and JSON, ``--sparsity``,
and the table format's corner summary. Prints the median of several runs per view: wall-clock and
CPU seconds (CPU time is less disturbed by other work on a shared machine), and the share of it
spent printing "read as" (the function itself, SymPy's printer; the same in every format).

    PYTHONPATH=. python bench/sparse_render.py [n] [runs]
"""

from __future__ import annotations

import io
import statistics
import sys
import time

import sympy
from rich.console import Console

from jhcli.models import Command, Entry, PointResult, Result, Status
from jhcli.render import render


def rosenbrock(n: int) -> Result:
    xs = sympy.symbols(f"x1:{n + 1}", real=True)
    f = sympy.Add(*(100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(n - 1)))
    entries: dict[tuple[int, int], sympy.Expr] = {}
    for i in range(n - 1):
        a, b = xs[i], xs[i + 1]
        entries[i, i] = entries.get((i, i), sympy.S.Zero) + 1200 * a**2 - 400 * b + 2
        entries[i, i + 1] = entries[i + 1, i] = -400 * a
        entries[i + 1, i + 1] = entries.get((i + 1, i + 1), sympy.S.Zero) + 200
    matrix = sympy.ImmutableMatrix(sympy.SparseMatrix(n, n, entries))
    at = {x: sympy.Integer(1) for x in xs}
    zero = Entry(Status.OK, sympy.S.Zero, 0.0)
    values = [[zero] * n for _ in range(n)]
    for (i, j), e in entries.items():
        v = e.xreplace(at)
        values[i][j] = Entry(Status.OK, v, float(v))
    point = PointResult(at=tuple(at.items()), values=tuple(tuple(r) for r in values))
    return Result(Command.HESSIAN, (f,), xs, matrix, points=(point,))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    t = time.perf_counter()
    result = rosenbrock(n)
    print(f"n = {n}: built the result in {time.perf_counter() - t:.2f} s")

    def table(**options: object) -> None:
        out = render(result, "table", width=100, **options)
        Console(file=io.StringIO(), width=100).print(out)

    views = {
        "plain --sparse": lambda: render(result, "plain", sparse=True),
        "json --sparse": lambda: render(result, "json", sparse=True),
        "plain --sparsity --sparse": lambda: render(result, "plain", sparsity=True, sparse=True),
        "plain (dense, for comparison)": lambda: render(result, "plain"),
        "json --sparsity": lambda: render(result, "json", sparsity=True, sparse=True),
        "table --sparse": lambda: table(sparse=True),
        "table --sparsity (values summarised)": lambda: table(sparsity=True),
        "table (corners)": lambda: table(),
        "latex --sparse": lambda: render(result, "latex", sparse=True),
    }
    from jhcli.render.common import read_as

    t = time.process_time()
    read_as(result)
    print(f"printing the function (read as): {time.process_time() - t:.2f} s CPU")
    print("| view | median wall s | median CPU s | runs |")
    print("| --- | ---: | ---: | ---: |")
    for name, view in views.items():
        walls, cpus = [], []
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            view()
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        print(f"| {name} | {statistics.median(walls):.2f} | {statistics.median(cpus):.2f} | {runs} |")


if __name__ == "__main__":
    main()
