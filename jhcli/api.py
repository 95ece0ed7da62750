"""The library façade: one function per command, strings or SymPy in, a ``Result`` out.

The CLI calls exactly these functions. Options mirror the CLI's: ``vars=`` (``--vars``), ``at=``
(``--at``, a list of points), ``simplify=`` (``--no-simplify``), ``timeout=`` (``--timeout``),
``limits=`` (``--limit``: a mapping such as ``{"depth": 300}``, see ``jhcli.limits.LIMIT_NAMES``).

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
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias

import sympy

from jhcli import calculus, checking, memory
from jhcli.analysis import Origin, evaluate_derivatives, evaluate_matrix, to_float
from jhcli.errors import LimitError, MathError, ParseError, UsageError
from jhcli.limits import Limits, attempt, current_limits, limit_note, limits_in_force, step, time_budget
from jhcli.models import (
    Certainty,
    Classification,
    Command,
    PointResult,
    PointType,
    Result,
)
from jhcli.parsing import (
    Binding,
    Declarations,
    bind,
    make_symbol,
    ordered_symbols,
    parse_declarations,
    parse_expression,
    parse_functions,
    parse_let,
    parse_point,
    parse_variables,
    split_components,
)
from jhcli.printing import sstr

if TYPE_CHECKING:
    from jhcli.findings import ChainCheck

FunctionsIn: TypeAlias = "str | sympy.Expr | Sequence[str | sympy.Expr]"
VarsIn: TypeAlias = "str | Sequence[str | sympy.Symbol] | None"
PointIn: TypeAlias = "str | Mapping[Any, Any] | Sequence[Any]"
LetIn: TypeAlias = "Sequence[str] | Mapping[str, Any] | None"
Bindings: TypeAlias = "dict[str, Binding]"
VectorIn: TypeAlias = "str | Mapping[Any, Any] | Sequence[Any]"
BindingsIn: TypeAlias = "Mapping[Any, Any] | Sequence[str]"
LimitsIn: TypeAlias = "Mapping[str, int] | Limits | None"


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
    functions: FunctionsIn,
    declared: Sequence[sympy.Symbol] | None,
    decimals: str,
    bindings: Bindings | None = None,
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


def _check_count(count: int, what: str) -> None:
    """Refuse more variables (or components, or chain-rule intermediates) than the limit allows."""
    name = "functions" if what == "functions" else "variables"
    if count > getattr(current_limits(), name):
        noun = {"functions": "components", "variables": "variables", "intermediates": "intermediate names"}
        raise LimitError(f"too many {noun[what]}: {count} ({limit_note(name)})")


def _check_memory(estimate: Callable[[], memory.Estimate]) -> None:
    """Refuse a derivative whose estimated size is above the ``memory`` limit, before computing it."""
    with step("estimating the memory needed"):
        estimate().check()


class _Problem:
    """Parsed input shared by every command."""

    def __init__(
        self, functions: FunctionsIn, vars: VarsIn, at: Iterable[PointIn], decimals: str, let: LetIn = None
    ) -> None:
        with step("reading the input"):
            declared = _declarations(vars)
            if declared is not None:
                _check_count(len(declared.symbols), "variables")
            bindings, self.parameters = _bindings(let, declared, decimals)
            symbols = declared.symbols if declared is not None else None
            self.functions = _functions(functions, symbols, decimals, bindings)
            _check_count(len(self.functions), "functions")
            self.variables = (
                symbols
                if symbols is not None
                else [s for s in ordered_symbols(self.functions) if s not in self.parameters]
            )
            _check_count(len(self.variables), "variables")
            if not self.variables:
                hint = " (symbols in --let values are parameters)" if self.parameters else ""
                raise UsageError(f"no variables: the function is constant{hint}; name them with --vars")
            self.lets = tuple(
                (name, b.expr) for name, b in bindings.items() if not b.source.startswith("--vars")
            )
            self.shaped = declared.shaped if declared is not None else {}
            self.points = _points(at, self.variables, declared.shaped if declared else None)

    @classmethod
    def parsed(
        cls, functions: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol], at: Iterable[PointIn]
    ) -> _Problem:
        """A problem whose functions and variables were read elsewhere (the chain rule's)."""
        problem = cls.__new__(cls)
        problem.functions, problem.variables = list(functions), list(variables)
        problem.parameters, problem.lets, problem.shaped = set(), (), {}
        with step("reading the input"):
            problem.points = _points(at, problem.variables)
        return problem

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
    with step("tidying the result"):
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
        jumps=sympy.ImmutableMatrix(matrix) if conditions else None,
        **extra,
    )


Needs: TypeAlias = "Callable[[int], Sequence[sympy.Expr]]"
"""For row i: what must be defined for its entries to exist (the function they come from)."""
Derivation: TypeAlias = "Callable[[int, int], Origin]"
"""For entry (i, j): which derivative it is."""


