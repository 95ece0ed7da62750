"""In-process time split of one large derivative: parse / differentiate / evaluate / render.

    python bench/scale_split.py rosen 400 [--command hessian] [--format json] [--profile]

Prints the seconds spent reading the input, differentiating, evaluating at the point (all ones)
and rendering, measured with time.perf_counter around the core functions the CLI calls.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_inputs import make  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["rosen", "trig"])
    ap.add_argument("n", type=int)
    ap.add_argument("--format", default="json")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--no-point", action="store_true")
    args = ap.parse_args()

    from sympy.core.cache import clear_cache

    import jhcli
    from jhcli import api, calculus, render
    from jhcli.analysis import evaluate_matrix  # noqa: F401

    text = make(args.n, args.kind)
    command = "hessian" if args.kind == "rosen" else "jacobian"
    at = [] if args.no_point else [",".join(["1"] * args.n)]
    t0 = time.perf_counter()
    problem = api._Problem(text.split(", ") if command == "jacobian" else text, None, at, "exact")
    t1 = time.perf_counter()
    print(f"parse        {t1 - t0:8.3f} s  ({len(text)} characters, {len(problem.variables)} variables)")

    def full() -> object:
        return getattr(jhcli, command)(text.split(", ") if command == "jacobian" else text, at=at)

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
    t2 = time.perf_counter()
    if command == "hessian":
        grad = calculus.gradient(problem.functions[0], problem.variables)
        calculus.hessian_from_gradient(grad, problem.variables)
    else:
        calculus.jacobian(problem.functions, problem.variables)
    t3 = time.perf_counter()
    clear_cache()  # the whole command from scratch, not from SymPy's cache of the step above
    result = full()
    t4 = time.perf_counter()
    out = render.render(result, args.format)
    t5 = time.perf_counter()
    if args.profile:
        prof.disable()
    print(f"differentiate{t3 - t2:8.3f} s")
    evaluate = t4 - t3 - (t3 - t2) - (t1 - t0)
    print(f"whole api    {t4 - t3:8.3f} s  (parse + differentiate + evaluate: evaluate ~ {evaluate:.3f} s)")
    print(f"render       {t5 - t4:8.3f} s  ({len(out)} characters of {args.format})")
    if args.profile:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
