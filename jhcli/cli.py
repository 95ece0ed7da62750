"""The ``jh`` command: options -> ``jhcli.api`` -> a renderer -> stdout; errors -> exit codes.

This is the only module that knows about argv, streams and exit codes. It imports SymPy (through
the API) only inside commands, so ``jh --help`` and ``jh --version`` start fast.
"""

from __future__ import annotations

import contextvars
import copy
import gc
import math
import os
import sys
import traceback
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO, cast

import typer
from typer.core import TyperGroup

from jhcli import __version__, progress
from jhcli.errors import ExitCode, JhError, LimitError, UsageError, printable
from jhcli.limits import (
    CEILINGS,
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    LIMIT_NAMES,
    current_limits,
    limit_note,
    limits_in_force,
    parse_limit_options,
    step,
    time_budget,
)
from jhcli.render import EMIT_TARGETS, FORMATS, LATEX_ENVS

if TYPE_CHECKING:
    from jhcli.models import Result

OutputFormat = Enum("OutputFormat", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]
LatexEnv = Enum("LatexEnv", {name: name for name in LATEX_ENVS}, type=str)  # type: ignore[misc]
DEFAULT_ENV = LatexEnv("bmatrix")
EmitTarget = Enum("EmitTarget", {name: name for name in EMIT_TARGETS}, type=str)  # type: ignore[misc]

_DASH_HINT = (
    "an expression that starts with '-' goes after '--', options before it: "
    'jh hessian --at 0,0 -- "-x**2-y**2"'
)


_BATCH: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar("jh_batch", default=None)
"""Set by ``jh batch`` while it runs a line: ``_run`` then appends (JSON data, warnings) here."""


class _LineFailed(Exception):
    """A batch line's error: its message (without ``error:``) and exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def _fail(message: str, code: int) -> NoReturn:
    if _BATCH.get() is not None:
        raise _LineFailed(message, code)
    sys.stderr.write(f"error: {message}\n")
    raise SystemExit(code)


def _usage_message(error: typer.TyperException, argv: Sequence[str]) -> str:
    """Typer's (bundled Click's) usage error as jh shows it, with hints."""
    message = printable(error.format_message())
    if any(f"No such option: {name}" in message for name in ("--sparse", "--sparsity")):
        message += f"\n  (--sparse and --sparsity apply to the matrices of {SPARSE_COMMANDS})"
    elif "No such option" in message and any(_looks_like_expression(a) for a in argv):
        message += f"\n  ({_DASH_HINT})"
    return message + "\n  (see 'jh --help')"


def _looks_like_expression(arg: str) -> bool:
    """``-x**2-y**2`` or ``-x``: an expression with a leading minus that the parser took for options."""
    return len(arg) > 1 and arg[0] == "-" and arg[1] != "-" and arg[:2] not in ("-f", "-h")


class _JhGroup(TyperGroup):
    """Typer's group with jh's error contract: ``error: ...`` on stderr and a documented exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        # Typer handles the errors itself only in standalone mode; jh wants its own format.
        try:
            code = super().main(
                args=args,
                prog_name=prog_name or "jh",
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except typer.TyperException as e:  # Typer's (bundled Click's) usage errors
            _fail(_usage_message(e, list(sys.argv[1:] if args is None else args)), ExitCode.USAGE)
        except typer.Abort:
            _fail("interrupted", ExitCode.INTERRUPTED)
        raise SystemExit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_JhGroup,
    name="jh",
    help=(
        "Symbolic Jacobians and Hessians: exact values at points, curvature analysis, "
        "and output as tables, plain text, LaTeX, Markdown or JSON."
    ),
    epilog="Layout: J[i, j] = d f_i / d x_j (rows: functions, columns: variables); the gradient is a column.",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"jh {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Symbolic Jacobians and Hessians on the command line."""


# Options shared by every command -------------------------------------------------------------
Exprs = Annotated[
    list[str],
    typer.Argument(
        help="The function(s): components separated by top-level commas, or several arguments; "
        "'-' reads stdin.",
        show_default=False,
        metavar="EXPR",
    ),
]
Vars = Annotated[
    str | None,
    typer.Option(
        "--vars",
        metavar="NAMES",
        help="Variables in order, e.g. x,y; a vector x:2 (components x_1, x_2) or a matrix W:2x2 "
        "(W_11 ... W_22, row-major). Default: the free symbols in natural order.",
    ),
]
Let = Annotated[
    list[str] | None,
    typer.Option(
        "--let",
        metavar="NAME=VALUE",
        help="Bind a name to a number, expression or nested list, e.g. W=[[1,2],[3,4]]; its symbols "
        "are parameters, not variables. Repeatable; later values may use earlier names.",
    ),
]
At = Annotated[
    list[str] | None,
    typer.Option(
        "--at",
        metavar="POINT",
        help="A point: 2,3 or x=2,y=3 (exact values: 1/2, pi/4, sqrt(2)). Repeatable.",
    ),
]
Fmt = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="Output format: " + ", ".join(FORMATS) + " (default: table on a terminal, plain otherwise).",
    ),
]
Digits = Annotated[
    int, typer.Option("--digits", metavar="N", min=1, max=50, help="Significant digits of decimal views.")
]
Timeout = Annotated[
    float,
    typer.Option(
        "--timeout", metavar="SECONDS", min=0, help="Seconds each symbolic step may take (0: no limit)."
    ),
]
LimitOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--limit",
        metavar="NAME=N",
        help="Raise or lower a size limit, e.g. --limit depth=300. Repeatable. Limits (default, ceiling): "
        + ", ".join(
            f"{name} ({getattr(DEFAULT_LIMITS, name.replace('-', '_'))}, {CEILINGS[name]})"
            for name in LIMIT_NAMES
        )
        + ".",
        show_default=False,
    ),
]
NoSimplify = Annotated[bool, typer.Option("--no-simplify", help="Skip the cheap simplification of entries.")]
Floats = Annotated[
    bool, typer.Option("--float", help="Read decimals such as 0.1 as floats (default: exact).")
]
Env = Annotated[
    LatexEnv,
    typer.Option(
        "--latex-env",
        metavar="ENV",
        help="Matrix environment for LaTeX and Markdown: " + ", ".join(LATEX_ENVS) + ".",
    ),
]
Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")]
Standalone = Annotated[
    bool,
    typer.Option(
        "--standalone",
        help="LaTeX as a complete document that compiles with pdflatex as is (implies -f latex; "
        "with --emit latex, wraps that).",
    ),
]
Emit = Annotated[
    EmitTarget | None,
    typer.Option(
        "--emit",
        metavar="TARGET",
        help="Print a function that computes the matrix instead: " + ", ".join(EMIT_TARGETS) + " (shared "
        "subexpressions computed once; variables, then parameters, as arguments; see the README).",
    ),
]
ValuesOnly = Annotated[
    bool,
    typer.Option(
        "--values-only",
        help="With --at: show the values at the points but not the symbolic matrix (JSON keeps it).",
    ),
]
Check = Annotated[
    bool,
    typer.Option(
        "--check",
        help="Also compare with finite differences of the function at each --at point "
        "(exit 1 if they disagree).",
    ),
]
# Defaults as in jhcli.checking (RTOL, ATOL; a test keeps them equal): importing it would load SymPy.
Rtol = Annotated[
    float,
    typer.Option("--rtol", metavar="R", help="Relative tolerance of the finite-difference check."),
]
Atol = Annotated[
    float,
    typer.Option("--atol", metavar="A", help="Absolute tolerance of the finite-difference check."),
]
Plot = Annotated[
    str | None,
    typer.Option(
        "--plot",
        metavar="FILE",
        help="Also draw the picture into FILE (.png, .svg or .pdf); needs matplotlib: "
        "pip install 'jhcli[plot]'.",
    ),
]
AtFile = Annotated[
    str | None,
    typer.Option(
        "--at-file",
        metavar="FILE",
        help="Evaluate at every point of FILE instead: .npy or .csv, one point per row, columns in "
        "variable order (or named in a CSV header row); '-' reads CSV from stdin. Writes the values "
        "(see --output), not the symbolic result. Undefined values are written as NaN and counted on "
        "stderr; the exit code stays 0.",
    ),
]
Output = Annotated[
    str | None,
    typer.Option(
        "--output",
        metavar="FILE",
        help="With --at-file: where the values go: .npy (shape (points, rows, cols)), .csv (each "
        "point's coordinates, then the entries row-major) or .jsonl; '-' (default): CSV on stdout.",
    ),
]
Sparse = Annotated[
    bool,
    typer.Option(
        "--sparse",
        help="Show only the non-zero entries, as H[1,2] = d2f/dxdy = ... lines (indices from 1); "
        "JSON: shape and entries [[row, column, value], ...] (from 0) instead of matrix.",
    ),
]
Sparsity = Annotated[
    bool,
    typer.Option(
        "--sparsity",
        help="Draw where the non-zero entries are (* non-zero, . zero; a large matrix in blocks) instead of "
        "the symbolic matrix, with their count; JSON: a sparsity object.",
    ),
]
SPARSE_COMMANDS = "jacobian, gradient and hessian"
"""The commands that take --sparse and --sparsity (named in the error for the others)."""
DEFAULT_RTOL = 1e-8
DEFAULT_ATOL = 1e-10


