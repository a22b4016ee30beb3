"""Probes of part 5 (optimizer and train loop)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .common import (
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
from .plain import FIT_POINTS

MODULE = "part5_training"
UNKNOWN_NAMES = ("rmsprop", "SGD", "adam ")


def make_optimizer(seed: int) -> Description:
    """The optimizer for each name: its class, settings and parameters; unknown names refused."""
    function = load_part(MODULE).make_optimizer
    model = grader_model(seed)
    lr = float(np.round(rng(seed).uniform(0.01, 0.9), 3))
    out = Description()
    for name in ("sgd", "momentum", "adam"):
        optimizer = function(model, name, lr)
        group = optimizer.param_groups[0] if isinstance(optimizer, torch.optim.Optimizer) else {}
        params = {id(p) for g in getattr(optimizer, "param_groups", []) for p in g["params"]}
        out.fact(
            f"optimizer.{name}",
            type=type(optimizer).__name__,
            lr=group.get("lr"),
            momentum=group.get("momentum"),
            covers_model=params == {id(p) for p in model.parameters()},
            given_lr=lr,
        )
    out.fact("optimizer.default", type=type(function(model)).__name__)
    for name in UNKNOWN_NAMES:
        try:
            function(model, name, lr)
            out.fact(f"unknown.{name}", raised=None, message="")
        except Exception as error:  # noqa: BLE001 - the kind of error is the answer
            out.fact(f"unknown.{name}", raised=type(error).__name__, message=str(error)[:300])
    return out


def _training_setup(seed: int, kind: str = "sgd") -> tuple:
    """A fresh grader model, data, loss and optimizer: the same for every call with a seed."""
    X, y = moons(120, seed)
    model = grader_model(seed, width=6)
    if kind == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    elif kind == "momentum":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    inputs = torch.from_numpy(X)
    targets = torch.from_numpy(y.astype(np.float32)).reshape(-1, 1)
    return model, inputs, targets, nn.BCELoss(), optimizer, 12


def train(seed: int, diagnose: bool = False) -> Description:
    """Loss curves of train() with the grader's model, data and each kind of optimizer."""
    function = load_part(MODULE).train
    kinds = ["sgd", "momentum", "adam"]
    mistakes = known_mistakes() if diagnose else None
    out = Description()
    for index, kind in enumerate(kinds):
        described = given("input.grader_training", optimizer=kind, epochs=12)
        out.fact(f"case{index}.input", **described)
        with noting_input(described):
            out.add(f"case{index}", function(*_training_setup(seed, kind)))
        for name, variant in mistakes.TRAIN.items() if mistakes else []:
            out.add(f"case{index}.mistake.{name}", variant(*_training_setup(seed, kind)))
    return out


class _FixedLabels(nn.Module):
    """A 'model' whose probabilities give exactly the labels it was made with."""

    def __init__(self, labels: np.ndarray) -> None:
        super().__init__()
        self.probabilities = torch.from_numpy(np.where(labels == 1, 0.9, 0.1).astype(np.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.probabilities[: len(x)].reshape(-1, 1).clone()


def accuracy(seed: int, diagnose: bool = False) -> Description:
    """accuracy() with predictions fixed by the grader, for labels as arrays and tensors."""
    draw = rng(seed)
    n = int(draw.integers(30, 60))
    predicted = (draw.random(n) > 0.5).astype(np.int64)
    truth = np.where(draw.random(n) < 0.7, predicted, 1 - predicted)
    stand_in = lambda model, X, threshold=0.5: predicted[: len(X)].copy()  # noqa: E731
    function = load_part(MODULE, predict=stand_in).accuracy
    X = draw.normal(size=(n, 2)).astype(np.float32)
    cases = [
        (given("input.labels_as_array"), truth),
        (given("input.labels_as_column"), torch.from_numpy(truth[:, None].astype(np.float32))),
    ]
    out = Description()
    for index, (described, y) in enumerate(cases):
        out.fact(f"case{index}.input", **described)
        with noting_input(described):
            out.add(f"case{index}", function(_FixedLabels(predicted), X, y))
    if diagnose:
        out.add("broadcast_mistake", float(np.mean(predicted[:, None] == truth[None, :])))
    return out


def fit(seed: int, X_test: list) -> Description:
    """End to end: train on moons; answer probabilities on the grader's held-out points."""
    function = load_part(MODULE).fit
    X, y = moons(FIT_POINTS, seed)
    out = Description().fact("signature", value=signature(function))
    with noting_input(given(code="X, y")):
        result = function(X, y, seed=seed)
    out.add("result", result)
    model = _model_of(result)
    if model is not None:
        with torch.no_grad():
            out.add("test_proba", model(torch.tensor(X_test, dtype=torch.float32)))
    out.add("repeat_a", _losses_of(function(X, y, epochs=2, seed=seed + 1)))
    out.add("repeat_b", _losses_of(function(X, y, epochs=2, seed=seed + 1)))
    small = _model_of(function(X, y, epochs=1, hidden_size=5, seed=seed))
    widths = [m.out_features for m in small.modules() if isinstance(m, nn.Linear)] if small else []
    out.fact("hidden_size_5", first_layer=widths[0] if widths else None)
    out.add("sgd_short", _losses_of(function(X, y, epochs=3, seed=seed)))
    out.add("adam_short", _losses_of(function(X, y, epochs=3, optimizer="adam", seed=seed)))
    return out


def _model_of(result: object) -> nn.Module | None:
    """The model of fit's (model, losses), if that is what came back."""
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], nn.Module):
        return result[0]
    return None


def _losses_of(result: object) -> object:
    return result[1] if isinstance(result, tuple) and len(result) == 2 else result


def compare_optimizers(seed: int) -> Description:
    """compare_optimizers() with fit replaced by the grader's: which calls did it make?"""
    calls: list[dict] = []

    def fit_stand_in(X, y, epochs=30, lr=1.0, hidden_size=16, optimizer="sgd", seed=0):
        calls.append({"epochs": epochs, "lr": lr, "optimizer": optimizer, "seed": seed})
        code = sum(map(ord, str(optimizer))) + int(seed) % 97
        return None, [float(code + k / (1 + lr)) for k in range(int(epochs))]

    function = load_part(MODULE, fit=fit_stand_in).compare_optimizers
    draw = rng(seed)
    X, y = draw.normal(size=(20, 2)).astype(np.float32), (draw.random(20) > 0.5).astype(np.int64)
    out = Description()
    out.fact("case0.input", code="X, y")
    out.add("case0", function(X, y))
    names, epochs = ("adam", "sgd"), int(draw.integers(2, 6))
    lr, seed_arg = float(np.round(draw.uniform(0.01, 0.3), 3)), int(draw.integers(1, 100))
    arguments = f"names={names}, epochs={epochs}, lr={lr}, seed={seed_arg}"
    out.fact("case1.input", code=f"X, y, {arguments}")
    out.add("case1", function(X, y, names=names, epochs=epochs, lr=lr, seed=seed_arg))
    return out.fact("calls", value=calls[:20])