def _evaluate_all(
    matrix: sympy.MatrixBase,
    raw: sympy.MatrixBase | Callable[[], sympy.MatrixBase],
    problem: _Problem,
    needs: Needs,
    derivation: Derivation,
    simplify: bool,
) -> list[PointResult]:
    """Evaluate at every point; each entry must also be defined in its un-simplified form.

    ``raw`` is the un-simplified matrix, or a function computing it, called only when there are
    points and ``matrix`` was simplified.
    """
    if not problem.points:
        return []
    if callable(raw):
        raw = raw() if simplify else matrix
    out = []
    for point in problem.points:
        values = evaluate_derivatives(matrix, raw, point, needs=needs, origin=derivation, simplify=simplify)
        out.append(PointResult(at=tuple((v, point[v]) for v in problem.variables), values=values))
    return out


def jacobian(
    functions: FunctionsIn,
    *,
    vars: VarsIn = None,
    at: Iterable[PointIn] = (),
    check: bool = False,
    rtol: float = checking.RTOL,
    atol: float = checking.ATOL,
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
    let: LetIn = None,
    limits: LimitsIn = None,
) -> Result:
    """The Jacobian ``J[i, j] = d f_i / d x_j`` (rows: functions, columns: variables).

    ``check=True`` compares it at each point with finite differences of the functions (see
    :func:`check`); the report is ``points[k].check``.

    >>> jacobian("tanh(a*x + b*y)", vars="x,y").matrix
    Matrix([[a*(1 - tanh(a*x + b*y)**2), b*(1 - tanh(a*x + b*y)**2)]])
    """
    if check:
        _check_options(at, rtol, atol, "--check")
    with time_budget(timeout), limits_in_force(limits):
        problem = _Problem(functions, vars, at, decimals, let)
        fs, vs = problem.functions, problem.variables
        _check_memory(lambda: memory.jacobian_estimate(fs, vs))
        pair = calculus.jacobian_pair(fs, vs, simplify=simplify)
        matrix = pair.shown
        points = _evaluate_all(
            matrix, pair.raw, problem, lambda i: [fs[i]], lambda i, j: Origin(fs[i], vs[j]), simplify
        )
        if check:
            points = [
                replace(p, check=checking.check_jacobian(fs, vs, dict(p.at), p.values, rtol=rtol, atol=atol))
                for p in points
            ]
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
    limits: LimitsIn = None,
) -> Result:
    """The gradient of a scalar function, as an n x 1 column.

    >>> gradient("x^2*y + sin(x)", at=["x=1,y=pi/2"]).points[0].values
    ((Entry(status=<Status.OK: 'ok'>, exact=cos(1) + pi, numeric=3.6818...
    """
    with time_budget(timeout), limits_in_force(limits):
        problem = _Problem(function, vars, at, decimals, let)
        f, vs = problem.scalar("gradient"), problem.variables
        _check_memory(lambda: memory.gradient_estimate(f, vs))
        pair = calculus.gradient_pair(f, vs, simplify=simplify)
        matrix = pair.shown
        points = _evaluate_all(
            matrix, pair.raw, problem, lambda i: [f], lambda i, j: Origin(f, vs[i]), simplify
        )
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
    check: bool = False,
    rtol: float = checking.RTOL,
    atol: float = checking.ATOL,
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
    let: LetIn = None,
    limits: LimitsIn = None,
) -> Result:
    """The Hessian ``H[i, j] = d2 f / dx_i dx_j`` (symmetric), optionally analysed at points.

    ``eig=True`` adds eigenvalues, determinant, trace, inertia and condition number at each
    point; ``classify=True`` the type of the point. ``classify=True`` without points finds and
    classifies every critical point (like :func:`critical`). ``check=True`` compares the Hessian
    at each point with finite differences of ``f`` (see :func:`check`).
    """
    if check:
        _check_options(at, rtol, atol, "--check")
    if classify and not at:
        return critical(
            function,
            vars=vars,
            box=box,
            simplify=simplify,
            decimals=decimals,
            timeout=timeout,
            let=let,
            limits=limits,
        )
    with time_budget(timeout), limits_in_force(limits):
        problem = _Problem(function, vars, at, decimals, let)
        f, vs = problem.scalar("hessian"), problem.variables
        _check_memory(lambda: memory.hessian_estimate(f, vs))
        grad_pair = calculus.gradient_pair(f, vs, simplify=simplify)
        hessian_pair = calculus.hessian_pair(grad_pair, vs, simplify=simplify)
        grad, raw_grad, matrix = grad_pair.shown, grad_pair.raw, hessian_pair.shown
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
            raw_column = raw_grad.todok()
            points = _evaluate_all(
                matrix,
                hessian_pair.raw,
                problem,
                lambda i: [f, raw_column.get((i, 0), sympy.S.Zero)],
                lambda i, j: Origin(grad[i], vs[j], Origin(f, vs[i])),
                simplify,
            )
            if eig or vectors or classify:
                points = [
                    _analyse(p, f, vs, grad, raw_grad, eig=eig or vectors, vectors=vectors, classify=classify)
                    for p in points
                ]
            if check:
                points = [
                    replace(
                        p, check=checking.check_hessian(f, vs, dict(p.at), p.values, rtol=rtol, atol=atol)
                    )
                    for p in points
                ]
            if constant:
                points = [replace(p, at=()) for p in points]
        return _result(Command.HESSIAN, problem, matrix, points)


