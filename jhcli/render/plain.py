"""Plain text: aligned, bracketed matrices and ``key: value`` lines, for pipes and logs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jhcli.models import Classification, Command, PointResult, Result
from jhcli.printing import matrix_texts
from jhcli.render.common import (
    CHECK_TITLE,
    DEFAULT_DIGITS,
    EXACT_IN_JSON,
    assignments,
    chain_lines,
    check_cells,
    check_lines,
    check_text,
    completeness_text,
    entry_approx,
    entry_exact,
    exact_too_wide,
    iterate_table,
    let_text,
    matrix_title,
    names,
    needs_decimal_view,
    newton_sections,
    point_label,
    read_as,
    spectrum_lines,
    sstr,
    vector_line,
)


def matrix_block(cells: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """Rows of ``[a  b]`` with each column right-aligned."""
    if not cells or not cells[0]:
        return [indent + "[]"]
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    return [
        indent + "[" + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + "]" for row in cells
    ]


def classification_lines(c: Classification) -> list[str]:
    kind = c.certainty.value if c.tolerance is None else f"{c.certainty.value}, tolerance {c.tolerance:g}"
    degenerate = ", degenerate" if c.degenerate else ""
    return [f"classification: {c.type.value} ({kind}{degenerate})", f"reason: {c.reason}"]


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """A table of left-aligned columns separated by two spaces."""
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    return [
        (indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))).rstrip()
        for r in [header, *rows]
    ]


def _newton_lines(result: Result, digits: int) -> list[str]:
    lines: list[str] = []
    for point in result.points:
        lines += ["", f"at {point_label(point)}:"]
        for title, body in newton_sections(point, digits):
            if title in ("", "notes"):
                lines += [f"note: {line}" if title else line for line in body]
                continue
            lines.append(f"{title}:")
            if title == "Hessian":
                lines += matrix_block([[entry_exact(e) for e in row] for row in point.values], "  ")
                if needs_decimal_view(point):
                    lines.append("  ≈")
                    lines += matrix_block(
                        [[entry_approx(e, digits) for e in row] for row in point.values], "  "
                    )
                for i, j, entry in point.undefined:
                    lines.append(f"  note: entry ({i + 1}, {j + 1}) {entry.reason}")
            lines += [f"  {line}" for line in body]
    if result.iteration is not None:
        header, rows = iterate_table(result.iteration, names(result.variables), digits)
        lines += ["", "iterates:", *text_table(header, rows, "  "), f"  {result.iteration.stop}"]
    return lines


def _picture_lines(result: Result, digits: int) -> list[str]:
    """``jh map`` and ``jh profile``: the picture as characters, then its facts and values."""
    from jhcli.render import pictures

    m = result.matrix
    lines = [f"read as: {read_as(result)}", f"variables: {', '.join(s.name for s in result.variables)}"]
    if result.profile is None:
        lines += [
            f"{matrix_title(result)}:",
            *matrix_block(matrix_texts(m)),
            "",
            *pictures.to_plain(pictures.map_rows(result)),
        ]
    else:
        header, rows = pictures.profile_table(result.profile, digits)
        lines += [
            *pictures.profile_header(result, digits),
            "",
            *pictures.to_plain(pictures.profile_rows(result.profile, digits)),
            "",
            *text_table(header, rows),
        ]
    return [*lines, *(f"note: {n}" for n in result.notes)]


PLAIN_WIDTH = 80
"""Width a ``--sparsity`` pattern is fitted to in plain text (a classic terminal; plain has no console)."""


def sparse_lines(result: Result, sparse: bool, sparsity: bool, symbolic: bool, width: int) -> list[str]:
    """The symbolic matrix as ``--sparse`` and ``--sparsity`` show it: the pattern, then the entries.

    Empty when neither is asked for (the caller prints the dense matrix).
    """
    from jhcli.render import sparse as sp

    m = result.matrix
    lines: list[str] = []
    if sparsity:
        lines += sp.plain_lines(sp.result_pattern(result, width))
    if sparse and symbolic:
        items = sp.symbolic_items(result.matrix)
        lines += [f"{sp.entries_title(result)}:", *sp.entry_lines(result, items)]
        lines.append(sp.count_line(len(items), m.rows, m.cols))
    return lines


def _sparse_point(result: Result, point: PointResult, digits: int) -> list[str]:
    from jhcli.render import sparse as sp

    items = sp.point_items(point, digits)
    rows, cols = result.matrix.shape
    return [
        f"{sp.entries_title(result, point_label(point))}:",
        *sp.entry_lines(result, items),
        sp.count_line(len(items), rows, cols),
    ]


def _dense_point(point: PointResult, digits: int) -> list[str]:
    """The values at a point as a matrix, then (when it adds something) as decimals."""
    lines = []
    if exact_too_wide(point):
        lines.append(f"≈ {EXACT_IN_JSON}")
    else:
        lines += matrix_block([[entry_exact(e) for e in row] for row in point.values])
        if needs_decimal_view(point):
            lines.append("≈")
    if needs_decimal_view(point):
        lines += matrix_block([[entry_approx(e, digits) for e in row] for row in point.values])
    return lines


def render(
    result: Result,
    *,
    digits: int = DEFAULT_DIGITS,
    symbolic: bool = True,
    sparse: bool = False,
    sparsity: bool = False,
    width: int = PLAIN_WIDTH,
    **options: Any,
) -> str:
    """``sparse``: only the non-zero entries; ``sparsity``: the pattern instead of the symbolic matrix."""
    m = result.matrix
    if result.command in (Command.MAP, Command.PROFILE):
        return "\n".join(_picture_lines(result, digits)) + "\n"
    if result.command is Command.NEWTON:
        lines = [
            f"read as: {read_as(result)}",
            f"variables: {', '.join(s.name for s in result.variables)}",
            f"{matrix_title(result)}:",
            *matrix_block(matrix_texts(m)),
            *_newton_lines(result, digits),
            *(f"note: {n}" for n in result.notes),
        ]
        return "\n".join(lines) + "\n"
    vector = vector_line(result)
    lines = [
        f"read as: {read_as(result)}",
        *([f"let: {let_text(result)}"] if result.let else []),
        *chain_lines(result),
        f"variables: {', '.join(s.name for s in result.variables)}",
        *([vector] if vector else []),
    ]
    for factor in result.factors:
        f = factor.matrix
        lines += [
            f"{factor.label}:",
            *matrix_block(matrix_texts(f)),
        ]
    symbolic = symbolic or not result.points
    if sparse or sparsity:
        lines += sparse_lines(result, sparse, sparsity, symbolic, width)
    elif symbolic:
        lines += [
            f"{matrix_title(result)}:",
            *matrix_block(matrix_texts(m)),
        ]
    if result.check is not None:
        lines.append(check_text(result.check))
    for point in result.points:
        if sparse:
            lines += ["", *_sparse_point(result, point, digits)]
        else:
            lines += ["", f"at {point_label(point)}:", *_dense_point(point, digits)]
        for i, j, entry in point.undefined:
            lines.append(f"note: entry ({i + 1}, {j + 1}) {entry.reason}")
        if point.spectrum is not None:
            lines += spectrum_lines(point.spectrum, digits)
        if point.gradient is not None:
            lines.append("gradient: (" + ", ".join(entry_exact(e) for e in point.gradient) + ")")
        if point.classification is not None:
            lines += classification_lines(point.classification)
        if point.check is not None:
            lines.append(f"{CHECK_TITLE} ({point.check.method}), abs error per entry:")
            lines += matrix_block(check_cells(point.check))
            lines += check_lines(point.check, result)
    if result.critical_points is not None:
        lines += _critical_lines(result, digits)
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def _critical_lines(result: Result, digits: int) -> list[str]:
    assert result.critical_points is not None
    found = len(result.critical_points)
    completeness = completeness_text(result)
    lines = ["", f"critical points: {found} isolated ({completeness})"]
    for k, cp in enumerate(result.critical_points, 1):
        label = assignments(cp.at)
        lines += [
            "",
            f"{k}. {label}: {cp.classification.type.value}",
            f"   f = {sstr(cp.value)}",
            *("   " + line for line in spectrum_lines(cp.spectrum, digits)),
            *("   " + line for line in classification_lines(cp.classification)),
        ]
    for family in result.families:
        lines += [
            "",
            f"family: {family.description}: {family.classification.type.value}",
            *("   " + eq for eq in family.equations),
            *("   " + line for line in classification_lines(family.classification)),
        ]
    return lines
