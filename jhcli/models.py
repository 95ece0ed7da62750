"""Result objects: frozen dataclasses and enums, no I/O.

The records of analyses (spectra, Newton steps, critical points, maps, profiles, chain-rule factors)
live in ``jhcli.findings`` and are importable from here too (loaded on first use: defining the
fourteen dataclasses costs about 15 ms, which a run that needs none of them should not pay).

A ``Result`` carries everything any output format shows; renderers read it and return text. The
``to_*`` helpers delegate to ``jhcli.render`` (imported lazily) so that notebooks and scripts get the
same text the CLI prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sympy

    from jhcli.findings import (  # noqa: F401 (the lazily re-exported names, for type checkers)
        ChainCheck,
        CriticalPoint,
        CurvatureMap,
        Eigenvalue,
        Factor,
        Family,
        Inertia,
        Iterate,
        Iteration,
        MapPoint,
        NewtonStep,
        Profile,
        Quantity,
        Spectrum,
    )

_FINDINGS = frozenset(
    {
        "ChainCheck",
        "CriticalPoint",
        "CurvatureMap",
        "Eigenvalue",
        "Factor",
        "Family",
        "Inertia",
        "Iterate",
        "Iteration",
        "MapPoint",
        "NewtonStep",
        "Profile",
        "Quantity",
        "Spectrum",
    }
)


def __getattr__(name: str) -> Any:
    """The records defined in ``jhcli.findings``, imported when first asked for."""
    if name in _FINDINGS:
        from jhcli import findings

        return getattr(findings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Command(str, Enum):
    """What was computed."""

    JACOBIAN = "jacobian"
    GRADIENT = "gradient"
    HESSIAN = "hessian"
    CRITICAL = "critical"
    JVP = "jvp"
    VJP = "vjp"
    HVP = "hvp"
    CHAIN = "chain"
    CHECK = "check"  # a Jacobian or Hessian checked against finite differences
    NEWTON = "newton"
    MAP = "map"  # the Hessian's type over a grid of cells (``jh map``)
    PROFILE = "profile"  # f along a line through a point (``jh profile``)


class PointType(str, Enum):
    """The verdict on a point of a scalar function."""

    MINIMUM = "local minimum"
    MAXIMUM = "local maximum"
    SADDLE = "saddle point"  # a critical point that is not an extremum
    INCONCLUSIVE = "inconclusive"
    NOT_CRITICAL = "not a critical point"


class Certainty(str, Enum):
    """How a claim was established."""

    EXACT = "exact"
    NUMERIC = "numeric"


class Status(str, Enum):
    """What became of one entry evaluated at one point."""

    OK = "ok"
    UNDEFINED = "undefined"  # division by zero, log(0), not differentiable, ...
    COMPLEX = "complex"  # defined but not real (sqrt(-4))


@dataclass(frozen=True)
class Entry:
    """One matrix entry evaluated at one point."""

    status: Status
    exact: sympy.Expr | None  # the exact value (complex allowed) or None when undefined
    numeric: float | None  # a float only when the value is real and defined
    reason: str = ""  # why the value is undefined or complex

    @property
    def is_number(self) -> bool:
        return self.status is Status.OK


@dataclass(frozen=True)
class Classification:
    """The verdict on a point, with a reason a student can check."""

    type: PointType
    degenerate: bool
    reason: str
    certainty: Certainty
    tolerance: float | None = None


class StepMethod(str, Enum):
    """How a Newton step was computed."""

    NEWTON = "newton"  # d = -H^-1 g (H invertible)
    PSEUDO_INVERSE = "pseudo-inverse"  # d = -H^+ g (H singular: minimum-norm least squares)


@dataclass(frozen=True)
class CheckEntry:
    """One matrix entry compared with its finite-difference estimate (numeric, labelled so)."""

    symbolic: float | None  # the exact value as a float; None when undefined or not real
    finite_difference: float | None  # None when f could not be evaluated near the point
    abs_error: float | None  # |symbolic - finite_difference|
    rel_error: float | None  # abs_error / |symbolic|; None when symbolic is 0 or missing
    agree: bool  # abs_error <= atol + rtol * |symbolic|
    richardson_error: float | None = None  # the estimate's own error: its last two levels differ by this
    tolerance: float | None = None  # atol + rtol * |symbolic|
    note: str = ""  # why the entry could not be compared, or why it may disagree


@dataclass(frozen=True)
class CheckReport:
    """The symbolic matrix at one point checked against finite differences of the function."""

    entries: tuple[tuple[CheckEntry, ...], ...]  # same shape as the matrix
    max_abs_error: float | None  # over the entries that could be compared
    max_rel_error: float | None
    rtol: float
    atol: float
    agree: bool  # every entry agrees
    method: str  # "central differences, Richardson-extrapolated"

    @property
    def disagreements(self) -> list[tuple[int, int, CheckEntry]]:
        """Entries that do not agree, with their (row, column)."""
        return [(i, j, e) for i, row in enumerate(self.entries) for j, e in enumerate(row) if not e.agree]


_STATUS = attrgetter("status")


@dataclass(frozen=True)
class PointResult:
    """The result matrix evaluated at one point, plus any analysis of it."""

    at: tuple[tuple[sympy.Symbol, sympy.Expr], ...]  # (variable, exact value) in variable order
    values: tuple[tuple[Entry, ...], ...]  # rows of entries, same shape as the matrix
    spectrum: Spectrum | None = None
    classification: Classification | None = None
    gradient: tuple[Entry, ...] | None = None  # shown when the point is not critical
    check: CheckReport | None = None  # --check / jh check: the finite-difference comparison
    newton: NewtonStep | None = None  # for ``jh newton``

    @property
    def undefined(self) -> list[tuple[int, int, Entry]]:
        """Entries that are not real numbers, with their (row, column)."""
        # A 1000 x 1000 matrix has 10^6 entries: rows whose statuses are all OK are skipped by a
        # count in C, and only the others are read entry by entry.
        ok = Status.OK
        out: list[tuple[int, int, Entry]] = []
        for i, row in enumerate(self.values):
            statuses = list(map(_STATUS, row))
            if statuses.count(ok) != len(statuses):
                out.extend((i, j, e) for j, e in enumerate(row) if statuses[j] is not ok)
        return out


class CellType(str, Enum):
    """The Hessian's type at a cell centre of ``jh map``: the sign pattern of its eigenvalues."""

    CONVEX = "convex"  # positive definite
    CONCAVE = "concave"  # negative definite
    SADDLE = "saddle"  # indefinite
    DEGENERATE = "degenerate"  # singular (an eigenvalue is 0)
    UNDEFINED = "undefined"  # the Hessian has no real value there


