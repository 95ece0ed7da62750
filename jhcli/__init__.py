"""jh: symbolic Jacobians and Hessians.

The public Python API mirrors the CLI: strings or SymPy in, a ``Result`` out.

>>> from jhcli import jacobian
>>> r = jacobian("x**2+y, x*y", at=["2,3"])
>>> r.matrix
Matrix([
[2*x, 1],
[  y, x]])
>>> [[e.exact for e in row] for row in r.points[0].values]
[[4, 1], [3, 2]]

Importing ``jhcli`` itself is cheap: SymPy is loaded on first use of the API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.3.1"

__all__ = [
    "__version__",
    "jacobian",
    "gradient",
    "hessian",
    "critical",
    "jvp",
    "vjp",
    "hvp",
    "chain",
    "check",
    "newton",
]

if TYPE_CHECKING:
    from jhcli.api import chain, check, critical, gradient, hessian, hvp, jacobian, jvp, newton, vjp


def __getattr__(name: str) -> Any:
    if name in __all__ and name != "__version__":  # the API functions, loaded on first use
        from jhcli import api

        return getattr(api, name)
    raise AttributeError(f"module 'jhcli' has no attribute {name!r}")
