"""Batch evaluation (``--at-file`` / ``--output``): a result's matrix at every row of a file of points.

Pure core, no Typer or Rich: a ``Result`` and file names (or text streams for ``-``) in, files out.
The symbolic matrix is compiled once into NumPy code (``sympy.lambdify`` after ``sympy.cse``, so
shared subexpressions are computed once per chunk) and evaluated vectorised over chunks of rows, so
memory stays bounded whatever the number of points.

Inputs (``--at-file``): ``.npy`` (a 2-D array of real numbers, one point per row, one column per
variable in variable order; 1-D for a single variable), read through a memory map; ``.csv`` (one
point per row, optional header row of variable names: then the columns are matched by name); ``-``
for CSV on standard input.

Outputs (``--output``): ``.npy`` (float64, shape (points, rows, cols)), ``.csv`` (per point: its
coordinates, then the entries row-major; header ``x,y,J[1][1],J[1][2],...``), ``.jsonl`` (per point
``{"at": [...], "value": [[...], ...]}``, ``null`` for NaN), ``-`` for CSV on standard output.
Files are written to a temporary file in the same directory and renamed at the end: after an error
nothing (or the old file) is there.

Undefined values: an entry that is NaN or infinite in float64 (log of a negative number, 1/0, the
square root of a negative number: not real) is written as NaN; the other entries of that point keep
their values. At a kink or jump, where the derivative does not exist (``sign(u)``, ``Heaviside(u)``
from |.|, max, min, relu at ``u == 0``; the jumps of sign, Heaviside, floor, ceiling), the entry is
NaN too — also where one-sided derivatives happen to agree (``x*abs(x)`` at 0): ``--at`` gives the
exact verdict at such a point. ``erf`` is ``math.erf`` per value (NumPy has none and SciPy is not a
dependency): exact to the C library's accuracy, about 0.35 s per million values.
"""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import struct
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import IO, TYPE_CHECKING, Any, TextIO

from jhcli.errors import MathError, UsageError
from jhcli.limits import step, time_budget
from jhcli.models import Command, Result

if TYPE_CHECKING:
    import numpy as np

INPUT_KINDS = (".npy", ".csv")
OUTPUT_KINDS = (".npy", ".csv", ".jsonl")
CHUNK_ROWS = 1 << 16
"""Points per chunk, at most (fewer when a point's matrix and intermediates are large)."""
CHUNK_BYTES = 64 << 20
"""Memory one chunk's arrays may take: inputs, every shared subexpression and every entry."""

ProgressCallback = Callable[[int, "int | None"], None]
"""``on_chunk(done, total)``: points evaluated so far, and the number of points (None: not known)."""

_STDIN = "standard input"


@dataclass(frozen=True)
class BatchSummary:
    """What a batch evaluation did: points evaluated, how many have an undefined (NaN) entry."""

    points: int
    undefined: int

    def warning(self) -> str | None:
        """The line for stderr when some points have undefined values, else None."""
        if not self.undefined:
            return None
        verb = "has" if self.undefined == 1 else "have"
        return f"{self.undefined:,} of {self.points:,} points {verb} undefined values (written as NaN)"


# Compiling ------------------------------------------------------------------------------------


def _erf(a: Any) -> Any:
    """``erf`` over an array: ``math.erf`` per value (NumPy has no erf; SciPy is not required)."""
    import numpy as np

    arr = np.asarray(a, dtype=np.float64)
    flat = np.fromiter(map(math.erf, arr.ravel().tolist()), dtype=np.float64, count=arr.size)
    return flat.reshape(arr.shape)


def _integer_jump(a: Any) -> Any:
    """The derivative of floor or ceiling at ``a``: 0 off the integers, NaN (a jump) on them."""
    import numpy as np

    return np.where(a == np.floor(a), np.nan, 0.0)


def _mark_integer_jumps(expr: Any) -> Any:
    """``Derivative(floor(u), x)`` (what SymPy leaves) as ``_jh_integer_jump(u)``, a plain function
    that ``cse`` cannot take apart."""
    import sympy

    def is_jump(node: Any) -> bool:
        return isinstance(node, sympy.Derivative) and isinstance(node.expr, (sympy.floor, sympy.ceiling))

    if not expr.has(sympy.Derivative):
        return expr
    return expr.replace(is_jump, lambda node: sympy.Function("_jh_integer_jump")(node.expr.args[0]))