@dataclass(frozen=True)
class Result:
    """What one jh command computed: the symbolic matrix and its values at points."""

    command: Command
    functions: tuple[sympy.Expr, ...]
    variables: tuple[sympy.Symbol, ...]
    matrix: sympy.ImmutableMatrix
    points: tuple[PointResult, ...] = ()
    critical_points: tuple[CriticalPoint, ...] | None = None
    families: tuple[Family, ...] = ()
    complete: bool | None = None  # for critical-point searches
    certainty: Certainty | None = None  # of a critical-point search: exact solve or numeric search
    notes: tuple[str, ...] = ()  # facts worth a line of output (e.g. "no critical points")
    let: tuple[tuple[str, Any], ...] = ()  # names bound with --let and their values (expr or matrix)
    vector: tuple[sympy.Expr, ...] = ()  # the v of J·v and H·v, the u of uᵀJ
    factors: tuple[Factor, ...] = ()  # chain rule: the matrices multiplied
    bindings: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()  # chain rule: u = inner expression
    composed: tuple[sympy.Expr, ...] = ()  # chain rule: the outer functions of the inner ones
    check: ChainCheck | None = None  # chain rule: product == Jacobian of the composition
    derivative: Command | None = None  # for ``check``: the matrix checked (JACOBIAN or HESSIAN)

    @property
    def kind(self) -> Command:
        """Which matrix ``matrix`` is: the command, or for ``check`` the derivative checked."""
        return self.derivative or self.command

    iteration: Iteration | None = None  # ``jh newton --steps N``
    landscape: CurvatureMap | None = None  # ``jh map``
    profile: Profile | None = None  # ``jh profile``
    # ``matrix`` before ``calculus.away_from_jumps`` showed its DiracDelta / Derivative(floor) terms
    # as 0 (None when nothing was removed): batch evaluation reads where entries are undefined from it.
    jumps: sympy.ImmutableMatrix | None = None

    def to_json(self) -> str:
        from jhcli.render import render

        return str(render(self, "json"))

    def to_latex(self) -> str:
        from jhcli.render import render

        return str(render(self, "latex"))

    def to_markdown(self) -> str:
        from jhcli.render import render

        return str(render(self, "markdown"))

    def to_plain(self) -> str:
        from jhcli.render import render

        return str(render(self, "plain"))

    def to_code(self, target: str = "numpy") -> str:
        """A function computing the matrix (``--emit``): ``numpy``, ``python``, ``c``, ``jax``, ``latex``."""
        from jhcli.codegen import emit

        return emit(self, target)

    def __str__(self) -> str:
        return self.to_plain()

    def _repr_latex_(self) -> str:
        from jhcli.render.latex import render_latex

        return "$$" + render_latex(self, bare=True) + "$$"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()
