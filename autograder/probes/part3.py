"""Probes of part 3 (the network): build_model, predict_proba and predict."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .common import Description, given, grader_model, load_part, noting_input, rng

MODULE = "part3_network"


def _inputs(seed: int, n: int = 64) -> torch.Tensor:
    return torch.from_numpy(rng(seed).normal(scale=2.0, size=(n, 2)).astype(np.float32))


def _is_affine(model: nn.Module, seed: int) -> bool:
    """Whether the model's logit is an affine function of its input (no hidden nonlinearity)."""
    a, b = _inputs(seed + 1, 32), _inputs(seed + 2, 32)
    with torch.no_grad():
        outputs = [model(x).double().clamp(1e-12, 1 - 1e-12) for x in (a, b, (a + b) / 2)]
    logits = [torch.log(p / (1 - p)) for p in outputs]
    return bool(torch.allclose(logits[2], (logits[0] + logits[1]) / 2, atol=1e-4))


def _formula(linears: list[nn.Linear], x: torch.Tensor) -> torch.Tensor:
    """Linear → ReLU → Linear → Sigmoid computed from the model's own two layers."""
    first, second = linears
    with torch.no_grad():
        return torch.sigmoid(second(torch.relu(first(x))))


def build_model(seed: int) -> Description:
    """Structure and outputs of build_model() and build_model(h), for new sizes h (1 too)."""
    function = load_part(MODULE).build_model
    sizes = [None, int(rng(seed).integers(3, 12)), 1, 32]
    out = Description()
    for index, size in enumerate(sizes):
        case = f"case{index}"
        torch.manual_seed(seed + index)
        described = given(code="" if size is None else f"hidden_size={size}")
        out.fact(f"{case}.input", **described)
        with noting_input(described):
            model = function() if size is None else function(size)
        out.fact(f"{case}.module", value=isinstance(model, nn.Module))
        if not isinstance(model, nn.Module):
            out.add(case, model)
            continue
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        x = _inputs(seed)
        with torch.no_grad():
            out.add(case, model(x))
        out.fact(
            f"{case}.layers",
            linears=[[m.in_features, m.out_features] for m in linears],
            affine=_is_affine(model, seed),
        )
        if len(linears) == 2 and linears[0].in_features == 2 and linears[1].out_features == 1:
            out.add(f"{case}.formula", _formula(linears, x))
    return out


class _GradWatch(nn.Module):
    """Wraps the grader's model and notes whether autograd was recording during forward."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.recorded: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.recorded.append(torch.is_grad_enabled())
        return self.model(x)


def predict_proba(seed: int) -> Description:
    """The grader's model on points given as float32 and float64 arrays, and as tensors."""
    function = load_part(MODULE).predict_proba
    draw = rng(seed)
    points = draw.normal(size=(int(draw.integers(20, 40)), 2)).astype(np.float32)
    cases = [
        (given("input.model_and_float32_array"), points),
        (given("input.model_and_float64_array"), points.astype(np.float64)),
        (given("input.model_and_tensor"), torch.from_numpy(points)),
        (
            given("input.model_and_tensor_requiring_grad"),
            torch.from_numpy(points).requires_grad_(True),
        ),
    ]
    model = _GradWatch(grader_model(seed))
    out = Description()
    for index, (described, X) in enumerate(cases):
        out.fact(f"case{index}.input", **described)
        with noting_input(described):
            out.add(f"case{index}", function(model, X))
    grads = [p.grad is not None for p in model.parameters()]
    return out.fact("graph", built=any(model.recorded), grads=any(grads))


class _FixedProbabilities(nn.Module):
    """A 'model' that answers the same probabilities for the N points it is given."""

    def __init__(self, probabilities: np.ndarray) -> None:
        super().__init__()
        self.probabilities = torch.from_numpy(probabilities.reshape(-1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.probabilities[: len(x)].clone()


def predict(seed: int) -> Description:
    """Labels for fixed probabilities (ties with the threshold included), many thresholds."""
    draw = rng(seed)
    thresholds = [None, 0.3, 0.5, 0.8]
    probabilities = draw.random(40).astype(np.float32)
    probabilities[:8] = np.array([0.5, 0.3, 0.8, 0.5, 0.3, 0.8, 0.0, 1.0], dtype=np.float32)
    model = _FixedProbabilities(probabilities)
    stand_in = lambda model, X: probabilities[: len(X)].copy()  # noqa: E731
    function = load_part(MODULE, predict_proba=stand_in).predict
    X = draw.normal(size=(40, 2)).astype(np.float32)
    out = Description().add("probabilities", probabilities)
    for index, threshold in enumerate(thresholds):
        described = given(
            code="model, X" + ("" if threshold is None else f", threshold={threshold}")
        )
        out.fact(f"case{index}.input", threshold=threshold, **described)
        with noting_input(described):
            labels = function(model, X) if threshold is None else function(model, X, threshold)
        out.add(f"case{index}", labels)
    return out
