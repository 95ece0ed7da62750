"""Views of large matrices shared by every format: non-zero entries, the pattern, the corners.

``--sparse`` lists only the non-zero entries, ``--sparsity`` draws where they are, and the table
format shows only the corners of a matrix too large for a terminal. All three are choices of
rendering: the result is the same. They never visit a zero entry more than once and never print
one, so a 1000 x 1000 Hessian with a few thousand non-zero entries renders in milliseconds.

"Non-zero" is structural: an entry counts as zero when SymPy's (simplified) entry is the number
0, the way ``SparseMatrix`` counts it; an expression that is zero but not written as 0 counts as
non-zero (jh's cheap simplification removes the usual ones).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

import sympy

from jhcli.models import Entry, PointResult, Result, Status
from jhcli.render.common import (
    LONG_EXACT,
    MATRIX_NAMES,
    SEE_JSON,
    column_labels,
    entry_approx,
    entry_exact,
    entry_name,
    is_plain_number,
    matrix_title,
    row_labels,
    sstr,
)

_ZERO = sympy.S.Zero

Row = list[tuple[str, str]]  # (text, style key or ""), as in ``jhcli.render.pictures``

NONZERO_CHAR = "*"
ZERO_CHAR = "."


def is_zero(value: Any) -> bool:
    """Whether an entry is the number 0 (exact or float); cheap: no simplification, no assumptions."""
    return value is _ZERO or (isinstance(value, sympy.Basic) and bool(value.is_Number) and value == 0)


def nonzero_positions(matrix: sympy.MatrixBase) -> list[tuple[int, int]]:
    """(row, column) of each non-zero entry, row-major; reads only the non-zero entries (``todok``)."""
    return sorted(key for key, value in matrix.todok().items() if not is_zero(value))


def point_nonzeros(point: PointResult) -> list[tuple[int, int, Entry]]:
    """(row, column, entry) of each value at a point that is not 0, row-major.

    Undefined and complex values are kept: they are not zero.
    """
    out = []
    for i, row in enumerate(point.values):
        values = list(map(_EXACT, row))  # in C: a 1000 x 1000 matrix has 10^6 entries, mostly 0
        if values.count(_ZERO) == len(values):
            continue
        for j, value in enumerate(values):
            if value is _ZERO:
                continue
            entry = row[j]
            if entry.status is Status.OK and value is not None and is_zero(value):
                continue
            out.append((i, j, entry))
    return out


_EXACT = attrgetter("exact")


def shape_text(rows: int, cols: int) -> str:
    return f"{rows}×{cols}"


def density_text(count: int, rows: int, cols: int) -> str:
    """``44.4%``: the share of non-zero entries, three significant digits."""
    if not rows or not cols:
        return "n/a"
    return f"{100 * count / (rows * cols):.3g}%"


def count_line(count: int, rows: int, cols: int) -> str:
    """``4 of 3×3 entries non-zero (density 44.4%)``."""
    return f"{count} of {shape_text(rows, cols)} entries non-zero (density {density_text(count, rows, cols)})"


def symbol(result: Result) -> str:
    """The matrix's letter in text: ``H``, ``J``, ``∇f``."""
    return MATRIX_NAMES[result.kind][1]


def entries_title(result: Result, where: str = "") -> str:
    """``Hessian (rows and columns: variables), non-zero entries (indices from 1)``."""
    head = f"at {where}" if where else matrix_title(result)
    return f"{head}, non-zero entries (indices from 1)"


def label(result: Result, i: int, j: int) -> str:
    """``H[1,2]``: 1-based row and column."""
    return f"{symbol(result)}[{i + 1},{j + 1}]"


def value_text(entry: Entry, digits: int) -> str:
    """A value at a point: ``4``, ``1/2 ≈ 0.5``, ``undefined``, ``≈ 0.3 (exact form: -f json)``."""
    exact = entry_exact(entry)
    if entry.status is Status.COMPLEX:
        return f"{exact} (not real)"
    if entry.status is not Status.OK or entry.numeric is None or entry.exact is None:
        return exact
    if is_plain_number(entry.exact):
        return exact
    approx = entry_approx(entry, digits)
    if len(exact) > LONG_EXACT:
        return f"≈ {approx} {SEE_JSON}"
    return f"{exact} ≈ {approx}"


def symbolic_items(m: sympy.MatrixBase) -> list[tuple[int, int, str]]:
    """(row, column, text) of each non-zero entry of a symbolic matrix.

    Equal entries are printed once (a Hessian's mirror entries): SymPy's printer is the cost here.
    """
    texts: dict[Any, str] = {}
    out = []
    for i, j in nonzero_positions(m):
        value = m[i, j]
        text = texts.get(value)
        if text is None:
            text = texts[value] = sstr(value)
        out.append((i, j, text))
    return out


def point_items(point: PointResult, digits: int) -> list[tuple[int, int, str]]:
    return [(i, j, value_text(e, digits)) for i, j, e in point_nonzeros(point)]


def entry_lines(result: Result, items: Sequence[tuple[int, int, str]], indent: str = "  ") -> list[str]:
    """``H[1,2] = ∂²f/∂x∂y = 2*x``, one per entry, the ``=`` signs aligned."""
    heads = [(label(result, i, j), entry_name(result, i, j)) for i, j, _ in items]
    wide = max((len(a) for a, _ in heads), default=0)
    wide_name = max((len(b) for _, b in heads), default=0)
    return [
        f"{indent}{a.ljust(wide)} = {b.ljust(wide_name)} = {text}"
        for (a, b), (_, _, text) in zip(heads, items, strict=True)
    ]


