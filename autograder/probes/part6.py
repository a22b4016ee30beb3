"""Probes of part 6 (mini-batches with a DataLoader)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

from .common import (
    MAX_ITEMS,
    Description,
    given,
    grader_model,
    known_mistakes,
    load_part,
    moons,
    noting_input,
    rng,
    signature,
)
from .part5 import _losses_of, _model_of
from .plain import FIT_POINTS, grid_points, widened_box

MODULE = "part6_minibatch"
# the grid of the decision boundary drawn in the feedback report
GRID_STEPS = 60
GRID_MARGIN = 0.5


def _epoch(loader: object) -> tuple[list, list, list]:
    """One pass over a loader: the x rows in order, the batch sizes, the first batch."""
    rows, sizes, first = [], [], None
    for batch in loader:
        xb, yb = batch
        first = first or (xb, yb)
        rows.append(xb.detach().reshape(len(xb), -1))
        sizes.append(len(xb))
    return rows, sizes, first


def make_loader(seed: int) -> Description:
    """Batches of make_loader: sizes, dtypes, shapes, and the order of two epochs."""
    function = load_part(MODULE).make_loader
    draw = rng(seed)
    n, batch_size = int(draw.integers(40, 70)), int(draw.integers(5, 12))
    X = draw.normal(size=(n, 2)).astype(np.float32)
    y = (draw.random(n) > 0.5).astype(np.int64)
    out = Description().add("X", X)
    layouts = [("shuffled", True), ("ordered", False)]
    for name, shuffle in layouts:
        torch.manual_seed(seed)
        loader = function(X, y, batch_size=batch_size, shuffle=shuffle)
        out.fact(
            f"{name}.input",
            code=f"X, y, batch_size={batch_size}, shuffle={shuffle}",
            batch_size=batch_size,
            n=n,
        )
        out.fact(
            f"{name}.loader",
            type=type(loader).__name__,
            dataset=type(getattr(loader, "dataset", None)).__name__,
        )
        epochs = [_epoch(loader) for _ in range(2)]
        for index, (rows, sizes, _first) in enumerate(epochs):
            out.add(f"{name}.epoch{index}", torch.cat(rows) if rows else None)
            out.fact(f"{name}.epoch{index}.sizes", value=sizes)
        if epochs[0][2] is not None:
            out.add(f"{name}.first_x", epochs[0][2][0]).add(f"{name}.first_y", epochs[0][2][1])
    return out


def _minibatch_setup(seed: int, kind: str) -> tuple:
    """The grader's model, an unshuffled loader whose last batch is smaller, loss, optimizer."""
    X, y = moons(70, seed)
    dataset = TensorDataset(torch.from_numpy(X), torch.from_numpy(y.astype(np.float32))[:, None])
    loader = DataLoader(dataset, batch_size=16, shuffle=False)
    model = grader_model(seed, width=6)
    if kind == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return model, loader, nn.BCELoss(), optimizer, 6


def train_minibatch(seed: int, diagnose: bool = False) -> Description:
    """Loss curves of train_minibatch() with the grader's model, loader and optimizer."""
    function = load_part(MODULE).train_minibatch
    mistakes = known_mistakes() if diagnose else None
    out = Description()
    for index, kind in enumerate(["sgd", "momentum"]):
        described = given("input.grader_loader_training", optimizer=kind, epochs=6)
        out.fact(f"case{index}.input", **described)
        with noting_input(described):
            out.add(f"case{index}", function(*_minibatch_setup(seed, kind)))
        for name, variant in mistakes.TRAIN_MINIBATCH.items() if mistakes else []:
            out.add(f"case{index}.mistake.{name}", variant(*_minibatch_setup(seed, kind)))
        for name, variant in mistakes.TRAIN_MINIBATCH_CORRECT.items() if mistakes else []:
            out.add(f"case{index}.variant.{name}", variant(*_minibatch_setup(seed, kind)))
    return out


@contextmanager
def _loader_passes() -> Iterator[list[dict]]:
    """Note every pass over any DataLoader while the block runs (however the student's code
    named the class, or a subclass of it): its batch size, whether it shuffles, its length."""
    passes: list[dict] = []
    original = DataLoader.__iter__

    def watched(loader: DataLoader):
        passes.append(
            {
                "batch_size": loader.batch_size,
                "shuffled": isinstance(loader.sampler, RandomSampler),
                "points": len(loader.dataset) if hasattr(loader.dataset, "__len__") else None,
            }
        )
        return original(loader)

    DataLoader.__iter__ = watched
    try:
        yield passes
    finally:
        DataLoader.__iter__ = original


def _grid(points: np.ndarray) -> tuple[torch.Tensor, dict]:
    """A GRID_STEPS x GRID_STEPS grid over the box of `points` (widened by GRID_MARGIN) as
    float32 inputs; and the box, from which the feedback's picture draws the same grid."""
    low, high = widened_box(points, GRID_MARGIN)
    grid = torch.tensor(grid_points(low, high, GRID_STEPS), dtype=torch.float32)
    return grid, {"low": low.tolist(), "high": high.tolist(), "steps": GRID_STEPS}


def fit_minibatch(seed: int, X_test: list, epochs: int) -> Description:
    """End to end with mini-batches: how the loaders it trained with batch and shuffle, and
    the trained model's probabilities on the grader's held-out points."""
    part = load_part(MODULE)
    X, y = moons(FIT_POINTS, seed)
    out = Description().fact("signature", value=signature(part.fit_minibatch))
    with _loader_passes() as passes:
        result = part.fit_minibatch(X, y, epochs=epochs, seed=seed)
    out.add("result", result)
    out.fact("loader", passes=passes[:MAX_ITEMS], count=len(passes))
    model = _model_of(result)
    if model is not None:
        grid, box = _grid(np.asarray(X_test))
        with torch.no_grad():
            out.add("test_proba", model(torch.tensor(X_test, dtype=torch.float32)))
            out.add("grid_proba", model(grid))
        out.fact("grid", **box)
    out.add("repeat_a", _losses_of(part.fit_minibatch(X, y, epochs=1, seed=seed + 1)))
    out.add("repeat_b", _losses_of(part.fit_minibatch(X, y, epochs=1, seed=seed + 1)))
    return out
