"""Checks of part 5: the optimizer and the train loop."""

import numpy as np

from autograder.grading.expect import (
    Result,
    compare_cases,
    expect_curve,
    expect_like,
    expect_signature,
    expect_trained,
    fail,
    same_numbers,
)
from autograder.grading.plugin import check
from autograder.probes.plain import HELD_OUT_POINTS

# How far below the reference (same seed, same held-out points) a correct fit may land.
# `make calibrate`, 50 seeds: correct variants that draw their random numbers in another order
# fell at most 0.016 below the reference (mean 0.873 for all); 0.05 adds room for others.
# Full-batch accuracy cannot tell a linear model (0.867) from the network: 3.1 and 5.2 do.
FIT_MARGIN = 0.05

TRAIN_MISTAKES = {
    "no_zero_grad": "training without optimizer.zero_grad(): gradients pile up from epoch to "
    "epoch.",
    "zero_grad_between_backward_and_step": "calling optimizer.zero_grad() between "
    "loss.backward() and optimizer.step(): every step uses zero gradients.",
    "no_step": "training without optimizer.step(): the weights never change.",
    "no_backward": "training without loss.backward(): there are no gradients to step with.",
    "loss_after_step": "recording the loss after optimizer.step(): record the loss computed "
    "before the step.",
}


@check("5.1", "part5.make_optimizer")
def test_make_optimizer(got: Result, want: Result) -> None:
    """make_optimizer: SGD, SGD with momentum 0.9 or Adam over the model's parameters."""
    for name in ("sgd", "momentum", "adam"):
        mine, theirs = got.data[f"optimizer.{name}"], want.data[f"optimizer.{name}"]
        call = f"make_optimizer(model, {name!r}, lr={theirs['given_lr']})"
        if mine["type"] != theirs["type"]:
            fail(f"{call} returned {mine['type']}, expected torch.optim.{theirs['type']}.")
        if mine["lr"] != theirs["lr"]:
            fail(f"{call} has lr={mine['lr']}: pass the lr argument to the optimizer.")
        if mine["momentum"] != theirs["momentum"]:
            fail(f"{call} has momentum={mine['momentum']}, expected {theirs['momentum']}.")
        if not mine["covers_model"]:
            fail(
                f"{call} does not update this model's parameters: build it on "
                "model.parameters() of the model you were given."
            )
    if got.fact("optimizer.default", "type") != want.fact("optimizer.default", "type"):
        fail("make_optimizer(model) without a name must give plain SGD.")
    for path in want.data:
        if path.startswith("unknown."):
            name, raised = path.removeprefix("unknown."), got.fact(path, "raised")
            if raised != "ValueError":
                what = "accepted it" if raised is None else f"raised {raised}"
                fail(
                    f"make_optimizer(model, {name!r}) {what}: raise ValueError for an unknown name."
                )
            message = got.fact(path, "message").lower()
            if not all(choice in message for choice in ("sgd", "momentum", "adam")):
                fail(
                    f"the ValueError for {name!r} should list the choices: 'sgd', 'momentum', "
                    "'adam'."
                )


@check("5.2", "part5.train", diagnose=True)
def test_train(got: Result, want: Result) -> None:
    """train: zero_grad, forward, loss, backward, step each epoch; the losses as floats."""
    for case in want.cases():
        call = f"train({want.fact(f'{case}.input', 'text')})"
        expect_curve(got[case], want[case], call, TRAIN_MISTAKES)


@check("5.3", "part5.accuracy", diagnose=True)
def test_accuracy(got: Result, want: Result) -> None:
    """accuracy: the share of points whose predicted label equals y, as a float."""
    for case in want.cases():
        value = got[case]
        call = f"accuracy({want.fact(f'{case}.input', 'text')})"
        if value.kind == "tensor":
            fail(f"{call} returned a torch.Tensor: return a Python float (use .item()).")
        if value.kind in ("float", "int") and np.isclose(
            float(value.value), float(want["mistake.broadcast"].value)
        ):
            fail(
                f"{call} returned {value.value:.3f}: it compared an (N, 1) array with an (N,) "
                "one, which broadcasts to an N × N table. Flatten both to shape (N,)."
            )
        expect_like(value, want[case], call)


@check("5.4", "part5.fit", held_out=HELD_OUT_POINTS, timeout=60)
def test_fit(got: Result, want: Result, labels: np.ndarray) -> None:
    """fit: full-batch training that lowers the loss and reaches the reference's accuracy."""
    expect_signature(got, want, "fit")
    expect_trained(got, want, labels, "fit(X, y)", FIT_MARGIN)
    if got.fact("hidden_size_5", "first_layer") != 5:
        fail(
            "fit(X, y, hidden_size=5) did not build a hidden layer of 5 units: pass "
            "hidden_size to build_model."
        )
    if "adam_short" in want.data and same_numbers(got["adam_short"], got["sgd_short"]):
        fail(
            "fit(X, y, optimizer='adam') trained exactly like SGD: pass the optimizer name "
            "to make_optimizer."
        )


@check("5.5", "part5.compare_optimizers")
def test_compare_optimizers(got: Result, want: Result) -> None:
    """compare_optimizers: the loss curve of fit for each name, same epochs, lr and seed."""
    mine, theirs = got.fact("calls", "value"), want.fact("calls", "value")
    for index, expected in enumerate(theirs):
        if index >= len(mine):
            fail(f"compare_optimizers called fit {len(mine)} times, expected {len(theirs)}.")
        for key, value in expected.items():
            if mine[index].get(key) != value:
                fail(
                    f"compare_optimizers called fit with {key}={mine[index].get(key)!r}, "
                    f"expected {key}={value!r}."
                )
    compare_cases(got, want, "compare_optimizers")
