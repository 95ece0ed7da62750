"""Vectors and matrices in jh expressions: ``--vars x:2`` / ``W:2x2``, ``--let``, ``@``, ``.T``,
elementwise functions with scalar broadcasting, shape errors, points with vector values, the size
limits for matrices, and the seed demos (the batch Jacobian of tanh(Wx + b) and the Hessian spectrum
of a 2-2-1 network) and exercises, checked against independent NumPy and SymPy computations.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pytest
import sympy

from jhcli.errors import LimitError, ParseError, ShapeError
from jhcli.parsing import (
    Binding,
    component_names,
    make_symbol,
    parse_declarations,
    parse_expression,
    parse_functions,
    parse_let,
    parse_point,
)
from tests.conftest import Outcome, run_jh

x, y = make_symbol("x"), make_symbol("y")
a, b, c = make_symbol("a"), make_symbol("b"), make_symbol("c")
x1, x2 = make_symbol("x_1"), make_symbol("x_2")

W_SEED = [[1.0, -0.7], [0.4, 0.9]]
B_SEED = [0.5, -0.3]
W_LET = "W=[[1,-0.7],[0.4,0.9]]"
B_LET = "b=[0.5,-0.3]"


def _caret(text: str, position: int) -> str:
    """The two excerpt lines jh prints under an error message (computed here, not copied)."""
    return f"  {text}\n  {' ' * position}^\n"


def _bindings(vars_text: str, *lets: str, decimals: str = "exact") -> tuple[list[str], dict[str, Binding]]:
    """Variable names and bindings as the API builds them: declared vectors first, then lets."""
    declared = parse_declarations(vars_text)
    names = [s.name for s in declared.symbols]
    bindings: dict[str, Binding] = dict(declared.shaped)
    for text in lets:
        name, binding = parse_let(text, bindings=bindings, variables=names, decimals=decimals)
        bindings[name] = binding
    return names, bindings


def _json(*args: str) -> dict[str, Any]:
    out = run_jh(*args, "-f", "json")
    assert (out.exit_code, out.stderr) == (0, ""), out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


# ---------------------------------------------------------------------------------------------
# --vars: shapes and component names


class TestDeclarations:
    def test_vector_components(self) -> None:
        """x:3 declares x_1, x_2, x_3 and binds x to the column of them."""
        d = parse_declarations("x:3")
        assert [s.name for s in d.symbols] == ["x_1", "x_2", "x_3"]
        assert d.shaped["x"].expr == sympy.Matrix(
            [make_symbol("x_1"), make_symbol("x_2"), make_symbol("x_3")]
        )
        assert d.shaped["x"].source == "--vars x:3"

    def test_matrix_components_are_row_major(self) -> None:
        """W:2x3 declares W_11 W_12 W_13 W_21 W_22 W_23, and W is the 2x3 matrix of them."""
        d = parse_declarations("W:2x3")
        names = ["W_11", "W_12", "W_13", "W_21", "W_22", "W_23"]
        assert [s.name for s in d.symbols] == names
        symbols = [make_symbol(n) for n in names]
        assert d.shaped["W"].expr == sympy.Matrix([symbols[:3], symbols[3:]])

    def test_the_network_declaration_mixes_shapes_and_scalars_in_order(self) -> None:
        """W1:2x2,b1:2,W2:1x2,b2,x:2 is 11 scalar variables in the order written."""
        d = parse_declarations("W1:2x2,b1:2,W2:1x2,b2,x:2")
        assert [s.name for s in d.symbols] == [
            "W1_11", "W1_12", "W1_21", "W1_22", "b1_1", "b1_2", "W2_11", "W2_12", "b2", "x_1", "x_2",
        ]  # fmt: skip
        assert all(s.is_real for s in d.symbols)
        assert sorted(d.shaped) == ["W1", "W2", "b1", "x"]  # b2 is a plain scalar
        assert d.shaped["W2"].expr.shape == (1, 2)
        assert d.shaped["b1"].expr.shape == (2, 1)

    def test_length_one_vector_is_its_scalar_component(self) -> None:
        """x:1 declares x_1, and x stands for the scalar x_1 (a 1x1 value is a scalar)."""
        d = parse_declarations("x:1")
        assert d.symbols == [x1]
        assert d.shaped["x"].expr == x1

    @pytest.mark.parametrize(
        ("name", "rows", "cols", "expected"),
        [
            ("x", 3, None, ["x_1", "x_2", "x_3"]),
            ("W", 2, 2, ["W_11", "W_12", "W_21", "W_22"]),
            ("W", 1, 10, [f"W_1_{j}" for j in range(1, 11)]),
            ("W", 10, 1, [f"W_{i}_1" for i in range(1, 11)]),
            ("M", 9, 9, [f"M_{i}{j}" for i in range(1, 10) for j in range(1, 10)]),
            ("v", 12, None, [f"v_{i}" for i in range(1, 13)]),
        ],
    )
    def test_component_names(self, name: str, rows: int, cols: int | None, expected: list[str]) -> None:
        """Row-major; with a dimension >= 10 the indices are separated (W_1_12), else joined (W_12)."""
        assert component_names(name, rows, cols) == expected

    def test_names_with_a_dimension_of_ten_are_unambiguous(self) -> None:
        """W:10x10 names W_1_1 ... W_10_10: joined indices would make W_111 ambiguous (1,11 or 11,1)."""
        d = parse_declarations("W:10x10")
        names = [s.name for s in d.symbols]
        assert len(set(names)) == 100
        assert names[:2] == ["W_1_1", "W_1_2"] and names[10] == "W_2_1" and names[-1] == "W_10_10"

    _SHAPE_RULE = "a shape is a length (x:3) or rows x columns (W:2x3), at least 1, without spaces"

    @pytest.mark.parametrize(
        ("text", "message", "position"),
        [
            ("x: 2", f"invalid shape ' 2': {_SHAPE_RULE}", 2),
            ("x:2 ", None, None),  # trailing space of the whole list is stripped: fine
            ("y, x:0", f"invalid shape '0': {_SHAPE_RULE}", 5),
            ("W:2x0", f"invalid shape '2x0': {_SHAPE_RULE}", 2),
            ("W:2 x 2", f"invalid shape '2 x 2': {_SHAPE_RULE}", 2),
            ("x:a", f"invalid shape 'a': {_SHAPE_RULE}", 2),
            ("x:", f"invalid shape '': {_SHAPE_RULE}", 2),
            ("x:2, x_1", "duplicate variable 'x_1'", 5),
            ("x_2, x:2", "duplicate variable 'x_2'", 5),
            ("x:2, x", "duplicate variable 'x'", 5),
            ("x, x:2", "duplicate variable 'x'", 3),
            ("2x:2", "invalid variable name '2x': a name is a letter, then letters, digits or '_'", 0),
        ],
    )
    def test_errors(self, text: str, message: str | None, position: int | None) -> None:
        """Bad shapes and clashing names are ParseErrors pointing at the shape or the name."""
        if message is None:
            assert [s.name for s in parse_declarations(text).symbols] == ["x_1", "x_2"]
            return
        with pytest.raises(ParseError) as info:
            parse_declarations(text)
        assert (info.value.message, info.value.position) == (message, position)

    def test_huge_shape_is_refused_before_anything_is_built(self) -> None:
        """x:100000x100000 (10**10 components) is a LimitError at once, not 10**10 symbols later."""
        start = time.perf_counter()
        with pytest.raises(LimitError) as info:
            parse_declarations("x:100000x100000")
        assert time.perf_counter() - start < 0.5
        assert info.value.message == (
            "too many variables: x:100000x100000 has 10000000000"
            " components (limit 2000; raise it with --limit variables=N)"
        )

    def test_shape_with_a_hundred_digits_is_refused_quickly(self) -> None:
        """A shape too large for any integer arithmetic shortcut is still just a LimitError."""
        start = time.perf_counter()
        with pytest.raises(LimitError, match=r"^too many variables: x:9{100} has 9{100} components"):
            parse_declarations("x:" + "9" * 100)
        assert time.perf_counter() - start < 0.5


# ---------------------------------------------------------------------------------------------
# Vector and matrix expressions


class TestValues:
    def test_list_is_a_column_and_nested_list_a_matrix_by_rows(self) -> None:
        """[a, b] is 2x1; [[1, 2], [3, 4]] has rows (1, 2) and (3, 4); [[x, y]] is a 1x2 row."""
        assert parse_expression("[x, y]") == sympy.Matrix([[x], [y]])
        assert parse_expression("[[1, 2], [3, 4]]") == sympy.Matrix([[1, 2], [3, 4]])
        assert parse_expression("[[x, y]]").shape == (1, 2)
        assert parse_expression("[[x], [y]]") == sympy.Matrix([[x], [y]])

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("[x]", x),
            ("[[x]]", x),
            ("[x, y].T @ [x, y]", x**2 + y**2),
            ("[[1, 2]] @ [3, 4]", sympy.Integer(11)),
            ("x @ y", x * y),
            ("transpose([[x]])", x),
            ("sum([x])", x),
        ],
    )
    def test_one_by_one_is_a_scalar(self, text: str, expected: sympy.Expr) -> None:
        """A 1x1 result is the scalar itself (not a Matrix), so it combines with anything."""
        value = parse_expression(text)
        assert not isinstance(value, sympy.MatrixBase)
        assert value == expected

    def test_transpose(self) -> None:
        """.T and transpose() swap rows and columns; a scalar is its own transpose."""
        m = sympy.Matrix([[1, 2], [3, 4]])
        assert parse_expression("[[1, 2], [3, 4]].T") == m.T
        assert parse_expression("transpose([[1, 2], [3, 4]])") == m.T
        assert parse_expression("[x, y].T") == sympy.Matrix([[x, y]])
        assert parse_expression("[x, y].T.T") == sympy.Matrix([x, y])
        assert parse_expression("x.T") == x

    def test_matrix_products(self) -> None:
        """@ multiplies as in linear algebra, including an outer product and a chain."""
        assert parse_expression("[[1, 2], [3, 4]] @ [[5, 6], [7, 8]]") == sympy.Matrix([[19, 22], [43, 50]])
        assert parse_expression("[x, y] @ [x, y].T") == sympy.Matrix([[x**2, x * y], [x * y, y**2]])
        assert parse_expression("[[1, 1]] @ [[1, 2], [3, 4]] @ [1, -1]") == sympy.Integer(-2)

    def test_at_and_star_share_precedence_left_to_right(self) -> None:
        """[[1,2],[3,4]] @ [1,1] * [x,y] is ([[1,2],[3,4]] @ [1,1]) * [x,y] = [3x, 7y], as in NumPy."""
        assert parse_expression("[[1, 2], [3, 4]] @ [1, 1] * [x, y]") == sympy.Matrix([3 * x, 7 * y])
        # and ([x, y] * 2) @ ([1, 1].T) is an outer product, not [x, y] * (2 @ [1, 1].T)
        assert parse_expression("[x, y] * 2 @ [1, 1].T") == sympy.Matrix([[2 * x, 2 * x], [2 * y, 2 * y]])
        # '@' binds tighter than '+'
        assert parse_expression("[1, 1].T @ [x, y] + 1") == x + y + 1

    def test_quadratic_form_expands_to_a_x1_squared_plus_2b_x1x2_plus_c_x2_squared(self) -> None:
        """x.T@A@x with A = [[a, b], [b, c]] is the scalar a*x1**2 + 2*b*x1*x2 + c*x2**2."""
        names, bindings = _bindings("x:2", "A=[[a, b], [b, c]]")
        value = parse_expression("x.T@A@x", variables=names, bindings=bindings)
        assert not isinstance(value, sympy.MatrixBase)
        assert sympy.expand(value - (a * x1**2 + 2 * b * x1 * x2 + c * x2**2)) == 0

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("sin([x, y])", [sympy.sin(x), sympy.sin(y)]),
            (
                "tanh([[1, 2], [3, 4]] @ [x, y] + [5, 6])",
                [sympy.tanh(x + 2 * y + 5), sympy.tanh(3 * x + 4 * y + 6)],
            ),
            ("exp([x, 0])", [sympy.exp(x), 1]),
            ("max([x, y], 0)", [sympy.Max(x, 0), sympy.Max(y, 0)]),
            ("min([x, y], [1, 2])", [sympy.Min(x, 1), sympy.Min(y, 2)]),
            ("atan2([x, y], 1)", [sympy.atan2(x, 1), sympy.atan2(y, 1)]),
            ("sigmoid([x, y])", [1 / (1 + sympy.exp(-x)), 1 / (1 + sympy.exp(-y))]),
            ("relu([x, -1])", [sympy.Max(0, x), 0]),
        ],
    )
    def test_functions_act_elementwise(self, text: str, expected: list[Any]) -> None:
        """Every function is applied entry by entry; a scalar argument goes with every entry."""
        assert parse_expression(text) == sympy.Matrix(expected)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2*[x, y] + 1", [2 * x + 1, 2 * y + 1]),
            ("[x, y] - x", [0, y - x]),
            ("1 - [x, y]", [1 - x, 1 - y]),
            ("[x, y] / 2", [x / 2, y / 2]),
            ("1 / [x, y]", [1 / x, 1 / y]),
            ("[x, y]**2", [x**2, y**2]),
            ("[x, y]²", [x**2, y**2]),
            ("2**[x, y]", [2**x, 2**y]),
            ("[x, 2]**[3, y]", [x**3, 2**y]),
            ("[x, y] * [y, x]", [x * y, x * y]),
            ("[x, y] / [y, x]", [x / y, y / x]),
            ("-[x, y]", [-x, -y]),
            ("[x, y] - [y, x]", [x - y, y - x]),
        ],
    )
    def test_arithmetic_is_elementwise_with_scalar_broadcasting(self, text: str, expected: list[Any]) -> None:
        """+ - * / ** act entry by entry; a scalar combines with every entry."""
        assert parse_expression(text) == sympy.Matrix(expected)

    def test_elementwise_on_matrices_keeps_the_shape(self) -> None:
        """A 2x2 matrix squared elementwise is not the matrix square."""
        assert parse_expression("[[1, 2], [3, 4]]**2") == sympy.Matrix([[1, 4], [9, 16]])
        assert parse_expression("[[1, 2], [3, 4]] @ [[1, 2], [3, 4]]") == sympy.Matrix([[7, 10], [15, 22]])

    def test_sum_and_trace(self) -> None:
        """sum adds every entry, trace the diagonal; both give a scalar."""
        assert parse_expression("sum([[1, 2], [3, x]])") == x + 6
        assert parse_expression("sum([x, y])") == x + y
        assert parse_expression("sum([x, y].T)") == x + y
        assert parse_expression("trace([[1, 2], [3, x]])") == x + 1
        assert parse_expression("trace([x, y] @ [x, y].T)") == x**2 + y**2

    def test_sum_and_trace_of_a_scalar_are_the_scalar(self) -> None:
        """sum(x) = trace(x) = x: a scalar is a 1x1 matrix (this once crashed with a TypeError)."""
        assert parse_expression("sum(x)") == x
        assert parse_expression("trace(x)") == x
        assert parse_expression("sum(3)") == 3
        assert parse_expression("trace(2*y)") == 2 * y

    def test_decimals_in_matrices_are_exact_unless_float(self) -> None:
        """0.1 inside a list is 1/10; with decimals='float' a 15-digit Float."""
        assert parse_expression("[0.1, 0.25]") == sympy.Matrix([sympy.Rational(1, 10), sympy.Rational(1, 4)])
        value = parse_expression("[0.1, 2]", decimals="float")
        assert isinstance(value[0], sympy.Float) and value[1] == 2 and value[1].is_Integer

    def test_vector_function_contributes_its_entries_as_components(self) -> None:
        """tanh(W@x + b) with x:2 gives two components, the rows of its Jacobian, in order."""
        names, bindings = _bindings("x:2", W_LET, B_LET)
        functions = parse_functions(["tanh(W@x + b), sum(x)"], variables=names, bindings=bindings)
        r = sympy.Rational
        assert functions == [
            sympy.tanh(x1 - r(7, 10) * x2 + r(1, 2)),
            sympy.tanh(r(2, 5) * x1 + r(9, 10) * x2 - r(3, 10)),
            x1 + x2,
        ]

    def test_matrix_function_contributes_its_entries_row_major(self) -> None:
        """A 2x2 value contributes 4 components, row by row."""
        assert parse_functions(["[x, y] @ [x, y].T"]) == [x**2, x * y, x * y, y**2]


class TestShapeErrors:
    _EQUAL = "elementwise operations need equal shapes"
    _AT = "; '@' is the matrix product"

    @pytest.mark.parametrize(
        ("text", "message", "position"),
        [
            ("[x,y] + [x,y].T", f"cannot add a 2x1 and a 1x2 matrix: {_EQUAL}", 6),
            ("[x,y] - [1,2,3]", f"cannot add a 2x1 and a 3x1 matrix: {_EQUAL}", 6),
            ("2 + [1,2] - [1,2,3]", f"cannot add a 2x1 and a 3x1 matrix: {_EQUAL}", 10),
            ("sin(x) * (y + [1,2] + [1,2].T)", f"cannot add a 2x1 and a 1x2 matrix: {_EQUAL}", 20),
            ("[x,y]*[x,y].T", f"cannot multiply a 2x1 and a 1x2 matrix: {_EQUAL}{_AT}", 5),
            ("[x,y]/[1,2,3]", f"cannot multiply a 2x1 and a 3x1 matrix: {_EQUAL}{_AT}", 5),
            ("[x,y]**[1,2,3]", f"cannot raise a 2x1 and a 3x1 matrix: {_EQUAL}", 5),
            ("y + atan2([x,y],[1,2,3])", f"cannot apply atan2 to a 2x1 and a 3x1 matrix: {_EQUAL}", 4),
            (
                "[x,y]@[x,y]",
                "matrix product of a 2x1 and a 2x1 matrix: the left has 1 column, the right 2 rows",
                5,
            ),
            (
                "x + [[1,2],[3,4]]@[1,2,3]",
                "matrix product of a 2x2 and a 3x1 matrix: the left has 2 columns, the right 3 rows",
                17,
            ),
            (
                "x@[1,2]",
                "matrix product of a 1x1 and a 2x1 matrix: the left has 1 column, the right 2 rows "
                "(declare a vector or matrix variable with --vars, e.g. x:2 or W:2x2)",
                1,
            ),
            ("trace([1,2])", "trace needs a square matrix, not a 2x1 one", 0),
            ("x + trace([[1,2,3],[4,5,6]])", "trace needs a square matrix, not a 2x3 one", 4),
            ("[[1,2],[3]]", "the rows of a matrix must have one length, found rows of length 2, 1", 0),
            ("[[1,2],[3,4,5]]", "the rows of a matrix must have one length, found rows of length 2, 3", 0),
            ("x*[[1,2],[[3,4],[5,6]]]", "a row of a matrix must be a list of numbers, not a 2x2 matrix", 2),
        ],
    )
    def test_message_names_both_shapes_and_points_at_the_operation(
        self, text: str, message: str, position: int
    ) -> None:
        """Unequal shapes are a ShapeError (exit 2) naming both shapes, with the caret on the spot."""
        with pytest.raises(ShapeError) as info:
            parse_expression(text)
        assert (info.value.message, info.value.position, info.value.text) == (message, position, text)
        assert info.value.exit_code == 2

    @pytest.mark.parametrize(
        ("text", "message", "position"),
        [
            ("[x,y][0]", "subscripts are not allowed", 5),
            ("[x,y].shape", "attribute access is not allowed; the only attribute is .T, the transpose", 5),
            ("[x,]", "empty entry in a list: write a value between the brackets and commas", 3),
            ("[]", "empty entry in a list: write a value between the brackets and commas", 1),
            ("sum([x,y], 1)", "function 'sum' takes 1 argument but 2 were given", 0),
            ("transpose()", "function 'transpose' takes 1 argument but 0 were given", 0),
        ],
    )
    def test_other_list_errors(self, text: str, message: str, position: int) -> None:
        """Indexing, attributes other than .T and empty entries are plain ParseErrors."""
        with pytest.raises(ParseError) as info:
            parse_expression(text)
        assert not isinstance(info.value, ShapeError)
        assert (info.value.message, info.value.position) == (message, position)

    def test_division_by_a_zero_entry_is_undefined(self) -> None:
        """1/[x, 0] has an undefined entry: refused like 1/0, not silently zoo."""
        with pytest.raises(ParseError) as info:
            parse_expression("1/[x, 0]")
        assert (info.value.message, info.value.position) == (
            "'1/[x, 0]' is undefined (not a finite number)",
            0,
        )


# ---------------------------------------------------------------------------------------------
# --let


class TestLet:
    def test_matrix_value_with_exact_decimals(self) -> None:
        """W=[[1,-0.7],[0.4,0.9]] binds the exact matrix [[1, -7/10], [2/5, 9/10]]."""
        name, binding = parse_let(W_LET, bindings={})
        r = sympy.Rational
        assert name == "W"
        assert binding.expr == sympy.Matrix([[1, r(-7, 10)], [r(2, 5), r(9, 10)]])
        assert binding.source == "--let W"

    def test_float_decimals(self) -> None:
        """With decimals='float' the decimals are Floats equal to the binary double."""
        _, binding = parse_let(W_LET, bindings={}, decimals="float")
        assert isinstance(binding.expr[0, 1], sympy.Float)
        assert float(binding.expr[0, 1]) == -0.7 and float(binding.expr[1, 0]) == 0.4

    def test_number_expression_and_one_by_one(self) -> None:
        """A number, an expression and a 1x1 list (a scalar) can all be bound."""
        assert parse_let("k=2/3", bindings={})[1].expr == sympy.Rational(2, 3)
        assert parse_let("k = a*b + 1", bindings={})[1].expr == a * b + 1
        assert parse_let("k=[[a]]", bindings={})[1].expr == a

    def test_later_lets_use_earlier_ones_and_declared_vectors(self) -> None:
        """--let W=... --let z=tanh(W@x) with x:2: z is the vector of the composed entries."""
        names, bindings = _bindings("x:2", "W=[[1, 2], [3, 4]]", "z=tanh(W@x)", "s=sum(z)")
        assert bindings["z"].expr == sympy.Matrix([sympy.tanh(x1 + 2 * x2), sympy.tanh(3 * x1 + 4 * x2)])
        assert bindings["s"].expr == sympy.tanh(x1 + 2 * x2) + sympy.tanh(3 * x1 + 4 * x2)
        assert parse_expression("s", variables=names, bindings=bindings) == bindings["s"].expr

    def test_nested_let_of_symbolic_matrix(self) -> None:
        """A=[[a,b],[b,c]], B=A@A: B is the symbolic square."""
        bindings: dict[str, Binding] = {}
        for text in ("A=[[a, b], [b, c]]", "B=A@A"):
            name, binding = parse_let(text, bindings=bindings)
            bindings[name] = binding
        A = sympy.Matrix([[a, b], [b, c]])
        assert bindings["B"].expr == A * A

    _RULE = '--let takes NAME=VALUE, e.g. --let "W=[[1, 2], [3, 4]]"'

    @pytest.mark.parametrize(
        ("text", "message", "position"),
        [
            ("sin=2", "--let cannot rebind 'sin': it is a function", 0),
            ("  tanh = [1, 2]", "--let cannot rebind 'tanh': it is a function", 2),
            ("pi=3", "--let cannot rebind 'pi': it is a constant", 0),
            ("e=2", "--let cannot rebind 'e': it is a constant", 0),
            ("x_1=2", "--let cannot bind 'x_1': it is a declared variable", 0),
            ("y=2", "--let cannot bind 'y': it is a declared variable", 0),
            ("x=[1, 2]", "--let cannot bind 'x': it is already bound (--vars x:2)", 0),
            ("W=1", "--let cannot bind 'W': it is already bound (--let W)", 0),
            ("W", _RULE, 1),
            ("V = ", "missing value after 'V='", 4),
            ("V=", "missing value after 'V='", 2),
            ("=2", "invalid name '': a name is a letter, then letters, digits or '_'", 0),
            ("2V=2", "invalid name '2V': a name is a letter, then letters, digits or '_'", 0),
            ("V=[1, 2", "unbalanced bracket: '[' is never closed", 2),
            (
                "V=[1, 2] + [1, 2, 3]",
                "cannot add a 2x1 and a 3x1 matrix: elementwise operations need equal shapes",
                9,
            ),
            (
                "V=W@[1, 2, 3]",
                "matrix product of a 2x2 and a 3x1 matrix: the left has 2 columns, the right 3 rows",
                3,
            ),
        ],
    )
    def test_errors(self, text: str, message: str, position: int) -> None:
        """Rebinding, a missing '=', an empty or bad value: ParseErrors with the caret on the spot."""
        _, bindings = _bindings("x:2, y", W_LET)
        with pytest.raises(ParseError) as info:
            parse_let(text, bindings=bindings, variables=["x_1", "x_2", "y"])
        assert (info.value.message, info.value.position) == (message, position)


# ---------------------------------------------------------------------------------------------
# Points with vector and matrix values


NET_VARS = "W1:2x2,b1:2,W2:1x2,b2,x:2"
NET_NAMES = ["W1_11", "W1_12", "W1_21", "W1_22", "b1_1", "b1_2", "W2_11", "W2_12", "b2", "x_1", "x_2"]
NET_AT = "W1=[[0.5,-0.3],[0.8,0.2]], b1=[0.1,-0.4], W2=[[1.5,-0.7]], b2=0.2, x=[1,0.5]"
NET_VALUES = [0.5, -0.3, 0.8, 0.2, 0.1, -0.4, 1.5, -0.7, 0.2, 1.0, 0.5]


class TestPoints:
    def _net(self) -> tuple[list[sympy.Symbol], dict[str, Binding]]:
        d = parse_declarations(NET_VARS)
        return d.symbols, d.shaped

    def _expected(self) -> dict[str, sympy.Rational]:
        return {n: sympy.Rational(str(v)) for n, v in zip(NET_NAMES, NET_VALUES, strict=True)}

    @pytest.mark.parametrize(
        "text",
        [
            NET_AT,
            # any order, a row vector given as a list, a matrix as a transposed matrix
            "x=[1,0.5], b2=0.2, W2=[1.5,-0.7], b1=[[0.1,-0.4]], W1=[[0.5,0.8],[-0.3,0.2]].T",
            # components by name
            "W1_11=0.5, W1_12=-0.3, W1_21=0.8, W1_22=0.2, b1_1=0.1, b1_2=-0.4, W2_11=1.5, W2_12=-0.7,"
            " b2=0.2, x_1=1, x_2=0.5",
            # a mix of vector values and components
            "W1=[[0.5,-0.3],[0.8,0.2]], b1_2=-0.4, b1_1=1/10, W2=[[3/2,-7/10]], b2=1/5, x=[1,1/2]",
            # all values positionally, in variable order
            "0.5, -0.3, 0.8, 0.2, 0.1, -0.4, 1.5, -0.7, 0.2, 1, 0.5",
        ],
    )
    def test_the_same_point_written_five_ways(self, text: str) -> None:
        """Vector/matrix values, components by name or positional values all give the same exact point."""
        symbols, shaped = self._net()
        point = parse_point(text, symbols, shaped)
        assert list(point) == symbols
        assert {s.name: v for s, v in point.items()} == self._expected()

    @pytest.mark.parametrize(
        ("vars_text", "text", "error", "message", "position"),
        [
            ("x:2", "x=[1,2,3]", ShapeError, "x is 2x1 but the point gives a 3x1 value", 2),
            ("x:2", "x=1", ShapeError, "x is 2x1 but the point gives a 1x1 value", 2),
            ("W:2x2", "W=[1,2,3,4]", ShapeError, "W is 2x2 but the point gives a 4x1 value", 2),
            ("W:2x2", "W=[[1,2,3],[4,5,6]]", ShapeError, "W is 2x2 but the point gives a 2x3 value", 2),
            ("c, W:2x2", "c=1, W=[[1,2]]", ShapeError, "W is 2x2 but the point gives a 1x2 value", 7),
            ("x:2", "x=[1,2], x_1=3", ParseError, "variable 'x_1' is given twice", 9),
            ("x:2", "x_1=1", ParseError, "point has no value for x_2", 5),
            ("x:2", "x=[1, 1/0]", ParseError, "point value '1/0' is undefined (not a finite number)", 6),
            (
                "x:2",
                "x=[1, y]",
                ParseError,
                "a point value must be a constant, but it contains the name 'y'",
                6,
            ),
            ("x:2", "x=[1, sqrt(-1)]", ParseError, "point value '[1, sqrt(-1)]' is not a real number", 2),
            ("x:2", "y=[1, 2]", ParseError, "unknown variable 'y' in point; the variables are x_1, x_2", 0),
            (
                "x:2, c",
                "1, 2",
                ParseError,
                "point has 2 coordinates but there are 3 variables (x_1, x_2, c)",
                4,
            ),
        ],
    )
    def test_errors(self, vars_text: str, text: str, error: type, message: str, position: int) -> None:
        """A value of the wrong shape is a ShapeError naming both shapes; the usual point errors stay."""
        d = parse_declarations(vars_text)
        with pytest.raises(ParseError) as info:
            parse_point(text, d.symbols, d.shaped)
        assert type(info.value) is error
        assert (info.value.message, info.value.position) == (message, position)

    def test_scalar_variable_given_a_vector_value_is_a_shape_error(self) -> None:
        """c is a scalar: c=[1, 2] must be refused, not stored as a Matrix value of c."""
        d = parse_declarations("x:2, c")
        with pytest.raises(ShapeError):
            parse_point("x=[1, 2], c=[1, 2]", d.symbols, d.shaped)


# ---------------------------------------------------------------------------------------------
# Size limits hold for matrices


class TestLimits:
    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                "[[9**999]]" + "@[[9**999]]" * 20,
                "number too large: [[9**999]]@[[9**999]]@[[9**999]]@[[9*... would have about 4766 digits"
                ""
                " (limit 4000; raise it with --limit digits=N)",
            ),
            (
                "[9**3000, 1] * [9**3000, 1]",
                "number too large: [9**3000, 1] * [9**3000, 1] would have about 5725 digits"
                " (limit 4000; raise it with --limit digits=N)",
            ),
            (
                "[9**3000, 1] ** 2",
                "number too large: [9**3000, 1] ** 2 would have about 5725 digits"
                " (limit 4000; raise it with --limit digits=N)",
            ),
            (
                "[9**3000, 1]²",
                "number too large: [9**3000, 1]² would have about 5725 digits"
                " (limit 4000; raise it with --limit digits=N)",
            ),
            (
                "[[9**3000, 1]] @ [9**3000, 1]",
                "number too large: [[9**3000, 1]] @ [9**3000, 1] would have about 5726 digits"
                " (limit 4000; raise it with --limit digits=N)",
            ),
            (
                "exp([9**9, 1])",
                "number too large: exp([9**9, 1]) would have about 168256719 digits"
                " (limit 4000; raise it with --limit digits=N)",
            ),
            (
                "[x**9000, 1] * [x**9000, 1]",
                "exponent too large: [x**9000, 1] * [x**9000, 1] raises an expression with variables to the"
                " power 18000 (limit 10000; raise it with --limit exponent=N)",
            ),
        ],
    )
    def test_number_bombs_in_matrices_are_refused_before_building(self, text: str, message: str) -> None:
        """Products, powers and functions of matrix entries are estimated like scalars and refused fast."""
        start = time.perf_counter()
        with pytest.raises(LimitError) as info:
            parse_expression(text)
        assert time.perf_counter() - start < 1.0
        assert info.value.message == message

    def test_digit_estimate_is_not_fooled_by_a_chain_of_products(self) -> None:
        """Each 9**999 has 954 digits; four of them multiplied (3813) pass, five (4766) do not."""
        four = parse_expression("[[9**999]]" + "@[[9**999]]" * 3)
        assert four == sympy.Integer(9) ** 3996
        with pytest.raises(LimitError):
            parse_expression("[[9**999]]" + "@[[9**999]]" * 4)

    def test_a_product_just_under_the_digit_limit_is_built_exactly(self) -> None:
        """9**2000 has 1909 digits, its square 3817 (< 4000): allowed, entry by entry, and exact."""
        value = parse_expression("[9**2000, 1] * [9**2000, 1]")
        assert value == sympy.Matrix([sympy.Integer(9) ** 4000, 1])
        assert len(str(value[0])) == 3817

    def test_outer_product_beyond_the_entry_limit(self) -> None:
        """x:101 @ x.T would have 10,201 entries: refused before any entry is built."""
        names, bindings = _bindings("x:101")
        start = time.perf_counter()
        with pytest.raises(LimitError) as info:
            parse_expression("x@x.T", variables=names, bindings=bindings)
        assert time.perf_counter() - start < 1.0
        assert (
            info.value.message
            == "matrix too large: 101x101 entries (limit 10000; raise it with --limit entries=N)"
        )

    def test_huge_vars_shape_on_the_command_line(self) -> None:
        """jh hessian --vars x:100000x100000 exits 3 at once with the limit in the message."""
        start = time.perf_counter()
        out = run_jh("hessian", "sum(x)", "--vars", "x:100000x100000")
        assert time.perf_counter() - start < 2.0
        assert (out.exit_code, out.stdout) == (3, "")
        assert out.stderr == (
            "error: too many variables: x:100000x100000 has 10000000000"
            " components (limit 2000; raise it with --limit variables=N)\n"
        )

    def test_slow_matrix_parse_respects_the_timeout(self) -> None:
        """With --timeout 1 a request that builds 90,000 symbolic entries ends (exit 3) within seconds."""
        command = [
            sys.executable,
            "-m",
            "jhcli",
            "gradient",
            "sum(x@x.T)",
            "--vars",
            "x:300",
            "--timeout",
            "1",
        ]
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=8)
        except subprocess.TimeoutExpired:
            pytest.fail("still running after 8 s with --timeout 1")
        assert out.returncode == 3

    def test_vars_beyond_the_variable_limit_are_refused_quickly(self) -> None:
        """x:100000 is within the parser's shape limit but far beyond the 2000 variables a command takes."""
        command = [sys.executable, "-m", "jhcli", "gradient", "x_1", "--vars", "x:100000", "--timeout", "1"]
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=4)
        except subprocess.TimeoutExpired:
            pytest.fail("still running after 4 s")
        assert out.returncode == 3


