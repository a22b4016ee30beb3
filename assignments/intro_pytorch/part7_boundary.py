# %% [markdown]
# # Part 7. Seeing what the network learned
#
# *Seminar 58:29.* A network for points on a plane can be drawn: ask it for the
# probability at every point of a fine grid, colour the plane by the predicted class, and
# put the real points on top. Where the colours meet is the **decision boundary**; points
# on the wrong side of it are the network's mistakes.
#
# `np.meshgrid(xs, ys)` turns a row of x values and a column of y values into two tables
# `xx`, `yy` of the same shape: `(xx[i, j], yy[i, j])` is one point of the grid (row i
# follows y, column j follows x).

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from torch import nn

from .part3_network import predict_proba

CLASS_COLOURS = ListedColormap(["tab:red", "tab:blue"])


# %% [markdown]
# ## 7.1 The model's probability on a grid
#
# Turn the grid into one batch of `steps * steps` points, get all probabilities at once,
# and fold them back into the grid's shape.


# %%
def decision_grid(
    model: nn.Module, X: np.ndarray | torch.Tensor, steps: int = 100, margin: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (xx, yy, proba): a grid over the points X and the model's probability on it.

    The grid covers the bounding box of X (N, 2) widened by `margin` on every side, with
    `steps` points per axis. xx, yy and proba have shape (steps, steps), and proba[i, j] is
    the probability of class 1 at the point (xx[i, j], yy[i, j]).
    Look up: np.linspace, np.meshgrid, np.column_stack, ndarray.ravel and .reshape, your
    predict_proba.
    Example: decision_grid(model, X, steps=3)[0] -> 3 rows, each [x_min, x_mid, x_max]
    """
    # TODO(7.1): make a steps × steps grid over the box of `X` widened by `margin`, and the
    #     model's probability at every point of it.
    raise NotImplementedError("TODO(7.1): decision_grid")


# %% [markdown]
# ## 7.2 The picture
#
# `ax.pcolormesh(xx, yy, classes)` colours every grid cell; `ax.scatter` draws the points,
# coloured by their true label. Draw on the `ax` you are given, so that the caller can
# place several pictures side by side.


# %%
def plot_decision_boundary(
    model: nn.Module,
    X: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor,
    ax: Axes | None = None,
) -> Axes:
    """Colour the plane by predicted class and draw every point of X by its true label.

    X: (N, 2); y: (N,) labels 0/1. When `ax` is None, create a new figure and axes.
    Returns the axes drawn on. Works without a display (matplotlib's Agg backend).
    Look up: plt.subplots, Axes.pcolormesh (or contourf), Axes.scatter, your decision_grid.
    Example: ax = plot_decision_boundary(model, X, y); ax.figure.savefig("boundary.png")
    """
    # TODO(7.2): colour the plane by the predicted class, draw every point of `X` coloured
    #     by its label, and return the axes.
    raise NotImplementedError("TODO(7.2): plot_decision_boundary")


# %% [markdown]
# ## Try it
#
# Saves `boundary.png` next to where you run it.

# %%
if __name__ == "__main__":
    from .data import make_moons
    from .part6_minibatch import fit_minibatch

    X_train, y_train = make_moons(1000, noise=0.2, seed=0)
    model, _ = fit_minibatch(X_train, y_train)
    ax = plot_decision_boundary(model, X_train, y_train)
    ax.set_title("fit_minibatch(X_train, y_train)")
    ax.figure.savefig("boundary.png", dpi=120)
    print("-> boundary.png")
