"""LaTeX for documents: ``-f latex`` pastes into an amsmath document, ``--standalone`` compiles as is.

The compile tests run a real ``pdflatex`` (Debian: ``texlive-latex-base``; ``.ci/run`` installs it)
and skip, saying so, when there is none.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import sympy

from jhcli.render.latex import AMSMATH_MAX_COLUMNS, latex, math_text_escape, matrix_env, standalone
from tests.conftest import run_jh

PDFLATEX = shutil.which("pdflatex")
needs_pdflatex = pytest.mark.skipif(PDFLATEX is None, reason="pdflatex not installed")

NETWORK = (
    "W2@tanh(W1@x + b1) + b2",
    "--vars",
    "W1:2x2,b1:2,W2:1x2,b2,x:2",
    "--at",
    "W1=[[0.5,-0.3],[0.8,0.2]], b1=[0.1,-0.4], W2=[[1.5,-0.7]], b2=0.2, x=[1,0.5]",
)

# One representative of every command and of the parts of the LaTeX renderer (matrices wider than
# amsmath's 10 columns, the check's error matrix, Newton's tabular, Greek variable names, --let).
DOCUMENTS = {
    "jacobian-seed": ("jacobian", "x**2+y, x*y", "--at", "2,3"),
    "jacobian-let-vector": (
        "jacobian",
        "tanh(W@x + b)",
        "--let",
        "W=[[1,-0.7],[0.4,0.9]]",
        "--let",
        "b=[0.5,-0.3]",
        "--vars",
        "x:2",
        "--at",
        "1.2,-0.8",
        "--at",
        "0.3,2.0",
    ),
    "gradient": ("gradient", "x^2*y + sin(x)", "--at", "x=1,y=pi/2"),
    "hessian-classify": ("hessian", "x**2 + 3*x*y + y**2", "--at", "0,0", "--classify"),
    "hessian-classify-all": ("hessian", "x**3 - 3*x + y**2", "--classify"),
    "hessian-eig-vectors": ("hessian", "x*y*z + x**2", "--at", "1,2,3", "--eig", "--vectors"),
    "hessian-check": ("hessian", "x**4 + y**4 - 4*x*y", "--at", "1,1", "--check"),
    "hessian-network-11x11": ("hessian", *NETWORK, "--eig", "--classify", "--digits", "4"),
    "hessian-network-check": ("hessian", *NETWORK, "--check", "--values-only"),
    "hessian-greek": ("hessian", "α**2*β + β**3", "--at", "1,1", "--classify"),
    "critical": ("critical", "x**4 + y**4 - 4*x*y"),
    "critical-family": ("critical", "sin(x)*sin(y)", "--box", "-4:4"),
    "check": ("check", "x**2+y, x*y", "--at", "2,3"),
    "map": ("map", "x**3 - 3*x*y**2", "--x", "-1:1", "--y", "-1:1", "--grid", "7"),
    "profile": ("profile", "x**2 + 3*x*y + y**2", "--at", "1,-1", "--along", "eigmin", "--points", "5"),
    "jvp": ("jvp", "x**2+y, x*y", "--v", "1,2", "--at", "2,3"),
    "vjp": ("vjp", "x**2+y, x*y", "--u", "1,2", "--at", "2,3"),
    "hvp": ("hvp", "exp(x*y)", "--v", "x=a,y=b"),
    "chain": ("chain", "sin(u)*v, u+v", "--with", "u=x*y", "--with", "v=x+y", "--at", "1,2"),
    "newton-steps": ("newton", "x**4 + y**4 - 4*x*y", "--at", "2,1", "--steps", "3"),
    "newton-singular": ("newton", "x**3 - 3*x*y**2", "--at", "0,0"),
    "newton-greek": ("newton", "α**4 + β**2", "--at", "1,1", "--steps", "2"),
    "emit-latex": ("gradient", "log(1 + exp(-w*x))", "--vars", "w", "--emit", "latex"),
    "emit-latex-11x11": ("hessian", *NETWORK[:3], "--emit", "latex"),
}


def _compile(tex: str, directory: Path) -> bytes:
    """Run pdflatex on ``tex``; fail with the end of its log unless it makes a PDF."""
    assert PDFLATEX is not None
    source = directory / "doc.tex"
    source.write_text(tex, encoding="utf-8")
    done = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=directory,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
    )
    log = (directory / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, log[-3000:]
    assert "Missing character" not in log, "a character was dropped: " + log[-3000:]
    return (directory / "doc.pdf").read_bytes()


@needs_pdflatex
@pytest.mark.parametrize("args", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_standalone_document_compiles_with_pdflatex(args: tuple[str, ...], tmp_path: Path) -> None:
    """``-f latex --standalone`` (with --emit latex: ``--standalone``) is a document pdflatex compiles."""
    fmt = () if "--emit" in args else ("-f", "latex")
    out = run_jh(*args, *fmt, "--standalone")
    assert out.exit_code == 0, out.stderr
    assert out.stdout.startswith("\\documentclass{article}\n")
    assert out.stdout.endswith("\\end{document}\n")
    assert _compile(out.stdout, tmp_path).startswith(b"%PDF")


@needs_pdflatex
@pytest.mark.parametrize(
    "key", ["jacobian-seed", "hessian-classify", "hessian-check", "newton-steps", "emit-latex-11x11"]
)
def test_snippet_pastes_into_a_minimal_amsmath_document(key: str, tmp_path: Path) -> None:
    """Without --standalone the output is a snippet that compiles inside any document loading amsmath."""
    args = DOCUMENTS[key]
    out = run_jh(*args) if "--emit" in args else run_jh(*args, "-f", "latex")
    assert out.exit_code == 0, out.stderr
    assert "documentclass" not in out.stdout
    document = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + out.stdout
    document += "Text after the result.\n\\end{document}\n"
    assert _compile(document, tmp_path).startswith(b"%PDF")


def test_every_document_line_outside_comments_is_ascii() -> None:
    """pdflatex reads ASCII everywhere; jh's Unicode (≈, λ, ∂, Greek names) only in % comments."""
    for key in ("hessian-greek", "newton-greek", "newton-singular", "hessian-check", "check"):
        out = run_jh(*DOCUMENTS[key], "-f", "latex", "--standalone")
        assert out.exit_code == 0, out.stderr
        body = [line for line in out.stdout.splitlines() if not line.startswith("%")]
        assert all(line.isascii() for line in body), [line for line in body if not line.isascii()]


