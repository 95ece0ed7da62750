"""The library façade: one function per command, strings or SymPy in, a ``Result`` out.

The CLI calls exactly these functions. Options mirror the CLI's: ``vars=`` (``--vars``), ``at=``
(``--at``, a list of points), ``simplify=`` (``--no-simplify``), ``timeout=`` (``--timeout``).

>>> from jhcli import hessian
>>> r = hessian("x**2 + 3*x*y + y**2", at=["0,0"], classify=True)
>>> r.matrix
Matrix([
[2, 3],
[3, 2]])
>>> r.points[0].classification.type.value
'saddle point'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeAlias

import sympy

from jhcli import calculus
from jhcli.analysis import Origin, evaluate_matrix
from jhcli.errors import LimitError, UsageError
from jhcli.limits import MAX_FUNCTIONS, MAX_VARIABLES, step, time_budget
from jhcli.models import Certainty, Classification, Command, PointResult, PointType, Result
from jhcli.parsing import make_symbol, ordered_symbols, parse_functions, parse_point, parse_variables
from jhcli.printing import sstr

FunctionsIn: TypeAlias = "str | sympy.Expr | Sequence[str | sympy.Expr]"
VarsIn: TypeAlias = "str | Sequence[str | sympy.Symbol] | None"
PointIn: TypeAlias = "str | Mapping[Any, Any] | Sequence[Any]"


def _as_real_symbols(expr: sympy.Expr) -> sympy.Expr:
    """SymPy input from a caller: make its symbols jh's real symbols of the same name."""
    return expr.xreplace({s: make_symbol(s.name) for s in expr.free_symbols if isinstance(s, sympy.Symbol)})


def _variables(vars: VarsIn) -> list[sympy.Symbol] | None:
    if vars is None:
        return None
    if isinstance(vars, str):
        return parse_variables(vars)
    return parse_variables(",".join(v.name if isinstance(v, sympy.Symbol) else str(v) for v in vars))


def _functions(
    functions: FunctionsIn, declared: Sequence[sympy.Symbol] | None, decimals: str
) -> list[sympy.Expr]:
    items: Sequence[Any] = [functions] if isinstance(functions, (str, sympy.Basic)) else functions
    names = [v.name for v in declared] if declared else []
    out: list[sympy.Expr] = []
    texts: list[str] = []
    for item in items:
        if isinstance(item, str):
            texts.append(item)
        else:
            if texts:
                out += parse_functions(texts, variables=names, decimals=decimals)
                texts = []
            out.append(_as_real_symbols(sympy.Integer(item) if isinstance(item, int) else item))
    if texts:
        out += parse_functions(texts, variables=names, decimals=decimals)
    if not out:
        raise UsageError("no function given")
    return out


def _points(at: Iterable[PointIn], variables: Sequence[sympy.Symbol]) -> list[dict[sympy.Symbol, sympy.Expr]]:
    points = []
    for p in at:
        if isinstance(p, str):
            points.append(parse_point(p, variables))
        elif isinstance(p, Mapping):
            text = ",".join(f"{k.name if isinstance(k, sympy.Symbol) else k}={sstr(v)}" for k, v in p.items())
            points.append(parse_point(text, variables))
        else:
            points.append(parse_point(",".join(sstr(v) for v in p), variables))
    return points


class _Problem:
    """Parsed input shared by every command."""

    def __init__(self, functions: FunctionsIn, vars: VarsIn, at: Iterable[PointIn], decimals: str) -> None:
        declared = _variables(vars)
        self.functions = _functions(functions, declared, decimals)
        if len(self.functions) > MAX_FUNCTIONS:
            raise LimitError(f"too many components: {len(self.functions)} (limit {MAX_FUNCTIONS})")
        self.variables = declared if declared is not None else ordered_symbols(self.functions)
        if len(self.variables) > MAX_VARIABLES:
            raise LimitError(
                f"too many variables: {len(self.variables)} (limit {MAX_VARIABLES}); "
                "the matrices would be too large to compute here"
            )
        if not self.variables:
            raise UsageError("no variables: the function is constant; name them with --vars")
        self.points = _points(at, self.variables)

    def scalar(self, command: str) -> sympy.Expr:
        if len(self.functions) != 1:
            raise UsageError(
                f"{command} needs one scalar function, got {len(self.functions)} components; "
                "use 'jh jacobian' for a vector function"
            )
        return self.functions[0]


def _result(
    command: Command, problem: _Problem, matrix: sympy.MatrixBase, points: Sequence[PointResult], **extra: Any
) -> Result:
    shown, conditions = calculus.away_from_jumps(matrix)
    notes = tuple(extra.pop("notes", ()))
    if conditions:
        where = " and ".join(conditions)
        notes = (f"the matrix shown holds where {where} (a jump makes the derivative fail there)", *notes)
    return Result(
        command=command,
        functions=tuple(problem.functions),
        variables=tuple(problem.variables),
        matrix=shown,
        points=tuple(points),
        notes=notes,
        **extra,
    )


