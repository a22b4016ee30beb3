# %% [markdown]
# # Part 3. A network for points on a plane
#
# *Seminar 24:07–38:05.* The task of the seminar: points on a plane belong to class 0 or
# class 1, and a network should tell which. Its input is a point (2 numbers), its output
# one number in (0, 1): the probability that the point is of class 1.
#
# The network is a chain: `Linear(2, hidden)` → `ReLU` → `Linear(hidden, 1)` → `Sigmoid`.
# The hidden layer with its ReLU lets the network bend the border between the classes;
# the last Sigmoid turns any number into a probability. A point is called class 1 when its
# probability is **greater than** 0.5.
#
# Models work on batches: a batch of N points is a float32 tensor of shape (N, 2), and the
# network returns (N, 1).

# %%
import numpy as np
import torch
from torch import nn

# %% [markdown]
# ## 3.1 Build the network
#
# `nn.Sequential(a, b, c)` calls its layers one after another: `c(b(a(x)))`.


# %%
def build_model(hidden_size: int = 16) -> nn.Module:
    """Return Linear(2, hidden_size) → ReLU → Linear(hidden_size, 1) → Sigmoid.

    Input (N, 2) float32, output (N, 1): the probability of class 1 for every point.
    Look up: torch.nn.Sequential, nn.Linear, nn.ReLU, nn.Sigmoid.
    Example: build_model()(torch.zeros(5, 2)).shape -> torch.Size([5, 1])
    """
    # TODO(3.1): return the network: a linear layer from 2 to `hidden_size`, ReLU, a linear
    #     layer from `hidden_size` to 1, sigmoid.
    raise NotImplementedError("TODO(3.1): build_model")


# %% [markdown]
# ## 3.2 Probabilities for new points
#
# To use a trained network we only need its outputs, not the graph autograd builds for
# training: `torch.no_grad()` switches that off, which is faster and lets `.numpy()` work.
# The model answers (N, 1); a flat (N,) array is easier to compare with labels.


# %%
def predict_proba(model: nn.Module, X: np.ndarray | torch.Tensor) -> np.ndarray:
    """Return the model's probability of class 1 for every point: a float array (N,).

    X: (N, 2), a NumPy array or a tensor (even one that requires grad).
    Build no graph while doing it.
    Look up: torch.no_grad, torch.as_tensor, Tensor.reshape (or squeeze), Tensor.numpy.
    Example: predict_proba(build_model(), np.zeros((3, 2))).shape -> (3,)
    """
    # TODO(3.2): run the model on `X` as float32 without recording a graph, and return the
    #     probabilities as a flat (N,) NumPy array.
    raise NotImplementedError("TODO(3.2): predict_proba")


# %% [markdown]
# ## 3.3 Labels for new points
#
# A probability becomes a label by a threshold: class 1 when the probability is strictly
# greater than it, class 0 otherwise.


# %%
def predict(model: nn.Module, X: np.ndarray | torch.Tensor, threshold: float = 0.5) -> np.ndarray:
    """Return the predicted class of every point: an int64 array (N,) of 0 and 1.

    A point is class 1 when its probability is strictly greater than `threshold`.
    Look up: your predict_proba, the > operator, ndarray.astype(np.int64).
    Example: predict(model, X) -> array([0, 1, 1, ...])
    """
    # TODO(3.3): return int64 labels: 1 where the probability of class 1 is strictly greater
    #     than `threshold`, else 0.
    raise NotImplementedError("TODO(3.3): predict")


# %% [markdown]
# ## Try it
#
# An untrained network guesses: its probabilities hover around 0.5.

# %%
if __name__ == "__main__":
    from .data import make_moons

    X, y = make_moons(8)
    model = build_model()
    print("predict_proba(model, X) =", predict_proba(model, X).round(3))
    print("predict(model, X)       =", predict(model, X))
    print("y                       =", y)
