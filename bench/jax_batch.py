"""The JAX side of the batch-evaluation benchmark: J of [x**2 + y, x*y, sin(x)*exp(y)] at every
row of a .npy file, written to a .npy file of shape (points, 3, 2), in float64.

    python bench/jax_batch.py POINTS.npy OUT.npy

The same work as ``jh jacobian "x**2+y, x*y, sin(x)*exp(y)" --at-file POINTS.npy --output OUT.npy``:
read the points, ``jit(vmap(jacfwd(f)))`` (compiled once), evaluate, write. Used by
``bench/batch.py``, which times both as whole processes.
"""

from __future__ import annotations

import sys

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402  (after x64 mode is switched on)
import numpy as np  # noqa: E402


def f(p: jax.Array) -> jax.Array:
    x, y = p[0], p[1]
    return jnp.stack([x**2 + y, x * y, jnp.sin(x) * jnp.exp(y)])


def main(src: str, dst: str) -> None:
    points = np.load(src)
    jac = jax.jit(jax.vmap(jax.jacfwd(f)))
    out = np.asarray(jac(jnp.asarray(points, dtype=jnp.float64)))
    np.save(dst, out)


if __name__ == "__main__":
    main(*sys.argv[1:3])
