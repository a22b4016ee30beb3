# %% [markdown]
# # Part 5. The optimizer and the train loop
#
# *Seminar 43:00–55:50.* Training repeats one step many times: run the model, measure how
# wrong it is with a **loss** (here the binary cross-entropy, `nn.BCELoss`), let autograd
# compute the gradients, and let an **optimizer** move every weight a little against its
# gradient. One pass over the training data is an **epoch**.
#
# The optimizer is a choice: plain gradient descent (`SGD`), SGD with **momentum** (it
# keeps a running direction and rolls through small bumps), or **Adam** (it adapts the
# step of every weight). Part 5.5 puts them side by side.
#
# The order inside one step matters:
#
# 1. `optimizer.zero_grad()`: forget the previous step's gradients (PyTorch adds new
#    gradients to `.grad` instead of replacing them);
# 2. forward: `output = model(X)`;
# 3. `loss = criterion(output, y)`;
# 4. `loss.backward()`: fill `.grad` of every weight;
# 5. `optimizer.step()`: update the weights.

# %%
import numpy as np
import torch
from torch import nn

from .part3_network import build_model, predict

# %% [markdown]
# ## 5.1 Choose an optimizer by name
#
# An optimizer is given the parameters it will update: `model.parameters()`.

# %%
OPTIMIZER_NAMES = ("sgd", "momentum", "adam")


def make_optimizer(model: nn.Module, name: str = "sgd", lr: float = 0.1) -> torch.optim.Optimizer:
    """Return an optimizer over the model's parameters with learning rate `lr`.

    "sgd" -> plain SGD; "momentum" -> SGD with momentum=0.9; "adam" -> Adam.
    Any other name raises ValueError that lists the three choices.
    Look up: torch.optim.SGD (its momentum argument), torch.optim.Adam, model.parameters().
    Example: make_optimizer(model, "adam", lr=0.01) -> Adam (… lr: 0.01 …)
    """
    # TODO(5.1): return the optimizer that `name` asks for, over the model's parameters,
    #     with learning rate `lr`; any other name raises `ValueError`.
    raise NotImplementedError("TODO(5.1): make_optimizer")


# %% [markdown]
# ## 5.2 The train loop
#
# Full-batch training: every epoch uses all points at once. Record `loss.item()`, a plain
# Python float: keeping the loss tensor itself would keep its whole graph in memory.


# %%
def train(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    epochs: int,
) -> list[float]:
    """Train `model` for `epochs` full-batch steps and return the loss of every epoch.

    X: float32 (N, 2); y: float32 (N, 1), the targets in the model's output shape.
    Each epoch: zero the gradients, forward, loss, backward, step. The loss recorded for an
    epoch is the one computed before that epoch's step, as a Python float.
    Look up: optimizer.zero_grad, loss.backward, optimizer.step, Tensor.item.
    Example: train(model, X, y, nn.BCELoss(), optimizer, 3) -> [0.71, 0.66, 0.62]
    """
    # TODO(5.2): train for `epochs` epochs, each of them the five steps of training, and
    #     return each epoch's loss as a Python float.
    raise NotImplementedError("TODO(5.2): train")


# %% [markdown]
# ## 5.3 Accuracy
#
# The share of points whose predicted class equals the true one: 1.0 is perfect, 0.5 is
# what a coin would get here. Compare flat (N,) arrays: comparing (N,) with (N, 1)
# broadcasts to an (N, N) table and gives a meaningless number.


# %%
def accuracy(model: nn.Module, X: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor) -> float:
    """Return the share of points whose `predict` equals `y`, as a Python float in [0, 1].

    X: (N, 2); y: (N,) labels 0/1 (an (N, 1) tensor of targets works too).
    Look up: your predict from part 3, np.mean, ndarray.reshape.
    Example: accuracy(model, X, y) -> 0.87
    """
    # TODO(5.3): return the share of points whose predicted label equals `y`, as a Python
    #     float.
    raise NotImplementedError("TODO(5.3): accuracy")


# %% [markdown]
# ## 5.4 The seminar's pipeline
#
# Seed PyTorch first, so that the random starting weights (and so the whole result) are
# the same on every run. BCELoss wants float targets shaped like the output: (N, 1).


# %%
def fit(
    X: np.ndarray,
    y: np.ndarray,
    epochs: int = 30,
    lr: float = 1.0,
    hidden_size: int = 16,
    optimizer: str = "sgd",
    seed: int = 0,
) -> tuple[nn.Module, list[float]]:
    """Build and train a network on numpy data; return (model, losses).

    X: float (N, 2), y: int (N,) labels. Steps: torch.manual_seed(seed); X as a float32
    tensor (N, 2) and y as a float32 tensor (N, 1); a model of `hidden_size` hidden units;
    nn.BCELoss(); an optimizer named `optimizer` with learning rate `lr`; train for
    `epochs`.
    Look up: torch.manual_seed, torch.as_tensor, Tensor.reshape, nn.BCELoss.
    Example: model, losses = fit(X, y); losses[-1] < losses[0]
    """
    # TODO(5.4): seed torch, turn `X` and `y` into float32 tensors (`y` of shape (N, 1)),
    #     then build the model, the loss and the optimizer, and train.
    raise NotImplementedError("TODO(5.4): fit")


# %% [markdown]
# ## 5.5 Optimizers side by side
#
# Same data, same seed (so the same starting weights), same learning rate: only the
# optimizer differs, so the loss curves show what the optimizer changes.


# %%
def compare_optimizers(
    X: np.ndarray,
    y: np.ndarray,
    names: tuple[str, ...] = OPTIMIZER_NAMES,
    epochs: int = 30,
    lr: float = 0.1,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Return {name: loss curve of fit(...) with that optimizer} for every name in `names`.

    Every run uses the same X, y, epochs, lr and seed.
    Look up: your fit, a dict comprehension.
    Example: compare_optimizers(X, y)["adam"][-1] < compare_optimizers(X, y)["sgd"][-1]
    """
    # TODO(5.5): return a dict: for every name in `names`, the losses of your `fit` trained
    #     with that optimizer.
    raise NotImplementedError("TODO(5.5): compare_optimizers")


# %% [markdown]
# ## Try it

# %%
if __name__ == "__main__":
    from .data import make_moons

    X_train, y_train = make_moons(1000, noise=0.2, seed=0)
    X_test, y_test = make_moons(500, noise=0.2, seed=1)
    model, losses = fit(X_train, y_train)
    print(f"losses[0] = {losses[0]:.3f}, losses[-1] = {losses[-1]:.3f}")
    print(f"accuracy(model, X_test, y_test) = {accuracy(model, X_test, y_test):.3f}")
    for name, curve in compare_optimizers(X_train, y_train).items():
        print(f"{name:>8}: curve[-1] = {curve[-1]:.3f}")