def test_standalone_text_for_a_small_case() -> None:
    """The whole document for the gradient of x*y at (2, 3): (y, x) there is (3, 2)."""
    out = run_jh("gradient", "x*y", "--at", "2,3", "-f", "latex", "--standalone")
    assert (out.exit_code, out.stderr) == (0, "")
    assert out.stdout == (
        "\\documentclass{article}\n"
        "\\usepackage{amsmath}\n"
        "\\allowdisplaybreaks\n"
        "\\begin{document}\n"
        "% jh gradient: x*y; variables (x, y); a column, one row per variable\n"
        "\\begin{align*}\n"
        "\\nabla f &= \\begin{bmatrix}y\\\\x\\end{bmatrix} \\\\\n"
        "\\nabla f\\big|_{(x, y) = (2, 3)} &= \\begin{bmatrix}3\\\\2\\end{bmatrix}\n"
        "\\end{align*}\n"
        "\\end{document}\n"
    )


def test_standalone_implies_latex_and_wraps_the_snippet() -> None:
    """Without -f, --standalone means -f latex: the same snippet inside the document."""
    snippet = run_jh("hessian", "x**2*y", "--at", "1,2", "-f", "latex").stdout
    alone = run_jh("hessian", "x**2*y", "--at", "1,2", "--standalone")
    assert alone.exit_code == 0
    assert alone.stdout == standalone(snippet)
    assert alone.stdout.split("\\begin{document}\n", 1)[1] == snippet + "\\end{document}\n"