_OPTION_NAMES = frozenset(
    (
        "--vars --let --at --values-only --format --digits --timeout --limit --no-simplify --float "
        "--latex-env --debug --eig --vectors --classify --box --v --u --with --check --hessian --rtol "
        "--atol --steps --help --emit --plot --x --y --grid --along --range --points --standalone "
        "--at-file --output --sparse --sparsity"
    ).split()
)


def _read_stdin() -> str:
    """Standard input, read no further than the input-length limit (plus one character to tell)."""
    limit = current_limits().input_length
    data = sys.stdin.read(limit + 1)
    if len(data) > limit:
        raise LimitError(
            f"input too long: standard input holds more than {limit} characters "
            f"({limit_note('input-length')})"
        )
    return data


def _read_exprs(exprs: list[str]) -> list[str]:
    """The expression arguments, with '-' replaced by the lines of stdin."""
    out: list[str] = []
    for text in exprs:
        if text.split("=", 1)[0] in _OPTION_NAMES:  # "--sin(x)" is an expression, "--at" is not
            raise UsageError(f"{text!r} after '--' is read as an expression; put options before '--'")
        if text == "-" and _BATCH.get() is not None:
            raise UsageError("'-' (standard input) cannot be used in a batch line: write the expression")
        if text == "-":
            lines = [line.strip() for line in _read_stdin().lstrip("\ufeff").splitlines()]
            out += [line for line in lines if line]
            if not lines or not any(lines):
                raise UsageError("no expression on standard input")
        else:
            out.append(text)
    return out


def _rendered(
    result: Result,
    fmt: OutputFormat | None,
    digits: int,
    latex_env: LatexEnv,
    symbolic: bool = True,
    standalone: bool = False,
    view: dict[str, bool] | None = None,
) -> str:
    """The text to print for ``result``, rendered in full before any of it is written; ``view``
    holds ``sparse`` and ``sparsity`` (--sparse, --sparsity)."""
    from jhcli.render import render

    name = fmt.value if fmt is not None else ("table" if sys.stdout.isatty() else "plain")
    options: dict[str, Any] = {"digits": digits, "latex_env": latex_env.value, "symbolic": symbolic}
    options.update(view or {})
    if name != "table":
        output = render(result, name, **options)
        return _standalone(output) if standalone else output
    from rich.console import Console

    width = None if sys.stdout.isatty() else 100
    console = Console(file=sys.stdout, width=width, highlight=False, markup=False, emoji=False)
    with console.capture() as captured:
        console.print(render(result, name, width=console.width, **options))
    return captured.get()


def _progress_reporter() -> progress.Reporter | None:
    """A Rich progress display on stderr when that is a terminal (never inside ``jh batch``)."""
    if _BATCH.get() is not None or not sys.stderr.isatty():
        return None
    return progress.RichReporter()


def _warnings(result: Result) -> list[str]:
    """Undefined values, then disagreeing checks: printed as warnings, and they make the exit code 1."""
    from jhcli.render.common import check_warnings, undefined_warnings

    return undefined_warnings(result) + check_warnings(result)