def _printer() -> Any:
    from sympy.printing.numpy import NumPyPrinter

    class _BatchPrinter(NumPyPrinter):
        """NumPy code where a derivative that does not exist (a kink or a jump) is NaN, not a convention."""

        def _where(self, condition: str, then: str, otherwise: str) -> str:
            return f"{self._module_format('numpy.where')}({condition}, {then}, {otherwise})"

        def _nan(self) -> str:
            return str(self._module_format("numpy.nan"))

        def _print_sign(self, expr: Any) -> str:
            u = self._print(expr.args[0])
            return self._where(f"({u}) == 0", self._nan(), f"{self._module_format('numpy.sign')}({u})")

        def _print_Heaviside(self, expr: Any) -> str:
            u = self._print(expr.args[0])
            return self._where(f"({u}) > 0", "1.0", self._where(f"({u}) < 0", "0.0", self._nan()))

        def _print_DiracDelta(self, expr: Any) -> str:
            u = self._print(expr.args[0])
            return self._where(f"({u}) == 0", self._nan(), "0.0")

        def _print_erf(self, expr: Any) -> str:
            return f"_jh_erf({self._print(expr.args[0])})"

    settings = {
        "fully_qualified_modules": False,
        "inline": True,
        "allow_unknown_functions": True,
        "user_functions": {"_jh_integer_jump": "_jh_integer_jump"},
    }
    return _BatchPrinter(settings)  # an instance: lambdify reads the imports it needs from it


def _entry_prefix(result: Result) -> tuple[str, bool]:
    """The name of the matrix in CSV headers, and whether it is a column (one index)."""
    kind = result.kind
    if kind is Command.JACOBIAN:
        return "J", False
    if kind is Command.HESSIAN:
        return "H", False
    if kind in (Command.GRADIENT, Command.JVP, Command.VJP, Command.HVP):
        return {"gradient": "grad"}.get(kind.value, kind.value), True
    return "M", False


def entry_names(result: Result) -> list[str]:
    """Names of the matrix entries, row-major, 1-based: ``J[1][2]``, ``H[2][2]``, ``grad[1]``."""
    prefix, column = _entry_prefix(result)
    rows, cols = result.matrix.shape
    if column and cols == 1:
        return [f"{prefix}[{i + 1}]" for i in range(rows)]
    return [f"{prefix}[{i + 1}][{j + 1}]" for i in range(rows) for j in range(cols)]


