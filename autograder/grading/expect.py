"""Compare a submission's probe results with the reference's, and say what went wrong.

Runs in the grading process on plain data only (JSON facts and NumPy arrays). Every
failure raises CheckFailed with a message for a first-year student: what was called, what
came back versus what was expected, and where possible the likely mistake.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from autograder.probes.plain import shape_text

KIND_NAMES = {
    "tensor": "a torch.Tensor",
    "ndarray": "a NumPy array",
    "list": "a list",
    "tuple": "a tuple",
    "dict": "a dict",
    "float": "a float",
    "int": "an int",
    "bool": "a bool",
    "str": "a string",
    "none": "None",
}


class CheckFailed(AssertionError):
    """A check found a mistake; the message is the feedback."""


class Value:
    """One described value of a probe result: facts plus, for numbers, an array."""

    def __init__(self, result: Result, path: str) -> None:
        self.result = result
        self.path = path
        self.facts: dict[str, Any] = result.data.get(path, {"kind": "absent"})

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["facts"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: int | str) -> Value:
        return Value(self.result, f"{self.path}[{key!r}]")

    @property
    def numbers(self) -> np.ndarray | None:
        return self.result.arrays.get(f"{self.path}#")

    @property
    def shape_text(self) -> str:
        return shape_text(self.facts.get("shape", []))

    def describe(self) -> str:
        """A few words on what this value is: 'a torch.Tensor of shape (3, 1), float32'."""
        kind = self.facts.get("kind")
        if kind in ("tensor", "ndarray"):
            return f"{KIND_NAMES[kind]} of shape {self.shape_text}, dtype {self.dtype}"
        if kind in ("list", "tuple"):
            return f"{KIND_NAMES[kind]} of {self.length} items"
        if kind == "other":
            return f"an object of type {self.type}"
        return KIND_NAMES.get(kind, str(kind))


class Result:
    """A probe's reply: JSON facts and arrays keyed by path."""

    def __init__(self, data: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.data = data
        self.arrays = arrays

    def __getitem__(self, path: str) -> Value:
        return Value(self, path)

    def fact(self, path: str, name: str, default: Any = None) -> Any:
        return self.data.get(path, {}).get(name, default)

    def cases(self) -> Iterator[str]:
        """Paths "case0", "case1", … in order."""
        index = 0
        while f"case{index}" in self.data:
            yield f"case{index}"
            index += 1


def fail(message: str) -> None:
    raise CheckFailed(message)


def expect_kind(got: Value, want: Value, call: str) -> None:
    if got.kind != want.kind:
        fail(f"{call} returned {got.describe()}, expected {KIND_NAMES.get(want.kind, want.kind)}.")


def expect_like(
    got: Value,
    want: Value,
    call: str,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    values: bool = True,
    any_float: bool = False,
) -> None:
    """The submission's value has the reference's kind, shape, dtype and (if asked) numbers.

    any_float accepts any floating dtype where the reference's is floating (float32/float64).
    """
    expect_kind(got, want, call)
    kind = want.kind
    if kind in ("tensor", "ndarray"):
        if got.shape != want.shape:
            fail(f"{call} returned shape {got.shape_text}, expected {want.shape_text}.")
        same_kind = any_float and "float" in str(got.dtype) and "float" in str(want.dtype)
        if got.dtype != want.dtype and not same_kind:
            prefix = "torch." if kind == "tensor" else "numpy."
            fail(f"{call} returned dtype {prefix}{got.dtype}, expected {prefix}{want.dtype}.")
        if values and want.numbers is not None:
            expect_numbers(got.numbers, want.numbers, call, rtol=rtol, atol=atol)
    elif kind in ("list", "tuple"):
        if got.length != want.length:
            fail(f"{call} returned {got.length} items, expected {want.length}.")
        if want.numbers is not None:
            if got.numbers is None:
                fail(
                    f"{call} returned items of type {', '.join(got.item_types)}, expected "
                    "plain Python numbers."
                )
            expect_numbers(got.numbers, want.numbers, call, rtol=rtol, atol=atol)
        else:
            for index in range(min(want.length, 64)):
                expect_like(
                    got[index], want[index], f"item {index} of {call}", rtol=rtol, atol=atol
                )
    elif kind == "dict":
        if sorted(got.keys) != sorted(want.keys):
            fail(f"{call} returned keys {sorted(got.keys)}, expected {sorted(want.keys)}.")
        for key in want.keys:
            expect_like(got[key], want[key], f"{call}[{key!r}]", rtol=rtol, atol=atol)
    elif kind in ("float", "int", "bool"):
        expect_numbers(
            np.array([float(got.value)]),
            np.array([float(want.value)]),
            call,
            rtol=rtol,
            atol=atol,
        )


def expect_numbers(
    got: np.ndarray | None, want: np.ndarray, call: str, *, rtol: float, atol: float
) -> None:
    """Arrays of one shape agree within tolerance, NaN where (and only where) expected."""
    if got is None or got.shape != want.shape:
        fail(f"{call} returned values of a different shape than expected.")
    got64, want64 = got.astype(np.float64), want.astype(np.float64)
    if np.isnan(got64).any() and not np.isnan(want64).any():
        where = np.argwhere(np.isnan(got64))[0]
        fail(f"{call} returned NaN at index {index_text(where)}; expected only numbers.")
    close = np.isclose(got64, want64, rtol=rtol, atol=atol, equal_nan=True)
    if not close.all():
        wrong = np.argwhere(~close)
        first = tuple(wrong[0])
        fail(
            f"{call} returned wrong values: at index {index_text(first)} got "
            f"{number_text(got64[first])}, expected {number_text(want64[first])} "
            f"({len(wrong)} of {close.size} values differ)."
        )


def index_text(index: tuple[int, ...] | np.ndarray) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def number_text(value: float) -> str:
    return f"{value:.6g}"


def compare_cases(got: Result, want: Result, function: str, **tolerance: float) -> None:
    """For every case the probe ran, the submission's result is like the reference's."""
    cases = list(want.cases())
    if not cases:
        raise RuntimeError("the reference result holds no cases")
    for case in cases:
        call = f"{function}({want.fact(f'{case}.input', 'text', '…')})"
        expect_like(got[case], want[case], call, **tolerance)


def matches(got: Value, other: Value, *, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    """Whether two described values hold the same numbers (no message: for diagnoses)."""
    return close_to(got, other.numbers, rtol=rtol, atol=atol)


def close_to(
    got: Value, array: np.ndarray | None, *, rtol: float = 1e-4, atol: float = 1e-6
) -> bool:
    """Whether a described value holds these numbers, in this shape."""
    a = got.numbers
    if a is None or array is None or a.shape != array.shape:
        return False
    return bool(np.allclose(a.astype(np.float64), array.astype(np.float64), rtol=rtol, atol=atol))


def expect_curve(
    got: Value,
    want: Value,
    call: str,
    mistakes: dict[str, str],
    *,
    rtol: float = 1e-4,
) -> None:
    """A loss curve: plain floats, one per epoch, equal to the reference's or to a correct
    variant's; when it equals a known mistake's curve, say which mistake."""
    if got.kind not in ("list", "tuple"):
        fail(f"{call} returned {got.describe()}, expected a list with one float per epoch.")
    if got.length != want.length:
        fail(f"{call} returned {got.length} losses, expected {want.length}: one per epoch.")
    if got.numbers is None:
        types = ", ".join(got.item_types)
        hint = " Record loss.item(), a Python float." if "Tensor" in got.item_types else ""
        fail(f"{call} returned losses of type {types}, expected Python floats.{hint}")
    candidates = [want] + [
        want.result[p] for p in want.result.data if p.startswith(f"{want.path}.variant.")
    ]
    if any(matches(got, candidate, rtol=rtol) for candidate in candidates):
        return
    named = [
        message
        for name, message in mistakes.items()
        if matches(got, want.result[f"{want.path}.mistake.{name}"], rtol=rtol)
    ]
    if named:
        fail(f"{call}: the loss curve matches {' Or it matches '.join(named)}")
    expect_numbers(
        got.numbers, want.numbers, f"{call} (the loss of each epoch)", rtol=rtol, atol=1e-6
    )


def accuracy_of(probabilities: Value, labels: np.ndarray, call: str) -> float:
    """Share of held-out points where probability > 0.5 agrees with the label."""
    numbers = probabilities.numbers
    if numbers is None or numbers.size != labels.size:
        fail(
            f"{call}: the trained model answered {probabilities.describe()} for "
            f"{labels.size} points, expected shape ({labels.size}, 1)."
        )
    return float(np.mean((numbers.reshape(-1) > 0.5) == labels))


def same_numbers(a: Value, b: Value) -> bool:
    """Whether two described values hold exactly the same numbers."""
    return a.numbers is not None and b.numbers is not None and np.array_equal(a.numbers, b.numbers)


def expect_signature(got: Result, want: Result, function: str) -> None:
    """Parameter names and defaults as the contract has them."""
    mine, theirs = got.fact("signature", "value"), want.fact("signature", "value")
    if mine == theirs:
        return
    written = ", ".join(name + (f"={default}" if default else "") for name, default in theirs)
    for (name, default), (expected_name, expected_default) in zip(mine, theirs, strict=False):
        if (name, default) != (expected_name, expected_default):
            got_text = name + (f"={default}" if default else "")
            want_text = expected_name + (f"={expected_default}" if expected_default else "")
            fail(
                f"{function} has the parameter {got_text} where {want_text} is expected: "
                f"keep the signature {function}({written})."
            )
    fail(f"{function} should be {function}({written}).")


def expect_trained(got: Result, want: Result, labels: np.ndarray, call: str, margin: float) -> None:
    """Shared by fit and fit_minibatch: (model, losses), falling, repeatable, accurate."""
    result = got["result"]
    if result.kind != "tuple" or result.length != 2:
        fail(f"{call} returned {result.describe()}, expected a tuple (model, losses).")
    if "test_proba" not in got.data:
        fail(
            f"the first item {call} returned is {result[0].describe()}, expected the trained "
            "nn.Module."
        )
    losses, expected = result[1], want["result"][1]
    if losses.kind != "list" or losses.numbers is None or losses.length != expected.length:
        fail(
            f"the losses of {call} are {losses.describe()}, expected a list of "
            f"{expected.length} Python floats, one per epoch."
        )
    if not losses.numbers[-1] < losses.numbers[0]:
        fail(
            f"the loss of {call} did not go down: {losses.numbers[0]:.4f} in the first epoch, "
            f"{losses.numbers[-1]:.4f} in the last."
        )
    if not same_numbers(got["repeat_a"], got["repeat_b"]):
        fail(
            f"{call} gave different losses for the same seed: call torch.manual_seed(seed) "
            "before building the model."
        )
    mine = accuracy_of(got["test_proba"], labels, call)
    reference = accuracy_of(want["test_proba"], labels, call)
    if mine < reference - margin:
        fail(
            f"the model of {call} classifies {mine:.1%} of new points correctly; at least "
            f"{reference - margin:.1%} is expected (the reference reaches {reference:.1%})."
        )
