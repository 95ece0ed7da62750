"""Terminal pictures: the spectrum as signed bars, the map of Hessian types, the profile chart.

Each picture is built once as rows of (character, kind) and turned into plain text or into a Rich
``Text`` with a colour per kind, so the plain and table formats show the same characters and the
table adds only colour (without a colour terminal they are the same text).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from sympy import Float

from jhcli.models import CellType, Certainty, Profile, Quantity, Result, Spectrum
from jhcli.render.common import (
    DEFAULT_DIGITS,
    assignments,
    eigenvalue_text,
    format_float,
    quantity_text,
    sstr,
    vector_text,
)

MAP_CHARS = {
    CellType.CONVEX: "+",
    CellType.CONCAVE: "-",
    CellType.SADDLE: "x",
    CellType.DEGENERATE: "0",
    CellType.UNDEFINED: "?",
}
CRITICAL_CHAR = "*"
MAP_MEANING = {
    CellType.CONVEX: "convex (H positive definite)",
    CellType.CONCAVE: "concave (H negative definite)",
    CellType.SADDLE: "saddle (H indefinite)",
    CellType.DEGENERATE: "degenerate (H singular)",
    CellType.UNDEFINED: "undefined (no real Hessian)",
}
STYLES = {
    CellType.CONVEX: "black on green",
    CellType.CONCAVE: "white on blue",
    CellType.SADDLE: "white on magenta",
    CellType.DEGENERATE: "black on yellow",
    CellType.UNDEFINED: "white on bright_black",
    "critical": "bold white on red",
    "negative": "red",
    "positive": "green",
    "zero": "bold yellow",
    "f": "bold cyan",
    "model": "yellow",
    "nonzero": "bold cyan",  # --sparsity
    "zero_cell": "dim",
}

Row = list[tuple[str, str]]  # (text, style key or "")


def to_plain(rows: Sequence[Row]) -> list[str]:
    return ["".join(text for text, _ in row).rstrip() for row in rows]


def to_text(rows: Sequence[Row]) -> Text:
    text = Text()
    for k, row in enumerate(rows):
        if k:
            text.append("\n")
        line = Text()
        for piece, kind in row:
            line.append(piece, style=STYLES.get(kind, "") if kind else "")
        line.rstrip()
        text.append_text(line)
    return text


# hessian --eig ---------------------------------------------------------------------------------
BAR_HALF = 20
"""Characters of the longest bar on each side of the zero line."""


def spectrum_rows(spectrum: Spectrum, digits: int = DEFAULT_DIGITS) -> list[Row]:
    """Each distinct eigenvalue as a bar to scale: negative to the left (red), positive to the right."""
    values = [ev.numeric for ev in spectrum.eigenvalues]
    largest = max((abs(v) for v in values), default=0.0) or 1.0
    labels = []
    for i, ev in enumerate(spectrum.eigenvalues, 1):
        times = f" (x{ev.multiplicity})" if ev.multiplicity > 1 else ""
        labels.append(f"λ{i} = {eigenvalue_text(ev, digits)}{times}")
    width = max(len(label) for label in labels)
    rows: list[Row] = [[("spectrum (bars to scale; | is 0, o an eigenvalue 0):", "")]]
    for label, ev in zip(labels, spectrum.eigenvalues, strict=True):
        zero = spectrum.inertia.zero and ev.exact is not None and ev.exact == 0
        length = 0 if zero else max(1, round(abs(ev.numeric) / largest * BAR_HALF))
        row: Row = [(f"  {label.ljust(width)}  ", "")]
        if zero:
            row += [(" " * BAR_HALF, ""), ("o", "zero")]
        elif ev.numeric < 0:
            row += [(" " * (BAR_HALF - length), ""), ("█" * length, "negative"), ("|", "")]
        else:
            row += [(" " * BAR_HALF, ""), ("|", ""), ("█" * length, "positive")]
        rows.append(row)
    return rows


# jh map -----------------------------------------------------------------------------------------


def _box_text(low: object, high: object) -> str:
    return f"[{sstr(low)}, {sstr(high)}]"


def map_rows(result: Result) -> list[Row]:
    """The grid (top row: largest y), one character per cell, then the legend and the critical points."""
    m = result.landscape
    assert m is not None
    x, y = (s.name for s in result.variables)
    n = len(m.x)
    kind = "exact" if m.certainty is Certainty.EXACT else "numeric"
    rows: list[Row] = [
        [
            (
                f"Hessian type at the centres of {n} x {n} cells of {x} in {_box_text(*m.x_range)}, "
                f"{y} in {_box_text(*m.y_range)} ({kind})",
                "",
            )
        ],
        [
            (
                f"rows: {y} from {sstr(m.y_range[1])} (top) to {sstr(m.y_range[0])} (bottom); "
                f"columns: {x} from {sstr(m.x_range[0])} (left) to {sstr(m.x_range[1])} (right)",
                "",
            )
        ],
    ]
    marks = {(p.row, p.column) for p in m.critical}
    for i, line in enumerate(m.types):
        row: Row = [("  ", "")]
        for j, cell in enumerate(line):
            if (i, j) in marks:
                row.append((CRITICAL_CHAR + " ", "critical"))
            else:
                row.append((MAP_CHARS[cell] + " ", cell))
        rows.append(row)
    present = {cell for line in m.types for cell in line}
    legend: Row = [("legend: ", "")]
    for k, cell in enumerate(MAP_CHARS):
        if cell is CellType.UNDEFINED and cell not in present:
            continue
        if k == 2:
            rows.append(legend)
            legend = [("        ", "")]
        legend += [(MAP_CHARS[cell], cell), (f" {MAP_MEANING[cell]}  ", "")]
    legend += [(CRITICAL_CHAR, "critical"), (" critical point", "")]
    rows.append(legend)
    counts = [
        f"{sum(row.count(cell) for row in m.types)} {cell.value}" for cell in MAP_CHARS if cell in present
    ]
    rows.append([("cells: " + ", ".join(counts), "")])
    if m.critical:
        rows.append([("critical points in the box (* marks the cell holding each):", "")])
        for p in m.critical:
            c = p.point.classification
            degenerate = " (degenerate)" if c.degenerate else ""
            where = assignments(p.point.at)
            if any(v.has(Float) for _, v in p.point.at):
                where = " ".join(
                    f"{s.name} ≈ {format_float(v)},"
                    for (s, _), v in zip(p.point.at, p.point.numeric, strict=True)
                )
                where = where.rstrip(",")
            rows.append([(f"  {where}: {c.type.value}{degenerate}, f = {sstr(p.point.value)}", "")])
    else:
        rows.append([("no critical point in the box", "")])
    return rows


# jh profile -------------------------------------------------------------------------------------
CHART_HEIGHT = 11
CHART_COLUMNS = 40
"""Samples drawn: more are thinned to this many columns."""


ALONG = {
    "eigmax": "eigenvector of the largest eigenvalue",
    "eigmin": "eigenvector of the smallest eigenvalue",
    "grad": "the gradient",
}


def direction_text(p: Profile, digits: int) -> str:
    if p.certainty is Certainty.EXACT:
        return vector_text(p.direction, digits)
    return "(" + ", ".join(format_float(float(c), digits) for c in p.direction) + ")"


def profile_header(result: Result, digits: int) -> list[str]:
    p = result.profile
    assert p is not None
    along = ALONG.get(p.along, f"the vector {p.along[2:]}")
    kind = "exact" if p.certainty is Certainty.EXACT else "numeric: a floating-point eigenvector"
    lines = [
        f"at P: {assignments(result.points[0].at)}",
        f"direction d: {along}, normalised to length 1 ({kind})",
        f"  d = {direction_text(p, digits)}",
    ]
    if p.eigenvalue is not None:
        lines.append(f"  eigenvalue: {quantity_text(p.eigenvalue, digits)}")
    lines += [
        f"f(P): {quantity_text(p.value, digits)}",
        f"slope g·d: {quantity_text(p.slope, digits)}",
        f"curvature d·H·d: {quantity_text(p.curvature, digits)}",
        "model q(t) = f(P) + t g·d + t²/2 d·H·d",
    ]
    return lines


def _thin(count: int, columns: int) -> list[int]:
    if count <= columns:
        return list(range(count))
    return sorted({round(k * (count - 1) / (columns - 1)) for k in range(columns)})


def profile_rows(p: Profile, digits: int = DEFAULT_DIGITS) -> list[Row]:
    """f(P + t d) (●) and the model (·) against t: a character chart, y-axis labelled."""
    picks = _thin(len(p.t), CHART_COLUMNS)
    cell = 2 if len(picks) <= CHART_COLUMNS // 2 else 1
    fs = [None if (v := p.f[k]) is None else v.numeric for k in picks]
    qs = [p.model[k].numeric for k in picks]
    known = [v for v in [*fs, *qs] if v is not None]
    top, bottom = (max(known), min(known)) if known else (1.0, 0.0)
    span = (top - bottom) or 1.0

    def level(v: float) -> int:
        return round((top - v) / span * (CHART_HEIGHT - 1))

    labels = {0: format_float(top, 4), CHART_HEIGHT - 1: format_float(bottom, 4)}
    width = max(len(t) for t in labels.values())
    rows: list[Row] = [[("f(P + t d): ● f,  · quadratic model (● where they coincide)", "")]]
    for r in range(CHART_HEIGHT):
        row: Row = [(labels.get(r, "").rjust(width) + " │", "")]
        for f, q in zip(fs, qs, strict=True):
            if f is not None and level(f) == r:
                row.append(("●".ljust(cell), "f"))
            elif q is not None and level(q) == r:
                row.append(("·".ljust(cell), "model"))
            else:
                row.append((" " * cell, ""))
        rows.append(row)
    axis = " " * width + " └" + "─" * (cell * len(picks))
    low, high = sstr(p.t[0]), sstr(p.t[-1])
    gap = max(1, cell * len(picks) - len(low) - len(high))
    ticks = " " * (width + 2) + low + " " * gap + high + "  t"
    rows += [[(axis, "")], [(ticks, "")]]
    return rows


SHORT_EXACT = 16
"""An exact value in the profile table longer than this is shown by its decimal view only."""


def _short(q: Quantity | None, digits: int) -> str:
    if q is not None and q.exact is not None and len(sstr(q.exact)) > SHORT_EXACT:
        q = Quantity(None, q.numeric)
    return quantity_text(q, digits, "undefined")


def profile_table(p: Profile, digits: int = DEFAULT_DIGITS) -> tuple[list[str], list[list[str]]]:
    """Header and rows: t, f(P + t d), q(t), f - q."""
    rows = []
    for t, f, q in zip(p.t, p.f, p.model, strict=True):
        known = f is not None and f.numeric is not None and q.numeric is not None
        diff = format_float(f.numeric - q.numeric, 3) if known else ""  # type: ignore[union-attr,operator]
        rows.append([sstr(t), _short(f, digits), _short(q, digits), diff])
    return ["t", "f(P + t d)", "model q(t)", "f - q"], rows
