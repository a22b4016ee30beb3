"""Checks of part 6: mini-batches with a DataLoader."""

import numpy as np

from autograder.grading.expect import (
    Result,
    expect_curve,
    expect_like,
    expect_signature,
    expect_trained,
    fail,
)
from autograder.grading.plugin import check
from autograder.i18n import _
from autograder.probes.plain import HELD_OUT_POINTS

# The accuracy check trains for this many epochs: the default 30 take three times as long,
# and the defaults themselves are checked in the signature.
FIT_MINIBATCH_EPOCHS = 10

# How far below the reference (same seed, same held-out points) a correct fit_minibatch may
# land. `make calibrate`, 50 seeds of 10 epochs: correct variants that draw their random
# numbers in another order fell at most 0.066 below the reference (means 0.910-0.916, the
# reference's lowest 0.816, a start where ReLU units die); 0.10 leaves room for others and
# still fails training without zero_grad (mean 0.73) on 80% of seeds.
FIT_MINIBATCH_MARGIN = 0.10

# each known mistake of a mini-batch train loop and the message that names it
MINIBATCH_MISTAKES = {
    "no_zero_grad": "mistake.minibatch.no_zero_grad",
    "zero_grad_once_per_epoch": "mistake.zero_grad_once_per_epoch",
    "zero_grad_between_backward_and_step": "mistake.zero_grad_between_backward_and_step",
    "no_step": "mistake.no_step",
    "sum_of_batch_losses": "mistake.sum_of_batch_losses",
    "last_batch_loss": "mistake.last_batch_loss",
}


def _rows(value) -> list[tuple]:
    return sorted(map(tuple, value.numbers.reshape(len(value.numbers), -1).tolist()))


def _fit_minibatch_call() -> str:
    return _("call.code", function="fit_minibatch", code=f"X, y, epochs={FIT_MINIBATCH_EPOCHS}")


def _expect_batches(got: Result, want: Result) -> None:
    """fit_minibatch trained by going through DataLoaders that shuffle, in batches of
    batch_size: what its loaders really did, however they were made."""
    passes = got.fact("loader", "passes") or []
    expected = want.fact("loader", "passes")[0]["batch_size"]
    call = _fit_minibatch_call()
    if not passes:
        fail("check.fit_minibatch.no_loader", call=call)
    for used in passes:
        size = used["batch_size"]
        if size != expected:
            whole = size is not None and used["points"] is not None and size >= used["points"]
            message = "check.fit_minibatch.one_batch" if whole else "check.fit_minibatch.batch_size"
            fail(message, call=call, got=size, want=expected)
        if not used["shuffled"]:
            fail("check.fit_minibatch.unshuffled", call=call)


@check("6.1", "part6.make_loader")
def test_make_loader(got: Result, want: Result) -> None:
    """make_loader: float32 batches (B, 2) and (B, 1), in a new order every epoch if shuffled."""
    X = want["X"].numbers
    for name in ("shuffled", "ordered"):
        call = want.call("make_loader", name)
        if got.fact(f"{name}.loader", "type") != "DataLoader":
            fail("check.make_loader.type", call=call, got=got.fact(f"{name}.loader", "type"))
        first_y, expected_y = got[f"{name}.first_y"], want[f"{name}.first_y"]
        if first_y.kind == "tensor" and first_y.shape == expected_y.shape[:1]:
            fail(
                "check.make_loader.flat_targets",
                call=call,
                got=first_y.shape_text,
                want=expected_y.shape_text,
            )
        inputs = _("subject.first_batch_inputs", call=call)
        expect_like(got[f"{name}.first_x"], want[f"{name}.first_x"], inputs, values=False)
        targets = _("subject.first_batch_targets", call=call)
        expect_like(first_y, expected_y, targets, values=False)
        sizes = got.fact(f"{name}.epoch0.sizes", "value")
        expected_sizes = want.fact(f"{name}.epoch0.sizes", "value")
        if sizes != expected_sizes:
            fail("check.make_loader.sizes", call=call, got=sizes, want=expected_sizes)
        epochs = [got[f"{name}.epoch{k}"] for k in (0, 1)]
        if any(e.numbers is None or _rows(e) != sorted(map(tuple, X.tolist())) for e in epochs):
            fail("check.make_loader.points", call=call)
        in_order = [np.array_equal(e.numbers, X) for e in epochs]
        if name == "ordered" and not in_order[0]:
            fail("check.make_loader.reordered", call=call)
        if name == "shuffled" and any(in_order):
            fail("check.make_loader.unshuffled", call=call)
        if name == "shuffled" and np.array_equal(epochs[0].numbers, epochs[1].numbers):
            fail("check.make_loader.same_order", call=call)


@check("6.2", "part6.train_minibatch", diagnose=True)
def test_train_minibatch(got: Result, want: Result) -> None:
    """train_minibatch: one step per batch; the mean batch loss of every epoch as a float."""
    for case in want.cases():
        call = want.call("train_minibatch", case)
        expect_curve(got[case], want[case], call, MINIBATCH_MISTAKES)


@check(
    "6.3",
    "part6.fit_minibatch",
    held_out=HELD_OUT_POINTS,
    timeout=60,
    epochs=FIT_MINIBATCH_EPOCHS,
)
def test_fit_minibatch(got: Result, want: Result, labels: np.ndarray) -> None:
    """fit_minibatch: shuffled mini-batch training reaching the reference's accuracy."""
    expect_signature(got, want, "fit_minibatch")
    _expect_batches(got, want)
    expect_trained(got, want, labels, _fit_minibatch_call(), FIT_MINIBATCH_MARGIN)