@dataclass(frozen=True)
class Compiled:
    """The matrix as NumPy code: ``values(points)`` maps (n, variables) to (n, rows * cols).

    Only the entries that depend on the variables are compiled (``function`` returns them, in the
    order of ``varying``); the constant ones (the zeros of a sparse Hessian) are in ``base``.
    """

    function: Callable[..., Any]
    varying: tuple[int, ...]  # positions (row-major) of the entries ``function`` returns
    base: np.ndarray  # every entry's constant value (NaN where undefined; varying ones overwritten)
    variables: int
    shape: tuple[int, int]
    temporaries: int  # shared subexpressions: arrays alive at once besides inputs and entries

    def chunk_rows(self) -> int:
        """Points per chunk so that one chunk's arrays stay within ``CHUNK_BYTES``."""
        per_point = 8 * (
            self.variables + self.shape[0] * self.shape[1] + len(self.varying) + self.temporaries
        )
        return max(1, min(CHUNK_ROWS, CHUNK_BYTES // per_point))

    def values(self, points: np.ndarray) -> tuple[np.ndarray, int]:
        """The entries at each row of ``points`` (float64, non-finite values as NaN) and how many rows
        have an undefined entry."""
        import numpy as np

        n = points.shape[0]
        out = np.empty((n, self.base.size), dtype=np.float64)
        out[:] = self.base
        columns = np.ascontiguousarray(points.T, dtype=np.float64)
        with np.errstate(all="ignore"):
            entries = self.function(*columns) if self.varying else ()
            for k, value in zip(self.varying, entries, strict=True):
                value = np.asarray(value)
                if value.dtype.kind == "c":  # a complex value is not real: undefined here
                    value = np.where(value.imag == 0, value.real, np.nan)
                out[:, k] = value
        finite = np.isfinite(out)
        if finite.all():
            return out, 0
        bad = ~finite
        out[bad] = np.nan
        return out, int(np.count_nonzero(bad.any(axis=1)))


def _constant(value: Any) -> float:
    """A constant entry as a float: NaN when it is not a real number (zoo, nan, I, DiracDelta(0))."""
    try:
        z = complex(value)
    except (TypeError, ValueError):
        return math.nan
    except OverflowError:  # an integer beyond float64
        return math.inf
    return z.real if z.imag == 0 else math.nan


def compile_matrix(result: Result, *, timeout: float | None = None) -> Compiled:
    """Compile ``result``'s matrix (with its jumps, see ``Result.jumps``) into vectorised NumPy code.

    Refused (``UsageError``) when the matrix depends on a symbol that is not a variable: a
    parameter needs a value (``--let``) before there is a number at each point.
    """
    import numpy as np
    import sympy

    matrix = result.jumps if result.jumps is not None else result.matrix
    variables = list(result.variables)
    others = sorted((s.name for s in matrix.free_symbols - set(variables)), key=str)
    if others:
        raise UsageError(
            f"--at-file needs numbers, but the matrix depends on {', '.join(others)}, which "
            f"{'is not a variable' if len(others) == 1 else 'are not variables'}: "
            "give values with --let NAME=VALUE or list them in --vars"
        )
    with time_budget(timeout), step("compiling the matrix for NumPy"):
        cells = list(matrix)
        varying = tuple(k for k, e in enumerate(cells) if e.free_symbols)
        base = np.array([math.nan if e.free_symbols else _constant(e) for e in cells], dtype=np.float64)
        entries = [_mark_integer_jumps(cells[k]) for k in varying]
        replacements, reduced = sympy.cse(entries)
        try:
            function = sympy.lambdify(
                variables,
                entries,
                # only what the code uses (the printer lists its imports): "numpy" would run
                # "from numpy import *", which loads every NumPy submodule (0.7 s)
                modules=[{"_jh_erf": _erf, "_jh_integer_jump": _integer_jump}],
                printer=_printer(),
                cse=lambda _: (replacements, reduced),
            )
        except Exception as e:  # a function NumPy cannot evaluate (PrintMethodNotImplementedError)
            first = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise MathError(f"cannot evaluate the matrix with NumPy: {first}") from None
    shape = (matrix.rows, matrix.cols)
    return Compiled(function, varying, base, len(variables), shape, len(replacements))


def evaluate_points(result: Result, points: Any) -> np.ndarray:
    """The matrix at each row of ``points`` (an array-like, shape (n, variables)): shape (n, rows, cols).

    Undefined values are NaN. For files, use :func:`evaluate_file`.

    >>> from jhcli import jacobian
    >>> evaluate_points(jacobian("x**2 + y, x*y"), [[2, 3], [1, 1]]).tolist()
    [[[4.0, 1.0], [3.0, 2.0]], [[2.0, 1.0], [1.0, 1.0]]]
    """
    import numpy as np

    compiled = compile_matrix(result)
    array = np.asarray(points, dtype=np.float64)
    if array.ndim == 1 and compiled.variables == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[1] != compiled.variables:
        raise UsageError(f"points of shape {array.shape}: expected (n, {compiled.variables})")
    values, _ = compiled.values(array)
    return values.reshape(-1, *compiled.shape)


# Reading --------------------------------------------------------------------------------------


def _kind(name: str, kinds: Sequence[str], option: str, stream_note: str) -> str:
    if name == "-":
        return "-"
    ext = os.path.splitext(name)[1].lower()
    if ext not in kinds:
        listed = ", ".join(kinds[:-1]) + f" or {kinds[-1]}"
        raise UsageError(f"{option} takes a {listed} file, or - for {stream_note}; got {name!r}")
    return ext


def _cannot(verb: str, name: str, error: OSError) -> UsageError:
    return UsageError(f"cannot {verb} {name!r}: {error.strerror or error}")


def check_files(at_file: str, output: str) -> None:
    """Check the file names before any work: known kinds, the input readable, the output writable
    and not the input."""
    _kind(at_file, INPUT_KINDS, "--at-file", "CSV on standard input")
    _kind(output, OUTPUT_KINDS, "--output", "CSV on standard output")
    if at_file != "-":
        try:
            with open(at_file, "rb"):
                pass
        except OSError as e:
            raise _cannot("read", at_file, e) from None
        if os.path.isdir(at_file):
            raise UsageError(f"cannot read {at_file!r}: it is a directory")
    if output == "-":
        return
    if at_file != "-" and os.path.exists(output) and os.path.samefile(at_file, output):
        raise UsageError(f"--output would overwrite the input file {at_file!r}: choose another name")
    if os.path.isdir(output):
        raise UsageError(f"cannot write {output!r}: it is a directory")
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {output!r}: no such directory {os.path.dirname(output)!r}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {output!r}: permission denied")


def _npy_chunks(path: str, names: Sequence[str], rows: int) -> tuple[Iterator[np.ndarray], int]:
    import numpy as np

    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except OSError as e:
        raise _cannot("read", path, e) from None
    except (ValueError, EOFError) as e:
        raise UsageError(f"cannot read {path!r}: not a .npy array of numbers ({e})") from None
    if not isinstance(array, np.ndarray):
        raise UsageError(f"cannot read {path!r}: not a .npy array")
    if array.dtype.kind not in "fiu" or array.dtype.fields is not None:
        raise UsageError(f"{path} holds {array.dtype} values: expected real numbers (float or int)")
    n = len(names)
    listed = ", ".join(names)
    if array.ndim == 1 and n == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[1] != n:
        noun = "column" if n == 1 else "columns"
        raise UsageError(
            f"{path} holds an array of shape {array.shape}: expected (points, {n}), "
            f"{n} {noun} in variable order ({listed})"
            + (" — a 1-D array only for one variable" if array.ndim == 1 else "")
        )
    if array.shape[0] == 0:
        raise UsageError(f"{path} holds no points")

    def chunks() -> Iterator[np.ndarray]:
        for start in range(0, array.shape[0], rows):
            yield np.asarray(array[start : start + rows], dtype=np.float64)

    return chunks(), int(array.shape[0])


def _cells(line: str) -> list[str]:
    return [c.strip() for c in next(csv.reader([line]))]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _header_order(cells: list[str], names: Sequence[str], source: str) -> list[int]:
    """Column of each variable, from a header row; unknown, missing or repeated names are errors."""
    repeated = sorted({c for c in cells if cells.count(c) > 1})
    if repeated:
        raise UsageError(f"{source}: the header names {', '.join(repeated)} more than once")
    unknown = [c for c in cells if c not in names]
    missing = [v for v in names if v not in cells]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown {'column' if len(unknown) == 1 else 'columns'} {', '.join(unknown)}")
        if missing:
            parts.append(f"no column for {', '.join(missing)}")
        raise UsageError(
            f"{source}: the header does not match the variables ({', '.join(names)}): {'; '.join(parts)}"
        )
    return [cells.index(v) for v in names]


def _parse_lines(lines: list[tuple[int, str]], width: int, source: str, header: list[str] | None) -> Any:
    """Rows of numbers from CSV lines: NumPy's parser, and on failure a cell-by-cell reading that
    names the line and column at fault."""
    import numpy as np

    texts = [text for _, text in lines]
    try:
        block = np.loadtxt(texts, delimiter=",", dtype=np.float64, ndmin=2, comments=None, quotechar='"')
        if block.shape == (len(texts), width):
            return block
    except ValueError:
        pass
    rows = []
    for number, text in lines:
        cells = _cells(text)
        if len(cells) != width:
            what = f"one per variable: {', '.join(header)}" if header else "one per variable"
            raise UsageError(
                f"{source} line {number}: {len(cells)} {'value' if len(cells) == 1 else 'values'}, "
                f"expected {width} ({what})"
            )
        row = []
        for column, cell in enumerate(cells, 1):
            try:
                row.append(float(cell))
            except ValueError:
                named = f" ({header[column - 1]})" if header else ""
                shown = "an empty cell" if not cell else f"{cell!r} is not a number"
                raise UsageError(f"{source} line {number}, column {column}{named}: {shown}") from None
        rows.append(row)
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), width)


