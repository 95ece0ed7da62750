"""Image files for ``--plot FILE``: the spectrum, the map of Hessian types, the profile (matplotlib).

matplotlib is optional (``pip install 'jhcli[plot]'``) and imported only inside ``save_plot``, with
the headless Agg backend: no window is ever opened. The format comes from the file's extension.
Files carry no creation date, so the same command writes the same bytes.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import sympy

from jhcli.analysis import to_float
from jhcli.errors import MathError, UsageError
from jhcli.models import CellType, Command, Result
from jhcli.printing import sstr

PLOT_SUFFIXES = (".png", ".svg", ".pdf")
INSTALL_HINT = "pip install 'jhcli[plot]'"

TYPE_COLOURS = {
    CellType.CONVEX: "#2ca02c",  # green
    CellType.CONCAVE: "#1f77b4",  # blue
    CellType.SADDLE: "#d62728",  # red
    CellType.DEGENERATE: "#ffd21f",  # yellow
    CellType.UNDEFINED: "#bbbbbb",  # grey
}
NEGATIVE, POSITIVE, ZERO = "#d62728", "#2ca02c", "#ff7f0e"
_METADATA = {".png": {"Software": None}, ".svg": {"Date": None}, ".pdf": {"CreationDate": None}}


def check_path(path: str) -> str:
    """The format (``png``, ``svg``, ``pdf``) of ``path``; any other extension is a usage error."""
    suffix = Path(path).suffix.lower()
    if suffix not in PLOT_SUFFIXES:
        raise UsageError(
            f"--plot writes .png, .svg or .pdf (the format comes from the extension), got {path!r}"
        )
    return suffix[1:]


def require_matplotlib() -> None:
    """Raise a usage error naming the install command when matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(f"--plot needs matplotlib, which is not installed: run {INSTALL_HINT}") from None


def save_plot(result: Result, path: str) -> None:
    """Draw ``result`` (hessian with eigenvalues, map or profile) into ``path``."""
    suffix = "." + check_path(path)
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    draw = {Command.MAP: _map, Command.PROFILE: _profile, Command.HESSIAN: _spectrum}.get(result.command)
    if draw is None:
        raise UsageError(f"--plot does not draw 'jh {result.command.value}'")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = draw(plt, result)
        try:
            fig.savefig(path, metadata=_METADATA[suffix])
        except OSError as e:
            raise UsageError(f"cannot write {path!r}: {e.strerror or e}") from None
        finally:
            plt.close(fig)


def _spectrum(plt: Any, result: Result) -> Any:
    """A stem plot of the eigenvalues (with multiplicity, ascending) at each point."""
    spectra = [(p, p.spectrum) for p in result.points if p.spectrum is not None]
    if not spectra:
        raise UsageError("--plot on hessian draws the spectrum: add --eig (and a point with --at)")
    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
    for k, (point, spec) in enumerate(spectra):
        values = [ev.numeric for ev in spec.eigenvalues for _ in range(ev.multiplicity)]
        shift = 0.12 * (k - (len(spectra) - 1) / 2) if len(spectra) > 1 else 0.0
        index = [i + 1 + shift for i in range(len(values))]
        for sign, colour in ((-1, NEGATIVE), (1, POSITIVE), (0, ZERO)):
            picked = [(i, v) for i, v in zip(index, values, strict=True) if _sign(v, spec) == sign]
            if picked:
                xs, ys = zip(*picked, strict=True)
                markers, stems, _ = ax.stem(xs, ys, basefmt=" ")
                plt.setp(markers, color=colour)
                plt.setp(stems, color=colour)
        if len(spectra) > 1:
            label = ", ".join(f"{s.name}={sstr(v)}" for s, v in point.at)
            ax.annotate(label, (index[-1], values[-1]), fontsize=7, xytext=(4, 0), textcoords="offset points")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_title("Hessian eigenvalues (spectrum)")
    ax.set_xlabel(r"direction $i$")
    ax.set_ylabel(r"curvature $\lambda_i$")
    n = max(sum(ev.multiplicity for ev in s.eigenvalues) for _, s in spectra)
    ax.set_xticks(range(1, n + 1))
    ax.set_xlim(0.4, n + 0.6)
    fig.tight_layout()
    return fig


