"""JSON: one object on stdout, the schema in DESIGN.md and the README (stable for scripts)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sympy

from jhcli.analysis import to_float
from jhcli.models import (
    CheckEntry,
    CheckReport,
    Classification,
    Command,
    Entry,
    PointResult,
    Result,
    Status,
)
from jhcli.printing import matrix_texts
from jhcli.render import sparse as sp
from jhcli.render.common import condition_float, names, sstr, value_text

if TYPE_CHECKING:
    from jhcli.findings import CriticalPoint, Family, Iteration, NewtonStep, Quantity, Spectrum


def _value(entry: Entry) -> str:
    if entry.status is Status.UNDEFINED or entry.exact is None:
        return "undefined"
    return sstr(entry.exact)


def _matrix(matrix: sympy.MatrixBase) -> list[list[str]]:
    return matrix_texts(matrix)


def spectrum_json(spectrum: Spectrum) -> dict[str, Any]:
    eigenvalues = []
    for ev in spectrum.eigenvalues:
        item: dict[str, Any] = {
            "exact": None if ev.exact is None else sstr(ev.exact),
            "numeric": ev.numeric,
            "multiplicity": ev.multiplicity,
        }
        if ev.vectors:
            item["vectors"] = [[c if isinstance(c, float) else sstr(c) for c in v] for v in ev.vectors]
        eigenvalues.append(item)
    kappa = spectrum.condition_number
    return {
        "eigenvalues": eigenvalues,
        "determinant": sstr(spectrum.determinant),
        "trace": sstr(spectrum.trace),
        "inertia": {
            "positive": spectrum.inertia.positive,
            "negative": spectrum.inertia.negative,
            "zero": spectrum.inertia.zero,
        },
        "condition_number": condition_float(kappa),
        "condition_number_exact": "oo" if kappa == sympy.oo else sstr(kappa),
        "certainty": spectrum.certainty.value,
        "readings": list(spectrum.readings),
    }


def classification_json(c: Classification) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": c.type.value,
        "degenerate": c.degenerate,
        "reason": c.reason,
        "certainty": c.certainty.value,
    }
    if c.tolerance is not None:
        out["tolerance"] = c.tolerance
    return out


def _check_entry(entry: CheckEntry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "symbolic": entry.symbolic,
        "finite_difference": entry.finite_difference,
        "abs_error": entry.abs_error,
        "rel_error": entry.rel_error,
        "agree": entry.agree,
        "richardson_error": entry.richardson_error,
        "tolerance": entry.tolerance,
    }
    if entry.note:
        out["note"] = entry.note
    return out


def check_json(report: CheckReport) -> dict[str, Any]:
    return {
        "agree": report.agree,
        "max_abs_error": report.max_abs_error,
        "max_rel_error": report.max_rel_error,
        "rtol": report.rtol,
        "atol": report.atol,
        "method": report.method,
        "entries": [[_check_entry(e) for e in row] for row in report.entries],
    }


def _point(point: PointResult, sparse: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"at": {s.name: sstr(v) for s, v in point.at}}
    if sparse:  # the same positions, in the same order, in both
        shape = [len(point.values), len(point.values[0]) if point.values else 0]
        nonzeros = sp.point_nonzeros(point)
        out["value"] = {"shape": shape, "entries": [[i, j, _value(e)] for i, j, e in nonzeros]}
        out["numeric"] = {"shape": shape, "entries": [[i, j, e.numeric] for i, j, e in nonzeros]}
    else:
        out["value"] = [[_value(e) for e in row] for row in point.values]
        out["numeric"] = [[e.numeric for e in row] for row in point.values]
    problems = [{"row": i, "column": j, "reason": e.reason} for i, j, e in point.undefined]
    if problems:
        out["undefined"] = problems
    if point.spectrum is not None:
        out.update(spectrum_json(point.spectrum))
    if point.gradient is not None:
        out["gradient"] = [_value(e) for e in point.gradient]
    if point.classification is not None:
        out["classification"] = classification_json(point.classification)
    if point.check is not None:
        out["check"] = check_json(point.check)
    if point.newton is not None:
        out.update(newton_json(point.newton))
    return out


def _exact(q: Quantity | None) -> str | None:
    return None if q is None or q.exact is None else sstr(q.exact)


def _numeric(q: Quantity | None) -> float | None:
    return None if q is None else q.numeric


def _quantities(**named: Quantity | None) -> dict[str, Any]:
    """``name``: exact string or null, ``name_numeric``: float or null, for each quantity."""
    out: dict[str, Any] = {}
    for name, q in named.items():
        out[name] = _exact(q)
        out[f"{name}_numeric"] = _numeric(q)
    return out


def newton_json(n: NewtonStep) -> dict[str, Any]:
    """The keys ``jh newton`` adds to a point (the README documents them)."""
    if n.problem:
        return {"step": None, "step_numeric": None, "step_method": None, "problem": n.problem}
    assert n.step is not None and n.next_point is not None and n.method is not None
    escape = n.escape_direction
    return {
        "f": _exact(n.value),
        "f_numeric": _numeric(n.value),
        "critical": n.critical,
        "step": [sstr(c) for c in n.step],
        "step_numeric": list(n.step_numeric or ()),
        "step_method": n.method.value,
        "next_point": [sstr(c) for c in n.next_point],
        "model": _quantities(
            value=n.model_value, predicted_change=n.predicted_change, actual_change=n.actual_change
        ),
        "gradient_descent": _quantities(
            curvature_along_gradient=n.curvature_along_gradient,
            line_search_step=n.line_search_step,
            stability_bound=n.stability_bound,
        ),
        "escape_direction": None
        if escape is None
        else [c if isinstance(c, float) else sstr(c) for c in escape],
        "escape_direction_normalised": n.escape_normalised if escape is not None else None,
        "newton_certainty": n.certainty.value,
        "notes": list(n.notes),
    }


def iteration_json(iteration: Iteration) -> list[dict[str, Any]]:
    return [
        {
            "k": it.k,
            "x": [sstr(c) for c in it.x],
            "x_numeric": [to_float(c) for c in it.x],
            "f": _exact(it.f),
            "f_numeric": _numeric(it.f),
            "gradient_norm": it.gradient_norm,
            "step_method": None if it.step_method is None else it.step_method.value,
            "certainty": it.certainty.value,
        }
        for it in iteration.iterates
    ]


def _critical_point(cp: CriticalPoint, variables: list[str]) -> dict[str, Any]:
    return {
        "at": {s.name: sstr(v) for s, v in cp.at},
        "numeric": dict(zip(variables, cp.numeric, strict=True)),
        "value": sstr(cp.value),
        "value_numeric": to_float(cp.value),
        "hessian": _matrix(cp.hessian),
        **spectrum_json(cp.spectrum),
        "classification": classification_json(cp.classification),
    }


def _family(family: Family) -> dict[str, Any]:
    return {
        "description": family.description,
        "equations": list(family.equations),
        "classification": classification_json(family.classification),
    }


def _sparse_matrix(matrix: sympy.MatrixBase) -> dict[str, Any]:
    """``--sparse``: ``shape`` and ``entries`` [[row, column, "value"], ...] (0-based, row-major)."""
    m = matrix
    return {"shape": [m.rows, m.cols], "entries": [list(item) for item in sp.symbolic_items(m)]}


def to_data(result: Result, *, sparse: bool = False, sparsity: bool = False) -> dict[str, Any]:
    """The JSON document as Python data.

    ``sparse``: ``shape`` and ``entries`` in place of ``matrix``, and each point's ``value`` and
    ``numeric`` as ``{"shape", "entries"}`` too; ``sparsity``: a ``sparsity`` object after them.
    """
    variables = names(result.variables)
    data: dict[str, Any] = {
        "command": result.command.value,
        **({"derivative": result.kind.value} if result.command is Command.CHECK else {}),
        "functions": [sstr(f) for f in result.functions],
        "variables": variables,
        **({"let": {name: value_text(value) for name, value in result.let}} if result.let else {}),
        **(_sparse_matrix(result.matrix) if sparse else {"matrix": _matrix(result.matrix)}),
        **({"sparsity": sp.sparsity_data(result)} if sparsity else {}),
        "points": [_point(p, sparse) for p in result.points],
    }
    if result.critical_points is not None:
        data["critical_points"] = [_critical_point(cp, variables) for cp in result.critical_points]
        data["families"] = [_family(f) for f in result.families]
        data["complete"] = result.complete
        if result.certainty is not None:
            data["certainty"] = result.certainty.value
    if result.command in (Command.JVP, Command.VJP, Command.HVP):
        data["vector"] = [sstr(c) for c in result.vector]
    if result.command is Command.CHAIN:
        data["with"] = {s.name: sstr(e) for s, e in result.bindings}
        data["composed"] = [sstr(f) for f in result.composed]
        data["factors"] = {f.key: _matrix(f.matrix) for f in result.factors}
    if result.check is not None:
        check: dict[str, Any] = {"equal": result.check.equal, "certainty": result.check.certainty.value}
        if result.check.tolerance is not None:
            check["tolerance"] = result.check.tolerance
        check["detail"] = result.check.detail
        data["check"] = check
    if result.landscape is not None:
        data.update(map_json(result))
    if result.profile is not None:
        data["points"] = [{"at": {s.name: sstr(v) for s, v in p.at}} for p in result.points]
        data.update(profile_json(result))
    if result.iteration is not None:
        data["iterates"] = iteration_json(result.iteration)
        data["iterates_stop"] = result.iteration.stop
        data["iterates_failed"] = result.iteration.failed
    if result.notes:
        data["notes"] = list(result.notes)
    return data


def _is_flat(value: Any) -> bool:
    """Scalars, and lists (of lists) of scalars: written on one line."""
    if isinstance(value, list):  # one isinstance per element: a matrix may have 10**6 of them
        return not any(isinstance(v, dict) for v in value) and all(
            _is_flat(v) for v in value if isinstance(v, list)
        )
    return not isinstance(value, dict)


def _may_fit(value: dict[str, Any]) -> bool:
    """False when ``value`` cannot be written in 72 characters (a list of 37 items needs 74)."""
    return len(value) <= 24 and not any(isinstance(v, (list, dict)) and len(v) > 36 for v in value.values())


def dumps(value: Any, indent: str = "") -> str:
    """JSON with objects indented and vectors/matrices kept on one line each."""
    if isinstance(value, dict) and value:
        if _may_fit(value):
            one_line = json.dumps(value, ensure_ascii=False)
            if len(one_line) <= 72 and all(_is_flat(v) for v in value.values()):
                return one_line
        inner = indent + "  "
        items = [f"{inner}{json.dumps(k)}: {dumps(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and value and not _is_flat(value):
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + dumps(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


def render(result: Result, *, sparse: bool = False, sparsity: bool = False, **options: Any) -> str:
    return dumps(to_data(result, sparse=sparse, sparsity=sparsity)) + "\n"


def _quantity_json(q: Quantity | None) -> dict[str, Any] | None:
    return None if q is None else {"exact": _exact(q), "numeric": q.numeric}


def map_json(result: Result) -> dict[str, Any]:
    """``jh map``: cell centres, the grid of types (top row first) and the marked critical points."""
    m = result.landscape
    assert m is not None
    variables = names(result.variables)
    return {
        "grid": len(m.x),
        "box": {variables[0]: [sstr(v) for v in m.x_range], variables[1]: [sstr(v) for v in m.y_range]},
        "row_order": "top to bottom: y descending (types[i][j] is at x[j], y[i])",
        "x": [sstr(v) for v in m.x],
        "y": [sstr(v) for v in m.y],
        "x_numeric": [to_float(v) for v in m.x],
        "y_numeric": [to_float(v) for v in m.y],
        "types": [[cell.value for cell in row] for row in m.types],
        "certainty": m.certainty.value,
        "critical_points": [
            {
                "at": {s.name: sstr(v) for s, v in p.point.at},
                "numeric": dict(zip(variables, p.point.numeric, strict=True)),
                "value": sstr(p.point.value),
                "type": p.point.classification.type.value,
                "degenerate": p.point.classification.degenerate,
                "cell": {"row": p.row, "column": p.column},
            }
            for p in m.critical
        ],
        "critical_complete": m.critical_complete,
    }


def profile_json(result: Result) -> dict[str, Any]:
    """``jh profile``: t, f(P + t d) and the quadratic model, the unit direction d and the model's terms."""
    p = result.profile
    assert p is not None
    exact = p.certainty.value == "exact"
    return {
        "along": p.along,
        "direction": {
            "exact": [sstr(c) for c in p.direction] if exact else None,
            "numeric": [to_float(c) for c in p.direction],
            "normalised": True,
            "certainty": p.certainty.value,
            "eigenvalue": _quantity_json(p.eigenvalue),
        },
        "value": _quantity_json(p.value),
        "slope": _quantity_json(p.slope),
        "curvature": _quantity_json(p.curvature),
        "t": [to_float(t) for t in p.t],
        "f": [None if q is None else q.numeric for q in p.f],
        "model": [q.numeric for q in p.model],
        "t_exact": [sstr(t) for t in p.t],
        "f_exact": [None if q is None else _exact(q) for q in p.f],
        "model_exact": [_exact(q) for q in p.model],
    }
