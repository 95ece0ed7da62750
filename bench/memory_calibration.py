"""Calibrate ``jhcli.memory``'s constants: tracemalloc peaks of real derivatives vs the estimate.

For each case, the node estimate of ``jhcli.memory`` (before differentiating) and the peak of
``tracemalloc`` while ``calculus.hessian`` / ``calculus.jacobian`` run (default simplification,
SymPy's cache cleared first, the input already built). The columns peak / entries and peak /
nodes show that a fixed cost per entry dominates at these sizes; ``BYTES_PER_ENTRY`` and
``BYTES_PER_NODE`` are a fit that errs on the side of refusing. The last columns show how the
estimate with the constants in force compares with the measured peak.

Usage::

    .venv/bin/python bench/memory_calibration.py

It prints a Markdown table (as recorded in bench/README.md).
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import sympy
from sympy.core.cache import clear_cache

from jhcli import calculus, memory
from jhcli.limits import time_budget
from jhcli.parsing import make_symbol


def xs(n: int, name: str = "x") -> list[sympy.Symbol]:
    return [make_symbol(f"{name}{i}") for i in range(1, n + 1)]


def cases() -> list[tuple[str, str, Any, list[sympy.Symbol]]]:
    out: list[tuple[str, str, Any, list[sympy.Symbol]]] = []
    v = xs(40)
    rosen = sympy.Add(*[100 * (v[i + 1] - v[i] ** 2) ** 2 + (1 - v[i]) ** 2 for i in range(39)])
    out.append(("Rosenbrock, n = 40 (sparse)", "hessian", rosen, v))
    v = xs(12)
    out.append(("prod sin(x_i), n = 12 (dense)", "hessian", sympy.Mul(*[sympy.sin(s) for s in v]), v))
    v = xs(16)
    out.append(("1/(1 + sum x_i**2), n = 16 (dense)", "hessian", 1 / (1 + sum(s**2 for s in v)), v))
    v, w = xs(6, "a"), xs(6, "b")
    dense = sympy.exp(sum(a * b for a, b in zip(v, w, strict=True))) * sympy.log(1 + sum(a**2 for a in v))
    out.append(("exp(sum a_i b_i) log(1 + sum a_i**2), n = 12", "hessian", dense, v + w))
    v = xs(20)
    out.append(("(sum x_i)**3, n = 20 (dense, shared)", "hessian", sum(v) ** 3, v))
    v = xs(16)
    tanh = sympy.tanh(sum(i * s for i, s in enumerate(v, 1))) ** 2
    out.append(("tanh(sum i x_i)**2, n = 16 (dense)", "hessian", tanh, v))
    v = xs(20)
    trig = [sum(sympy.sin(i * s) for s in v) for i in range(1, 21)]
    out.append(("f_i = sum_j sin(i x_j), n = 20", "jacobian", trig, v))
    v = xs(12)
    prods = [sympy.Mul(*[sympy.cos(i * s) for s in v]) for i in range(1, 13)]
    out.append(("f_i = prod_j cos(i x_j), n = 12", "jacobian", prods, v))
    return out


def measure(work: Callable[[], Any]) -> tuple[int, float]:
    clear_cache()
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    with time_budget(0):
        result = work()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak, seconds


def main() -> None:
    print(
        f"SymPy {sympy.__version__}; BYTES_PER_ENTRY = {memory.BYTES_PER_ENTRY}, "
        f"BYTES_PER_NODE = {memory.BYTES_PER_NODE}\n"
    )
    print("| case | entries | nodes | measured peak | peak / entry | estimate | estimate / peak | time |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, kind, f, v in cases():
        if kind == "hessian":
            estimate = memory.hessian_estimate(f, v)
            peak, seconds = measure(lambda f=f, v=v: calculus.hessian(f, v))
        else:
            estimate = memory.jacobian_estimate(f, v)
            peak, seconds = measure(lambda f=f, v=v: calculus.jacobian(f, v))
        units = (estimate.bytes - estimate.entries * memory.BYTES_PER_ENTRY) // memory.BYTES_PER_NODE
        print(
            f"| {name} | {estimate.entries:,} | {units:,} | {peak / 2**20:.2f} MiB | "
            f"{peak / estimate.entries:,.0f} | {estimate.bytes / 2**20:.2f} MiB | "
            f"{estimate.bytes / peak:.1f} | {seconds:.1f} s |",
            flush=True,
        )


if __name__ == "__main__":
    main()
