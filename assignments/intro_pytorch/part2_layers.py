# %% [markdown]
# # Part 2. Layers and activations
#
# *Seminar 17:22–24:07.* A neural network is built from **layers**. The simplest one,
# `nn.Linear`, multiplies its input by a weight matrix and adds a bias:
# `y = x @ W.T + b`. Stacking linear layers alone still gives a linear function,
# so between them we put an **activation**, a simple nonlinear function applied to every
# number: ReLU, sigmoid or tanh. Here you create a layer, recompute its output by hand
# to see there is no magic in it, and try the activations.

# %%
import torch
from torch import nn

# %% [markdown]
# ## 2.1 A linear layer
#
# `nn.Linear(2, 3)` holds a weight of shape (3, 2) and a bias of shape (3,), both started
# at small random values, and maps a batch (N, 2) to (N, 3).


# %%
def make_linear(in_features: int, out_features: int) -> nn.Linear:
    """Return a linear layer that maps `in_features` numbers to `out_features` numbers.

    Look up: torch.nn.Linear.
    Example: make_linear(2, 3)(torch.ones(5, 2)).shape -> torch.Size([5, 3])
    """
    # TODO(2.1): return a linear layer that maps `in_features` numbers to `out_features`
    #     numbers.
    raise NotImplementedError("TODO(2.1): make_linear")


# %% [markdown]
# ## 2.2 The same layer, by hand
#
# Every row of `x` is one input. The layer computes `x @ W.T + b`: the transpose turns the
# weight of shape (out, in) into (in, out), and the bias is added to every row
# (broadcasting).


# %%
def linear_by_hand(x: torch.Tensor, layer: nn.Linear) -> torch.Tensor:
    """Return what `layer(x)` returns, computed from `layer.weight` and `layer.bias`.

    x: (N, in_features). Result: (N, out_features). Do not call `layer` itself.
    A layer made with `bias=False` has `layer.bias` set to None: then add nothing.
    Look up: the @ operator, Tensor.T.
    Example: linear_by_hand(x, layer) equals layer(x) up to rounding.
    """
    # TODO(2.2): compute what `layer(x)` returns from `layer.weight` and `layer.bias`,
    #     without calling the layer.
    raise NotImplementedError("TODO(2.2): linear_by_hand")


# %% [markdown]
# ## 2.3 Activations
#
# * ReLU keeps positive numbers and turns negative ones into 0.
# * Sigmoid squeezes any number into (0, 1): handy for a probability.
# * Tanh squeezes into (-1, 1).


# %%
def activations(x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Return {"relu": …, "sigmoid": …, "tanh": …}: each activation applied to `x`.

    Every value has the shape of `x`.
    Look up: torch.relu, torch.sigmoid, torch.tanh (or nn.ReLU(), nn.Sigmoid(), nn.Tanh()).
    Example: activations(torch.tensor([-1., 0., 1.]))["relu"] -> tensor([0., 0., 1.])
    """
    # TODO(2.3): return a dict with the ReLU, the sigmoid and the tanh of `x`, under the
    #     keys 'relu', 'sigmoid', 'tanh'.
    raise NotImplementedError("TODO(2.3): activations")


# %% [markdown]
# ## 2.4 Sigmoid, by hand
#
# sigmoid(x) = 1 / (1 + e^(-x)). Written this way it is safe for large |x|: e^(-x)
# overflows to `inf` for very negative x, and 1 / (1 + inf) is exactly 0. The equal
# formula e^x / (1 + e^x) is not safe: for x = 1e4 it computes inf / inf, which is NaN.


# %%
def sigmoid_by_hand(x: torch.Tensor) -> torch.Tensor:
    """Return 1 / (1 + e^(-x)) element by element, with no NaN for |x| up to 1e4.

    Do not call torch.sigmoid: write the formula.
    Look up: torch.exp.
    Example: sigmoid_by_hand(torch.tensor([0.])) -> tensor([0.5000])
    """
    # TODO(2.4): compute the sigmoid from its formula with `torch.exp` (not
    #     `torch.sigmoid`), with no NaN for large |x|.
    raise NotImplementedError("TODO(2.4): sigmoid_by_hand")


# %% [markdown]
# ## Try it

# %%
if __name__ == "__main__":
    layer = make_linear(2, 3)
    x = torch.randn(4, 2)
    print("layer(x) =\n", layer(x))
    print("linear_by_hand(x, layer) =\n", linear_by_hand(x, layer))
    grid = torch.linspace(-3, 3, 7)
    for name, values in activations(grid).items():
        print(f"{name:>7} =", values)
    print("sigmoid_by_hand =", sigmoid_by_hand(grid))
