"""Probes of part 2 (layers and activations)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from .common import Description, load_part, random_shape, random_tensor, rng, run_cases

MODULE = "part2_layers"


def make_linear(seed: int, hidden: bool = False) -> Description:
    draw = rng(seed)
    sizes = [random_shape(draw, 2, low=1, high=8)] + ([[1, 1]] if hidden else [])
    function = load_part(MODULE).make_linear
    out = Description()
    for index, (n_in, n_out) in enumerate(sizes):
        layer = function(n_in, n_out)
        out.fact(f"case{index}.input", text=f"in_features={n_in}, out_features={n_out}")
        out.fact(f"case{index}.layer", is_linear=isinstance(layer, nn.Linear))
        if isinstance(layer, nn.Module):
            out.add(f"case{index}.weight", getattr(layer, "weight", None))
            out.add(f"case{index}.bias", getattr(layer, "bias", None))
            batch = random_tensor(draw, [3, n_in])
            with torch.no_grad():
                out.add(f"case{index}", layer(batch))
        else:
            out.add(f"case{index}", layer)
    return out


class WatchedLinear(nn.Linear):
    """A linear layer that notes whether it was called."""

    called = False

    def __call__(self, *args: object, **kwargs: object) -> torch.Tensor:
        WatchedLinear.called = True
        return super().__call__(*args, **kwargs)


def linear_by_hand(seed: int, hidden: bool = False) -> Description:
    draw = rng(seed)
    torch.manual_seed(seed)
    layouts = [(random_shape(draw, 3, low=2), True)]
    if hidden:
        layouts += [(random_shape(draw, 3), True), (random_shape(draw, 3, low=2), False)]
    cases = []
    for (n, n_in, n_out), bias in layouts:
        layer = WatchedLinear(n_in, n_out, bias=bias)
        text = f"x of shape ({n}, {n_in}), nn.Linear({n_in}, {n_out}, bias={bias})"
        cases.append((text, (random_tensor(draw, [n, n_in]), layer)))
    out = run_cases(load_part(MODULE).linear_by_hand, cases)
    return out.fact("layer_called", value=WatchedLinear.called)


def _inputs(seed: int, hidden: bool) -> list[tuple[str, tuple]]:
    draw = rng(seed)
    shape = random_shape(draw, 2)
    cases = [(f"a tensor of shape {tuple(shape)}", (random_tensor(draw, shape) * 3,))]
    if hidden:
        cases.append(("[-10000, -50, 0, 50, 10000]", (torch.tensor([-1e4, -50, 0, 50, 1e4]),)))
        cases.append(("a 3-D tensor", (random_tensor(draw, random_shape(draw, 3)),)))
    return cases


def activations(seed: int, hidden: bool = False) -> Description:
    return run_cases(load_part(MODULE).activations, _inputs(seed, hidden))


@contextmanager
def _sigmoid_watch() -> Iterator[list[str]]:
    """Note every call of PyTorch's own sigmoid while the block runs."""
    used: list[str] = []
    targets = [
        (torch, "sigmoid"),
        (torch.Tensor, "sigmoid"),
        (torch.special, "expit"),
        (torch.nn.functional, "sigmoid"),
    ]
    originals = [(owner, name, getattr(owner, name)) for owner, name in targets]

    def watch(label: str, original):
        def watched(*args, **kwargs):
            used.append(label)
            return original(*args, **kwargs)

        return watched

    for owner, name, original in originals:
        setattr(owner, name, watch(f"{getattr(owner, '__name__', 'Tensor')}.{name}", original))
    try:
        yield used
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def sigmoid_by_hand(seed: int, hidden: bool = False) -> Description:
    cases = _inputs(seed, True)[:2] if not hidden else _inputs(seed, True)
    function = load_part(MODULE).sigmoid_by_hand
    with _sigmoid_watch() as used:
        out = run_cases(function, cases)
    return out.fact("library_sigmoid", value=sorted(set(used)))
