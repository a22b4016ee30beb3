"""Probes of part 7 (the decision boundary): decision_grid and plot_decision_boundary."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .common import Description, given, load_part, noting_input, rng
from .plain import grid_points, widened_box

MODULE = "part7_boundary"
# the zygote imports these before the first child of this module (students import pyplot)
ZYGOTE_IMPORTS = ("matplotlib", "matplotlib.pyplot")
# what colours the plane: pcolormesh, contourf (by matplotlib version), fill_between
BACKGROUNDS = (
    "QuadMesh",
    "QuadContourSet",
    "ContourSet",
    "PolyCollection",
    "FillBetweenPolyCollection",
)


class _Tilted(nn.Module):
    """The grader's 'model': probability sigmoid(x1 - 2 x2 + 0.3), lopsided on purpose so that
    swapped axes or a transposed grid show."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.as_tensor(x, dtype=torch.float32)
        return torch.sigmoid(x[:, :1] - 2 * x[:, 1:2] + 0.3)


def _tilted_proba(model: nn.Module, X: object) -> np.ndarray:
    with torch.no_grad():
        return _Tilted()(torch.as_tensor(np.asarray(X), dtype=torch.float32)).reshape(-1).numpy()


def _points(seed: int, n: int) -> np.ndarray:
    draw = rng(seed)
    return (draw.normal(size=(n, 2)) * [1.5, 0.7] + [0.5, -0.2]).astype(np.float32)


def decision_grid(seed: int) -> Description:
    """The grid and probabilities for the grader's model, default and custom steps and margin."""
    function = load_part(MODULE, predict_proba=_tilted_proba).decision_grid
    X = _points(seed, 30)
    cases = [
        (given(code="model, X"), (X,), {}, 0.5),
        (given(code="model, X, steps=7, margin=0.25"), (X, 7, 0.25), {}, 0.25),
        (given("input.model_tensor_steps", steps=5), (torch.from_numpy(X),), {"steps": 5}, 0.5),
    ]
    out = Description()
    for index, (described, args, kwargs, margin) in enumerate(cases):
        out.fact(f"case{index}.input", margin=margin, **described)
        with noting_input(described):
            out.add(f"case{index}", function(_Tilted(), *args, **kwargs))
    return out


def plot_decision_boundary(seed: int) -> Description:
    """What the picture holds: the points by label, a coloured background, the axes used."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def grid_stand_in(model, X, steps=100, margin=0.5):
        low, high = widened_box(X, margin)
        points = grid_points(low, high, steps)
        columns = [points[:, k].reshape(steps, steps) for k in range(2)]
        return (*columns, _tilted_proba(model, points).reshape(steps, steps))

    part = load_part(MODULE, decision_grid=grid_stand_in, predict_proba=_tilted_proba)
    X = _points(seed, 40)
    y = (rng(seed + 1).random(40) > 0.5).astype(np.int64)
    out = Description().add("X", X).add("y", y)
    for index, on_their_axes in enumerate([False, True]):
        plt.close("all")
        ax = plt.subplots()[1] if on_their_axes else None
        result = (
            part.plot_decision_boundary(_Tilted(), X, y, ax=ax)
            if on_their_axes
            else part.plot_decision_boundary(_Tilted(), X, y)
        )
        axes = result if hasattr(result, "collections") else None
        out.fact(
            f"case{index}",
            type=type(result).__name__,
            given=on_their_axes,
            same_axes=bool(on_their_axes and result is ax),
        )
        if axes is None:
            continue
        _describe_picture(out, f"case{index}", axes)
    plt.close("all")
    return out


def _describe_picture(out: Description, path: str, axes: object) -> None:
    """Scattered points with their colours, and the kinds of filled areas behind them."""
    offsets, colours, backgrounds = [], [], []
    for collection in axes.collections:
        kind = type(collection).__name__
        points = np.asarray(collection.get_offsets())
        if kind == "PathCollection" and points.ndim == 2 and len(points):
            collection.update_scalarmappable()  # colours from c=… without drawing the figure
            faces = np.asarray(collection.get_facecolors())
            if len(faces) == 1:
                faces = np.repeat(faces, len(points), axis=0)
            if len(faces) == len(points):
                offsets.append(points)
                colours.append(faces)
        elif kind in BACKGROUNDS:
            backgrounds.append(kind)
    backgrounds += [type(image).__name__ for image in axes.images]
    if offsets:
        out.add(f"{path}.offsets", np.concatenate(offsets)).add(
            f"{path}.colours", np.concatenate(colours)
        )
    out.fact(f"{path}.backgrounds", kinds=backgrounds)
