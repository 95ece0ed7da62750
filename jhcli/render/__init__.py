"""The registry of output formats.

``FORMATS`` maps each ``--format`` name to the module that renders it and a one-line description;
the CLI's choices, its help text and the test that every format renders every result are all
derived from it. Renderer modules are imported only when used, so listing the formats (``jh
--help``) does not import SymPy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from jhcli.models import Result


class Format(NamedTuple):
    module: str
    description: str


FORMATS: dict[str, Format] = {
    "table": Format("jhcli.render.table", "Rich tables for the terminal (default on a terminal)"),
    "plain": Format("jhcli.render.plain", "plain text for pipes (default otherwise)"),
    "latex": Format("jhcli.render.latex", "a LaTeX snippet for documents (needs amsmath)"),
    "markdown": Format("jhcli.render.markdown", "Markdown with $$ math blocks, for notebooks and GitHub"),
    "json": Format("jhcli.render.json", "one JSON object for scripts (schema in the README)"),
}


LATEX_ENVS = ("bmatrix", "pmatrix", "vmatrix", "Bmatrix", "Vmatrix", "matrix")
"""Matrix environments offered by ``--latex-env`` (all from amsmath)."""

EMIT_TARGETS = ("numpy", "python", "c", "jax", "latex")
"""Languages of ``--emit`` (``jhcli.codegen``): the matrix as a function instead of as output."""


def render(result: Result, fmt: str, **options: Any) -> Any:
    """Render ``result`` in format ``fmt``: a string, or a Rich renderable for ``table``."""
    try:
        spec = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return import_module(spec.module).render(result, **options)