_hessian = hessian  # for check(), whose option ``hessian`` hides the function


def emit(result: Result, target: str, *, latex_env: str = "bmatrix", timeout: float | None = None) -> str:
    """Source code of a function computing ``result.matrix`` (a Jacobian, gradient or Hessian).

    ``target`` is one of ``numpy``, ``python``, ``c``, ``jax``, ``latex`` (``--emit``); see
    :mod:`jhcli.codegen` for the layout, the arguments and the renaming of unsafe names.

    >>> code = emit(jacobian("x*y, x + y"), "c")
    >>> print(code[code.index("void") :])
    void jh_jacobian(const double *x, double *out)
    {
        out[0] = x[1];
        out[1] = x[0];
        out[2] = 1;
        out[3] = 1;
    }
    <BLANKLINE>
    """
    from jhcli import codegen

    with time_budget(timeout), step("generating the code"):
        return codegen.emit(result, target, latex_env=latex_env)


def _check_options(at: Iterable[PointIn], rtol: float, atol: float, what: str) -> None:
    if not at:
        raise UsageError(f"{what} needs a point: give one with --at, e.g. --at 2,3")
    checking.validate_tolerances(rtol, atol)


def check(
    functions: FunctionsIn,
    *,
    vars: VarsIn = None,
    at: Sequence[PointIn] = (),
    hessian: bool = False,
    rtol: float = checking.RTOL,
    atol: float = checking.ATOL,
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
    let: LetIn = None,
    limits: LimitsIn = None,
) -> Result:
    """The symbolic Jacobian (or Hessian) checked against finite differences of the function.

    At each point, every entry's exact value is compared with a central finite difference of the
    ORIGINAL function, Richardson-extrapolated, computed with 40-digit arithmetic; an entry agrees
    when ``|symbolic - fd| <= atol + rtol * |symbolic|``. ``points[k].check`` holds the report;
    ``matrix`` is the symbolic Jacobian (Hessian) and ``derivative`` says which.

    >>> r = check("x**2 + y, x*y", at=["2,3"])
    >>> r.points[0].check.agree, r.points[0].check.max_abs_error < 1e-20
    (True, True)
    """
    if not at:
        raise UsageError("jh check needs a point: give one with --at, e.g. --at 2,3")
    compute = _hessian if hessian else jacobian
    result = compute(
        functions,
        vars=vars,
        at=at,
        check=True,
        rtol=rtol,
        atol=atol,
        simplify=simplify,
        decimals=decimals,
        timeout=timeout,
        let=let,
        limits=limits,
    )
    return replace(result, command=Command.CHECK, derivative=result.command)


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
    let: LetIn = None,
    limits: LimitsIn = None,
) -> Result:
    """Newton's step -H^-1 g at each point, its quadratic model, and the gradient-descent view.

    ``steps=N`` (1 to 100, one point) also runs N Newton steps and lists the iterates. A singular
    Hessian gets the pseudo-inverse step -H^+ g instead, and the result says so.

    >>> r = newton("x**2 + 3*x*y + 5*y**2 - x", at=["1,1"])
    >>> r.points[0].newton.step, r.points[0].newton.method.value
    ((-1/11, -14/11), 'newton')
    """
    from jhcli import curvature
    from jhcli.newton_step import MAX_STEPS, Derivatives, iterate, newton_step

    if steps is not None and not (isinstance(steps, int) and 1 <= steps <= MAX_STEPS):
        raise UsageError(f"--steps takes a whole number from 1 to {MAX_STEPS}, got {steps!r}")
    with time_budget(timeout), limits_in_force(limits):
        problem = _Problem(function, vars, at, decimals, let)
        if not problem.points:
            raise UsageError("newton needs a point: give one with --at, e.g. --at 1,1")
        if steps is not None and len(problem.points) != 1:
            raise UsageError(f"--steps iterates from one point; got {len(problem.points)} --at points")
        f, vs = problem.scalar("newton"), problem.variables
        _check_memory(lambda: memory.hessian_estimate(f, vs))
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
    let: LetIn = None,
    limits: LimitsIn = None,
) -> Result:
    """Every critical point of a scalar function, each classified, plus families of them."""
    from jhcli.critical import find_critical_points

    with time_budget(timeout), limits_in_force(limits):
        problem = _Problem(function, vars, (), decimals, let)
        f, vs = problem.scalar("critical"), problem.variables
        _check_memory(lambda: memory.hessian_estimate(f, vs))
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


