"""Markdown for notebooks and GitHub: ``$$`` math blocks plus tables of the same values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jhcli.models import Classification, Command, Result
from jhcli.printing import matrix_texts
from jhcli.render.common import (
    CHECK_TITLE,
    DEFAULT_DIGITS,
    assignments,
    chain_lines,
    check_cells,
    check_lines,
    check_text,
    column_labels,
    completeness_text,
    entry_approx,
    entry_exact,
    entry_name,
    factor_labels,
    iterate_table,
    let_text,
    matrix_title,
    names,
    needs_decimal_view,
    newton_sections,
    point_label,
    read_as,
    row_labels,
    spectrum_lines,
    sstr,
    vector_line,
)
from jhcli.render.latex import render_latex


def _code(text: str) -> str:
    return f"`{text}`"


def _table(rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[str]]) -> list[str]:
    out = ["| | " + " | ".join(_code(c) for c in columns) + " |", "|---" * (len(columns) + 1) + "|"]
    out += [
        "| " + _code(r) + " | " + " | ".join(_code(c) for c in row) + " |"
        for r, row in zip(rows, cells, strict=True)
    ]
    return out


def _verdict(c: Classification, where: str) -> str:
    detail = c.certainty.value + (", degenerate" if c.degenerate else "")
    return f"**{c.type.value}** at {_code(where)} ({detail}): {c.reason}"


def _entries_table(result: Result, items: Sequence[tuple[int, int, str]]) -> list[str]:
    """``--sparse``: | entry | derivative | value | per non-zero entry, then their count."""
    from jhcli.render import sparse as sp

    rows, cols = result.matrix.shape
    out = ["| entry | derivative | value |", "|---|---|---|"]
    out += [
        f"| {_code(sp.label(result, i, j))} | {_code(entry_name(result, i, j))} | {_code(text)} |"
        for i, j, text in items
    ]
    return [*out, "", sp.count_line(len(items), rows, cols) + "; indices from 1"]


def render(
    result: Result,
    *,
    latex_env: str = "bmatrix",
    digits: int = DEFAULT_DIGITS,
    symbolic: bool = True,
    sparse: bool = False,
    sparsity: bool = False,
    **options: Any,
) -> str:
    """``sparse``: tables of the non-zero entries; ``sparsity``: the pattern in a text block."""
    rows, columns = row_labels(result), column_labels(result)
    symbolic = symbolic or not result.points
    variables = ", ".join(s.name for s in result.variables)
    if result.command is Command.NEWTON:
        return _newton(result, latex_env, digits)
    if result.command in (Command.MAP, Command.PROFILE):
        from jhcli.render.plain import render as plain

        title = "Hessian types" if result.command is Command.MAP else "Profile"
        return f"**{title}** of {_code(read_as(result))}\n\n```text\n{plain(result, digits=digits)}```\n"
    lines = [f"**{matrix_title(result)}** of {_code(read_as(result))} with respect to {_code(variables)}", ""]
    if result.let:
        lines += [f"where {_code(let_text(result))}", ""]
    vector = vector_line(result)
    extra = chain_lines(result) + ([vector] if vector else [])
    if extra:
        lines += [f"- {_code(line)}" for line in extra] + [""]
    for point in result.points:
        if point.classification is not None:
            lines += ["- " + _verdict(point.classification, point_label(point)), ""]
    if sparsity:
        from jhcli.render import sparse as sp

        lines += ["```text", *sp.plain_lines(sp.result_pattern(result)), "```", ""]
    body = render_latex(
        result, env=latex_env, digits=digits, bare=True, symbolic=symbolic, sparse=sparse, sparsity=sparsity
    )
    lines += ["$$", body, "$$", ""]
    for factor in result.factors:
        f = factor.matrix
        cells = matrix_texts(f)
        lines += [f"{factor.label}:", "", *_table(*factor_labels(result, factor.key), cells), ""]
    if result.factors:
        lines += [f"{matrix_title(result)}:", ""]
    m = result.matrix
    if symbolic and sparse:
        from jhcli.render import sparse as sp

        lines += _entries_table(result, sp.symbolic_items(result.matrix))
    elif symbolic and not sparsity:
        lines += _table(rows, columns, matrix_texts(m))
    if result.check is not None:
        lines += ["", check_text(result.check)]
    for point in result.points:
        lines += ["", f"At {_code(point_label(point))}:", ""]
        if sparse:
            from jhcli.render import sparse as sp

            lines += _entries_table(result, sp.point_items(point, digits))
        else:
            lines += _table(rows, columns, [[entry_exact(e) for e in row] for row in point.values])
        if not sparse and needs_decimal_view(point):
            lines += ["", "Decimal view:", ""]
            lines += _table(rows, columns, [[entry_approx(e, digits) for e in row] for row in point.values])
        extra = [f"entry ({i + 1}, {j + 1}): {e.reason}" for i, j, e in point.undefined]
        if point.spectrum is not None:
            extra += spectrum_lines(point.spectrum, digits)
        if point.gradient is not None:
            extra.append("gradient: (" + ", ".join(entry_exact(e) for e in point.gradient) + ")")
        if extra:
            lines += [""] + [f"- {line}" for line in extra]
        if point.check is not None:
            lines += ["", f"{CHECK_TITLE.capitalize()} ({point.check.method}), abs error per entry:", ""]
            lines += _table(rows, columns, check_cells(point.check))
            *facts, verdict = check_lines(point.check, result)
            lines += [""] + [f"- {_code(line)}" for line in facts] + ["", f"**{verdict}**"]
    if result.critical_points is not None:
        completeness = completeness_text(result)
        lines += ["", f"**Critical points** ({completeness}):", ""]
        for cp in result.critical_points:
            where = assignments(cp.at)
            lines.append(f"- {_verdict(cp.classification, where)} f = {_code(sstr(cp.value))}")
        for family in result.families:
            lines.append(f"- {_verdict(family.classification, family.description)}")
    lines += [f"\n_note: {n}_" for n in result.notes]
    return "\n".join(lines) + "\n"


def _plain_table(header: Sequence[str], cells: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    return out + ["| " + " | ".join(_code(c) for c in row) + " |" for row in cells]


def _newton(result: Result, latex_env: str, digits: int) -> str:
    """Sections per point as Markdown headings and lists; the formulas once in a math block."""
    rows = columns = names(result.variables)
    variables = ", ".join(rows)
    lines = [
        f"**Newton step** for {_code(read_as(result))} with respect to {_code(variables)}",
        "",
        "$$",
        render_latex(result, env=latex_env, digits=digits, bare=True),
        "$$",
    ]
    for point in result.points:
        lines += ["", f"**At {_code(point_label(point))}:**"]
        for title, body in newton_sections(point, digits):
            if not title:
                lines += [""] + [_code(line) for line in body]
                continue
            lines += ["", f"**{title}**", ""]
            if title == "Hessian":
                lines += _table(rows, columns, [[entry_exact(e) for e in row] for row in point.values])
                if needs_decimal_view(point):
                    lines += ["", "Decimal view:", ""]
                    cells = [[entry_approx(e, digits) for e in row] for row in point.values]
                    lines += _table(rows, columns, cells)
                extra = [f"entry ({i + 1}, {j + 1}): {e.reason}" for i, j, e in point.undefined]
                lines += ([""] if extra or body else []) + [f"- {line}" for line in extra + body]
                continue
            lines += [f"- {line}" for line in body]
    if result.iteration is not None:
        header, cells = iterate_table(result.iteration, names(result.variables), digits)
        lines += ["", "**Iterates:**", "", *_plain_table(header, cells), "", result.iteration.stop]
    lines += [f"\n_note: {n}_" for n in result.notes]
    return "\n".join(lines) + "\n"
