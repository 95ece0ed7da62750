"""Rich tables for the terminal. Every piece of mathematics is a ``Text``, never markup."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from jhcli.models import CheckReport, Classification, Command, PointType, Result, Status
from jhcli.render import pictures
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
    result: Result, *, digits: int = DEFAULT_DIGITS, symbolic: bool = True, **options: Any
) -> RenderableType:
    """Verdicts first, then how the input was read, the symbolic matrix, and each point."""
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
    parts.append(Text(f"read as: {read_as(result)}", style="dim"))
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
    if symbolic or not result.points:
        cells = [[Text(sstr(m[i, j])) for j in range(m.cols)] for i in range(m.rows)]
        parts.append(_grid(matrix_title(result), rows, columns, cells))
    if result.check is not None:
        parts.append(Text(check_text(result.check), style="green" if result.check.equal else "yellow"))
    for point in result.points:
        wide = exact_too_wide(point)
        cells = [[_value_cell(e, digits, not wide) for e in row] for row in point.values]
        title = f"at {point_label(point)}" + (f" {EXACT_IN_JSON}" if wide else "")
        parts.append(_grid(title, rows, columns, cells))
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