Derivation: TypeAlias = "Callable[[int, int], tuple[list[sympy.Expr], Origin]]"
"""For entry (i, j): what must be defined for it to exist, and which derivative it is."""


def _evaluate_all(
    matrix: sympy.MatrixBase, raw: sympy.MatrixBase, problem: _Problem, derivation: Derivation, simplify: bool
) -> list[PointResult]:
    """Evaluate at every point; each entry must also be defined in its un-simplified form."""
    cells = [[derivation(i, j) for j in range(matrix.cols)] for i in range(matrix.rows)]
    sources = [[[*needs, raw[i, j]] for j, (needs, _) in enumerate(row)] for i, row in enumerate(cells)]
    origins = [[origin for _, origin in row] for row in cells]
    out = []
    for point in problem.points:
        values = evaluate_matrix(matrix, point, sources=sources, origins=origins, simplify=simplify)
        out.append(PointResult(at=tuple((v, point[v]) for v in problem.variables), values=values))
    return out


def jacobian(
    functions: FunctionsIn,
    *,
    vars: VarsIn = None,
    at: Iterable[PointIn] = (),
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
) -> Result:
    """The Jacobian ``J[i, j] = d f_i / d x_j`` (rows: functions, columns: variables).

    >>> jacobian("tanh(a*x + b*y)", vars="x,y").matrix
    Matrix([[a*(1 - tanh(a*x + b*y)**2), b*(1 - tanh(a*x + b*y)**2)]])
    """
    with time_budget(timeout):
        problem = _Problem(functions, vars, at, decimals)
        fs, vs = problem.functions, problem.variables
        matrix = calculus.jacobian(fs, vs, simplify=simplify)
        points: list[PointResult] = []
        if problem.points:
            raw = calculus.jacobian(fs, vs, simplify=False) if simplify else matrix
            points = _evaluate_all(
                matrix, raw, problem, lambda i, j: ([fs[i]], Origin(fs[i], vs[j])), simplify
            )
        return _result(Command.JACOBIAN, problem, matrix, points)


def gradient(
    function: FunctionsIn,
    *,
    vars: VarsIn = None,
    at: Iterable[PointIn] = (),
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
) -> Result:
    """The gradient of a scalar function, as an n x 1 column.

    >>> gradient("x^2*y + sin(x)", at=["x=1,y=pi/2"]).points[0].values
    ((Entry(status=<Status.OK: 'ok'>, exact=cos(1) + pi, numeric=3.6818...
    """
    with time_budget(timeout):
        problem = _Problem(function, vars, at, decimals)
        f, vs = problem.scalar("gradient"), problem.variables
        matrix = calculus.gradient(f, vs, simplify=simplify)
        points: list[PointResult] = []
        if problem.points:
            raw = calculus.gradient(f, vs, simplify=False) if simplify else matrix
            points = _evaluate_all(matrix, raw, problem, lambda i, j: ([f], Origin(f, vs[i])), simplify)
        return _result(Command.GRADIENT, problem, matrix, points)


def hessian(
    function: FunctionsIn,
    *,
    vars: VarsIn = None,
    at: Iterable[PointIn] = (),
    eig: bool = False,
    vectors: bool = False,
    classify: bool = False,
    box: tuple[float, float] | None = None,
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
) -> Result:
    """The Hessian ``H[i, j] = d2 f / dx_i dx_j`` (symmetric), optionally analysed at points.

    ``eig=True`` adds eigenvalues, determinant, trace, inertia and condition number at each
    point; ``classify=True`` the type of the point. ``classify=True`` without points finds and
    classifies every critical point (like :func:`critical`).
    """
    if classify and not at:
        return critical(function, vars=vars, box=box, simplify=simplify, decimals=decimals, timeout=timeout)
    with time_budget(timeout):
        problem = _Problem(function, vars, at, decimals)
        f, vs = problem.scalar("hessian"), problem.variables
        grad = calculus.gradient(f, vs, simplify=simplify)
        matrix = calculus.hessian_from_gradient(grad, vs, simplify=simplify)
        points: list[PointResult] = []
        if (eig or vectors) and not problem.points:
            if matrix.free_symbols & set(vs):
                names = ", ".join(s.name for s in vs if s in matrix.free_symbols)
                raise UsageError(f"--eig needs a point (--at): the Hessian depends on {names}")
            problem.points = [{v: sympy.S.Zero for v in vs}]  # constant Hessian: any point will do
            constant = True
        else:
            constant = False
        if problem.points:
            raw_grad = calculus.gradient(f, vs, simplify=False) if simplify else grad
            raw = calculus.hessian_from_gradient(raw_grad, vs, simplify=False) if simplify else matrix
            points = _evaluate_all(
                matrix,
                raw,
                problem,
                lambda i, j: ([f, raw_grad[i]], Origin(grad[i], vs[j], Origin(f, vs[i]))),
                simplify,
            )
            if eig or vectors or classify:
                points = [
                    _analyse(p, f, vs, grad, raw_grad, eig=eig or vectors, vectors=vectors, classify=classify)
                    for p in points
                ]
            if constant:
                points = [replace(p, at=()) for p in points]
        return _result(Command.HESSIAN, problem, matrix, points)