# Products without forming the matrix, and the chain rule -------------------------------------


def _expression(text: str, start: int, end: int, names: Sequence[str], decimals: str) -> sympy.Expr:
    """Parse ``text[start:end]``, reporting errors at their place in the whole ``text``."""
    try:
        return parse_expression(text[start:end], variables=names, decimals=decimals)
    except ParseError as e:
        if e.position is None or e.text != text[start:end]:
            raise
        raise ParseError(e.message, text, start + e.position) from None


def _vector_value(
    value: sympy.Expr, option: str, text: str, start: int, variables: Sequence[sympy.Symbol]
) -> None:
    if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or value.is_finite is False:
        raise ParseError(f"{option} value {sstr(value)} is not a finite number", text, start)
    if not value.free_symbols and value.is_extended_real is False:
        raise ParseError(f"{option} value {sstr(value)} is not a real number", text, start)
    used = [v.name for v in variables if v in value.free_symbols]
    if used:
        raise UsageError(
            f"{option} may not depend on the variables ({', '.join(used)}): it is a fixed vector; "
            "other names in it are parameters"
        )


@step("reading the input")  # a step as a decorator: the time limit covers every call
def _vector(
    given: VectorIn | None,
    option: str,
    problem: _Problem,
    decimals: str,
    *,
    by_name: bool,
) -> tuple[sympy.Expr, ...]:
    """Read ``--v`` (one value per variable, or ``x=1,y=0``) or ``--u`` (one per component).

    Values are exact expressions and may hold parameters (symbols that are not variables).
    """
    variables = problem.variables
    if by_name:
        count, kind = (
            len(variables),
            f"variable{'s' * (len(variables) != 1)} ({', '.join(v.name for v in variables)})",
        )
        example = f"{option} {','.join(['1'] + ['0'] * (len(variables) - 1))}"
    else:
        m = len(problem.functions)
        count, kind = m, f"component{'s' * (m != 1)} (functions)"
        example = f"{option} {','.join(['1'] + ['0'] * (m - 1))}"
    if given is None:
        what = "a direction" if by_name else "a vector of output weights"
        raise UsageError(
            f"{option} is required: {what} with {count} value{'s' * (count != 1)}, e.g. {example}"
        )
    if isinstance(given, Mapping):
        text = ",".join(f"{k.name if isinstance(k, sympy.Symbol) else k}={sstr(v)}" for k, v in given.items())
    elif isinstance(given, str):
        text = given
    else:
        text = ",".join(sstr(v) for v in given)
    names = [v.name for v in variables]
    pieces = split_components(text, item="value", whole=f"{option} vector")
    named = ["=" in piece for piece, _ in pieces]
    if any(named):
        if not by_name:
            raise ParseError(f"{option} takes its values in component order, without names", text, 0)
        if not all(named):
            raise ParseError(
                f"mixed positional and named values in {option}: give all or none as name=value", text, 0
            )
        by_symbol: dict[sympy.Symbol, sympy.Expr] = {}
        lookup = {v.name: v for v in variables}
        for piece, offset in pieces:
            name, _, value_text = piece.partition("=")
            group = problem.shaped.get(name.strip())
            if group is not None:  # a vector or matrix variable: x=[1, 0]
                start = offset + len(name) + 1
                value = _expression(text, start, offset + len(piece), names, decimals)
                entries = list(value) if isinstance(value, sympy.MatrixBase) else [value]
                components = list(group.expr) if isinstance(group.expr, sympy.MatrixBase) else [group.expr]
                if len(entries) != len(components):
                    raise ParseError(
                        f"{name.strip()} has {len(components)} components but {option} gives {len(entries)}",
                        text,
                        start,
                    )
                for component, entry in zip(components, entries, strict=True):
                    if component in by_symbol:
                        raise ParseError(
                            f"variable '{component.name}' is given twice in {option}", text, offset
                        )
                    _vector_value(entry, option, text, start, variables)
                    by_symbol[component] = entry
                continue
            symbol = lookup.get(name.strip())
            if symbol is None:
                raise ParseError(
                    f"unknown variable '{name.strip()}' in {option}; the variables are {', '.join(names)}",
                    text,
                    offset,
                )
            if symbol in by_symbol:
                raise ParseError(f"variable '{symbol.name}' is given twice in {option}", text, offset)
            start = offset + len(name) + 1
            if not value_text.strip():
                raise ParseError(
                    f"missing value after '{symbol.name}=' in {option}", text, offset + len(piece)
                )
            value = _expression(text, start, offset + len(piece), names, decimals)
            _vector_value(value, option, text, start, variables)
            by_symbol[symbol] = value
        missing = [v.name for v in variables if v not in by_symbol]
        if missing:
            raise ParseError(f"{option} has no value for {', '.join(missing)}", text, len(text))
        return tuple(by_symbol[v] for v in variables)
    if len(pieces) != count:
        n, verb = len(pieces), "is" if count == 1 else "are"
        raise ParseError(
            f"{option} has {n} value{'s' * (n != 1)} but there {verb} {count} {kind}",
            text,
            pieces[count][1] if n > count else len(text),
        )
    values = []
    for piece, offset in pieces:
        value = _expression(text, offset, offset + len(piece), names, decimals)
        _vector_value(value, option, text, offset, variables)
        values.append(value)
    return tuple(values)