def _run(
    command: str,
    exprs: list[str],
    shown: tuple[OutputFormat | None, int, LatexEnv, bool],
    read: tuple[str | None, float, bool, bool, list[str] | None],
    **options: Any,
) -> None:
    """Call ``api.<command>``, print the result, and map the outcome to an exit code.

    ``shown`` is (format, digits, latex_env, debug); ``read`` is (vars, timeout, no_simplify,
    floats, limit). This is the one place where errors become messages and exit codes. The
    ``--limit`` values are in force for reading stdin, computing and printing. Inside ``jh
    batch`` the JSON data and warnings are handed back in ``_BATCH`` instead of printed, and
    errors raise ``_LineFailed`` (never a traceback).
    """
    from jhcli import api

    _resume_gc()  # SymPy and jh's core are imported
    fmt, digits, latex_env, debug = shown
    vars, timeout, no_simplify, floats, limit = read
    batch = _BATCH.get()
    debug = debug and batch is None
    try:
        if batch is not None and fmt is not None and fmt.value != "json":
            raise UsageError(f"a batch line's output is JSON: drop '-f {fmt.value}'")
        at_file, output = options.pop("at_file", None), options.pop("output", None)
        if at_file is not None or output is not None:
            at_file, output = _check_at_file(at_file, output, exprs, fmt, options, batch is not None)
        emit = options.pop("emit", None)
        plot = options.pop("plot", None)
        if plot is not None:
            _check_plot(plot, options, batch is not None)
        standalone = options.pop("standalone", False)
        if standalone:
            fmt = _check_standalone(fmt, emit, batch is not None)
        if fmt is not None and fmt.value == "latex" and options.get("classify") and "eig" in options:
            options["eig"] = True  # the LaTeX classification block shows the eigenvalues (its λ row)
        if emit is not None:
            _check_emit(options, batch is not None)
        view = {key: True for key in ("sparse", "sparsity") if options.pop(key, False)}
        symbolic = not options.pop("values_only", False)
        if "box" in options:
            options["box"] = _parse_box(options["box"])
        with (
            limits_in_force(parse_limit_options(limit or ())),
            time_budget(timeout),
            progress.reporting(_progress_reporter()),
        ):
            result = getattr(api, command)(
                _read_exprs(exprs),
                vars=vars,
                simplify=not no_simplify,
                decimals="float" if floats else "exact",
                timeout=timeout,
                **options,
            )
            if at_file is not None:  # values at the points of a file instead of the output
                _evaluate_file(result, at_file, output, timeout)
                return
            if emit is not None:  # code instead of the output; there are no points to warn about
                code_text = api.emit(result, emit.value, latex_env=latex_env.value, timeout=timeout)
                sys.stdout.write(_standalone(code_text) if standalone else code_text)
                return
            if plot is not None:
                from jhcli.render.images import save_plot

                with step("drawing the picture"):
                    save_plot(result, plot)
            with step("writing the result"):
                problems = _warnings(result)
                if batch is not None:
                    from jhcli.render.json import to_data

                    batch.append((to_data(result, **view), problems))
                    return
                text = _rendered(result, fmt, digits, latex_env, symbolic, standalone, view)
            sys.stdout.write(text)
        for problem in problems:
            sys.stderr.write(f"warning: {problem}\n")
        code = ExitCode.MATH if problems else ExitCode.OK
    except BrokenPipeError:  # the reader of stdout has gone: nothing left to tell anyone
        raise typer.Exit(ExitCode.PIPE_CLOSED) from None
    except JhError as e:
        if debug:
            traceback.print_exc()
        _fail(e.render(), e.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", ExitCode.INTERRUPTED)
    except (RecursionError, MemoryError) as e:
        if debug:
            traceback.print_exc()
        hint = (
            "; a larger --limit depth=N also allows deeper recursion" if isinstance(e, RecursionError) else ""
        )
        _fail(f"the expression is too large to handle ({type(e).__name__}{hint})", ExitCode.LIMIT)
    except ValueError as e:
        if debug:
            traceback.print_exc()
        if "integer string conversion" not in str(e):
            _fail(f"internal error: ValueError: {e} (run with --debug for details)", ExitCode.MATH)
        _fail(
            "a number in the result is too long to print; raise the limit with --limit value-digits=N",
            ExitCode.LIMIT,
        )
    except Exception as e:  # a bug: one line, never a traceback unless asked
        if debug:
            traceback.print_exc()
        _fail(f"internal error: {type(e).__name__}: {e} (run with --debug for details)", ExitCode.MATH)
    if code:
        raise typer.Exit(code)


def _check_at_file(
    at_file: str | None,
    output: str | None,
    exprs: list[str],
    fmt: OutputFormat | None,
    options: dict[str, Any],
    in_batch: bool,
) -> tuple[str | None, str]:
    """--at-file writes values to --output: options that ask for another output conflict; the file
    names are checked before any work."""
    from jhcli.batcheval import check_files

    if in_batch:
        raise UsageError(f"a batch line writes no files: drop '{'--at-file' if at_file else '--output'}'")
    if at_file is None:
        raise UsageError("--output goes with --at-file (the points to evaluate at)")
    if options.get("at"):
        raise UsageError("--at and --at-file both give points: use one")
    for key in ("values_only", "check", "eig", "vectors", "classify", "box", "emit", "plot", "standalone"):
        if options.get(key):
            raise UsageError(f"--at-file writes the values at its points; drop --{key.replace('_', '-')}")
    if fmt is not None:
        raise UsageError(
            f"--at-file writes values (CSV, or the kind of --output FILE: .npy, .csv, .jsonl), "
            f"not a formatted result: drop '-f {fmt.value}'"
        )
    if at_file == "-" and "-" in exprs:
        raise UsageError("'-' cannot be both the expression and --at-file: standard input is read once")
    check_files(at_file, output or "-")
    return at_file, output or "-"


def _evaluate_file(result: Result, at_file: str, output: str, timeout: float) -> None:
    """The matrix at every point of ``at_file``, written to ``output``; the undefined count on stderr."""
    from jhcli.batcheval import evaluate_file

    with progress.task("evaluating at the points of the file") as advance:
        summary = evaluate_file(
            result,
            at_file,
            output,
            stdin=sys.stdin,
            stdout=sys.stdout,
            timeout=timeout,
            on_chunk=advance.update,  # (points done, total or None: CSV input is counted as read)
        )
    if (warning := summary.warning()) is not None:
        sys.stderr.write(f"warning: {warning}\n")


def _check_plot(path: str, options: dict[str, Any], in_batch: bool) -> None:
    """--plot: a known extension, matplotlib installed, and (hessian) eigenvalues to draw; before any work."""
    from jhcli.render.images import check_path, require_matplotlib

    if in_batch:
        raise UsageError("a batch line writes no files: drop '--plot'")
    check_path(path)
    if "eig" in options and not (options.get("eig") or options.get("vectors")):
        raise UsageError("--plot on hessian draws the eigenvalue spectrum: add --eig")
    require_matplotlib()


def _check_emit(options: dict[str, Any], in_batch: bool) -> None:
    """--emit prints code for the symbolic matrix: options that ask for values or analysis conflict."""
    if in_batch:
        raise UsageError("a batch line's output is JSON: drop '--emit'")
    for key in ("at", "values_only", "check", "eig", "vectors", "classify", "box", "sparse", "sparsity"):
        if options.get(key):
            raise UsageError(f"--emit prints code; drop --{key.replace('_', '-')}")


def _check_standalone(fmt: OutputFormat | None, emit: Any, in_batch: bool) -> OutputFormat:
    """--standalone wraps LaTeX: it implies -f latex, and conflicts with another format or --emit target."""
    if in_batch:
        raise UsageError("a batch line's output is JSON: drop '--standalone'")
    if fmt is not None and fmt.value != "latex" and emit is None:
        raise UsageError(f"--standalone makes a LaTeX document: use -f latex (or no -f), not -f {fmt.value}")
    if emit is not None and emit.value != "latex":
        raise UsageError(f"--standalone makes a LaTeX document: use --emit latex, not --emit {emit.value}")
    return cast(OutputFormat, OutputFormat["latex"])


def _standalone(snippet: str) -> str:
    from jhcli.render.latex import standalone

    return standalone(snippet)


def _parse_box(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    lo, sep, hi = text.partition(":")
    try:
        box = (float(lo), float(hi))
    except ValueError:
        box = None
    if not sep or box is None or not (math.isfinite(box[0]) and math.isfinite(box[1]) and box[0] < box[1]):
        raise UsageError(f"--box takes LOW:HIGH, finite numbers with LOW < HIGH, e.g. -5:5; got {text!r}")
    return box


@app.command()
def jacobian(
    exprs: Exprs,
    vars: Vars = None,
    let: Let = None,
    at: At = None,
    at_file: AtFile = None,
    output: Output = None,
    check: Check = False,
    rtol: Rtol = DEFAULT_RTOL,
    atol: Atol = DEFAULT_ATOL,
    format: Fmt = None,
    standalone: Standalone = False,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    values_only: ValuesOnly = False,
    sparse: Sparse = False,
    sparsity: Sparsity = False,
    emit: Emit = None,
    debug: Debug = False,
) -> None:
    """The Jacobian J[i, j] = d f_i / d x_j: rows are functions, columns are variables.

    A matrix too large for the terminal (more than 24 rows or 12 columns) shows its corners in
    the table format; --sparse, --sparsity, -f plain and -f json show all of it.

    \b
    Examples:
      jh jacobian "x**2+y, x*y" --at 2,3
      jh jacobian "tanh(a*x + b*y)" --vars x,y -f latex
      echo "x**2+y, x*y" | jh jacobian - --at 2,3 --at 1,1 --check -f json
      jh jacobian "x**2+y, x*y, sin(x)*exp(y)" --at-file points.csv --output J.npy
      jh jacobian "x*y, y*z, z**2" --sparse -f json
    """
    _run(
        "jacobian",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        let=let or (),
        at=at or (),
        at_file=at_file,
        output=output,
        values_only=values_only,
        sparse=sparse,
        sparsity=sparsity,
        emit=emit,
        **_check_options(check, rtol, atol),
    )


@app.command()
def gradient(
    exprs: Exprs,
    vars: Vars = None,
    let: Let = None,
    at: At = None,
    at_file: AtFile = None,
    output: Output = None,
    format: Fmt = None,
    standalone: Standalone = False,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    values_only: ValuesOnly = False,
    sparse: Sparse = False,
    sparsity: Sparsity = False,
    emit: Emit = None,
    debug: Debug = False,
) -> None:
    """The gradient of a scalar function, as a column (n x 1). Alias: grad.

    \b
    Examples:
      jh gradient "x^2*y + sin(x)" --at x=1,y=pi/2
      jh grad "x**2 + y**2" -f json
      jh gradient "log(1 + exp(-w*x))" --vars w --emit c
      jh gradient "x**2*y + sin(x)" --at-file points.csv --output g.jsonl
      jh gradient "x**2 + y*z" --at 1,0,2 --sparse
    """
    _run(
        "gradient",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        let=let or (),
        at=at or (),
        at_file=at_file,
        output=output,
        values_only=values_only,
        sparse=sparse,
        sparsity=sparsity,
        emit=emit,
    )


app.command("grad", hidden=True)(gradient)  # alias: same help, same options


@app.command()
def hessian(
    exprs: Exprs,
    vars: Vars = None,
    let: Let = None,
    at: At = None,
    at_file: AtFile = None,
    output: Output = None,
    eig: Annotated[
        bool, typer.Option("--eig", help="Eigenvalues, determinant, trace, inertia, condition number.")
    ] = False,
    vectors: Annotated[bool, typer.Option("--vectors", help="Also eigenvectors (implies --eig).")] = False,
    classify: Annotated[
        bool,
        typer.Option(
            "--classify",
            help="Classify each --at point; without --at, find and classify every critical point.",
        ),
    ] = False,
    box: Annotated[
        str | None,
        typer.Option(
            "--box", metavar="LOW:HIGH", help="Search box LOW:HIGH for a numeric critical-point search."
        ),
    ] = None,
    check: Check = False,
    rtol: Rtol = DEFAULT_RTOL,
    atol: Atol = DEFAULT_ATOL,
    format: Fmt = None,
    standalone: Standalone = False,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    values_only: ValuesOnly = False,
    sparse: Sparse = False,
    sparsity: Sparsity = False,
    emit: Emit = None,
    plot: Plot = None,
    debug: Debug = False,
) -> None:
    """The Hessian H[i, j] = d2f / dx_i dx_j of a scalar function (symmetric).

    A matrix too large for the terminal (more than 24 rows or 12 columns) shows its corners in
    the table format; --sparse, --sparsity, -f plain and -f json show all of it.

    \b
    Examples:
      jh hessian "x**2 + 3*x*y + y**2" --classify
      jh hessian "x**4 + y**4 - 4*x*y" --at 1,1 --eig --check
      jh hessian "x**2 + 3*x*y + y**2" -f latex >> notes.tex
      jh hessian "x**2 + 3*x*y + y**2" --eig --plot spectrum.png
      jh hessian "x**4 + y**4 - 4*x*y" --at-file points.npy --output H.npy
      jh hessian "x1**2*x2 + x2*x3 + x3**4" --sparse --sparsity
    """
    _run(
        "hessian",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        let=let or (),
        at=at or (),
        at_file=at_file,
        output=output,
        values_only=values_only,
        sparse=sparse,
        sparsity=sparsity,
        eig=eig,
        vectors=vectors,
        classify=classify,
        box=box,
        emit=emit,
        **_check_options(check, rtol, atol),
        **({"plot": plot} if plot is not None else {}),
    )


def _check_options(check: bool, rtol: float, atol: float) -> dict[str, Any]:
    """--check and its tolerances, passed on only when given (other commands do not take them)."""
    if not check:
        if (rtol, atol) != (DEFAULT_RTOL, DEFAULT_ATOL):
            _fail("--rtol and --atol apply to the finite-difference check: add --check", ExitCode.USAGE)
        return {}
    return {"check": True, "rtol": rtol, "atol": atol}


@app.command()
def check(
    exprs: Exprs,
    vars: Vars = None,
    let: Let = None,
    at: At = None,
    hessian: Annotated[
        bool,
        typer.Option("--hessian", help="Check the Hessian of a scalar function instead of the Jacobian."),
    ] = False,
    rtol: Rtol = DEFAULT_RTOL,
    atol: Atol = DEFAULT_ATOL,
    format: Fmt = None,
    standalone: Standalone = False,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    values_only: ValuesOnly = False,
    debug: Debug = False,
) -> None:
    """Check the symbolic Jacobian (or Hessian) against finite differences at each --at point.

    The finite differences are central differences of the function itself, Richardson-extrapolated
    and computed with 40-digit arithmetic. An entry agrees when |symbolic - fd| <= atol +
    rtol*|symbolic| (defaults 1e-10 and 1e-08). Exit 0 when every entry agrees at every point,
    1 otherwise (also when a derivative does not exist at the point).

    \b
    Examples:
      jh check "x**2+y, x*y" --at 2,3
      jh check "x**2 + 3*x*y + y**2" --hessian --at 1,2 -f json
      jh check "tanh(2*x - 3*y)" --at 0,0 --at 1,-1 --at 1/2,3
    """
    _run(
        "check",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        let=let or (),
        at=at or (),
        values_only=values_only,
        hessian=hessian,
        rtol=rtol,
        atol=atol,
    )


@app.command()
def critical(
    exprs: Exprs,
    vars: Vars = None,
    let: Let = None,
    box: Annotated[
        str | None,
        typer.Option(
            "--box", metavar="LOW:HIGH", help="Search box LOW:HIGH for the numeric fallback search."
        ),
    ] = None,
    format: Fmt = None,
    standalone: Standalone = False,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    debug: Debug = False,
) -> None:
    """Every critical point of a scalar function (grad f = 0), each classified with its reason.

    Polynomial systems are solved exactly; otherwise a numeric multi-start Newton search runs in
    the --box and the answer says it may be incomplete.

    \b
    Examples:
      jh critical "x**4 + y**4 - 4*x*y + 1"
      jh critical "x**3 - 3*x*y**2" -f json
      jh critical "(x - y)**2"
    """
    _run(
        "critical",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        let=let or (),
        box=box,
    )


Direction = Annotated[
    str | None,
    typer.Option(
        "--v",
        metavar="V",
        help="The vector v: one value per variable (1,0) or by name (x=1,y=0); exact values, "
        "other names are parameters. Required.",
        show_default=False,
    ),
]


@app.command()
def jvp(
    exprs: Exprs,
    v: Direction = None,
    vars: Vars = None,
    let: Let = None,
    at: At = None,
    at_file: AtFile = None,
    output: Output = None,
    format: Fmt = None,
    standalone: Standalone = False,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    debug: Debug = False,
) -> None:
    """J·v, the Jacobian-vector product (forward mode), without forming J.

    Each component is the directional derivative d/dt f_i(x + t v) at t = 0: m derivatives
    instead of the m x n of J. One JVP gives one column's worth of information (how all outputs
    move when the inputs move along v), so a full m x n Jacobian costs n JVPs: forward mode wins
    when the inputs are few. Backpropagation uses VJPs instead (see 'jh vjp').

    \b
    Examples:
      jh jvp "x**2 + y, x*y" --v 1,0 --at 2,3
      jh jvp "x**2 + y, x*y" --v x=1,y=-1 -f json
      jh jvp "sin(x*y)" --v a,b
      jh jvp "x**2 + y, x*y" --v 1,0 --at-file points.csv
    """
    _run(
        "jvp",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        let=let or (),
        at=at or (),
        at_file=at_file,
        output=output,
        v=v,
    )


@app.command()
def vjp(
    exprs: Exprs,
    u: Annotated[
        str | None,
        typer.Option(
            "--u",
            metavar="U",
            help="The vector u: one value per component of the function (1,0); exact values, "
            "other names are parameters. Required.",
            show_default=False,
        ),
    ] = None,
    vars: Vars = None,
    let: Let = None,
    at: At = None,
    at_file: AtFile = None,
    output: Output = None,
    format: Fmt = None,
    standalone: Standalone = False,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    debug: Debug = False,
) -> None:
    """uᵀJ, the vector-Jacobian product (reverse mode), shown as a column, without forming J.

    Computed as the gradient of the scalar u·f: one gradient instead of m. This is what
    backpropagation uses: with u = dL/dy (the gradient of a scalar loss L with respect to the
    outputs y = f(x)), one VJP gives the whole gradient dL/dx = uᵀJ, whatever the number of
    inputs. A full m x n Jacobian costs m VJPs against n JVPs, so reverse mode wins when there
    are few outputs and many inputs: a loss is one output, a network has millions of inputs.

    \b
    Examples:
      jh vjp "x**2 + y, x*y" --u 1,0 --at 2,3
      jh vjp "x**2 + y, x*y" --u a,b -f json
      jh vjp "tanh(w1*x + w2*y)" --u 1 --vars w1,w2
      jh vjp "x**2 + y, x*y" --u 1,0 --at-file points.csv
    """
    _run(
        "vjp",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        let=let or (),
        at=at or (),
        at_file=at_file,
        output=output,
        u=u,
    )


@app.command()
def hvp(
    exprs: Exprs,
    v: Direction = None,
    vars: Vars = None,
    let: Let = None,
    at: At = None,
    at_file: AtFile = None,
    output: Output = None,
    format: Fmt = None,
    standalone: Standalone = False,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    debug: Debug = False,
) -> None:
    """H·v, the Hessian-vector product of a scalar function, without forming H.

    H·v is the directional derivative of the gradient along v, computed as the gradient of
    ∇f·v (Pearlmutter's trick): 2n derivatives instead of the n² of H. Hessian-free optimisers
    (Newton-CG, truncated Newton) solve H p = -∇f by conjugate gradients, which need only H·v.

    \b
    Examples:
      jh hvp "x**2 + 3*x*y + y**2" --v 1,-1
      jh hvp "x**4 + y**4 - 4*x*y" --v 1,0 --at 1,1
      jh hvp "exp(x*y)" --v x=a,y=b -f latex
      jh hvp "x**4 + y**4 - 4*x*y" --v 1,-1 --at-file points.csv
    """
    _run(
        "hvp",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        let=let or (),
        at=at or (),
        at_file=at_file,
        output=output,
        v=v,
    )


@app.command()
def chain(
    exprs: Exprs,
    with_: Annotated[
        list[str] | None,
        typer.Option(
            "--with",
            metavar="NAME=EXPR",
            help="An inner function: an intermediate name of OUTER and its expression in the inner "
            "variables, e.g. u=x*y. Repeatable; the order gives the order of the intermediates.",
            show_default=False,
        ),
    ] = None,
    vars: Vars = None,
    at: At = None,
    format: Fmt = None,
    standalone: Standalone = False,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    debug: Debug = False,
) -> None:
    """The chain rule: the Jacobian of OUTER(inner(x)) as J_outer(inner(x)) · J_inner(x).

    OUTER is written in the intermediate names bound by --with; any other name in it is a
    parameter (a constant), and an inner variable in it is an error. The inner variables are
    --vars, or the free symbols of the inner expressions. jh shows each factor and the product,
    and checks that the product equals the Jacobian of the composed function (exactly when SymPy
    can prove it, else numerically at fixed sample points, and says which). Backpropagation is
    this product evaluated from the left, one vector at a time (see 'jh vjp').

    \b
    Examples:
      jh chain "u**2 + v" --with "u=x*y" --with "v=sin(x)"
      jh chain "tanh(u)" --with "u=a*x + b*y" --vars x,y
      jh chain "u*v, u + v" --with u=x+y --with v=x-y --at 1,2 -f json
    """
    _run(
        "chain",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        at=at or (),
        inner=with_ or (),
    )


@app.command()
def newton(
    exprs: Exprs,
    vars: Vars = None,
    let: Let = None,
    at: Annotated[
        list[str] | None,
        typer.Option(
            "--at",
            metavar="POINT",
            help="The point (required): 2,3 or x=2,y=3 (exact values: 1/2, pi/4, sqrt(2)). Repeatable.",
        ),
    ] = None,
    steps: Annotated[
        int | None,
        typer.Option(
            "--steps",
            metavar="N",
            min=1,
            max=100,
            help="Also take N Newton steps (1-100) from the one --at point and list the iterates.",
        ),
    ] = None,
    format: Fmt = None,
    standalone: Standalone = False,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    debug: Debug = False,
) -> None:
    """Newton's step d = -H^-1 g at a point, its quadratic model, and the gradient-descent view.

    Shows g and H at the point, d (exact), the predicted change g.d + d.H.d/2 against the actual
    change f(x+d) - f(x), the curvature along the gradient g.H.g/g.g, the exact line-search
    step g.g/g.H.g (when g.H.g > 0), the stability bound 2/lambda_max, and at a saddle the escape
    direction. A singular H gets the pseudo-inverse step -H^+ g instead, and says so.

    \b
    Examples:
      jh newton "x**2 + 3*x*y + 5*y**2 - x" --at 1,1
      jh newton "(1-x)**2 + 100*(y-x**2)**2" --at -1.2,1 --steps 6
      jh newton "x**2 - y**2" --at 1,1 -f json
    """
    if not at:
        _fail("jh newton needs a point: give one with --at, e.g. --at 1,1", ExitCode.USAGE)
    _run(
        "newton",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        let=let or (),
        at=at,
        steps=steps,
    )


def _range_option(name: str, help: str) -> Any:
    return typer.Option(name, metavar="LOW:HIGH", help=help, show_default=False)


@app.command("map")
def map_(
    exprs: Exprs,
    x: Annotated[
        str | None, _range_option("--x", "The range of the first variable, e.g. -1:1. Required.")
    ] = None,
    y: Annotated[
        str | None, _range_option("--y", "The range of the second variable, e.g. -1:1. Required.")
    ] = None,
    grid: Annotated[
        int, typer.Option("--grid", metavar="N", min=1, max=101, help="Cells per side (an N x N grid).")
    ] = 21,
    vars: Vars = None,
    let: Let = None,
    plot: Plot = None,
    format: Fmt = None,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    standalone: Standalone = False,
    debug: Debug = False,
) -> None:
    """Where a function of two variables is convex, concave or saddle-shaped: the Hessian's type per cell.

    The box is cut into N x N cells; at each cell centre (exact values) the Hessian is convex
    (positive definite, +), concave (negative definite, -), a saddle (indefinite, x) or
    degenerate (singular, 0), decided exactly from det H and tr H. Critical points in the box
    are marked * in their cell. JSON rows run from the top (largest y) down.

    \b
    Examples:
      jh map "x**3 - 3*x*y**2" --x -1:1 --y -1:1
      jh map "x**4 + y**4 - 4*x*y" --x -2:2 --y -2:2 --grid 15 -f json
      jh map "sin(x)*cos(y)" --x -3:3 --y -3:3 --plot map.png
    """
    for name, value in (("--x", x), ("--y", y)):
        if value is None:
            _fail(f"jh map needs {name} LOW:HIGH, e.g. {name} -1:1", ExitCode.USAGE)
    _run(
        "map_types",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        let=let or (),
        x=x,
        y=y,
        grid=grid,
        **({"plot": plot} if plot is not None else {}),
    )


@app.command()
def profile(
    exprs: Exprs,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", metavar="POINT", help="The point P (required): 2,3 or x=2,y=3.", show_default=False
        ),
    ] = None,
    along: Annotated[
        str,
        typer.Option(
            "--along",
            metavar="DIR",
            help="eigmax or eigmin (eigenvector of the largest or smallest Hessian eigenvalue at P), "
            "grad (the gradient) or v=1,2 (a vector); normalised to length 1.",
        ),
    ] = "eigmax",
    range_: Annotated[str, _range_option("--range", "The values of t, LOW:HIGH (default -1:1).")] = "-1:1",
    points: Annotated[
        int,
        typer.Option("--points", metavar="N", min=2, max=201, help="How many values of t (evenly spaced)."),
    ] = 21,
    vars: Vars = None,
    let: Let = None,
    plot: Plot = None,
    format: Fmt = None,
    digits: Digits = 6,
    timeout: Timeout = DEFAULT_TIMEOUT,
    limit: LimitOpt = None,
    no_simplify: NoSimplify = False,
    floats: Floats = False,
    latex_env: Env = DEFAULT_ENV,
    standalone: Standalone = False,
    debug: Debug = False,
) -> None:
    """f(P + t d) along a unit direction d, against the quadratic model f + t g·d + t²/2 d·H·d.

    Shows a chart and a table of t, f and the model (exact where the values are; an eigenvector
    jh can only find numerically is labelled numeric). Where f and the model part, the
    third-order terms take over.

    \b
    Examples:
      jh profile "x**2 + 3*x*y + y**2" --at 1,1 --along eigmin
      jh profile "x**4 - x*y" --at 1,1 --along v=1,-1 --range -2:2 -f json
      jh profile "log(1 + exp(-w*x - b))" --vars w,b --let x=2 --at 1,0 --plot profile.png
    """
    if at is None:
        _fail("jh profile needs a point: give one with --at, e.g. --at 1,1", ExitCode.USAGE)
    _run(
        "profile",
        exprs,
        (format, digits, latex_env, debug),
        (vars, timeout, no_simplify, floats, limit),
        standalone=standalone,
        let=let or (),
        at=at,
        along=along,
        range=range_,
        points=points,
        **({"plot": plot} if plot is not None else {}),
    )


