"""Checks of part 4: autograd."""

import numpy as np

from autograder.grading.expect import Result, compare_cases, expect_like, fail
from autograder.grading.plugin import check

# how a student would write the autograd calls that the probe saw run
AUTOGRAD_NAMES = {"grad": "torch.autograd.grad", "backward": "backward()"}


@check("4.1", "part4.gradient")
def test_gradient(got: Result, want: Result) -> None:
    """gradient: df/dx by autograd, leaving the caller's x as it was."""
    compare_cases(got, want, "gradient", rtol=1e-5, atol=1e-7)
    for case in want.cases():
        if not got.fact(f"{case}.input_untouched", "value"):
            fail(
                f"gradient({want.fact(f'{case}.input', 'text')}) changed the caller's x (its "
                "values, requires_grad or .grad): work on x.detach().clone()."
            )


@check("4.2", "part4.bce_grad_by_hand", diagnose=True)
def test_bce_grad_by_hand(got: Result, want: Result) -> None:
    """bce_grad_by_hand: dw and db of the mean binary cross-entropy, equal to autograd's."""
    for case in want.cases():
        call = f"bce_grad_by_hand({want.fact(f'{case}.input', 'text')})"
        used = got.fact(f"{case}.autograd", "used")
        if used:
            names = ", ".join(AUTOGRAD_NAMES.get(name, name) for name in used)
            fail(
                f"bce_grad_by_hand must write the gradients out, but autograd ran in {call} "
                f"({names}): work the derivative out on paper, then compute it with tensor "
                "operations."
            )
        value, expected = got[case], want[f"{case}.autograd_grads"]
        if value.kind == "tuple" and value.length == 2:
            n = want.fact(f"{case}.input", "n")
            _diagnose(value[0], expected[0], n, f"dw of {call}")
            _diagnose(value[1], expected[1], n, f"db of {call}")
        expect_like(value, expected, f"{call} (against autograd)", rtol=1e-4, atol=1e-7)


def _diagnose(value, expected, n: int, call: str) -> None:
    """Name a wrong reduction or sign when the numbers are a multiple of autograd's."""
    a, b = value.numbers, expected.numbers
    if a is None or b is None or a.size != b.size or not np.any(np.abs(b) > 1e-6):
        return
    a, b = a.reshape(-1), b.reshape(-1)
    if np.allclose(a, n * b, rtol=1e-4):
        fail(f"{call} is N = {n} times autograd's: divide by N (the loss is a mean, not a sum).")
    if np.allclose(a, -b, rtol=1e-4):
        fail(
            f"{call} has the wrong sign: the loss grows with p - y (the prediction minus the "
            "target), not with y - p."
        )