def jvp(
    functions: FunctionsIn,
    *,
    v: VectorIn | None = None,
    vars: VarsIn = None,
    at: Iterable[PointIn] = (),
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
    let: LetIn = None,
    limits: LimitsIn = None,
) -> Result:
    """J·v (an m x 1 column) without forming J: d/dt f(x + t v) at t = 0, one derivative per component.

    >>> jvp("x**2 + y, x*y", v="1,0", at=["2,3"]).matrix.T
    Matrix([[2*x, y]])
    """
    with time_budget(timeout), limits_in_force(limits):
        problem = _Problem(functions, vars, at, decimals, let)
        fs, vs = problem.functions, problem.variables
        vector = _vector(v, "--v", problem, decimals, by_name=True)
        _check_memory(lambda: memory.product_estimate(fs, "the Jacobian-vector product"))
        matrix = calculus.jvp(fs, vs, vector, simplify=simplify)
        direction = tuple(zip(vs, vector, strict=True))
        points = _evaluate_all(
            matrix,
            lambda: calculus.jvp(fs, vs, vector, simplify=False),
            problem,
            lambda i: [fs[i]],
            lambda i, j: Origin(fs[i], None, direction=direction),
            simplify,
        )
        return _result(Command.JVP, problem, matrix, points, vector=vector)


def vjp(
    functions: FunctionsIn,
    *,
    u: VectorIn | None = None,
    vars: VarsIn = None,
    at: Iterable[PointIn] = (),
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
    let: LetIn = None,
    limits: LimitsIn = None,
) -> Result:
    """uᵀJ (shown as an n x 1 column) without forming J: the gradient of the scalar u·f.

    >>> vjp("x**2 + y, x*y", u="1,1").matrix.T
    Matrix([[2*x + y, x + 1]])
    """
    with time_budget(timeout), limits_in_force(limits):
        problem = _Problem(functions, vars, at, decimals, let)
        fs, vs = problem.functions, problem.variables
        vector = _vector(u, "--u", problem, decimals, by_name=False)
        loss = sympy.Add(*[ui * f for ui, f in zip(vector, fs, strict=True)])
        _check_memory(lambda: memory.gradient_estimate(loss, vs, "the vector-Jacobian product"))
        matrix = calculus.vjp(fs, vs, vector, simplify=simplify)
        points = _evaluate_all(
            matrix,
            lambda: calculus.vjp(fs, vs, vector, simplify=False),
            problem,
            lambda i: fs,
            lambda i, j: Origin(loss, vs[i]),
            simplify,
        )
        return _result(Command.VJP, problem, matrix, points, vector=vector)


def hvp(
    function: FunctionsIn,
    *,
    v: VectorIn | None = None,
    vars: VarsIn = None,
    at: Iterable[PointIn] = (),
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
    let: LetIn = None,
    limits: LimitsIn = None,
) -> Result:
    """H·v (an n x 1 column) without forming H: the gradient of ∇f·v (Pearlmutter's trick).

    >>> hvp("x**2 + 3*x*y + y**2", v="1,-1").matrix.T
    Matrix([[-1, 1]])
    """
    with time_budget(timeout), limits_in_force(limits):
        problem = _Problem(function, vars, at, decimals, let)
        f, vs = problem.scalar("hvp"), problem.variables
        vector = _vector(v, "--v", problem, decimals, by_name=True)
        _check_memory(lambda: memory.gradient_estimate(f, vs, "the Hessian-vector product").twice())
        matrix = calculus.hvp(f, vs, vector, simplify=simplify)
        points: list[PointResult] = []
        if problem.points:
            raw = calculus.hvp(f, vs, vector, simplify=False) if simplify else matrix
            raw_grad = calculus.gradient(f, vs, simplify=False)
            directional = sympy.Add(*[g * c for g, c in zip(raw_grad, vector, strict=True)])
            first = Origin(f, None, direction=tuple(zip(vs, vector, strict=True)))
            points = _evaluate_all(
                matrix,
                raw,
                problem,
                lambda i: [f, directional],
                lambda i, j: Origin(directional, vs[i], first),
                simplify,
            )
        return _result(Command.HVP, problem, matrix, points, vector=vector)