# jh batch -------------------------------------------------------------------------------------
BATCH_LINE_LIMIT = 2_000_000
"""Characters in one line of a batch file (each expression in it also has the parser's own limit)."""


@app.command()
def batch(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE", help="A file of jh command lines; '-' reads stdin.", show_default=False
        ),
    ],
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            min=0,
            help="The --timeout of each line that does not give its own.",
        ),
    ] = DEFAULT_TIMEOUT,
) -> None:
    """Run one jh command per line of FILE; write one JSON object per line (JSON Lines), in order.

    A line is what follows 'jh' (e.g. hessian "x**2*y" --at 1,2), split into words as a shell
    would but never run by one. Blank lines and lines starting with # are skipped. For each
    other line, one compact JSON object: "line" (its line number) and the command's -f json
    keys, plus "warnings" and "exit_code": 1 when a value is undefined or a check disagrees; or
    {"line", "error", "exit_code"} when the line fails. The exit code is the worst of the lines.
    A line may not use another -f, '-' (stdin) or batch.

    \b
    Examples:
      jh batch jobs.txt > results.jsonl
      echo 'hessian "x**2 + 3*x*y + y**2" --classify' | jh batch -
      jh batch jobs.txt --timeout 10
    """
    import json

    worst = 0
    with _batch_stream(file) as stream:
        for number, text in _batch_lines(stream):
            out: dict[str, Any] = {"line": number}
            try:
                if text is None:
                    raise _LineFailed(f"line too long (limit {BATCH_LINE_LIMIT} characters)", ExitCode.LIMIT)
                data, problems = _batch_line(ctx, text, timeout)
                out.update(data)
                if problems:
                    out.update(warnings=problems, exit_code=int(ExitCode.MATH))
            except _LineFailed as e:
                if e.code == ExitCode.INTERRUPTED:
                    _fail("interrupted", ExitCode.INTERRUPTED)
                out.update(error=e.message, exit_code=e.code)
            except KeyboardInterrupt:
                _fail("interrupted", ExitCode.INTERRUPTED)
            except Exception as e:  # a bug: one line, never a traceback
                out.update(error=f"internal error: {type(e).__name__}: {e}", exit_code=int(ExitCode.MATH))
            worst = max(worst, out.get("exit_code", 0))
            line = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
            for ch in "\x85\u2028\u2029":  # line breaks for str.splitlines: keep one object per line
                line = line.replace(ch, f"\\u{ord(ch):04x}")
            try:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            except BrokenPipeError:  # the reader has gone: the remaining lines have no one to go to
                raise typer.Exit(ExitCode.PIPE_CLOSED) from None
    if worst:
        raise typer.Exit(worst)


