"""Checks of part 4: autograd."""

import numpy as np

from autograder.grading.expect import Result, compare_cases, expect_like, fail
from autograder.grading.plugin import check
from autograder.i18n import _

# how a student would write the autograd calls that the probe saw run
AUTOGRAD_NAMES = {"grad": "torch.autograd.grad", "backward": "backward()"}


@check("4.1", "part4.gradient")
def test_gradient(got: Result, want: Result) -> None:
    """gradient: df/dx by autograd, leaving the caller's x as it was."""
    compare_cases(got, want, "gradient", rtol=1e-5, atol=1e-7)
    for case in want.cases():
        if not got.fact(f"{case}.input_untouched", "value"):
            fail("check.gradient.changed_input", call=want.call("gradient", case))


@check("4.2", "part4.bce_grad_by_hand", diagnose=True)
def test_bce_grad_by_hand(got: Result, want: Result) -> None:
    """bce_grad_by_hand: dw and db of the mean binary cross-entropy, equal to autograd's."""
    for case in want.cases():
        call = want.call("bce_grad_by_hand", case)
        used = got.fact(f"{case}.autograd", "used")
        if used:
            names = ", ".join(f"`{AUTOGRAD_NAMES.get(name, name)}`" for name in used)
            fail("check.bce_grad_by_hand.autograd", call=call, names=names)
        value, expected = got[case], want[f"{case}.autograd_grads"]
        if value.kind == "tuple" and value.length == 2:
            n = want.fact(f"{case}.input", "n")
            _diagnose(value[0], expected[0], n, _("subject.dw_of", call=call))
            _diagnose(value[1], expected[1], n, _("subject.db_of", call=call))
        against = _("subject.against_autograd", call=call)
        expect_like(value, expected, against, rtol=1e-4, atol=1e-7)


def _diagnose(value, expected, n: int, subject: str) -> None:
    """Name a wrong reduction or sign when the numbers are a multiple of autograd's."""
    a, b = value.numbers, expected.numbers
    if a is None or b is None or a.size != b.size or not np.any(np.abs(b) > 1e-6):
        return
    a, b = a.reshape(-1), b.reshape(-1)
    if np.allclose(a, n * b, rtol=1e-4):
        fail("check.bce_grad_by_hand.sum", subject=subject, n=n)
    if np.allclose(a, -b, rtol=1e-4):
        fail("check.bce_grad_by_hand.sign", subject=subject)