def _sign(value: float, spec: Any) -> int:
    if spec.inertia.zero and abs(value) < 1e-12:
        return 0
    return -1 if value < 0 else 1


def _grid_values(result: Result, xs: list[float], ys: list[float]) -> list[list[float]]:
    """f on a grid of floats (nan where undefined), evaluated on the expression tree with evalf."""
    f = result.functions[0]
    x, y = result.variables
    out = []
    for yv in ys:
        row = []
        for xv in xs:
            value = to_float(f.xreplace({x: sympy.Float(xv), y: sympy.Float(yv)}))
            row.append(math.nan if value is None else value)
        out.append(row)
    return out


CONTOUR_SAMPLES = 41
"""Samples per side for the contours of f (evaluated with evalf, so kept modest)."""


def _map(plt: Any, result: Result) -> Any:
    """Left: filled contours of f; right: the cells coloured by type. Critical points on both."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    m = result.landscape
    assert m is not None
    x0, x1 = (float(v) for v in m.x_range)
    y0, y1 = (float(v) for v in m.y_range)
    n = CONTOUR_SAMPLES
    xs = [x0 + (x1 - x0) * k / (n - 1) for k in range(n)]
    ys = [y0 + (y1 - y0) * k / (n - 1) for k in range(n)]
    zs = _grid_values(result, xs, ys)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4.2), dpi=90)
    fx, fy = (s.name for s in result.variables)
    if any(math.isfinite(v) for row in zs for v in row):
        filled = left.contourf(xs, ys, zs, levels=14, cmap="viridis")
        left.contour(xs, ys, zs, levels=14, colors="white", linewidths=0.4)
        fig.colorbar(filled, ax=left, shrink=0.85)
    left.set_title(rf"$f({fx}, {fy})$ (filled contours)")
    kinds = list(TYPE_COLOURS)
    codes = [[kinds.index(cell) for cell in row] for row in m.types]
    cmap = ListedColormap([TYPE_COLOURS[k] for k in kinds])
    right.imshow(
        codes, cmap=cmap, vmin=-0.5, vmax=len(kinds) - 0.5, extent=(x0, x1, y0, y1), interpolation="nearest"
    )
    right.set_aspect("auto")
    right.set_title(r"Hessian type per cell ($\det H$, $\mathrm{tr}\, H$ exact)")
    present = {cell for row in m.types for cell in row}
    handles = [Patch(color=TYPE_COLOURS[k], label=k.value) for k in kinds if k in present]
    right.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.85)
    for ax in (left, right):
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel(f"${fx}$")
        ax.set_ylabel(f"${fy}$")
        for p in m.critical:
            px, py = p.point.numeric
            ax.plot([px], [py], marker="*", markersize=13, color="black", markeredgecolor="white")
            label = p.point.classification.type.value
            ax.annotate(
                label,
                (px, py),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=8,
                bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8},
            )
    fig.tight_layout()
    return fig


def _profile(plt: Any, result: Result) -> Any:
    """f(P + t d) and the quadratic model q(t) against t."""
    p = result.profile
    assert p is not None
    ts = [float(t) for t in p.t]
    fs = [math.nan if q is None or q.numeric is None else q.numeric for q in p.f]
    qs = [math.nan if q.numeric is None else q.numeric for q in p.model]
    if all(math.isnan(v) for v in fs):
        raise MathError("f is undefined all along the line: nothing to plot")
    fig, ax = plt.subplots(figsize=(6, 3.8), dpi=100)
    ax.plot(ts, fs, color="#1f77b4", linewidth=2, marker="o", markersize=3, label=r"$f(P + t\,d)$")
    ax.plot(
        ts,
        qs,
        color="#ff7f0e",
        linestyle="--",
        linewidth=1.5,
        label=r"$f(P) + t\,\nabla f^{\top} d + \frac{t^2}{2}\, d^{\top} H d$",
    )
    ax.axvline(0, color="grey", linewidth=0.6)
    ax.set_title(rf"Profile along $d$ = {p.along} (unit vector, {p.certainty.value})")
    ax.set_xlabel(r"$t$")
    ax.set_ylabel(r"$f$")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