def _analyse(
    point: PointResult,
    f: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    grad: sympy.MatrixBase,
    raw_grad: sympy.MatrixBase,
    *,
    eig: bool,
    vectors: bool,
    classify: bool,
) -> PointResult:
    """Add the eigen-analysis and the classification to a point whose Hessian is defined."""
    from jhcli import curvature

    if point.undefined:  # no Hessian to analyse: the CLI reports the undefined entries
        if not classify:
            return point
        reason = point.undefined[0][2].reason
        return replace(
            point,
            classification=Classification(
                type=PointType.INCONCLUSIVE,
                degenerate=False,
                reason=f"the Hessian does not exist here ({reason}), so the derivative tests do not apply",
                certainty=Certainty.EXACT,
            ),
        )
    values = sympy.Matrix([[e.exact for e in row] for row in point.values])
    spectrum = None
    if eig:
        with step("computing eigenvalues"):
            spectrum = curvature.spectrum(values, vectors=vectors)
    classification = gradient_at = None
    if classify:
        at = dict(point.at)
        sources = [[[f, raw_grad[i, 0]]] for i in range(grad.rows)]
        origins = [[Origin(f, variables[i])] for i in range(grad.rows)]
        gradient_at = tuple(row[0] for row in evaluate_matrix(grad, at, sources=sources, origins=origins))
        with step("classifying the point"):
            classification = curvature.classify(f, variables, at)
    return replace(point, spectrum=spectrum, classification=classification, gradient=gradient_at)


def newton(
    function: FunctionsIn,
    *,
    vars: VarsIn = None,
    at: Iterable[PointIn] = (),
    steps: int | None = None,
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
) -> Result:
    """Newton's step -H^-1 g at each point, its quadratic model, and the gradient-descent view.

    ``steps=N`` (1 to 100, one point) also runs N Newton steps and lists the iterates. A singular
    Hessian gets the pseudo-inverse step -H^+ g instead, and the result says so.

    >>> r = newton("x**2 + 3*x*y + 5*y**2 - x", at=["1,1"])
    >>> r.points[0].newton.step, r.points[0].newton.method.value
    ((-1/11, -14/11), 'newton')
    """
    from jhcli import curvature
    from jhcli.newton import MAX_STEPS, Derivatives, iterate, newton_step

    if steps is not None and not (isinstance(steps, int) and 1 <= steps <= MAX_STEPS):
        raise UsageError(f"--steps takes a whole number from 1 to {MAX_STEPS}, got {steps!r}")
    with time_budget(timeout):
        problem = _Problem(function, vars, at, decimals)
        if not problem.points:
            raise UsageError("newton needs a point: give one with --at, e.g. --at 1,1")
        if steps is not None and len(problem.points) != 1:
            raise UsageError(f"--steps iterates from one point; got {len(problem.points)} --at points")
        f, vs = problem.scalar("newton"), problem.variables
        derivs = Derivatives(f, vs, simplify=simplify)
        points: list[PointResult] = []
        for point in problem.points:
            values = derivs.at(point)
            spectrum = None
            if values.problem(vs) is None:
                _, _, h = values.exact()
                with step("computing eigenvalues"):
                    spectrum = curvature.spectrum(h, vectors=True)
            points.append(
                PointResult(
                    at=tuple((v, point[v]) for v in vs),
                    values=values.hessian,
                    spectrum=spectrum,
                    gradient=values.gradient,
                    newton=newton_step(derivs, point, values, spectrum),
                )
            )
        iteration = None
        if steps is not None:
            iteration = iterate(derivs, [problem.points[0][v] for v in vs], steps)
        return _result(Command.NEWTON, problem, derivs.hessian, points, iteration=iteration)


def critical(
    function: FunctionsIn,
    *,
    vars: VarsIn = None,
    box: tuple[float, float] | None = None,
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
) -> Result:
    """Every critical point of a scalar function, each classified, plus families of them."""
    from jhcli.critical import find_critical_points

    with time_budget(timeout):
        problem = _Problem(function, vars, (), decimals)
        f, vs = problem.scalar("critical"), problem.variables
        matrix = calculus.hessian(f, vs, simplify=simplify)
        search = find_critical_points(f, vs, box=box)
        return _result(
            Command.CRITICAL,
            problem,
            matrix,
            (),
            critical_points=tuple(search.points),
            families=tuple(search.families),
            complete=search.complete,
            certainty=search.certainty,
            notes=tuple(search.notes),
        )