# ---------------------------------------------------------------------------------------------
# Seed demo 1: the batch Jacobian of tanh(W x + b)


def _tanh_layer_jacobian(W: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """d tanh(W x + b) / dx = diag(1 - tanh(z)**2) @ W with z = W x + b."""
    z = W @ x + b
    return np.diag(1.0 - np.tanh(z) ** 2) @ W


class TestSeedBatchJacobian:
    POINTS = [(1.2, -0.8), (0.3, 2.0)]

    def test_numeric_values_match_numpy(self) -> None:
        """Both points of the seed, written as a vector value and positionally, agree with NumPy to 1e-12."""
        data = _json(
            "jacobian", "tanh(W@x + b)", "--vars", "x:2", "--let", W_LET, "--let", B_LET,
            "--at", "x=[1.2,-0.8]", "--at", "0.3,2.0",
        )  # fmt: skip
        assert data["variables"] == ["x_1", "x_2"]
        assert len(data["functions"]) == 2 and len(data["points"]) == 2
        W, bvec = np.array(W_SEED), np.array(B_SEED)
        for point, (p, q) in zip(data["points"], self.POINTS, strict=True):
            expected = _tanh_layer_jacobian(W, bvec, np.array([p, q]))
            assert np.allclose(np.array(point["numeric"]), expected, rtol=0, atol=1e-12)
            assert {k: sympy.Rational(v) for k, v in point["at"].items()} == {
                "x_1": sympy.Rational(str(p)),
                "x_2": sympy.Rational(str(q)),
            }

    def test_symbolic_matrix_is_the_chain_rule(self) -> None:
        """The symbolic Jacobian equals diag(1 - tanh(z)**2) W with the exact W, b (checked by SymPy)."""
        data = _json("jacobian", "tanh(W@x + b)", "--vars", "x:2", "--let", W_LET, "--let", B_LET)
        r = sympy.Rational
        W = sympy.Matrix([[1, r(-7, 10)], [r(2, 5), r(9, 10)]])
        z = W * sympy.Matrix([x1, x2]) + sympy.Matrix([r(1, 2), r(-3, 10)])
        expected = sympy.diag(*[1 - sympy.tanh(zi) ** 2 for zi in z]) * W
        got = sympy.Matrix([[parse_expression(e) for e in row] for row in data["matrix"]])
        assert (got - expected).applyfunc(lambda e: sympy.simplify(e.rewrite(sympy.exp))) == sympy.zeros(2, 2)

    def test_let_values_are_reported_in_jh_syntax_and_parse_back(self) -> None:
        """The JSON 'let' object holds the exact bound values as jh text."""
        data = _json("jacobian", "tanh(W@x + b)", "--vars", "x:2", "--let", W_LET, "--let", B_LET)
        assert list(data["let"]) == ["W", "b"]
        r = sympy.Rational
        assert parse_expression(data["let"]["W"]) == sympy.Matrix([[1, r(-7, 10)], [r(2, 5), r(9, 10)]])
        assert parse_expression(data["let"]["b"]) == sympy.Matrix([r(1, 2), r(-3, 10)])

    def test_components_by_name_give_the_same_values(self) -> None:
        """--at x_1=1.2,x_2=-0.8 is the same point as x=[1.2,-0.8]."""
        data = _json(
            "jacobian",
            "tanh(W@x + b)",
            "--vars",
            "x:2",
            "--let",
            W_LET,
            "--let",
            B_LET,
            "--at",
            "x_2=-0.8,x_1=1.2",
        )
        expected = _tanh_layer_jacobian(np.array(W_SEED), np.array(B_SEED), np.array([1.2, -0.8]))
        assert np.allclose(np.array(data["points"][0]["numeric"]), expected, rtol=0, atol=1e-12)

    def test_float_mode_gives_the_same_numbers(self) -> None:
        """--float reads 0.7 as a double: the numeric Jacobian still matches NumPy to 1e-12."""
        data = _json(
            "jacobian", "tanh(W@x + b)", "--vars", "x:2", "--let", W_LET, "--let", B_LET,
            "--at", "x=[0.3,2.0]", "--float",
        )  # fmt: skip
        expected = _tanh_layer_jacobian(np.array(W_SEED), np.array(B_SEED), np.array([0.3, 2.0]))
        assert np.allclose(np.array(data["points"][0]["numeric"]), expected, rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Seed demo 2: the Hessian spectrum of the 2-2-1 network


def _net(theta: np.ndarray) -> float:
    """W2 @ tanh(W1 @ x + b1) + b2 with the 11 parameters in --vars order."""
    W1, b1, W2, b2, xv = theta[:4].reshape(2, 2), theta[4:6], theta[6:8], theta[8], theta[9:11]
    return float(W2 @ np.tanh(W1 @ xv + b1) + b2)


def _net_hessian(theta: np.ndarray) -> np.ndarray:
    """The Hessian of the net by the chain rule, written out by hand.

    f = sum_i v_i tanh(z_i) + c with z_i = sum_j W_ij x_j + b_i. With s_i = 1 - tanh(z_i)**2 and
    tanh'' = -2 tanh s, for parameters p, q:
    d2f/dp dq = sum_i [ s_i (dv_i/dp dz_i/dq + dv_i/dq dz_i/dp) + v_i tanh''(z_i) dz_i/dp dz_i/dq
                        + v_i s_i d2z_i/dp dq ],
    where the only second derivatives of z_i are d2z_i / dW_ij dx_j = 1.
    """
    W, bv, v, xv = theta[:4].reshape(2, 2), theta[4:6], theta[6:8], theta[9:11]
    z = W @ xv + bv
    t = np.tanh(z)
    s = 1 - t**2
    s2 = -2 * t * s
    H = np.zeros((11, 11))
    for i in range(2):
        dz = np.zeros(11)
        dz[2 * i : 2 * i + 2] = xv  # dz_i/dW_ij = x_j
        dz[4 + i] = 1.0  # dz_i/db_i
        dz[9:11] = W[i]  # dz_i/dx_j = W_ij
        dv = np.zeros(11)
        dv[6 + i] = 1.0
        d2z = np.zeros((11, 11))
        for j in range(2):
            d2z[2 * i + j, 9 + j] = d2z[9 + j, 2 * i + j] = 1.0
        H += (
            s[i] * (np.outer(dv, dz) + np.outer(dz, dv)) + v[i] * s2[i] * np.outer(dz, dz) + v[i] * s[i] * d2z
        )
    return H


def _central_difference_hessian(f: Any, theta: np.ndarray, h: float = 1e-4) -> np.ndarray:
    n = len(theta)
    H = np.zeros((n, n))
    for p in range(n):
        for q in range(n):
            e_p, e_q = np.eye(n)[p] * h, np.eye(n)[q] * h
            H[p, q] = (
                f(theta + e_p + e_q) - f(theta + e_p - e_q) - f(theta - e_p + e_q) + f(theta - e_p - e_q)
            ) / (4 * h * h)
    return H


@pytest.fixture(scope="module")
def net_hessian() -> dict[str, Any]:
    """One run of the ~8 s command for the whole module."""
    out = run_jh(
        "hessian", "W2@tanh(W1@x + b1) + b2", "--vars", NET_VARS, "--at", NET_AT, "--eig", "-f", "json"
    )
    assert (out.exit_code, out.stderr) == (0, ""), out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


class TestSeedNetworkHessian:
    THETA = np.array(NET_VALUES)

    def test_reference_hessian_agrees_with_finite_differences(self) -> None:
        """The hand-written chain rule (the reference below) agrees with central differences to 1e-6."""
        assert np.allclose(
            _net_hessian(self.THETA), _central_difference_hessian(_net, self.THETA), rtol=0, atol=1e-6
        )

    def test_variables_and_function(self, net_hessian: dict[str, Any]) -> None:
        """11 component variables in --vars order; the function is the expanded network."""
        assert net_hessian["variables"] == NET_NAMES
        (function,) = net_hessian["functions"]
        symbols = [make_symbol(n) for n in NET_NAMES]
        W11, W12, W21, W22, b11, b12, v1, v2, c0, xa, xb = symbols
        expected = (
            v1 * sympy.tanh(W11 * xa + W12 * xb + b11) + v2 * sympy.tanh(W21 * xa + W22 * xb + b12) + c0
        )
        assert sympy.expand(parse_expression(function) - expected) == 0

    def test_numeric_hessian_matches_numpy(self, net_hessian: dict[str, Any]) -> None:
        """Every entry of the 11x11 numeric Hessian agrees with the chain-rule reference to 1e-12."""
        (point,) = net_hessian["points"]
        got = np.array(point["numeric"], dtype=float)
        assert got.shape == (11, 11)
        assert np.allclose(got, _net_hessian(self.THETA), rtol=0, atol=1e-12)
        assert np.allclose(got, _central_difference_hessian(_net, self.THETA), rtol=0, atol=1e-6)

    def test_point_is_exact(self, net_hessian: dict[str, Any]) -> None:
        """The point's coordinates are the exact decimals given (0.5 -> 1/2, -0.3 -> -3/10)."""
        (point,) = net_hessian["points"]
        assert list(point["at"]) == NET_NAMES
        assert {k: sympy.Rational(v) for k, v in point["at"].items()} == {
            n: sympy.Rational(str(v)) for n, v in zip(NET_NAMES, NET_VALUES, strict=True)
        }

    def test_b2_row_and_column_are_exactly_zero(self, net_hessian: dict[str, Any]) -> None:
        """The output bias enters linearly: its row and column are exactly 0 (symbolic and at the point)."""
        k = NET_NAMES.index("b2")
        matrix = net_hessian["matrix"]
        (point,) = net_hessian["points"]
        for i in range(11):
            assert matrix[k][i] == matrix[i][k] == "0"
            assert point["value"][k][i] == point["value"][i][k] == "0"
            assert point["numeric"][k][i] == point["numeric"][i][k] == 0.0

    def test_symbolic_matrix_is_sympys_hessian(self, net_hessian: dict[str, Any]) -> None:
        """A few symbolic entries parsed back equal SymPy's own second derivatives of the net."""
        symbols = [make_symbol(n) for n in NET_NAMES]
        W11, W12, W21, W22, b11, b12, v1, v2, c0, xa, xb = symbols
        f = v1 * sympy.tanh(W11 * xa + W12 * xb + b11) + v2 * sympy.tanh(W21 * xa + W22 * xb + b12) + c0
        for i, j in [(0, 0), (0, 9), (4, 6), (9, 10), (6, 7), (3, 10)]:
            expected = sympy.diff(f, symbols[i], symbols[j])
            got = parse_expression(net_hessian["matrix"][i][j])
            assert sympy.simplify((got - expected).rewrite(sympy.exp)) == 0, (i, j)

    def test_eigenvalues_match_numpy(self, net_hessian: dict[str, Any]) -> None:
        """The eigenvalues, expanded by multiplicity, are numpy.linalg.eigvalsh of the reference (1e-8)."""
        (point,) = net_hessian["points"]
        eigenvalues = point["eigenvalues"]
        assert all(set(e) >= {"exact", "numeric", "multiplicity"} for e in eigenvalues)
        assert all(isinstance(e["multiplicity"], int) and e["multiplicity"] >= 1 for e in eigenvalues)
        assert sum(e["multiplicity"] for e in eigenvalues) == 11
        expanded = sorted(e["numeric"] for e in eigenvalues for _ in range(e["multiplicity"]))
        reference = np.linalg.eigvalsh(_net_hessian(self.THETA))
        assert np.allclose(expanded, np.sort(reference), rtol=0, atol=1e-8)

    def test_zero_eigenvalue_is_exact_with_its_multiplicity(self, net_hessian: dict[str, Any]) -> None:
        """The null space dimension (11 - rank, by NumPy with a tolerance) is reported as an exact 0."""
        reference = _net_hessian(self.THETA)
        nullity = 11 - int(np.linalg.matrix_rank(reference, tol=1e-9))
        assert nullity >= 1  # at least the b2 direction
        (point,) = net_hessian["points"]
        zeros = [e for e in point["eigenvalues"] if e["exact"] == "0"]
        assert len(zeros) == 1
        assert zeros[0]["multiplicity"] == nullity
        assert zeros[0]["numeric"] == 0.0
        # and no other reported eigenvalue is (numerically) zero
        others = [e["numeric"] for e in point["eigenvalues"] if e["exact"] != "0"]
        assert min(abs(v) for v in others) > 1e-6

    def test_indefinite_with_mixed_signs(self, net_hessian: dict[str, Any]) -> None:
        """The spectrum has both signs (a saddle in parameter space), as NumPy's counts say."""
        reference = np.linalg.eigvalsh(_net_hessian(self.THETA))
        (point,) = net_hessian["points"]
        positive = sum(e["multiplicity"] for e in point["eigenvalues"] if e["numeric"] > 1e-9)
        negative = sum(e["multiplicity"] for e in point["eigenvalues"] if e["numeric"] < -1e-9)
        assert (positive, negative) == (int((reference > 1e-9).sum()), int((reference < -1e-9).sum()))
        assert positive > 0 and negative > 0


# ---------------------------------------------------------------------------------------------
# Exercise 1: the chain rule for tanh(a x + b y)


class TestExerciseChainRule:
    def test_symbolic_jacobian_is_a_and_b_times_sech_squared(self) -> None:
        """J = [a(1 - tanh²), b(1 - tanh²)], the same as SymPy's own diff; a and b stay parameters."""
        data = _json("jacobian", "tanh(a*x + b*y)", "--vars", "x,y")
        assert data["variables"] == ["x", "y"]
        (row,) = data["matrix"]
        got = [parse_expression(entry) for entry in row]
        f = sympy.tanh(a * x + b * y)
        t = sympy.tanh(a * x + b * y)
        for entry, var, coefficient in zip(got, (x, y), (a, b), strict=True):
            assert sympy.simplify(entry - sympy.diff(f, var)) == 0
            assert sympy.expand(entry - coefficient * (1 - t**2)) == 0

    @pytest.mark.parametrize("points", [["0,0", "1.5,-2", "x=-0.4,y=0.9", "2/3,1/7"]])
    def test_numeric_confirmation_with_jh_check(self, points: list[str]) -> None:
        """jh check agrees with finite differences at several points, and its values are a, b sech²."""
        args = ["check", "tanh(a*x + b*y)", "--vars", "x,y", "--let", "a=0.7", "--let", "b=-1.3"]
        for p in points:
            args += ["--at", p]
        out = run_jh(*args, "-f", "json")
        assert (out.exit_code, out.stderr) == (0, "")
        data = json.loads(out.stdout)
        assert data["let"] == {"a": "7/10", "b": "-13/10"}
        assert data["variables"] == ["x", "y"]
        coordinates = [(0.0, 0.0), (1.5, -2.0), (-0.4, 0.9), (2 / 3, 1 / 7)]
        assert len(data["points"]) == len(coordinates)
        for point, (px, py) in zip(data["points"], coordinates, strict=True):
            assert point["check"]["agree"] is True
            assert all(e["agree"] is True for row in point["check"]["entries"] for e in row)
            sech2 = 1 - math.tanh(0.7 * px - 1.3 * py) ** 2
            assert point["numeric"][0] == pytest.approx([0.7 * sech2, -1.3 * sech2], rel=1e-12, abs=1e-15)


# ---------------------------------------------------------------------------------------------
# Exercise 2: the Hessian of a quadratic form


class TestExerciseQuadraticForm:
    def test_symbolic_symmetric_a(self) -> None:
        """H(x.T A x) = 2A for A = [[a, b], [b, c]]: [[2a, 2b], [2b, 2c]] exactly."""
        data = _json("hessian", "x.T@A@x", "--vars", "x:2", "--let", "A=[[a,b],[b,c]]")
        assert data["variables"] == ["x_1", "x_2"]
        assert data["let"] == {"A": "[[a, b], [b, c]]"}
        got = sympy.Matrix([[parse_expression(e) for e in row] for row in data["matrix"]])
        assert got == sympy.Matrix([[2 * a, 2 * b], [2 * b, 2 * c]])

    def test_numeric_symmetric_a(self) -> None:
        """A = [[2, -1], [-1, 3]]: H = 2A = [[4, -2], [-2, 6]] everywhere."""
        data = _json(
            "hessian", "x.T@A@x", "--vars", "x:2", "--let", "A=[[2,-1],[-1,3]]", "--at", "x=[0.3,-7]"
        )
        assert data["matrix"] == [["4", "-2"], ["-2", "6"]]
        assert data["points"][0]["numeric"] == [[4.0, -2.0], [-2.0, 6.0]]

    def test_non_symmetric_a_gives_a_plus_a_transpose(self) -> None:
        """A = [[1, 2], [3, 4]] (not symmetric): H = A + A.T = [[2, 5], [5, 8]]."""
        A = np.array([[1, 2], [3, 4]])
        data = _json("hessian", "x.T@A@x", "--vars", "x:2", "--let", "A=[[1,2],[3,4]]")
        assert data["matrix"] == [[str(v) for v in row] for row in (A + A.T).tolist()]

    def test_symbolic_non_symmetric_a(self) -> None:
        """A = [[a, b], [c, d]] gives [[2a, b + c], [b + c, 2d]]."""
        d = make_symbol("d")
        data = _json("hessian", "x.T@A@x", "--vars", "x:2", "--let", "A=[[a,b],[c,d]]")
        got = sympy.Matrix([[parse_expression(e) for e in row] for row in data["matrix"]])
        assert got == sympy.Matrix([[2 * a, b + c], [b + c, 2 * d]])

    def test_three_dimensional_quadratic_form_matches_numpy(self) -> None:
        """x:3 with a random-looking integer A: H = A + A.T (NumPy)."""
        A = np.array([[2, -1, 4], [0, 3, 5], [-7, 1, 1]])
        let = "A=" + json.dumps(A.tolist())
        data = _json("hessian", "x.T @ A @ x", "--vars", "x:3", "--let", let)
        got = np.array([[float(parse_expression(e)) for e in row] for row in data["matrix"]])
        assert np.array_equal(got, A + A.T)


# ---------------------------------------------------------------------------------------------
# The command line: parameters, exit codes, stderr


class TestCli:
    def test_let_symbols_are_parameters_not_variables(self) -> None:
        """With --let k=a*b, a and b are parameters: the inferred variables are only x and y."""
        data = _json("gradient", "k*x + y", "--let", "k=a*b")
        assert data["variables"] == ["x", "y"]
        assert data["matrix"] == [["a*b"], ["1"]]

    def test_a_declared_parameter_is_a_variable(self) -> None:
        """Declaring a in --vars makes it a variable again."""
        data = _json("gradient", "k*x", "--vars", "a,x", "--let", "k=a*b")
        assert data["variables"] == ["a", "x"]
        assert [parse_expression(e[0]) for e in data["matrix"]] == [b * x, a * b]

    def test_only_parameters_left_is_a_usage_error(self) -> None:
        """f = k with k = a: nothing is a variable; the message says why."""
        out = run_jh("gradient", "k", "--let", "k=a")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == (
            "error: no variables: the function is constant (symbols in --let values are parameters); "
            "name them with --vars\n"
        )

    def test_vector_variable_jacobian_rows_and_columns(self) -> None:
        """W@x with a symbolic W=[[a,b],[c,d]] has Jacobian W (d is a parameter)."""
        d = make_symbol("d")
        data = _json("jacobian", "W@x", "--vars", "x:2", "--let", "W=[[a,b],[c,d]]")
        got = sympy.Matrix([[parse_expression(e) for e in row] for row in data["matrix"]])
        assert got == sympy.Matrix([[a, b], [c, d]])

    def test_matrix_variable_gradient(self) -> None:
        """d/dW of u.T @ W @ v is the outer product u v.T, in row-major component order."""
        data = _json("gradient", "[1,2].T @ W @ [3,5]", "--vars", "W:2x2")
        assert data["variables"] == ["W_11", "W_12", "W_21", "W_22"]
        assert data["matrix"] == [["3"], ["5"], ["6"], ["10"]]

    @pytest.mark.parametrize(
        ("args", "message", "excerpt"),
        [
            (
                ["jacobian", "[x,y] + [x,y].T"],
                "cannot add a 2x1 and a 1x2 matrix: elementwise operations need equal shapes",
                ("[x,y] + [x,y].T", 6),
            ),
            (
                ["jacobian", "W@x", "--vars", "x:3", "--let", "W=[[1,2],[3,4]]"],
                "matrix product of a 2x2 and a 3x1 matrix: the left has 2 columns, the right 3 rows",
                ("W@x", 1),
            ),
            (
                ["hessian", "x.T@x", "--vars", "x:2", "--at", "x=[1,2,3]"],
                "x is 2x1 but the point gives a 3x1 value",
                ("x=[1,2,3]", 2),
            ),
            (
                ["gradient", "x + trace([[1,2,3],[4,5,6]])"],
                "trace needs a square matrix, not a 2x3 one",
                ("x + trace([[1,2,3],[4,5,6]])", 4),
            ),
            (
                ["jacobian", "tanh(W@x)*[1,2,3]", "--vars", "x:2", "--let", "W=[[1,2],[3,4]]"],
                "cannot multiply a 2x1 and a 3x1 matrix: elementwise operations need equal shapes; "
                "'@' is the matrix product",
                ("tanh(W@x)*[1,2,3]", 9),
            ),
        ],
    )
    def test_shape_errors(self, args: list[str], message: str, excerpt: tuple[str, int]) -> None:
        """Shape errors: exit 2, nothing on stdout, the message and a caret under the spot on stderr."""
        out = run_jh(*args)
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == f"error: {message}\n" + _caret(*excerpt)

    @pytest.mark.parametrize(
        ("lets", "vars_", "message", "excerpt"),
        [
            (["sin=2"], "x", "--let cannot rebind 'sin': it is a function", ("sin=2", 0)),
            (["pi=3"], "x", "--let cannot rebind 'pi': it is a constant", ("pi=3", 0)),
            (["W=2", "W=3"], "x", "--let cannot bind 'W': it is already bound (--let W)", ("W=3", 0)),
            (["x=2"], "x,y", "--let cannot bind 'x': it is a declared variable", ("x=2", 0)),
            (["x=[1,2]"], "x:2", "--let cannot bind 'x': it is already bound (--vars x:2)", ("x=[1,2]", 0)),
            (["W"], "x", '--let takes NAME=VALUE, e.g. --let "W=[[1, 2], [3, 4]]"', ("W", 1)),
            (["W="], "x", "missing value after 'W='", ("W=", 2)),
        ],
    )
    def test_let_errors(self, lets: list[str], vars_: str, message: str, excerpt: tuple[str, int]) -> None:
        """--let errors: exit 2, nothing on stdout, the message with a caret into the --let text."""
        args = ["jacobian", "x", "--vars", vars_]
        for text in lets:
            args += ["--let", text]
        out = run_jh(*args)
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == f"error: {message}\n" + _caret(*excerpt)

    def test_space_in_a_shape_is_an_error(self) -> None:
        """--vars 'x: 2' is refused (shapes are written without spaces), caret at the shape."""
        out = run_jh("jacobian", "x", "--vars", "x: 2")
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == (
            "error: invalid shape ' 2': a shape is a length (x:3) or rows x columns (W:2x3), at least 1, "
            "without spaces\n" + _caret("x: 2", 2)
        )

    def test_vector_value_for_a_scalar_variable_positionally(self) -> None:
        """jh hessian "x*y" --at "[1,2],3": x is a scalar, so this is a shape error (exit 2)."""
        out = run_jh("hessian", "x*y", "--at", "[1,2],3", "-f", "json")
        assert out == Outcome(
            2, "", "error: x is a scalar but the point gives a 2x1 value\n" + _caret("[1,2],3", 0)
        )

    def test_vector_value_for_a_scalar_variable_by_name(self) -> None:
        """jh hessian "x**2*y" --at "x=[1,2],y=3": a shape error (exit 2), not an internal error."""
        out = run_jh("hessian", "x**2*y", "--at", "x=[1,2],y=3")
        assert (out.exit_code, out.stdout) == (2, "")
        assert "internal error" not in out.stderr