def _with_bindings(
    given: BindingsIn, declared: Sequence[sympy.Symbol] | None, decimals: str
) -> list[tuple[sympy.Symbol, sympy.Expr]]:
    """Read ``--with u=EXPR`` bindings, in the order given."""
    names = [v.name for v in declared] if declared else []
    items: list[tuple[str, Any]] = []
    if isinstance(given, Mapping):
        for k, v in given.items():
            name = k.name if isinstance(k, sympy.Symbol) else str(k)
            items.append((name, f"{name}={v}" if isinstance(v, str) else v))
    else:
        for text in given:
            name, sep, expr = text.partition("=")
            if not sep:
                raise UsageError(f"--with takes NAME=EXPR, e.g. --with u=x*y; got {text!r}")
            if not expr.strip():
                raise UsageError(f"--with {name.strip()}= has no expression after '='")
            items.append((name, text))
    out: list[tuple[sympy.Symbol, sympy.Expr]] = []
    for name, value in items:
        symbols = parse_variables(name)
        if len(symbols) != 1:
            raise UsageError(f"--with binds one name at a time, got {name.strip()!r}")
        symbol = symbols[0]
        if any(symbol == s for s, _ in out):
            raise UsageError(f"--with binds {symbol.name} twice")
        if isinstance(value, str):
            start = value.index("=") + 1
            expr = _expression(value, start, len(value), names, decimals)
        else:
            expr = _as_real_symbols(sympy.Integer(value) if isinstance(value, int) else value)
        out.append((symbol, expr))
    if not out:
        raise UsageError("chain needs the inner functions: --with NAME=EXPR, e.g. --with u=x*y (repeatable)")
    return out


_CHECK_SECONDS = 10.0  # for proving one entry of product - direct = 0 symbolically
_CHECK_TOLERANCE = 1e-9  # relative, for the numeric fallback
_CHECK_SAMPLES = 5


def _sample_points(symbols: Sequence[sympy.Symbol], count: int) -> list[dict[sympy.Symbol, sympy.Expr]]:
    """Fixed pseudo-random rational points in [-2, 2] (the same on every run)."""
    import random

    rng = random.Random(20240601)
    return [
        {s: sympy.Rational(rng.randint(-200, 200), rng.choice((97, 101, 103))) for s in symbols}
        for _ in range(count)
    ]


def _check_chain(product: sympy.MatrixBase, direct: sympy.MatrixBase) -> ChainCheck:
    """Prove product == direct entry by entry; where SymPy cannot, compare at sample points."""
    from jhcli.findings import ChainCheck

    unproved: list[sympy.Expr] = []
    with step("checking the chain rule"):
        for a, b in zip(product, direct, strict=True):
            difference = a - b
            if difference == 0 or calculus.cheap_simplify(difference) == 0:
                continue
            if sympy.expand(difference) == 0:
                continue
            simplified = attempt(
                _CHECK_SECONDS, "checking the chain rule", partial(sympy.simplify, difference)
            )
            if simplified is not None and simplified == 0:
                continue
            unproved.append(difference)
    if not unproved:
        return ChainCheck(True, Certainty.EXACT, detail="their difference simplifies to 0")
    shown, _ = calculus.away_from_jumps(sympy.Matrix(unproved))  # off the jumps, where samples fall
    symbols = ordered_symbols(shown)
    compared = 0
    with step("checking the chain rule numerically"):
        for sample in _sample_points(symbols, 4 * _CHECK_SAMPLES):
            values = [_to_float(e.xreplace(sample)) for e in shown]
            scales = [_to_float(e.xreplace(sample)) for e in product]
            if any(v is None for v in values) or any(s is None for s in scales):
                continue
            for value, scale in zip(values, scales, strict=False):
                assert value is not None and scale is not None
                if abs(value) > _CHECK_TOLERANCE * max(1.0, abs(scale)):
                    where = ", ".join(f"{s.name} = {sstr(c)}" for s, c in sample.items())
                    raise MathError(
                        "the chain-rule product differs from the Jacobian of the composition at "
                        f"{where} (difference {value:.3g}); please report this"
                    )
            compared += 1
            if compared == _CHECK_SAMPLES:
                break
    if compared == 0:
        return ChainCheck(
            None, Certainty.NUMERIC, detail="could not be checked: no sample point where both are defined"
        )
    return ChainCheck(
        True,
        Certainty.NUMERIC,
        tolerance=_CHECK_TOLERANCE,
        detail=(
            f"SymPy could not simplify the difference to 0; it is 0 within a relative tolerance of "
            f"{_CHECK_TOLERANCE:g} at {compared} fixed sample point{'s' * (compared != 1)}"
        ),
    )


def _to_float(value: sympy.Expr) -> float | None:
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    return to_float(value)


