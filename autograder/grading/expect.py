"""Compare a submission's probe results with the reference's, and say what went wrong.

Runs in the grading process on plain data only (JSON facts and NumPy arrays). Every
failure raises CheckFailed with a message for a first-year student, from the catalogs (see
autograder/i18n.py): what was called, what came back versus what was expected, and where
possible the likely mistake. A message names what it speaks of first ("the weight of the
layer of `make_linear(…)`: shape (6, 5), expected (5, 6)."), so that any subject fits it in
every language.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograder.i18n import _, from_data, n_
from autograder.probes.plain import shape_text

KINDS = ("tensor", "ndarray", "list", "tuple", "dict", "float", "int", "bool", "str", "none")


class CheckFailed(AssertionError):
    """A check found a mistake; the message is the feedback."""


def kind_name(kind: str) -> str:
    """'a torch.Tensor', 'a list', …: a kind of value, in words."""
    return _(f"value.kind.{kind}") if kind in KINDS else _("value.kind.unknown", kind=kind)


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
        """A few words on what this value is: 'a torch.Tensor of shape (3, 1), dtype float32'."""
        kind = self.facts.get("kind")
        if kind in ("tensor", "ndarray"):
            return _(f"value.{kind}", shape=self.shape_text, dtype=self.dtype)
        if kind in ("list", "tuple"):
            return n_(f"value.{kind}", int(self.length))
        if kind == "other":
            return _("value.other", type=self.type)
        return kind_name(str(kind))


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

    def call(self, function: str, path: str) -> str:
        """How `function` was called for the case at `path`, from the input the probe
        described there (see probes.common.given): `make_linear(in_features=6, …)`."""
        return call_text(function, self.data.get(f"{path}.input"))


def call_text(function: str, described: Any) -> str:
    """A call of `function` on a described input, in the student's language: as code when
    the input is code, else the function's name and the input in words."""
    if isinstance(described, str):
        try:
            described = json.loads(described)
        except ValueError:
            described = None
    if isinstance(described, dict) and "code" in described:
        return _("call.code", function=function, code=described["code"])
    words = from_data(described)
    if words is None:
        return _("call.bare", function=function)
    return _("call.described", function=function, input=words)


def fail(message_id: str, /, **values: Any) -> None:
    """Fail the check with a message of the catalogs."""
    raise CheckFailed(_(message_id, **values))


def fail_n(message_id: str, count: int, /, **values: Any) -> None:
    """Fail the check with a message whose words depend on a number."""
    raise CheckFailed(n_(message_id, count, **values))


def expect_kind(got: Value, want: Value, subject: str) -> None:
    if got.kind != want.kind:
        fail("expect.kind", subject=subject, got=got.describe(), want=kind_name(want.kind))


def expect_like(
    got: Value,
    want: Value,
    subject: str,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    values: bool = True,
    any_float: bool = False,
) -> None:
    """The submission's value has the reference's kind, shape, dtype and (if asked) numbers.

    any_float accepts any floating dtype where the reference's is floating (float32/float64).
    """
    expect_kind(got, want, subject)
    kind = want.kind
    if kind in ("tensor", "ndarray"):
        if got.shape != want.shape:
            fail("expect.shape", subject=subject, got=got.shape_text, want=want.shape_text)
        same_kind = any_float and "float" in str(got.dtype) and "float" in str(want.dtype)
        if got.dtype != want.dtype and not same_kind:
            prefix = "torch." if kind == "tensor" else "numpy."
            fail(
                "expect.dtype",
                subject=subject,
                got=f"{prefix}{got.dtype}",
                want=f"{prefix}{want.dtype}",
            )
        if values and want.numbers is not None:
            expect_numbers(got.numbers, want.numbers, subject, rtol=rtol, atol=atol)
    elif kind in ("list", "tuple"):
        if got.length != want.length:
            fail_n("expect.length", int(got.length), subject=subject, want=want.length)
        if want.numbers is not None:
            if got.numbers is None:
                fail("expect.plain_numbers", subject=subject, types=", ".join(got.item_types))
            expect_numbers(got.numbers, want.numbers, subject, rtol=rtol, atol=atol)
        else:
            for index in range(min(want.length, 64)):
                item = _("subject.item", index=index, subject=subject)
                expect_like(got[index], want[index], item, rtol=rtol, atol=atol)
    elif kind == "dict":
        if sorted(got.keys) != sorted(want.keys):
            fail("expect.keys", subject=subject, got=sorted(got.keys), want=sorted(want.keys))
        for key in want.keys:
            entry = _("subject.entry", subject=subject, key=repr(key))
            expect_like(got[key], want[key], entry, rtol=rtol, atol=atol)
    elif kind in ("float", "int", "bool"):
        expect_numbers(
            np.array([float(got.value)]),
            np.array([float(want.value)]),
            subject,
            rtol=rtol,
            atol=atol,
        )


