"""Tests for the memory estimates (``jhcli.memory``) and the ``memory`` limit."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sympy

from jhcli import api, calculus, limits, memory
from jhcli.errors import LimitError
from jhcli.limits import CEILINGS, DEFAULT_LIMITS, Limits, limits_in_force
from jhcli.memory import BYTES_PER_ENTRY, BYTES_PER_NODE, Estimate
from jhcli.parsing import make_symbol
from tests.conftest import Outcome, run_jh

x, y, z = (make_symbol(n) for n in "xyz")
DENSE_200 = "exp(" + "*".join(f"x{i}" for i in range(1, 201)) + ")"
"""A dense expression of 200 variables: exp of their product (one term, 1 + 1 + 200 nodes)."""


def cost(entries: int, nodes: int) -> int:
    """Bytes by the documented model: a fixed cost per entry that may be non-zero, plus one per node."""
    return entries * BYTES_PER_ENTRY + nodes * BYTES_PER_NODE


def size(n: int) -> str:
    """Bytes as the messages write them, computed here independently."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}" if n / scale < 10 else f"{n / scale:,.0f} {unit}"
    return f"{n} bytes"


class TestEstimates:
    def test_nodes(self) -> None:
        """x*y + sin(x): Add, Mul, x, y, sin, x."""
        assert memory.nodes(x * y + sympy.sin(x)) == 6
        assert memory.nodes(x) == 1
        assert memory.nodes(sympy.Integer(3)) == 1

    def test_hessian_from_the_terms(self) -> None:
        """x*y + sin(z): the term x*y (2 variables, 3 nodes) and sin(z) (1 variable, 2 nodes).

        Hessian and gradient: (2**2 + 2) * 3 + (1 + 1) * 2 = 22 nodes; entries that may be
        non-zero: 2**2 + 1 = 5 of 9.
        """
        estimate = memory.hessian_estimate(x * y + sympy.sin(z), [x, y, z])
        assert estimate == Estimate("the Hessian", cost(5, 22), 5)

    def test_constant_terms_cost_nothing(self) -> None:
        estimate = memory.hessian_estimate(x**2 + 5 + sympy.pi, [x])
        assert estimate == Estimate("the Hessian", cost(1, (1 + 1) * 3), 1)

    def test_dense_expression_costs_n_squared_times_its_size(self) -> None:
        n = 10
        xs = [make_symbol(f"x{i}") for i in range(1, n + 1)]
        f = sympy.exp(sympy.Mul(*xs))  # exp, Mul and n symbols
        estimate = memory.hessian_estimate(f, xs)
        assert estimate.bytes == cost(n * n, (n * n + n) * (n + 2))
        assert estimate.entries == n * n

    def test_jacobian_and_gradient(self) -> None:
        """[x*y + 1, sin(x)]: x*y (2 variables, 3 nodes), 1 (none), sin(x) (1 variable, 2 nodes)."""
        estimate = memory.jacobian_estimate([x * y + 1, sympy.sin(x)], [x, y])
        assert estimate == Estimate("the Jacobian", cost(3, 2 * 3 + 1 * 2), 3)
        estimate = memory.gradient_estimate(x * y + sympy.sin(x), [x, y])
        assert estimate == Estimate("the gradient", cost(2, 2 * 3 + 1 * 2), 2)

    def test_product(self) -> None:
        estimate = memory.product_estimate([x * y, x], "J·v")
        assert estimate == Estimate("J·v", cost(2, 3 + 1), 2)
        assert estimate.twice() == Estimate("J·v", 2 * cost(2, 3 + 1), 2)


class TestCheck:
    def test_within_the_limit(self) -> None:
        with limits_in_force({"memory": 1}):
            Estimate("the Hessian", 2**20, 10).check()  # exactly 1 MiB

    def test_message(self) -> None:
        with limits_in_force({"memory": 1}), pytest.raises(LimitError) as info:
            Estimate("the Hessian", 3 * 2**30 + 2**29, 1_000_000).check()
        assert info.value.message == (
            "the Hessian would need about 3.5 GiB of memory (1,000,000 entries of about 3,758 bytes each); "
            "the memory limit is 1.0 MiB: raise it with --limit memory=3584 (MiB)"
        )


def expected_refusal(what: str, units: int, entries: int, limit_mib: int) -> str:
    total = cost(entries, units)
    return (
        f"error: {what} would need about {size(total)} of memory ({entries:,} entries of about "
        f"{total // entries:,} bytes each); the memory limit is {size(limit_mib * 2**20)}: raise it with "
        f"--limit memory={-(-total // 2**20)} (MiB)\n"
    )


