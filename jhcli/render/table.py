"""Rich tables for the terminal. Every piece of mathematics is a ``Text``, never markup."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from jhcli.models import CheckReport, Classification, Command, PointResult, PointType, Result, Status
from jhcli.render import pictures
from jhcli.render import sparse as sp
from jhcli.render.common import (
    CHECK_TITLE,
    DEFAULT_DIGITS,
    EXACT_IN_JSON,
    assignments,
    chain_lines,
    check_cells,
    check_lines,
    check_text,
    column_labels,
    completeness_text,
    eigenvalue_text,
    entry_approx,
    entry_exact,
    entry_name,
    exact_too_wide,
    factor_labels,
    iterate_table,
    let_text,
    matrix_title,
    names,
    newton_sections,
    point_label,
    read_as,
    row_labels,
    spectrum_lines,
    sstr,
    vector_line,
)

VERDICT_STYLES = {
    PointType.MINIMUM: "bold green",
    PointType.MAXIMUM: "bold blue",
    PointType.SADDLE: "bold magenta",
    PointType.INCONCLUSIVE: "bold yellow",
    PointType.NOT_CRITICAL: "bold",
}


def _grid(title: str, rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[Text]]) -> Group:
    """A titled matrix: the title on its own line (a table title would wrap to the table's width)."""
    table = Table(show_lines=False)
    table.add_column("")
    for name in columns:
        table.add_column(Text(name), justify="right")
    for label, row in zip(rows, cells, strict=True):
        table.add_row(Text(label, style="bold"), *row)
    return Group(Text(title, style="bold"), table)


Cell = Callable[[int, int], Text]


def _matrix_grid(
    title: str, labels: tuple[Sequence[str], Sequence[str]], shape: tuple[int, int], cell: Cell, width: int
) -> list[RenderableType]:
    """A matrix as ``_grid``; one too large for a terminal shows only its corners, and a hint.

    Only the cells shown are built (``cell(i, j)``), so a 1000 x 1000 matrix costs a few dozen.
    The number of corner columns shrinks (3, 2, 1 at each end) until the table fits ``width``.
    """
    rows, columns = labels
    n_rows, n_cols = shape
    if not sp.too_large(n_rows, n_cols):
        cells = [[cell(i, j) for j in range(n_cols)] for i in range(n_rows)]
        return [_grid(title, rows, columns, cells)]
    row_ids = sp.corner_indices(n_rows, sp.SUMMARY_EDGE, sp.SUMMARY_MAX_ROWS)
    label_width = max(len(rows[i]) for i in row_ids if i is not None)
    for edge in range(sp.SUMMARY_EDGE, 0, -1):
        col_ids = sp.corner_indices(n_cols, edge, sp.SUMMARY_MAX_COLUMNS)
        texts = {(i, j): cell(i, j) for i in row_ids if i is not None for j in col_ids if j is not None}
        needed = (
            label_width
            + 4
            + sum(
                3 + max(len(columns[j]), *(t.cell_len for (_, k), t in texts.items() if k == j))
                for j in col_ids
                if j is not None
            )
        )
        if needed + 4 * (None in col_ids) <= width:
            break
    gap = {(True, True): "⋱", (True, False): "⋮", (False, True): "…"}
    cells = [
        [texts[i, j] if i is not None and j is not None else Text(gap[i is None, j is None]) for j in col_ids]
        for i in row_ids
    ]
    row_names = ["⋮" if i is None else rows[i] for i in row_ids]
    column_names = ["…" if j is None else columns[j] for j in col_ids]
    hint = Text(sp.summary_hint(n_rows, n_cols), style="dim")
    return [_grid(title, row_names, column_names, cells), hint]


def _entries(result: Result, title: str, items: Sequence[tuple[int, int, Text]]) -> list[RenderableType]:
    """``--sparse``: a table of the non-zero entries (position, derivative, value) and their count."""
    table = Table(show_lines=False)
    for name, justify in (("entry", "left"), ("derivative", "left"), ("value", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for i, j, value in items:
        table.add_row(Text(sp.label(result, i, j), style="bold"), Text(entry_name(result, i, j)), value)
    rows, cols = result.matrix.shape
    return [Group(Text(title, style="bold"), table), Text(sp.count_line(len(items), rows, cols))]


def verdict(c: Classification, where: str) -> Text:
    """``saddle point at (x, y) = (0, 0)`` in the verdict's colour, then the reason."""
    text = Text()
    text.append(c.type.value, style=VERDICT_STYLES[c.type])
    text.append(f" at {where}" if where else "")
    detail = c.certainty.value + (", degenerate" if c.degenerate else "")
    text.append(f"  ({detail})", style="dim")
    text.append("\n" + c.reason)
    return text


def _value_cell(entry: Any, digits: int, exact_too: bool = True) -> Text:
    exact = entry_exact(entry)
    if entry.status is Status.UNDEFINED:
        return Text(exact, style="red")
    if entry.status is Status.COMPLEX:
        return Text(f"{exact} (not real)", style="red")
    approx = entry_approx(entry, digits)
    if approx == exact:
        return Text(exact)
    return Text(f"{exact}\n≈ {approx}" if exact_too else f"≈ {approx}")


def render(
    result: Result,
    *,
    digits: int = DEFAULT_DIGITS,
    symbolic: bool = True,
    sparse: bool = False,
    sparsity: bool = False,
    width: int = 100,
    **options: Any,
) -> RenderableType:
    """Verdicts first, then how the input was read, the symbolic matrix, and each point.

    ``sparse``: the non-zero entries only; ``sparsity``: the pattern instead of the symbolic matrix;
    ``width``: the console's, to fit the pattern and the corners of a large matrix.
    """
    if result.command is Command.NEWTON:
        return _newton(result, digits)
    if result.command in (Command.MAP, Command.PROFILE):
        return _picture(result, digits)
    parts: list[RenderableType] = []
    for point in result.points:
        if point.classification is not None:
            parts += [verdict(point.classification, point_label(point)), Text("")]
    if result.critical_points is not None:
        parts += _critical(result, digits)
    large = sp.too_large(*result.matrix.shape)
    parts.append(Text(sp.clip(f"read as: {read_as(result)}", width, large), style="dim"))
    if result.let:
        parts.append(Text(f"let: {let_text(result)}", style="dim"))
    parts.extend(Text(line) for line in chain_lines(result))
    vector = vector_line(result)
    if vector:
        parts.append(Text(f"variables: {', '.join(s.name for s in result.variables)}\n{vector}"))
    for factor in result.factors:
        f = factor.matrix
        cells = [[Text(sstr(f[i, j])) for j in range(f.cols)] for i in range(f.rows)]
        parts.append(_grid(factor.label, *factor_labels(result, factor.key), cells))
    rows, columns = row_labels(result), column_labels(result)
    m = result.matrix
    symbolic = symbolic or not result.points
    if sparsity:
        parts.append(pictures.to_text(sp.result_pattern(result, width)))
    if sparse and symbolic:
        items = [(i, j, Text(text)) for i, j, text in sp.symbolic_items(result.matrix)]
        parts += _entries(result, sp.entries_title(result), items)
    elif symbolic and not sparsity:
        parts += _matrix_grid(
            matrix_title(result), (rows, columns), m.shape, lambda i, j: Text(sstr(m[i, j])), width
        )
    if result.check is not None:
        parts.append(Text(check_text(result.check), style="green" if result.check.equal else "yellow"))
    for point in result.points:
        if sparse:
            items = [(i, j, _value_cell(e, digits)) for i, j, e in sp.point_nonzeros(point)]
            where = sp.clip(point_label(point), width, large)
            parts += _entries(result, sp.entries_title(result, where), items)
        else:
            parts += _point_grid(point, (rows, columns), digits, width)
        for i, j, entry in point.undefined:
            parts.append(Text(f"entry ({i + 1}, {j + 1}): {entry.reason}", style="red"))
        if point.spectrum is not None:
            parts.append(Text("\n".join(spectrum_lines(point.spectrum, digits))))
            parts.append(pictures.to_text(pictures.spectrum_rows(point.spectrum, digits)))
        if point.gradient is not None:
            parts.append(Text("gradient: (" + ", ".join(entry_exact(e) for e in point.gradient) + ")"))
        if point.check is not None:
            parts += _check(result, point.check, rows, columns)
    parts.extend(Text(f"note: {n}", style="dim") for n in result.notes)
    return Group(*parts)


def _point_grid(
    point: PointResult, labels: tuple[Sequence[str], Sequence[str]], digits: int, width: int
) -> list[RenderableType]:
    """The values at a point as a grid: exact, and a decimal view where it adds one."""
    values = point.values
    shape = (len(values), len(values[0]) if values else 0)
    wide = not sp.too_large(*shape) and exact_too_wide(point)
    title = f"at {sp.clip(point_label(point), width, sp.too_large(*shape))}" + (
        f" {EXACT_IN_JSON}" if wide else ""
    )
    return _matrix_grid(title, labels, shape, lambda i, j: _value_cell(values[i][j], digits, not wide), width)


def _check(result: Result, report: CheckReport, rows: list[str], columns: list[str]) -> list[RenderableType]:
    """The finite-difference check: a grid of absolute errors, the summary, and a coloured verdict."""
    cells = [
        [Text(c, style="" if e.agree else "red") for c, e in zip(row, entries, strict=True)]
        for row, entries in zip(check_cells(report), report.entries, strict=True)
    ]
    *facts, verdict = check_lines(report, result)
    return [
        _grid(f"{CHECK_TITLE} ({report.method}): abs error", rows, columns, cells),
        Text("\n".join(facts)),
        Text(verdict, style="bold green" if report.agree else "bold red"),
    ]


def _newton(result: Result, digits: int) -> RenderableType:
    """The symbolic Hessian, then for each point its sections, then the table of iterates."""
    rows = columns = names(result.variables)
    m = result.matrix
    symbolic = [[Text(sstr(m[i, j])) for j in range(m.cols)] for i in range(m.rows)]
    parts: list[RenderableType] = [
        Text(f"read as: {read_as(result)}", style="dim"),
        _grid(matrix_title(result), rows, columns, symbolic),
    ]
    for point in result.points:
        parts.append(Text(f"\nat {point_label(point)}", style="bold underline"))
        for title, body in newton_sections(point, digits):
            if title == "notes":
                parts.extend(Text(f"note: {line}", style="dim") for line in body)
                continue
            if title == "Hessian":
                cells = [[_value_cell(e, digits) for e in row] for row in point.values]
                parts.append(_grid("Hessian", rows, columns, cells))
                for i, j, entry in point.undefined:
                    parts.append(Text(f"entry ({i + 1}, {j + 1}): {entry.reason}", style="red"))
                if body:
                    parts.append(Text("\n".join(body)))
                continue
            if title:
                parts.append(Text(title, style="bold"))
            parts.append(Text("\n".join(f"  {line}" if title else line for line in body)))
    if result.iteration is not None:
        header, iterates = iterate_table(result.iteration, names(result.variables), digits)
        table = Table()
        for name in header:
            table.add_column(Text(name), justify="left" if name in ("step", "certainty") else "right")
        for row in iterates:
            table.add_row(*(Text(c) for c in row))
        style = "red" if result.iteration.failed else ""
        parts += [Text("\niterates", style="bold"), table, Text(result.iteration.stop, style=style)]
    parts.extend(Text(f"note: {n}", style="dim") for n in result.notes)
    return Group(*parts)


def _critical(result: Result, digits: int) -> list[RenderableType]:
    """A summary table of the critical points with coloured types, then each reason."""
    assert result.critical_points is not None
    points = result.critical_points
    completeness = completeness_text(result)
    parts: list[RenderableType] = [
        Text(f"{len(points)} isolated critical point(s); {completeness}", style="bold")
    ]
    if points:
        table = Table()
        for name in ("#", "point", "f", "eigenvalues", "type"):
            table.add_column(name)
        for k, cp in enumerate(points, 1):
            c = cp.classification
            table.add_row(
                Text(str(k)),
                Text(assignments(cp.at)),
                Text(sstr(cp.value)),
                Text(", ".join(eigenvalue_text(ev, digits) for ev in cp.spectrum.eigenvalues)),
                Text(c.type.value + (" (degenerate)" if c.degenerate else ""), style=VERDICT_STYLES[c.type]),
            )
        parts.append(table)
        for k, cp in enumerate(points, 1):
            reason = Text(f"{k}. ")
            reason.append(cp.classification.type.value, style=VERDICT_STYLES[cp.classification.type])
            reason.append(f" ({cp.classification.certainty.value}): {cp.classification.reason}")
            parts.append(reason)
    for family in result.families:
        parts += [Text(""), verdict(family.classification, family.description)]
    parts.append(Text(""))
    return parts


def _picture(result: Result, digits: int) -> RenderableType:
    """``jh map`` (the coloured grid) or ``jh profile`` (the chart and the table of values)."""
    m = result.matrix
    names_ = [s.name for s in result.variables]
    parts: list[RenderableType] = [Text(f"read as: {read_as(result)}", style="dim")]
    if result.profile is None:
        cells = [[Text(sstr(m[i, j])) for j in range(m.cols)] for i in range(m.rows)]
        grid = _grid(matrix_title(result), names_, names_, cells)
        parts += [grid, pictures.to_text(pictures.map_rows(result))]
    else:
        header, rows = pictures.profile_table(result.profile, digits)
        table = Table()
        for name in header:
            table.add_column(Text(name), justify="right")
        for row in rows:
            table.add_row(*(Text(c) for c in row))
        parts += [
            Text("\n".join(pictures.profile_header(result, digits))),
            pictures.to_text(pictures.profile_rows(result.profile, digits)),
            table,
        ]
    parts.extend(Text(f"note: {n}", style="dim") for n in result.notes)
    return Group(*parts)