class TestClassificationBlock:
    def test_saddle_at_the_origin(self) -> None:
        """x² + 3xy + y²: H = [[2, 3], [3, 2]] everywhere, eigenvalues 2 ± 3 = -1 and 5: a saddle.

        The eigenvalue row is there without --eig, and the verdict is one sentence in \\text.
        """
        out = run_jh("hessian", "x**2 + 3*x*y + y**2", "--at", "0,0", "--classify", "-f", "latex")
        assert (out.exit_code, out.stderr) == (0, "")
        assert out.stdout == (
            "% jh hessian: x**2 + 3*x*y + y**2; variables (x, y); rows and columns: variables\n"
            "\\begin{align*}\n"
            "H &= \\begin{bmatrix}2 & 3\\\\3 & 2\\end{bmatrix} \\\\\n"
            "H\\big|_{(x, y) = (0, 0)} &= \\begin{bmatrix}2 & 3\\\\3 & 2\\end{bmatrix} \\\\\n"
            "\\lambda &= -1,\\ 5 \\\\\n"
            "&\\text{saddle point: the Hessian has eigenvalues -1 and 5 of both signs, so f curves up "
            "along one direction and down along another}\n"
            "\\end{align*}\n"
        )

    def test_eigenvalues_at_a_point_that_is_not_critical(self) -> None:
        """x² + xy + y² at (1, 0): H = [[2, 1], [1, 2]], eigenvalues 2 ∓ 1; the gradient (2, 1) is not 0."""
        out = run_jh("hessian", "x**2 + x*y + y**2", "--at", "1,0", "--classify", "-f", "latex")
        assert (out.exit_code, out.stderr) == (0, "")
        assert out.stdout.splitlines()[3:6] == [
            "H\\big|_{(x, y) = (1, 0)} &= \\begin{bmatrix}2 & 1\\\\1 & 2\\end{bmatrix} \\\\",
            "\\lambda &= 1,\\ 3 \\\\",
            "&\\text{not a critical point: the gradient (2, 1) is not zero here}",
        ]

    def test_eigenvalues_of_an_eleven_by_eleven_hessian(self) -> None:
        """The network's Hessian (11 x 11) at a point: one λ row with as many values as SymPy finds."""
        out = run_jh("hessian", *NETWORK, "--classify", "-f", "latex", "--digits", "4")
        assert out.exit_code == 0
        rows = out.stdout.splitlines()
        (eigen,) = [row for row in rows if row.startswith("\\lambda &= ")]
        values = eigen.removeprefix("\\lambda &= ").removesuffix(" \\\\").split(",\\ ")
        times = [int(v.split("\\times ")[1].rstrip(")")) if "\\times" in v else 1 for v in values]
        assert sum(times) == 11  # with multiplicity
        assert rows[rows.index(eigen) + 1].startswith("&\\text{not a critical point: ")

    def test_not_shown_in_other_formats_without_eig(self) -> None:
        """The plain output of --classify is unchanged: eigenvalues only with --eig."""
        out = run_jh("hessian", "x**2 + 3*x*y + y**2", "--at", "0,0", "--classify", "-f", "plain")
        assert "eigenvalues:" not in out.stdout
        assert "classification: saddle point (exact)" in out.stdout


class TestUsage:
    def test_standalone_with_another_format_is_a_usage_error(self) -> None:
        out = run_jh("jacobian", "x*y", "-f", "json", "--standalone")
        assert (out.exit_code, out.stdout) == (2, "")
        expected = "error: --standalone makes a LaTeX document: use -f latex (or no -f), not -f json\n"
        assert out.stderr == expected

    def test_standalone_with_code_is_a_usage_error(self) -> None:
        out = run_jh("gradient", "x*y", "--emit", "c", "--standalone")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == "error: --standalone makes a LaTeX document: use --emit latex, not --emit c\n"

    def test_standalone_in_a_batch_line_is_an_error_line(self) -> None:
        out = run_jh("batch", "-", stdin='gradient "x*y" --standalone\n')
        assert out.exit_code == 2
        error = "a batch line's output is JSON: drop '--standalone'"
        assert out.stdout == '{"line":1,"error":"' + error + '","exit_code":2}\n'


class TestPdflatexSafeText:
    def test_wide_matrix_is_an_array_in_the_same_brackets(self) -> None:
        """amsmath's bmatrix takes 10 columns; an 11-column matrix becomes \\left[ array \\right]."""
        row = sympy.Matrix([list(range(AMSMATH_MAX_COLUMNS + 1))])
        assert latex(row) == (
            "\\left[\\begin{array}{ccccccccccc}0 & 1 & 2 & 3 & 4 & 5 & 6 & 7 & 8 & 9 & 10\\end{array}\\right]"
        )
        assert latex(row[:, :10]).startswith("\\begin{bmatrix}0 & 1")
        assert matrix_env("a & b", 2, "vmatrix") == "\\begin{vmatrix}a & b\\end{vmatrix}"
        assert matrix_env("a", 11, "pmatrix") == "\\left(\\begin{array}{ccccccccccc}a\\end{array}\\right)"

    def test_greek_names_become_commands(self) -> None:
        alpha, big_gamma, big_alpha = sympy.symbols("α Γ Α")
        assert latex(alpha**2 + big_gamma) == "{\\Gamma} + {\\alpha}^{2}"
        assert latex(big_alpha) == "{A}"
        assert math_text_escape("λmax ≤ 0 for α") == "$\\lambda$max $\\le$ 0 for $\\alpha$"

    def test_text_font_characters_and_unknown_unicode(self) -> None:
        """< > | print as ¡ ¿ — in the OT1 text font: they go to math; other Unicode becomes '?'."""
        assert math_text_escape("g < 0 | d > 1") == "g $<$ 0 $|$ d $>$ 1"
        assert math_text_escape("x·y − 1 → €") == "x$\\cdot$y - 1 ? ?"