@contextmanager
def _batch_stream(file: str) -> Iterator[TextIO]:
    """FILE (or stdin) as UTF-8 text, undecodable bytes replaced; unreadable: exit 2 at once."""
    import io

    if file != "-":
        try:
            stream = open(file, encoding="utf-8", errors="replace")
        except OSError as e:
            _fail(f"cannot read {file!r}: {e.strerror or e}", ExitCode.USAGE)
        with stream:
            yield stream
        return
    raw = getattr(sys.stdin, "buffer", None)
    if raw is None:
        yield sys.stdin
        return
    wrapper = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
    try:
        yield wrapper
    finally:
        wrapper.detach()  # leave sys.stdin open


def _batch_lines(stream: TextIO) -> Iterator[tuple[int, str | None]]:
    """(number, text) of each line to run, read one at a time; text None for a line over the limit."""
    number = 0
    while text := stream.readline(BATCH_LINE_LIMIT + 1):
        number += 1
        if number == 1:
            text = text.removeprefix("\ufeff")
        if len(text.rstrip("\r\n")) > BATCH_LINE_LIMIT:
            while text and not text.endswith("\n"):  # skip the rest of the line unread
                text = stream.readline(BATCH_LINE_LIMIT)
            yield number, None
        elif text.strip() and not text.lstrip().startswith("#"):
            yield number, text


