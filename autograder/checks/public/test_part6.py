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

MINIBATCH_MISTAKES = {
    "no_zero_grad": "training without optimizer.zero_grad(): gradients pile up from batch to "
    "batch.",
    "zero_grad_once_per_epoch": "calling optimizer.zero_grad() once per epoch instead of once "
    "per batch: gradients pile up within the epoch.",
    "zero_grad_between_backward_and_step": "calling optimizer.zero_grad() between "
    "loss.backward() and optimizer.step(): every step uses zero gradients.",
    "no_step": "training without optimizer.step(): the weights never change.",
    "sum_of_batch_losses": "adding up the batch losses: return their mean for the epoch.",
    "last_batch_loss": "keeping only the last batch's loss: return the mean over the epoch.",
}


def _rows(value) -> list[tuple]:
    return sorted(map(tuple, value.numbers.reshape(len(value.numbers), -1).tolist()))


def _expect_batches(got: Result, want: Result) -> None:
    """fit_minibatch trained by going through DataLoaders that shuffle, in batches of
    batch_size: what its loaders really did, however they were made."""
    passes = got.fact("loader", "passes") or []
    expected = want.fact("loader", "passes")[0]["batch_size"]
    call = f"fit_minibatch(X, y, epochs={FIT_MINIBATCH_EPOCHS})"
    if not passes:
        fail(
            f"{call} never went through a DataLoader: make the loader with make_loader and "
            "train on it with train_minibatch."
        )
    for used in passes:
        if used["batch_size"] != expected:
            whole = (
                " That is one batch of all the points: full-batch training, not mini-batches."
                if used["batch_size"] is not None and used["batch_size"] >= used["points"]
                else ""
            )
            fail(
                f"{call} trained on batches of {used['batch_size']} points, expected "
                f"batch_size={expected}: pass batch_size on to make_loader.{whole}"
            )
        if not used["shuffled"]:
            fail(
                f"{call} trained with a DataLoader that does not shuffle: mini-batches should "
                "come in a new random order every epoch (shuffle=True)."
            )


@check("6.1", "part6.make_loader")
def test_make_loader(got: Result, want: Result) -> None:
    """make_loader: float32 batches (B, 2) and (B, 1), in a new order every epoch if shuffled."""
    X = want["X"].numbers
    for name in ("shuffled", "ordered"):
        call = f"make_loader({want.fact(f'{name}.input', 'text')})"
        if got.fact(f"{name}.loader", "type") != "DataLoader":
            fail(f"{call} returned {got.fact(f'{name}.loader', 'type')}, expected a DataLoader.")
        first_y, expected_y = got[f"{name}.first_y"], want[f"{name}.first_y"]
        if first_y.kind == "tensor" and first_y.shape == expected_y.shape[:1]:
            fail(
                f"{call} gives targets of shape {first_y.shape_text}, expected "
                f"{expected_y.shape_text}: BCELoss needs targets shaped like the model's "
                "output; make y a column with .reshape(-1, 1)."
            )
        expect_like(
            got[f"{name}.first_x"],
            want[f"{name}.first_x"],
            f"the inputs of the first batch of {call}",
            values=False,
        )
        expect_like(first_y, expected_y, f"the targets of the first batch of {call}", values=False)
        sizes = got.fact(f"{name}.epoch0.sizes", "value")
        if sizes != want.fact(f"{name}.epoch0.sizes", "value"):
            fail(
                f"{call} gave batches of {sizes}, expected "
                f"{want.fact(f'{name}.epoch0.sizes', 'value')}."
            )
        epochs = [got[f"{name}.epoch{k}"] for k in (0, 1)]
        if any(e.numbers is None or _rows(e) != sorted(map(tuple, X.tolist())) for e in epochs):
            fail(f"an epoch of {call} does not hold every point of X exactly once.")
        in_order = [np.array_equal(e.numbers, X) for e in epochs]
        if name == "ordered" and not in_order[0]:
            fail(f"{call} changed the order of the points: shuffle=False keeps it.")
        if name == "shuffled" and any(in_order):
            fail(
                f"{call} gives the points in their original order: the DataLoader shuffles "
                "only when it is told to: pass the shuffle argument on."
            )
        if name == "shuffled" and np.array_equal(epochs[0].numbers, epochs[1].numbers):
            fail(
                f"{call} gives the same order every epoch: let the DataLoader shuffle "
                "(shuffle=True) instead of shuffling once."
            )


@check("6.2", "part6.train_minibatch", diagnose=True)
def test_train_minibatch(got: Result, want: Result) -> None:
    """train_minibatch: one step per batch; the mean batch loss of every epoch as a float."""
    for case in want.cases():
        call = f"train_minibatch({want.fact(f'{case}.input', 'text')})"
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
    call = f"fit_minibatch(X, y, epochs={FIT_MINIBATCH_EPOCHS})"
    expect_trained(got, want, labels, call, FIT_MINIBATCH_MARGIN)
