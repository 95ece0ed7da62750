"""Memory estimates: refuse a request that would need more memory than the limit, before the work.

A derivative is about as large as what it differentiates, and a matrix entry can be non-zero only
where its term holds the variables: entry (i, j) of a Hessian only if some additive term of f
contains both x_i and x_j. So, from the term structure alone, before differentiating:

* gradient: ``sum over terms t of vars(t) * nodes(t)`` nodes;
* Jacobian: ``sum over components f and terms t of f of vars(t) * nodes(t)``;
* Hessian: ``sum over terms t of vars(t)**2 * nodes(t)`` (plus its gradient),

where ``vars(t)`` counts the variables in the term and ``nodes(t)`` the nodes of its expression
tree; a dense expression of n variables therefore costs n**2 times its size. The estimate in
bytes is ``BYTES_PER_ENTRY`` per entry that may be non-zero plus ``BYTES_PER_NODE`` per node
(both measured); ``check`` compares it with the ``memory`` limit (``jhcli.limits``). The estimate
is an upper bound in spirit: SymPy shares subexpressions between entries, so a derivative often
costs less.

Exact eigenvalues are not estimated: jh computes them only for matrices of numbers (the Hessian at a
point), whose size is bounded by the ``variables`` limit, and their cost is time (under
``--timeout``), not memory.

This module imports SymPy lazily (only through the expressions it is given).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jhcli.errors import LimitError
from jhcli.limits import current_limits

BYTES_PER_ENTRY = 8000
BYTES_PER_NODE = 100
"""Bytes per entry that may be non-zero and per estimated node: a least-upper fit of the
``tracemalloc`` peaks of ``calculus.hessian`` / ``calculus.jacobian`` (default simplification,
SymPy's cache cleared first) on eight cases, measured by ``bench/memory_calibration.py`` on SymPy
1.14 / CPython 3.11. Each entry costs 2-10 kB whatever its size (the simplification's temporaries,
SymPy's cache, the matrix), nodes about 100 bytes more each; the estimate came out at 0.9 to 5
times the measured peak (table in bench/README.md)."""

MIB = 1024 * 1024


def nodes(expr: Any) -> int:
    """Nodes of the expression tree of ``expr`` (shared subexpressions counted each time)."""
    count, stack = 0, [expr]
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(getattr(node, "args", ()))
    return count


def _terms(expr: Any) -> tuple[Any, ...]:
    import sympy

    return sympy.Add.make_args(expr)


@dataclass(frozen=True)
class Estimate:
    """What a matrix would cost: bytes, entries that may be non-zero, and what it is."""

    what: str
    bytes: int
    entries: int

    def twice(self) -> Estimate:
        """This estimate for two such results (H·v: a gradient, then the gradient of g·v)."""
        return Estimate(self.what, 2 * self.bytes, self.entries)

    def check(self) -> None:
        """Raise ``LimitError`` if this needs more than the ``memory`` limit in force."""
        limit_mib = current_limits().memory
        if self.bytes <= limit_mib * MIB:
            return
        wanted = -(-self.bytes // MIB)  # MiB, rounded up
        each = self.bytes // max(self.entries, 1)
        raise LimitError(
            f"{self.what} would need about {_size(self.bytes)} of memory "
            f"({self.entries:,} entries of about {each:,} bytes each); the memory limit is "
            f"{_size(limit_mib * MIB)}: raise it with --limit memory={wanted} (MiB)"
        )


def _size(n: int) -> str:
    """``7.5 GiB``, ``320 MiB``, ``12 KiB``: bytes for a message."""
    for unit, scale in (("GiB", 1024**3), ("MiB", MIB), ("KiB", 1024)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{n} bytes"


def _term_sizes(expr: Any, variables: frozenset[Any]) -> list[tuple[int, int]]:
    """(variables in the term, nodes of the term) for each additive term that has a variable."""
    out = []
    for term in _terms(expr):
        count = len(term.free_symbols & variables)
        if count:
            out.append((count, nodes(term)))
    return out


def gradient_estimate(function: Any, variables: Sequence[Any], what: str = "the gradient") -> Estimate:
    """The memory for the gradient of ``function``."""
    sizes = _term_sizes(function, frozenset(variables))
    units = sum(v * s for v, s in sizes)
    entries = min(len(variables), sum(v for v, _ in sizes))
    return Estimate(what, _bytes(entries, units), entries)


def _bytes(entries: int, units: int) -> int:
    return entries * BYTES_PER_ENTRY + units * BYTES_PER_NODE


def jacobian_estimate(
    functions: Sequence[Any], variables: Sequence[Any], what: str = "the Jacobian"
) -> Estimate:
    """The memory for the Jacobian of ``functions``."""
    symbols = frozenset(variables)
    units = entries = 0
    for f in functions:
        sizes = _term_sizes(f, symbols)
        units += sum(v * s for v, s in sizes)
        entries += min(len(variables), sum(v for v, _ in sizes))
    return Estimate(what, _bytes(entries, units), entries)


def product_estimate(functions: Sequence[Any], what: str) -> Estimate:
    """The memory for one derivative of each function (J·v: a directional derivative per component)."""
    return Estimate(what, _bytes(len(functions), sum(nodes(f) for f in functions)), len(functions))


def hessian_estimate(function: Any, variables: Sequence[Any], what: str = "the Hessian") -> Estimate:
    """The memory for the Hessian of ``function`` (and the gradient it is built from)."""
    sizes = _term_sizes(function, frozenset(variables))
    units = sum((v * v + v) * s for v, s in sizes)
    n = len(variables)
    entries = min(n * n, sum(v * v for v, _ in sizes))
    return Estimate(what, _bytes(entries, units), entries)