def _csv_chunks(stream: TextIO, names: Sequence[str], rows: int, source: str) -> Iterator[np.ndarray]:
    numbered = ((number, line) for number, line in enumerate(stream, 1) if line.strip())
    first = next(numbered, None)
    if first is None:
        raise UsageError(f"{source} holds no points")
    number, line = first
    cells = _cells(line.removeprefix("\ufeff"))
    order: list[int] | None = None
    pending: list[tuple[int, str]] = []
    if all(_is_number(c) for c in cells if c):
        pending.append((number, line))
        header = None
    else:
        order = _header_order(cells, names, source)
        header = cells
    width = len(header) if header else len(names)
    listed = header or list(names)
    seen = False
    while True:
        lines = pending + list(islice(numbered, rows - len(pending)))
        pending = []
        if not lines:
            break
        seen = True
        block = _parse_lines(lines, width, source, listed)
        yield block[:, order] if order is not None and order != list(range(width)) else block
    if not seen:
        raise UsageError(f"{source} holds no points")


@contextmanager
def _text_file(path: str) -> Iterator[TextIO]:
    try:
        stream = open(path, encoding="utf-8-sig", newline="")
    except OSError as e:
        raise _cannot("read", path, e) from None
    with stream:
        try:
            yield stream
        except UnicodeDecodeError as e:
            raise UsageError(f"cannot read {path!r}: not UTF-8 text ({e.reason})") from None


