"""What the probes share with the grading process: plain NumPy, no torch, no student code.

The feedback page draws the decision boundary of check 6.3 on the same grid that the probe
asked the student's model about, so both build it here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FIT_POINTS = 1000  # the moons that the fit and fit_minibatch checks train on
HELD_OUT_POINTS = 500  # the held-out moons their accuracy is measured on


def shape_text(shape: Sequence[int]) -> str:
    """A shape as Python prints a tuple: (3,), (2, 5), ()."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def widened_box(points: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest corner of the points' bounding box, `margin` further out."""
    lowest, highest = np.quantile(np.asarray(points, dtype=np.float64), [0.0, 1.0], axis=0)
    return lowest - margin, highest + margin


def grid_axes(low: Sequence[float], high: Sequence[float], steps: int) -> tuple[np.ndarray, ...]:
    """The x values and the y values of a grid of steps x steps points over the box."""
    return tuple(np.linspace(low[k], high[k], steps) for k in range(2))


def grid_points(low: Sequence[float], high: Sequence[float], steps: int) -> np.ndarray:
    """The grid's points as rows (x, y): along x first, then up one y at a time, so that
    their values reshape to (steps, steps) with y down the rows."""
    xs, ys = grid_axes(low, high, steps)
    return np.stack([np.tile(xs, len(ys)), np.repeat(ys, len(xs))], axis=1)