def chain(
    outer: FunctionsIn,
    *,
    inner: BindingsIn = (),
    vars: VarsIn = None,
    at: Iterable[PointIn] = (),
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
    limits: LimitsIn = None,
) -> Result:
    """The chain rule: the Jacobian of outer(inner(x)) as J_outer(inner(x)) · J_inner(x), checked.

    ``outer`` is written in the intermediate names that ``inner`` binds (``["u=x*y", "v=sin(x)"]``
    or ``{"u": "x*y"}``); other names in it are parameters. The inner variables are ``vars`` or
    the free symbols of the inner expressions.

    >>> chain("u**2 + v", inner=["u=x*y", "v=sin(x)"]).matrix
    Matrix([[2*x*y**2 + cos(x), 2*x**2*y]])
    """
    from jhcli.findings import Factor

    with time_budget(timeout), limits_in_force(limits):
        with step("reading the input"):
            declarations = _declarations(vars)
            declared = declarations.symbols if declarations is not None else None
            bindings = _with_bindings(inner, declared, decimals)
        names = [s for s, _ in bindings]
        inner_exprs = [e for _, e in bindings]
        variables = declared if declared is not None else ordered_symbols(inner_exprs)
        clash = [s.name for s in names if s in variables]
        if clash:
            raise UsageError(
                f"{', '.join(clash)} is both an intermediate name (--with) and an inner variable: rename one"
            )
        if not variables:
            raise UsageError("no inner variables: the inner functions are constant; name them with --vars")
        _check_count(len(variables), "variables")
        _check_count(len(names), "intermediates")
        with step("reading the input"):
            outer_fs = _functions(outer, names, decimals)
        _check_count(len(outer_fs), "functions")
        mixed = [v.name for v in variables if any(v in f.free_symbols for f in outer_fs)]
        if mixed:
            raise UsageError(
                f"the outer function uses the inner variable{'s' * (len(mixed) != 1)} {', '.join(mixed)}; "
                f"write it in the intermediate names only (bind one with --with, e.g. --with w={mixed[0]})"
            )
        problem = _Problem.parsed(outer_fs, variables, at)
        binding = dict(bindings)
        _check_memory(
            lambda: memory.jacobian_estimate([f.xreplace(binding) for f in outer_fs], variables).twice()
        )
        outer_j = calculus.jacobian(outer_fs, names, simplify=simplify)
        if outer_j.has(sympy.Derivative):
            raise MathError(
                "the outer Jacobian holds a derivative of floor or ceiling, which is no function at the "
                "jumps, so the chain rule cannot be applied to it here; use 'jh jacobian' on the "
                "composed function instead"
            )
        outer_at = sympy.ImmutableMatrix(outer_j.xreplace(binding))
        inner_j = calculus.jacobian(inner_exprs, variables, simplify=simplify)
        with step("multiplying the factors"):
            product = sympy.ImmutableMatrix(outer_at * inner_j)
            if simplify:
                outer_at = outer_at.applyfunc(calculus.cheap_simplify)
                product = product.applyfunc(calculus.cheap_simplify)
        composed = [f.xreplace(binding) for f in outer_fs]
        direct = calculus.jacobian(composed, variables, simplify=simplify)
        check = _check_chain(product, direct)
        points = _evaluate_all(
            product,
            calculus.jacobian(composed, variables, simplify=False) if problem.points else product,
            problem,
            lambda i: [composed[i]],
            lambda i, j: Origin(composed[i], variables[j]),
            simplify,
        )
        factors = (
            Factor("outer_intermediate", f"outer Jacobian in {', '.join(s.name for s in names)}", outer_j),
            Factor("outer", "outer Jacobian at the inner functions", outer_at),
            Factor("inner", "inner Jacobian", inner_j),
        )
        return _result(
            Command.CHAIN,
            problem,
            product,
            points,
            factors=tuple(Factor(f.key, f.label, calculus.away_from_jumps(f.matrix)[0]) for f in factors),
            bindings=tuple(bindings),
            composed=tuple(composed),
            check=check,
        )


# Pictures: the Hessian's type over a box, and f along a line ----------------------------------

RangeIn: TypeAlias = "str | tuple[Any, Any]"


def _range(given: RangeIn, option: str, decimals: str) -> tuple[sympy.Expr, sympy.Expr]:
    """``A:B`` (exact constants, A < B) as a pair of SymPy numbers."""
    from jhcli.curvature import exact_sign

    texts = (
        given.split(":") if isinstance(given, str) else [v if isinstance(v, str) else sstr(v) for v in given]
    )
    hint = f"{option} takes LOW:HIGH with LOW < HIGH, e.g. {option} -1:1"
    if len(texts) != 2 or not all(t.strip() for t in texts):
        raise UsageError(f"{hint}; got {given!r}")
    with step("reading the input"):
        low, high = (parse_expression(t, decimals=decimals) for t in texts)
    for value, text in ((low, texts[0]), (high, texts[1])):
        if not isinstance(value, sympy.Expr) or value.free_symbols or to_float(value) is None:
            raise UsageError(f"{option}: {text.strip()!r} is not a real number; {hint}")
    if exact_sign(high - low) != 1:
        raise UsageError(f"{hint}; got {given!r}")
    return low, high


