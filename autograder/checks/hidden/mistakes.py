"""Known mistakes, written out, for feedback that names them. Never ship this file.

The reference worker runs each variant on the check's own inputs; the check then tells a
student which variant their result matches. Each variant is the reference with one
classic mistake. Variants that are correct too (another way to average) are listed apart,
so that they pass.
"""

from __future__ import annotations

from collections.abc import Callable


def _steps(
    model, X, y, criterion, optimizer, *, zero=True, backward=True, step=True, zero_between=False
):
    loss = criterion(model(X), y)
    if zero and not zero_between:
        optimizer.zero_grad()
    if backward:
        loss.backward()
    if zero_between:
        optimizer.zero_grad()
    if step:
        optimizer.step()
    return loss


def _full_batch(**options) -> Callable:
    def train(model, X, y, criterion, optimizer, epochs):
        return [_steps(model, X, y, criterion, optimizer, **options).item() for _ in range(epochs)]

    return train


def _train_recording_after_step(model, X, y, criterion, optimizer, epochs):
    losses = []
    for _ in range(epochs):
        _steps(model, X, y, criterion, optimizer)
        losses.append(criterion(model(X), y).item())
    return losses


TRAIN = {
    "no_zero_grad": _full_batch(zero=False),
    "zero_grad_between_backward_and_step": _full_batch(zero_between=True),
    "no_step": _full_batch(step=False),
    "no_backward": _full_batch(backward=False),
    "loss_after_step": _train_recording_after_step,
}


def _minibatch(*, zero="batch", reduce="weighted", **options) -> Callable:
    def train_minibatch(model, loader, criterion, optimizer, epochs):
        losses = []
        for _ in range(epochs):
            if zero == "epoch":
                optimizer.zero_grad()
            values, sizes = [], []
            for xb, yb in loader:
                loss = _steps(model, xb, yb, criterion, optimizer, zero=zero == "batch", **options)
                values.append(loss.item())
                sizes.append(len(xb))
            if reduce == "weighted":
                losses.append(sum(v * n for v, n in zip(values, sizes, strict=True)) / sum(sizes))
            elif reduce == "plain":
                losses.append(sum(values) / len(values))
            elif reduce == "sum":
                losses.append(sum(values))
            else:
                losses.append(values[-1])
        return losses

    return train_minibatch


TRAIN_MINIBATCH = {
    "no_zero_grad": _minibatch(zero="never"),
    "zero_grad_once_per_epoch": _minibatch(zero="epoch"),
    "zero_grad_between_backward_and_step": _minibatch(zero_between=True),
    "no_step": _minibatch(step=False),
    "sum_of_batch_losses": _minibatch(reduce="sum"),
    "last_batch_loss": _minibatch(reduce="last"),
}

TRAIN_MINIBATCH_CORRECT = {
    "weighted_mean": _minibatch(),
    "plain_mean": _minibatch(reduce="plain"),
}
