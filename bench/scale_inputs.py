"""Large test inputs: Rosenbrock (sparse Hessian) and a dense trigonometric Jacobian.

python bench/scale_inputs.py 400 rosen   # sum of 100*(x{i+1}-x{i}**2)**2 + (1-x{i})**2
python bench/scale_inputs.py 100 trig    # f_i = sum_j sin(i*x_j), i, j = 1..n (comma separated)
"""

from __future__ import annotations

import sys


def make(n: int, kind: str) -> str:
    if kind == "rosen":
        return " + ".join(f"100*(x{i + 1}-x{i}**2)**2 + (1-x{i})**2" for i in range(1, n))
    if kind == "trig":
        return ", ".join(" + ".join(f"sin({i}*x{j})" for j in range(1, n + 1)) for i in range(1, n + 1))
    raise ValueError(kind)


if __name__ == "__main__":
    print(make(int(sys.argv[1]), sys.argv[2]))