def _batch_line(ctx: typer.Context, text: str, timeout: float) -> tuple[dict[str, Any], list[str]]:
    """Run one line through the same Click parsing and ``_run`` as the CLI; return (JSON data, warnings)."""
    import shlex

    try:
        words = shlex.split(text)
    except ValueError as e:
        raise _LineFailed(f"cannot split the line into words: {e}", ExitCode.USAGE) from None
    if words[:1] == ["jh"]:
        words = words[1:]
    if not words or words[0].startswith("-"):
        raise _LineFailed('a line starts with a command, e.g. hessian "x**2*y" --at 1,2', ExitCode.USAGE)
    if words[0] == "batch":
        raise _LineFailed("jh batch cannot run inside a batch file", ExitCode.USAGE)
    group = cast(TyperGroup, ctx.find_root().command)
    results: list[Any] = []
    token = _BATCH.set(results)
    try:
        name, command, args = group.resolve_command(ctx, words)
        assert name is not None and command is not None  # resolve_command fails otherwise
        with command.make_context(
            name, args, parent=ctx, default_map={"timeout": timeout}, help_option_names=[]
        ) as sub:
            command.invoke(sub)
    except typer.TyperException as e:
        if getattr(e, "option_name", None) in ("-h", "--help"):  # help is off: it would print to stdout
            message = f"no help in a batch line: run 'jh {words[0]} --help'"
            raise _LineFailed(message, ExitCode.USAGE) from None
        raise _LineFailed(_usage_message(e, words), ExitCode.USAGE) from None
    finally:
        _BATCH.reset(token)
    if len(results) != 1:
        raise _LineFailed("internal error: the command gave no result", ExitCode.MATH)
    return cast(tuple[dict[str, Any], list[str]], results[0])


