"""Probes of part 2 (layers and activations)."""

from __future__ import annotations

import torch
from torch import nn

from .common import (
    Description,
    TorchCalls,
    describe_error,
    given,
    load_part,
    noting_input,
    random_shape,
    random_tensor,
    rng,
    run_cases,
)
from .plain import shape_text

MODULE = "part2_layers"
# what computes a whole layer at once: calling it, its forward, torch.nn.functional.linear
LAYER_OPERATIONS = {"linear"}
# PyTorch's own sigmoid, by each of its names (torch.sigmoid, Tensor.sigmoid_, special.expit)
LIBRARY_SIGMOIDS = {"sigmoid", "sigmoid_", "special_expit", "expit", "logsigmoid"}


def make_linear(seed: int) -> Description:
    """Layers of two different sizes (so that swapped arguments show) and of size 1 to 1; each
    is used on a batch, and an error there is the layer's, not make_linear's."""
    draw = rng(seed)
    n_in, n_out = (int(n) for n in draw.choice(range(1, 9), size=2, replace=False))
    function = load_part(MODULE).make_linear
    out = Description()
    for index, (size_in, size_out) in enumerate([(n_in, n_out), (1, 1)]):
        case = f"case{index}"
        described = given(code=f"in_features={size_in}, out_features={size_out}")
        out.fact(f"{case}.input", **described)
        with noting_input(described):
            layer = function(size_in, size_out)
        out.fact(f"{case}.layer", is_linear=isinstance(layer, nn.Linear))
        if not isinstance(layer, nn.Module):
            out.add(case, layer)
            continue
        out.add(f"{case}.weight", getattr(layer, "weight", None))
        out.add(f"{case}.bias", getattr(layer, "bias", None))
        batch = random_tensor(draw, [3, size_in])
        out.fact(f"{case}.batch", shape=[3, size_in])
        try:
            with torch.no_grad():
                out.add(case, layer(batch))
        except Exception as error:  # noqa: BLE001 - the layer's failure is the finding
            out.fact(f"{case}.use_error", text=describe_error(error))
    return out


def linear_by_hand(seed: int, diagnose: bool = False) -> Description:
    """Layers with and without a bias, of two different sizes; every torch function that runs
    is watched, so that using the layer (by any route) shows."""
    draw = rng(seed)
    torch.manual_seed(seed)
    function = load_part(MODULE).linear_by_hand
    out = Description()
    used: set[str] = set()
    for index, bias in enumerate([True, False]):
        n = int(draw.integers(2, 6))
        n_in, n_out = (int(k) for k in draw.choice(range(2, 7), size=2, replace=False))
        layer = nn.Linear(n_in, n_out, bias=bias)
        x = random_tensor(draw, [n, n_in])
        described = given(
            "input.x_and_layer",
            shape=shape_text((n, n_in)),
            layer=f"nn.Linear({n_in}, {n_out}, bias={bias})",
        )
        out.fact(f"case{index}.input", **described)
        with TorchCalls() as calls, noting_input(described):
            result = function(x, layer)
        used.update(calls.ran(LAYER_OPERATIONS))
        out.add(f"case{index}", result)
        if diagnose and bias:
            with torch.no_grad():
                out.add(f"case{index}.mistake.no_bias", layer(x) - layer.bias)
    return out.fact("layer_used", value=sorted(used))


def _inputs(seed: int) -> list[tuple[str, tuple]]:
    draw = rng(seed)
    shape = random_shape(draw, 2)
    three = random_shape(draw, 3)
    extremes = torch.tensor([-1e4, -50, 0, 50, 1e4])
    return [
        (
            given("input.tensor_of_shape", shape=shape_text(shape)),
            (random_tensor(draw, shape) * 3,),
        ),
        (given(code="tensor([-10000, -50, 0, 50, 10000])"), (extremes,)),
        (given("input.tensor_of_shape", shape=shape_text(three)), (random_tensor(draw, three),)),
    ]


def activations(seed: int) -> Description:
    return run_cases(load_part(MODULE).activations, _inputs(seed))


def sigmoid_by_hand(seed: int) -> Description:
    """The formula on ordinary and extreme values; PyTorch's own sigmoid must not run."""
    function = load_part(MODULE).sigmoid_by_hand
    with TorchCalls() as calls:
        out = run_cases(function, _inputs(seed))
    return out.fact("library_sigmoid", value=calls.ran(LIBRARY_SIGMOIDS))
