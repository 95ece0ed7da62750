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
from jhcli.parsing import (
    Binding,
    Declarations,
    bind,
    make_symbol,
    ordered_symbols,
    parse_declarations,
    parse_functions,
    parse_let,
    parse_point,
)
from jhcli.printing import sstr

FunctionsIn: TypeAlias = "str | sympy.Expr | Sequence[str | sympy.Expr]"
VarsIn: TypeAlias = "str | Sequence[str | sympy.Symbol] | None"
PointIn: TypeAlias = "str | Mapping[Any, Any] | Sequence[Any]"
LetIn: TypeAlias = "Sequence[str] | Mapping[str, Any] | None"
Bindings: TypeAlias = "dict[str, Binding]"


def _as_real_symbols(expr: sympy.Expr) -> sympy.Expr:
    """SymPy input from a caller: make its symbols jh's real symbols of the same name."""
    return expr.xreplace({s: make_symbol(s.name) for s in expr.free_symbols if isinstance(s, sympy.Symbol)})


def _declarations(vars: VarsIn) -> Declarations | None:
    if vars is None:
        return None
    if isinstance(vars, str):
        return parse_declarations(vars)
    return parse_declarations(",".join(v.name if isinstance(v, sympy.Symbol) else str(v) for v in vars))


def _functions(
    functions: FunctionsIn, declared: Sequence[sympy.Symbol] | None, decimals: str, bindings: Bindings
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
                out += parse_functions(texts, variables=names, decimals=decimals, bindings=bindings)
                texts = []
            value = sympy.Integer(item) if isinstance(item, int) else item
            out += list(value) if isinstance(value, sympy.MatrixBase) else [_as_real_symbols(value)]
    if texts:
        out += parse_functions(texts, variables=names, decimals=decimals, bindings=bindings)
    if not out:
        raise UsageError("no function given")
    return out


def _let_text(value: Any) -> str:
    """A Python value for ``let=`` as jh input text: numbers, nested lists, SymPy objects."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_let_text(v) for v in value) + "]"
    return value if isinstance(value, str) else sstr(value)


def _bindings(let: LetIn, declared: Declarations | None, decimals: str) -> tuple[Bindings, set[sympy.Symbol]]:
    """The ``--let`` names (and declared vectors) with their values, and the parameters they bring."""
    bindings: Bindings = dict(declared.shaped) if declared else {}
    names = [v.name for v in declared.symbols] if declared else []
    parameters: set[sympy.Symbol] = set()
    items = list(let.items()) if isinstance(let, Mapping) else [(None, text) for text in let or ()]
    for key, value in items:
        if key is not None and isinstance(value, sympy.Basic) and value.free_symbols:
            name, binding = str(key), bind(str(key), value)
        else:
            text = value if key is None else f"{key}={_let_text(value)}"
            name, binding = parse_let(text, bindings=bindings, variables=names, decimals=decimals)
        bindings[name] = binding
        parameters |= binding.expr.free_symbols
    return bindings, parameters - set(declared.symbols if declared else ())


def _points(
    at: Iterable[PointIn], variables: Sequence[sympy.Symbol], shaped: Bindings | None = None
) -> list[dict[sympy.Symbol, sympy.Expr]]:
    points = []
    for p in at:
        if isinstance(p, str):
            points.append(parse_point(p, variables, shaped))
        elif isinstance(p, Mapping):
            text = ",".join(
                f"{k.name if isinstance(k, sympy.Symbol) else k}={_let_text(v)}" for k, v in p.items()
            )
            points.append(parse_point(text, variables, shaped))
        else:
            points.append(parse_point(",".join(sstr(v) for v in p), variables, shaped))
    return points


class _Problem:
    """Parsed input shared by every command."""

    def __init__(
        self, functions: FunctionsIn, vars: VarsIn, at: Iterable[PointIn], decimals: str, let: LetIn = None
    ) -> None:
        declared = _declarations(vars)
        bindings, self.parameters = _bindings(let, declared, decimals)
        symbols = declared.symbols if declared is not None else None
        self.functions = _functions(functions, symbols, decimals, bindings)
        if len(self.functions) > MAX_FUNCTIONS:
            raise LimitError(f"too many components: {len(self.functions)} (limit {MAX_FUNCTIONS})")
        self.variables = (
            symbols
            if symbols is not None
            else [s for s in ordered_symbols(self.functions) if s not in self.parameters]
        )
        if len(self.variables) > MAX_VARIABLES:
            raise LimitError(
                f"too many variables: {len(self.variables)} (limit {MAX_VARIABLES}); "
                "the matrices would be too large to compute here"
            )
        if not self.variables:
            hint = " (symbols in --let values are parameters)" if self.parameters else ""
            raise UsageError(f"no variables: the function is constant{hint}; name them with --vars")
        self.lets = tuple((name, b.expr) for name, b in bindings.items() if not b.source.startswith("--vars"))
        self.points = _points(at, self.variables, declared.shaped if declared else None)

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
        let=problem.lets,
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
    let: LetIn = None,
) -> Result:
    """The Jacobian ``J[i, j] = d f_i / d x_j`` (rows: functions, columns: variables).

    >>> jacobian("tanh(a*x + b*y)", vars="x,y").matrix
    Matrix([[a*(1 - tanh(a*x + b*y)**2), b*(1 - tanh(a*x + b*y)**2)]])
    """
    with time_budget(timeout):
        problem = _Problem(functions, vars, at, decimals, let)
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
    let: LetIn = None,
) -> Result:
    """The gradient of a scalar function, as an n x 1 column.

    >>> gradient("x^2*y + sin(x)", at=["x=1,y=pi/2"]).points[0].values
    ((Entry(status=<Status.OK: 'ok'>, exact=cos(1) + pi, numeric=3.6818...
    """
    with time_budget(timeout):
        problem = _Problem(function, vars, at, decimals, let)
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
    let: LetIn = None,
) -> Result:
    """The Hessian ``H[i, j] = d2 f / dx_i dx_j`` (symmetric), optionally analysed at points.

    ``eig=True`` adds eigenvalues, determinant, trace, inertia and condition number at each
    point; ``classify=True`` the type of the point. ``classify=True`` without points finds and
    classifies every critical point (like :func:`critical`).
    """
    if classify and not at:
        return critical(
            function, vars=vars, box=box, simplify=simplify, decimals=decimals, timeout=timeout, let=let
        )
    with time_budget(timeout):
        problem = _Problem(function, vars, at, decimals, let)
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


def critical(
    function: FunctionsIn,
    *,
    vars: VarsIn = None,
    box: tuple[float, float] | None = None,
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
    let: LetIn = None,
) -> Result:
    """Every critical point of a scalar function, each classified, plus families of them."""
    from jhcli.critical import find_critical_points

    with time_budget(timeout):
        problem = _Problem(function, vars, (), decimals, let)
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