def _command_name(info: Any) -> str:
    return str(info.name or info.callback.__name__.replace("_", "-"))


def _app_for(argv: Sequence[str]) -> typer.Typer:
    """The app to run for ``argv``: only the command it names, when it names one.

    Typer builds the Click command of every registered command before it parses anything; building
    one instead of all of them saves about 60 ms of every run (measured with ``-X importtime`` and
    cProfile on the seed case); ``jh --version`` builds none. ``jh``, ``jh --help``, completion and
    ``jh batch`` (which runs every command) get the whole app.
    """
    if not argv or argv[0] == "batch":
        return app
    if list(argv) == ["--version"]:
        chosen = []  # the root option alone: no command to build
    else:
        chosen = [info for info in app.registered_commands if _command_name(info) == argv[0]]
        if not chosen:
            return app  # not a command: the whole app reports it with the list of commands
    single = copy.copy(app)
    single.registered_commands = chosen
    return single


class _DeferredTensorModule(types.ModuleType):
    """Stands in for ``sympy.tensor.tensor`` until something other than SymPy's sum needs it.

    SymPy's ``Add.flatten`` imports ``sympy.tensor.tensor`` on the first sum of a process only to
    test ``isinstance(term, TensExpr)``; that import builds SymPy's combinatorics tables and cost
    about 50 ms of every ``jh`` run (``-X importtime``: sympy.combinatorics.polyhedron alone 44 ms),
    for tensors jh never makes. Until the real module is loaded no tensor can exist, so the two
    names ``Add.flatten`` asks for are stand-in classes nothing is an instance of. Any other name
    loads the real module (replacing this one), and from then on everything is SymPy's own.
    """

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system's probes (``__path__`` ...): a plain module
            raise AttributeError(name)
        if sys.modules.get(self.__name__) is self:
            if name in ("TensExpr", "TensAdd"):
                return _NO_TENSOR
            del sys.modules[self.__name__]
        import importlib

        return getattr(importlib.import_module(self.__name__), name)