# Writing --------------------------------------------------------------------------------------


def _npy_header(shape: tuple[int, ...], size: int) -> bytes:
    """A .npy (version 1.0) header for a float64 C-order array, padded to ``size`` bytes."""
    text = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape!r}, }}"
    padded = text.ljust(size - 11).encode("latin1") + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", size - 10) + padded


def _npy_header_size(shape: tuple[int, ...]) -> int:
    text = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape!r}, }}"
    return -(-(10 + len(text) + 1) // 64) * 64


class _Writer:
    def __init__(self, stream: IO[Any], names: list[str], shape: tuple[int, int], count: int | None) -> None:
        self.stream, self.names, self.shape, self.count = stream, names, shape, count

    def start(self) -> None:
        pass

    def write(self, points: np.ndarray, values: np.ndarray) -> None:
        raise NotImplementedError

    def finish(self, count: int) -> None:
        pass


class _NpyWriter(_Writer):
    """Chunks appended as they come; the header, sized for any count, rewritten with the real one."""

    def start(self) -> None:
        placeholder = (self.count if self.count is not None else 10**18, *self.shape)
        self.size = _npy_header_size(placeholder)
        self.stream.write(_npy_header((0, *self.shape), self.size))

    def write(self, points: np.ndarray, values: np.ndarray) -> None:
        self.stream.write(values.astype("<f8", copy=False).data)  # no copy on little-endian

    def finish(self, count: int) -> None:
        self.stream.seek(0)
        self.stream.write(_npy_header((count, *self.shape), self.size))


class _CsvWriter(_Writer):
    def start(self) -> None:
        self.stream.write(",".join(self.names) + "\n")

    def write(self, points: np.ndarray, values: np.ndarray) -> None:
        import numpy as np

        rows = np.concatenate([points, values], axis=1).tolist()
        self.stream.write("".join(",".join(map(repr, row)) + "\n" for row in rows))


def _json_number(value: float) -> str:
    return repr(value) if math.isfinite(value) else "null"


class _JsonlWriter(_Writer):
    def write(self, points: np.ndarray, values: np.ndarray) -> None:
        cols = self.shape[1]
        lines = []
        for at, flat in zip(points.tolist(), values.tolist(), strict=True):
            coords = ", ".join(map(_json_number, at))
            cells = list(map(_json_number, flat))
            matrix = ", ".join("[" + ", ".join(cells[i : i + cols]) + "]" for i in range(0, len(cells), cols))
            lines.append(f'{{"at": [{coords}], "value": [{matrix}]}}\n')
        self.stream.write("".join(lines))


_WRITERS: dict[str, type[_Writer]] = {".npy": _NpyWriter, ".csv": _CsvWriter, ".jsonl": _JsonlWriter}


@contextmanager
def _atomic(path: str, binary: bool) -> Iterator[IO[Any]]:
    """A temporary file next to ``path``, renamed to it when the block succeeds, removed otherwise."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part", dir=folder)
    except OSError as e:
        raise _cannot("write", path, e) from None
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)  # the mode a new file gets, not mkstemp's 0600
        stream: IO[Any] = open(fd, "wb") if binary else open(fd, "w", encoding="utf-8", newline="")
        with stream:
            yield stream
        os.replace(temp, path)
    except BaseException:
        with _ignored(OSError):
            os.unlink(temp)
        raise


@contextmanager
def _ignored(*kinds: type[BaseException]) -> Iterator[None]:
    try:
        yield
    except kinds:
        pass


# The loop -------------------------------------------------------------------------------------


def evaluate_file(
    result: Result,
    at_file: str,
    output: str = "-",
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    chunk_rows: int | None = None,
    on_chunk: ProgressCallback | None = None,
    timeout: float | None = None,
) -> BatchSummary:
    """Evaluate ``result``'s matrix at every point of ``at_file`` and write the values to ``output``.

    ``at_file``: a ``.npy`` or ``.csv`` path, or ``-`` to read CSV from ``stdin``. ``output``: a
    ``.npy``, ``.csv`` or ``.jsonl`` path, or ``-`` for CSV on ``stdout`` (written only when every
    point is done, so that an error leaves it empty). ``chunk_rows`` overrides the points per chunk;
    ``on_chunk(done, total)`` is called after each chunk (``total`` None when not known up front:
    CSV). ``timeout`` bounds the compilation (a symbolic step). Errors in the input are
    ``UsageError`` and leave no output file.
    """
    check_files(at_file, output)
    names = [v.name for v in result.variables]
    compiled = compile_matrix(result, timeout=timeout)
    rows = chunk_rows or compiled.chunk_rows()
    in_kind = _kind(at_file, INPUT_KINDS, "--at-file", "CSV on standard input")
    out_kind = ".csv" if output == "-" else _kind(output, OUTPUT_KINDS, "--output", "CSV on standard output")
    header = names + entry_names(result)
    with _reader(at_file, in_kind, names, rows, stdin) as (chunks, total):
        if output == "-":
            if stdout is None:
                raise UsageError("--output -: no standard output to write to")
            with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
                spooled = _CsvWriter(spool, header, compiled.shape, total)
                summary = _loop(compiled, chunks, total, spooled, on_chunk)
                spool.seek(0)
                shutil.copyfileobj(spool, stdout)
            return summary
        with _atomic(output, binary=out_kind == ".npy") as stream:
            writer = _WRITERS[out_kind](stream, header, compiled.shape, total)
            return _loop(compiled, chunks, total, writer, on_chunk)


@contextmanager
def _reader(
    at_file: str, kind: str, names: list[str], rows: int, stdin: TextIO | None
) -> Iterator[tuple[Iterator[np.ndarray], int | None]]:
    if kind == ".npy":
        yield _npy_chunks(at_file, names, rows)
    elif kind == "-":
        if stdin is None:
            raise UsageError("--at-file -: no standard input to read")
        raw = getattr(stdin, "buffer", None)
        if raw is None:
            yield _csv_chunks(stdin, names, rows, _STDIN), None
            return
        wrapper = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            yield _csv_chunks(wrapper, names, rows, _STDIN), None
        except UnicodeDecodeError as e:
            raise UsageError(f"cannot read {_STDIN}: not UTF-8 text ({e.reason})") from None
        finally:
            wrapper.detach()  # leave stdin open
    else:
        with _text_file(at_file) as stream:
            yield _csv_chunks(stream, names, rows, at_file), None


def _loop(
    compiled: Compiled,
    chunks: Iterator[np.ndarray],
    total: int | None,
    writer: _Writer,
    on_chunk: ProgressCallback | None,
) -> BatchSummary:
    done = undefined = 0
    writer.start()
    for block in chunks:
        values, bad = compiled.values(block)
        writer.write(block, values)
        done += block.shape[0]
        undefined += bad
        if on_chunk is not None:
            on_chunk(done, total)
    writer.finish(done)
    return BatchSummary(done, undefined)


__all__ = [
    "BatchSummary",
    "CHUNK_ROWS",
    "INPUT_KINDS",
    "OUTPUT_KINDS",
    "check_files",
    "compile_matrix",
    "entry_names",
    "evaluate_file",
    "evaluate_points",
]
