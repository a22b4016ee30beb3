# %% [markdown]
# # Part 6. Mini-batches with a DataLoader
#
# *Seminar 55:50–01:01:02.* Full-batch training takes one step per epoch. **Stochastic
# gradient descent** takes one step per small random batch of points instead: with 1000
# points and batches of 32 that is 32 steps per epoch. Each step sees a noisier gradient,
# but there are many more of them, and the network learns much faster per epoch.
#
# PyTorch splits data into batches with two classes:
#
# * `TensorDataset(X, y)` pairs the i-th row of X with the i-th target;
# * `DataLoader(dataset, batch_size=32, shuffle=True)` hands out batches `(xb, yb)`, in a
#   new random order every epoch when `shuffle=True`. Without shuffling, a data set sorted
#   by class would feed whole batches of one class, and training would zigzag.

# %%
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .part3_network import build_model
from .part5_training import make_optimizer

# %% [markdown]
# ## 6.1 A loader over the training points


# %%
def make_loader(
    X: np.ndarray, y: np.ndarray, batch_size: int = 32, shuffle: bool = True
) -> DataLoader:
    """Return a DataLoader over a TensorDataset of float32 X (N, 2) and float32 y (N, 1).

    Batches have `batch_size` points (the last one may be smaller). With shuffle=True the
    order of the points changes every epoch.
    Look up: torch.utils.data.TensorDataset, DataLoader, torch.as_tensor, Tensor.reshape.
    Example: xb, yb = next(iter(make_loader(X, y, batch_size=4))); yb.shape -> (4, 1)
    """
    # TODO(6.1): put `X` and `y` as float32 tensors (`y` of shape (N, 1)) into a dataset,
    #     and return a `DataLoader` over it.
    raise NotImplementedError("TODO(6.1): make_loader")


# %% [markdown]
# ## 6.2 The mini-batch train loop
#
# The step is the same five lines as in part 5, now inside a loop over the batches. The
# loss of an epoch is the mean over its batches; weighting each batch by its size makes
# it the exact mean over all points even when the last batch is smaller.


# %%
def train_minibatch(
    model: nn.Module,
    loader: DataLoader,
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    epochs: int,
) -> list[float]:
    """Train with one optimizer step per batch; return the mean batch loss of every epoch.

    For every batch (xb, yb): zero the gradients, forward, loss, backward, step.
    Returns one Python float per epoch.
    Look up: a for loop over the loader, Tensor.item, len(xb).
    Example: train_minibatch(model, loader, nn.BCELoss(), optimizer, 2) -> [0.52, 0.31]
    """
    # TODO(6.2): for every epoch take one training step per batch of the loader, and return
    #     each epoch's mean batch loss.
    raise NotImplementedError("TODO(6.2): train_minibatch")


# %% [markdown]
# ## 6.3 The pipeline, with mini-batches
#
# As `fit` in part 5, with a loader instead of whole tensors. Seed PyTorch first: it fixes
# the starting weights and the shuffled order of every epoch.


# %%
def fit_minibatch(
    X: np.ndarray,
    y: np.ndarray,
    epochs: int = 30,
    batch_size: int = 32,
    lr: float = 0.5,
    hidden_size: int = 16,
    optimizer: str = "sgd",
    seed: int = 0,
) -> tuple[nn.Module, list[float]]:
    """Build and train a network with mini-batches; return (model, losses).

    Steps: torch.manual_seed(seed); a model of `hidden_size` hidden units; an optimizer
    named `optimizer` with learning rate `lr`; a loader of batches of `batch_size` that
    shuffles; train_minibatch with nn.BCELoss() for `epochs`.
    Look up: your build_model, make_optimizer, make_loader and train_minibatch.
    Example: model, losses = fit_minibatch(X, y); accuracy on new points is about 0.97
    """
    # TODO(6.3): seed torch, build the model and the optimizer, make a shuffled loader of
    #     `batch_size`, and train it with `BCELoss`.
    raise NotImplementedError("TODO(6.3): fit_minibatch")


# %% [markdown]
# ## Try it
#
# Compare with part 5: the same 30 epochs, many more steps.

# %%
if __name__ == "__main__":
    from .data import make_moons
    from .part5_training import accuracy

    X_train, y_train = make_moons(1000, noise=0.2, seed=0)
    X_test, y_test = make_moons(500, noise=0.2, seed=1)
    model, losses = fit_minibatch(X_train, y_train)
    print(f"losses[0] = {losses[0]:.3f}, losses[-1] = {losses[-1]:.3f}")
    print(f"accuracy(model, X_test, y_test) = {accuracy(model, X_test, y_test):.3f}")
