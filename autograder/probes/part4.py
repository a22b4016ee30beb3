"""Probes of part 4 (autograd): gradient and bce_grad_by_hand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .common import Description, TorchCalls, given, load_part, noting_input, rng
from .plain import shape_text

MODULE = "part4_autograd"
# what computes gradients by autograd, whatever name it is reached by
AUTOGRAD = {"grad", "backward"}

FUNCTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "(x**3).sum()": lambda t: (t**3).sum(),
    "(torch.sin(x) * x).sum()": lambda t: (torch.sin(t) * t).sum(),
    "torch.logsumexp(x.flatten(), dim=0)": lambda t: torch.logsumexp(t.flatten(), dim=0),
    "(x**2).mean()": lambda t: (t**2).mean(),
}


def gradient(seed: int) -> Description:
    """d f / d x for the grader's functions, x in float32 and float64 and once requiring grad
    itself; the caller's x must come back untouched."""
    function = load_part(MODULE).gradient
    draw = rng(seed)
    out = Description()
    for index, name in enumerate(FUNCTIONS):
        shape = (int(draw.integers(2, 6)),) if index % 2 == 0 else (3, int(draw.integers(2, 5)))
        dtype = torch.float64 if index % 2 else torch.float32
        x = torch.from_numpy(draw.normal(size=shape)).to(dtype)
        if index == 3:
            x.requires_grad_(True)
        before = (x.detach().clone(), x.requires_grad)
        described = given("input.f_and_x", f=name, shape=shape_text(shape), dtype=str(dtype))
        out.fact(f"case{index}.input", **described)
        with noting_input(described):
            out.add(f"case{index}", function(FUNCTIONS[name], x))
        untouched = (
            torch.equal(x.detach(), before[0]) and x.requires_grad == before[1] and x.grad is None
        )
        out.fact(f"case{index}.input_untouched", value=bool(untouched))
    return out


def bce_grad_by_hand(seed: int, diagnose: bool = False) -> Description:
    """Hand gradients against autograd, in float64 and float32, on random problems; every
    torch function that runs is watched, so that autograd (by any route) shows."""
    function = load_part(MODULE).bce_grad_by_hand
    draw = rng(seed)
    dtypes = [torch.float64, torch.float32, torch.float64]
    out = Description()
    for index, dtype in enumerate(dtypes):
        n, d = int(draw.integers(5, 40)), int(draw.integers(1, 6))
        X = torch.from_numpy(draw.normal(size=(n, d))).to(dtype)
        y = torch.from_numpy((draw.random(n) > 0.5).astype(np.float64)).to(dtype)
        w = torch.from_numpy(draw.normal(size=d)).to(dtype)
        b = torch.tensor(float(draw.normal()), dtype=dtype)
        described = given("input.bce_problem", shape=shape_text((n, d)), dtype=str(dtype))
        out.fact(f"case{index}.input", n=n, **described)
        with TorchCalls() as calls, noting_input(described):
            result = function(w.clone(), b.clone(), X.clone(), y.clone())
        out.fact(f"case{index}.autograd", used=calls.ran(AUTOGRAD))
        out.add(f"case{index}", result)
        if diagnose:
            w_leaf, b_leaf = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
            loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(X @ w_leaf + b_leaf), y)
            out.add(f"case{index}.autograd_grads", torch.autograd.grad(loss, (w_leaf, b_leaf)))
    return out