class _NoTensor:
    """No object is an instance of this: the stand-in for tensor classes before SymPy loads them."""


_NO_TENSOR = _NoTensor


def _defer_tensor_import() -> None:
    """Install ``_DeferredTensorModule`` (only in the ``jh`` process, before SymPy has loaded tensors)."""
    name = "sympy.tensor.tensor"
    if name not in sys.modules:
        sys.modules[name] = _DeferredTensorModule(name)


_gc_paused = False


def _resume_gc() -> None:
    """Collect cycles again (paused by ``run`` while the imports run), after moving everything the
    imports made into the collector's permanent generation (``gc.freeze``).

    SymPy's import makes about a million objects; with the collector on, its passes over them cost
    about 60 ms of every run, and every full collection later walks them again. Nothing imported
    is garbage, so none of that finds anything. Called once SymPy and jh's core are imported.
    """
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.freeze()
        gc.enable()


def run(argv: Sequence[str] | None = None) -> int:
    """Run jh on ``argv`` (default: ``sys.argv[1:]``) in this process and return the exit code."""
    global _gc_paused
    _defer_tensor_import()
    args = list(sys.argv[1:] if argv is None else argv)
    if gc.isenabled():
        gc.disable()
        _gc_paused = True
    try:
        _app_for(args)(args=args)
    except SystemExit as done:
        code = done.code
        if code is None or isinstance(code, int):
            return int(code or 0)
        sys.stderr.write(f"{code}\n")
        return 1
    finally:
        _resume_gc()
    return 0


def main() -> NoReturn:
    """Console-script entry point: run jh, flush the output and end the process at once.

    ``os._exit`` skips the interpreter's teardown, which frees every object one by one: about
    0.2 s after the seed case (most of it SymPy's import) and more after a large problem, for a
    process that is ending anyway. Output files are closed before ``run`` returns (written
    atomically); stdout and stderr are flushed here.
    """
    code = run()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader has gone (a closed pipe) before the last output
            code = code or ExitCode.PIPE_CLOSED
        except (OSError, ValueError):  # closed or unwritable: nothing left to tell anyone
            pass
    os._exit(code)