# --sparsity ------------------------------------------------------------------------------------
PATTERN_MIN_CELLS = 8
"""A pattern is never squeezed below this many cells across, whatever the width."""
_NICE = (1.0, 2.0, 2.5, 4.0, 5.0)


def block_size(size: int, cells: int) -> int:
    """The smallest round block (1, 2, 4, 5, 10, 20, 25, 40, 50, 100, ...) so that ``size`` fits ``cells``."""
    need = max(1, math.ceil(size / max(1, cells)))
    scale = 1
    while True:
        for base in _NICE:
            candidate = base * scale
            if candidate.is_integer() and candidate >= need:
                return int(candidate)
        scale *= 10


def _short(names: Sequence[str], limit: int = 10) -> bool:
    return all(len(n) <= limit for n in names)


def pattern_rows(
    positions: Sequence[tuple[int, int]],
    shape: tuple[int, int],
    row_names: Sequence[str],
    column_names: Sequence[str],
    width: int = 80,
) -> list[Row]:
    """The pattern as a grid of ``*`` (non-zero) and ``.`` (zero), two characters per cell.

    A matrix wider than ``width`` allows is drawn in square blocks (a cell is ``*`` when any entry
    of its block is non-zero) and says how large a block is. Rows are labelled by their names when
    every cell is one entry and the names are short, else by the 1-based index of their first row;
    columns by their names when those are single characters, else by index ticks every 5 cells.
    """
    rows, cols = shape
    names_fit = _short(row_names)
    index_width = len(str(rows))
    label_width = max((len(n) for n in row_names), default=1) if names_fit else index_width
    cells = max(PATTERN_MIN_CELLS, (width - label_width - 4) // 2)
    block = block_size(max(rows, cols), cells)
    if block > 1 and names_fit:
        label_width = index_width
    grid_rows, grid_cols = math.ceil(rows / block), math.ceil(cols / block)
    marked = {(i // block, j // block) for i, j in positions}
    margin = " " * (label_width + 2)
    legend = f"{NONZERO_CHAR} non-zero, {ZERO_CHAR} zero"
    out: list[Row] = [[(f"sparsity pattern ({legend}; rows and columns numbered from 1):", "")]]
    if block > 1:
        out.append([(f"each cell = {block}×{block} entries: {NONZERO_CHAR} if any of them is non-zero", "")])
    if block == 1 and all(len(n) == 1 for n in column_names):
        out.append([(margin + " ".join(column_names), "")])
    else:
        ruler = ""
        for k in range(0, grid_cols, 5):
            tick = str(k * block + 1)
            if len(ruler) <= 2 * k:
                ruler = ruler.ljust(2 * k) + tick
        out.append([(margin + ruler, "")])
    for r in range(grid_rows):
        if block == 1 and names_fit:
            name = row_names[r].ljust(label_width)
        else:
            name = str(r * block + 1).rjust(label_width)
        row: Row = [(name + "  ", "")]
        for c in range(grid_cols):
            on = (r, c) in marked
            row.append((NONZERO_CHAR if on else ZERO_CHAR, "nonzero" if on else "zero_cell"))
            if c < grid_cols - 1:
                row.append((" ", ""))
        out.append(row)
    out.append([(count_line(len(positions), rows, cols), "")])
    return out


def result_pattern(result: Result, width: int = 80) -> list[Row]:
    """``pattern_rows`` of the result's symbolic matrix, labelled as its grid is."""
    m = result.matrix
    return pattern_rows(nonzero_positions(m), m.shape, row_labels(result), column_labels(result), width)


def plain_lines(rows: Sequence[Row]) -> list[str]:
    """A picture's rows as text lines (no colour)."""
    return ["".join(text for text, _ in row).rstrip() for row in rows]


def sparsity_data(result: Result) -> dict[str, Any]:
    """The JSON ``sparsity`` object: shape, non-zero count, density and the (row, column) pairs."""
    m = result.matrix
    positions = nonzero_positions(m)
    return {
        "shape": [m.rows, m.cols],
        "nonzero": len(positions),
        "density": len(positions) / (m.rows * m.cols) if m.rows and m.cols else None,
        "pattern": [[i, j] for i, j in positions],
    }


# The table format's summary of a large matrix ---------------------------------------------------
SUMMARY_MAX_ROWS = 24
"""Rows beyond which the table format shows only the corners (a classic terminal is 24 lines)."""
SUMMARY_MAX_COLUMNS = 12
"""Columns beyond which the table format shows only the corners (more do not fit 100 characters)."""
SUMMARY_EDGE = 3
"""Rows (and at most columns) shown at each end, as NumPy does."""


def too_large(rows: int, cols: int) -> bool:
    return rows > SUMMARY_MAX_ROWS or cols > SUMMARY_MAX_COLUMNS


def corner_indices(size: int, edge: int, limit: int) -> list[int | None]:
    """All indices when ``size <= limit``, else the first and last ``edge`` with None for the gap."""
    if size <= limit:
        return list(range(size))
    return [*range(edge), None, *range(size - edge, size)]


CLIP_LINES = 3
"""Console lines a line of text about a too-large matrix may fill (read as, the point) in the table format."""


def clip(text: str, width: int, large: bool) -> str:
    """``text`` cut to fit ``CLIP_LINES`` console lines when the matrix is too large to show whole."""
    limit = CLIP_LINES * (width - 20)  # room for the words the console wraps early
    if not large or len(text) <= limit:
        return text
    note = f" … ({len(text)} characters; -f plain shows all)"
    return text[: limit - len(note)] + note


def summary_hint(rows: int, cols: int) -> str:
    return (
        f"{shape_text(rows, cols)} matrix: showing the corners; "
        "use --sparse, --sparsity, -f plain or -f json for all of it"
    )