class TestRefusal:
    def test_dense_hessian_of_200_variables(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Refused from the term structure alone: nothing is differentiated."""

        def no_derivatives(*args: Any, **kwargs: Any) -> None:
            raise AssertionError("differentiated before the memory check")

        monkeypatch.setattr(calculus, "_diff", no_derivatives)
        out = run_jh("hessian", DENSE_200, "--limit", "memory=1")
        # one term with 200 variables and 202 nodes: (200**2 + 200) * 202 nodes; 200**2 entries
        assert out == Outcome(3, "", expected_refusal("the Hessian", (200**2 + 200) * 202, 200**2, 1))

    @pytest.mark.parametrize(
        ("args", "what", "units", "entries", "twice"),
        [
            (("gradient", "x*y*z"), "the gradient", 3 * 4, 3, 1),
            (("jacobian", "x*y, z"), "the Jacobian", 2 * 3 + 1, 3, 1),
            (("critical", "x*y*z"), "the Hessian", 12 * 4, 9, 1),
            (("newton", "x*y*z", "--at", "1,1,1"), "the Hessian", 12 * 4, 9, 1),
            (("hvp", "x*y*z", "--v", "1,0,0"), "the Hessian-vector product", 3 * 4, 3, 2),
            (("vjp", "x*y, z", "--u", "1,1"), "the vector-Jacobian product", 2 * 3 + 1, 3, 1),
            (("jvp", "x*y, z", "--v", "1,0,0"), "the Jacobian-vector product", 3 + 1, 2, 1),
            (("map", "x*y", "--x", "0:1", "--y", "0:1"), "the Hessian", 6 * 3, 4, 1),
            (("profile", "x*y", "--at", "1,1"), "the Hessian", 6 * 3, 4, 1),
            (("chain", "u*v", "--with", "u=x*y", "--with", "v=z"), "the Jacobian", 3 * 4, 3, 2),
        ],
    )
    def test_every_command_checks(
        self,
        monkeypatch: pytest.MonkeyPatch,
        args: tuple[str, ...],
        what: str,
        units: int,
        entries: int,
        twice: int,
    ) -> None:
        """Each command estimates what it will differentiate (counted by hand here) before it does."""
        seen: list[Estimate] = []
        monkeypatch.setattr(Estimate, "check", lambda self: seen.append(self))
        assert run_jh(*args).exit_code == 0
        assert seen[0] == Estimate(what, cost(entries, units) * twice, entries)

    def test_api_limit(self) -> None:
        with pytest.raises(LimitError) as info:
            api.hessian(DENSE_200, limits={"memory": 1})
        assert info.value.message == expected_refusal("the Hessian", (200**2 + 200) * 202, 200**2, 1)[7:-1]
        assert api.hessian("x*y", limits={"memory": 1}).matrix == sympy.Matrix([[0, 1], [1, 0]])

    def test_batch_line(self) -> None:
        out = run_jh("batch", "-", stdin=f'hessian "{DENSE_200}" --limit memory=1\n')
        line = json.loads(out.stdout)
        assert (out.exit_code, line["exit_code"]) == (3, 3)
        assert line["error"] == expected_refusal("the Hessian", (200**2 + 200) * 202, 200**2, 1)[7:-1]


class TestLimit:
    def test_default_and_ceiling(self) -> None:
        """Half of physical memory, at most 16 GiB; the ceiling is physical memory."""
        physical = limits.physical_memory_mib()
        assert physical == limits.PHYSICAL_MEMORY_MIB >= 2
        assert DEFAULT_LIMITS.memory == min(physical // 2, 16384)
        assert CEILINGS["memory"] == physical

    def test_fallback_without_sysconf(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def unknown(name: str) -> int:
            raise ValueError(name)

        monkeypatch.setattr(limits.os, "sysconf", unknown)
        assert limits.physical_memory_mib() == limits.FALLBACK_MEMORY_MIB == 8192
        monkeypatch.setattr(limits.os, "sysconf", lambda name: -1)
        assert limits.physical_memory_mib() == 8192

    def test_cli_values(self) -> None:
        out = run_jh("gradient", "x", "--limit", "memory=0")
        assert out == Outcome(2, "", "error: --limit memory takes a whole number of at least 1, got 0\n")
        above = CEILINGS["memory"] + 1
        out = run_jh("gradient", "x", "--limit", f"memory={above}")
        expected = (
            f"error: --limit memory={above} is above its ceiling of {CEILINGS['memory']}, which protects "
            f"the machine: this machine has {CEILINGS['memory']} MiB of physical memory; beyond it, it "
            "would swap\n"
        )
        assert out == Outcome(2, "", expected)
        assert Limits(memory=5).replace({"memory": 7}).memory == 7

    def test_help_lists_the_limit(self) -> None:
        out = run_jh("hessian", "--help")
        text = " ".join(out.stdout.split())
        assert f"memory ({DEFAULT_LIMITS.memory}, {CEILINGS['memory']})" in text