def map_types(
    function: FunctionsIn,
    *,
    x: RangeIn,
    y: RangeIn,
    grid: int = 21,
    vars: VarsIn = None,
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
    let: LetIn = None,
    limits: LimitsIn = None,
) -> Result:
    """The type of the Hessian (convex, concave, saddle, degenerate) at each cell of a grid (``jh map``).

    ``x`` and ``y`` are the box (``"-1:1"`` or a pair), ``grid`` the cells per side. Each type is
    decided exactly at the exact cell centre; critical points inside the box are marked in their
    cells. ``result.landscape.types[i][j]`` is the type at ``(x[j], y[i])``, top row (largest y) first.

    >>> r = map_types("x**2 - y**2", x="-1:1", y="-1:1", grid=3)
    >>> [[t.value for t in row] for row in r.landscape.types][0]
    ['saddle', 'saddle', 'saddle']
    """
    from jhcli.critical import find_critical_points
    from jhcli.errors import JhError
    from jhcli.landscape import curvature_map

    with time_budget(timeout), limits_in_force(limits):
        problem = _Problem(function, vars, (), decimals, let)
        f, vs = problem.scalar("map"), problem.variables
        if len(vs) != 2:
            names = ", ".join(v.name for v in vs)
            raise UsageError(f"jh map needs a function of two variables, got {len(vs)} ({names}); use --vars")
        x_range, y_range = _range(x, "--x", decimals), _range(y, "--y", decimals)
        _check_memory(lambda: memory.hessian_estimate(f, vs))
        matrix = calculus.hessian(f, vs, simplify=simplify)
        if matrix.free_symbols - set(vs):
            names = ", ".join(sorted(s.name for s in matrix.free_symbols - set(vs)))
            raise UsageError(f"the Hessian depends on parameters ({names}): give them values with --let")
        notes: list[str] = []
        box = (
            min(to_float(x_range[0]) or 0, to_float(y_range[0]) or 0),
            max(to_float(x_range[1]) or 0, to_float(y_range[1]) or 0),
        )
        try:
            with step("finding critical points"):
                search = find_critical_points(f, vs, box=box)
            points, complete = search.points, search.complete
            if not complete:
                notes.append("the critical-point search may be incomplete: some may be unmarked")
            if search.families:
                notes += [f"not marked: critical points {fam.description}" for fam in search.families]
        except JhError as e:
            points, complete = (), False
            notes.append(f"critical points not marked: {e.render()}")
        landscape = curvature_map(f, vs, x_range, y_range, grid, points, complete)
        if landscape.numeric_cells:
            notes.append(
                f"{landscape.numeric_cells} cell(s) decided numerically: exact arithmetic could not decide"
            )
        return _result(Command.MAP, problem, matrix, (), landscape=landscape, notes=notes)


def profile(
    function: FunctionsIn,
    *,
    at: PointIn,
    along: str = "eigmax",
    range: RangeIn = "-1:1",
    points: int = 21,
    vars: VarsIn = None,
    simplify: bool = True,
    decimals: str = "exact",
    timeout: float | None = None,
    let: LetIn = None,
    limits: LimitsIn = None,
) -> Result:
    """f(P + t d) for ``points`` values of t in ``range``, with the quadratic model (``jh profile``).

    ``along`` is ``eigmax`` / ``eigmin`` (the eigenvector of the largest / smallest eigenvalue of
    the Hessian at P), ``grad`` (the gradient), or ``v=1,2`` (a given vector); d is that direction
    normalised to length 1. The model is f(P) + t g.d + t**2/2 d.H.d.

    >>> r = profile("x**2 + 3*y**2", at="0,0", along="eigmax", range="0:1", points=2)
    >>> r.profile.direction, [q.exact for q in r.profile.f]
    ((0, 1), [0, 3])
    """
    from jhcli.landscape import profile as along_line
    from jhcli.landscape import samples

    if not isinstance(along, str) or not (along in ("eigmax", "eigmin", "grad") or along.startswith("v=")):
        raise UsageError(f"--along takes eigmax, eigmin, grad or v=1,2 (a vector), got {along!r}")
    with time_budget(timeout), limits_in_force(limits):
        problem = _Problem(function, vars, [at], decimals, let)
        f, vs = problem.scalar("profile"), problem.variables
        if problem.parameters or f.free_symbols - set(vs):
            names = ", ".join(sorted(s.name for s in f.free_symbols - set(vs)))
            raise UsageError(f"the function has parameters ({names}): give them values with --let")
        vector = None
        kind = along
        if along.startswith("v="):
            vector, kind = _vector(along[2:], "--along v=", problem, decimals, by_name=True), "v"
        t_values = samples(_range(range, "--range", decimals), points)
        _check_memory(lambda: memory.hessian_estimate(f, vs))
        matrix = calculus.hessian(f, vs, simplify=simplify)
        shape = along_line(f, vs, problem.points[0], kind, t_values, vector)
        if kind == "v":
            shape = replace(shape, along=along)
        point = PointResult(at=tuple((v, problem.points[0][v]) for v in vs), values=())
        return _result(Command.PROFILE, problem, matrix, [point], profile=shape)