def expect_numbers(
    got: np.ndarray | None, want: np.ndarray, subject: str, *, rtol: float, atol: float
) -> None:
    """Arrays of one shape agree within tolerance, NaN where (and only where) expected."""
    if got is None or got.shape != want.shape:
        fail("expect.values_shape", subject=subject)
    got64, want64 = got.astype(np.float64), want.astype(np.float64)
    if np.isnan(got64).any() and not np.isnan(want64).any():
        where = np.argwhere(np.isnan(got64))[0]
        fail("expect.nan", subject=subject, index=index_text(where))
    close = np.isclose(got64, want64, rtol=rtol, atol=atol, equal_nan=True)
    if not close.all():
        wrong = np.argwhere(~close)
        first = tuple(wrong[0])
        fail_n(
            "expect.values",
            len(wrong),
            subject=subject,
            index=index_text(first),
            got=number_text(got64[first]),
            want=number_text(want64[first]),
            total=close.size,
        )


def index_text(index: tuple[int, ...] | np.ndarray) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def number_text(value: float) -> str:
    return f"{value:.6g}"


def percent_text(share: float) -> str:
    return f"{share:.1%}"


def compare_cases(got: Result, want: Result, function: str, **tolerance: float) -> None:
    """For every case the probe ran, the submission's result is like the reference's."""
    cases = list(want.cases())
    if not cases:
        raise RuntimeError("the reference result holds no cases")
    for case in cases:
        expect_like(got[case], want[case], want.call(function, case), **tolerance)


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
    variant's; when it equals a known mistake's curve, say which mistake (`mistakes` maps a
    mistake's name to the id of its message)."""
    if got.kind not in ("list", "tuple"):
        fail("expect.curve_kind", subject=call, got=got.describe())
    if got.length != want.length:
        fail_n("expect.curve_length", int(got.length), subject=call, want=want.length)
    if got.numbers is None:
        types = ", ".join(got.item_types)
        tensors = "Tensor" in got.item_types
        fail("expect.curve_tensors" if tensors else "expect.curve_types", subject=call, types=types)
    candidates = [want] + [
        want.result[p] for p in want.result.data if p.startswith(f"{want.path}.variant.")
    ]
    if any(matches(got, candidate, rtol=rtol) for candidate in candidates):
        return
    named = [
        _(message_id)
        for name, message_id in mistakes.items()
        if matches(got, want.result[f"{want.path}.mistake.{name}"], rtol=rtol)
    ]
    if len(named) == 1:
        fail("expect.curve_mistake", subject=call, mistake=named[0])
    if named:  # mistakes that give the same curve here: each is named
        listed = "\n".join(_("expect.listed", item=mistake) for mistake in named)
        fail("expect.curve_mistakes", subject=call, mistakes=listed)
    subject = _("subject.losses", subject=call)
    expect_numbers(got.numbers, want.numbers, subject, rtol=rtol, atol=1e-6)


def accuracy_of(probabilities: Value, labels: np.ndarray, call: str) -> float:
    """Share of held-out points where probability > 0.5 agrees with the label."""
    numbers = probabilities.numbers
    if numbers is None or numbers.size != labels.size:
        fail_n("expect.answers", labels.size, subject=call, got=probabilities.describe())
    return float(np.mean((numbers.reshape(-1) > 0.5) == labels))


def same_numbers(a: Value, b: Value) -> bool:
    """Whether two described values hold exactly the same numbers."""
    return a.numbers is not None and b.numbers is not None and np.array_equal(a.numbers, b.numbers)


def _parameters_text(parameters: list[list[str]]) -> str:
    return ", ".join(name + (f"={default}" if default else "") for name, default in parameters)


def expect_signature(got: Result, want: Result, function: str) -> None:
    """Parameter names and defaults as the contract has them."""
    mine, theirs = got.fact("signature", "value"), want.fact("signature", "value")
    if mine == theirs:
        return
    written = f"{function}({_parameters_text(theirs)})"
    for (name, default), (expected_name, expected_default) in zip(mine, theirs, strict=False):
        if (name, default) != (expected_name, expected_default):
            fail(
                "expect.parameter",
                function=function,
                got=_parameters_text([[name, default]]),
                want=_parameters_text([[expected_name, expected_default]]),
                signature=written,
            )
    fail("expect.signature", function=function, signature=written)


def expect_trained(got: Result, want: Result, labels: np.ndarray, call: str, margin: float) -> None:
    """Shared by fit and fit_minibatch: (model, losses), falling, repeatable, accurate."""
    result = got["result"]
    if result.kind != "tuple" or result.length != 2:
        fail("expect.trained_pair", subject=call, got=result.describe())
    if "test_proba" not in got.data:
        fail("expect.trained_model", subject=call, got=result[0].describe())
    losses, expected = result[1], want["result"][1]
    if losses.kind != "list" or losses.numbers is None or losses.length != expected.length:
        fail_n("expect.trained_losses", int(expected.length), subject=call, got=losses.describe())
    if not losses.numbers[-1] < losses.numbers[0]:
        fail(
            "expect.loss_not_down",
            subject=call,
            first=f"{losses.numbers[0]:.4f}",
            last=f"{losses.numbers[-1]:.4f}",
        )
    if not same_numbers(got["repeat_a"], got["repeat_b"]):
        fail("expect.not_repeatable", subject=call)
    mine = accuracy_of(got["test_proba"], labels, call)
    reference = accuracy_of(want["test_proba"], labels, call)
    if mine < reference - margin:
        fail(
            "expect.accuracy",
            subject=call,
            got=percent_text(mine),
            want=percent_text(reference - margin),
            reference=percent_text(reference),
        )
