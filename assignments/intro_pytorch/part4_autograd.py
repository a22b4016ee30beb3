# %% [markdown]
# # Part 4. Autograd
#
# *Seminar 40:30.* Training needs the derivative of the loss with respect to every
# weight. PyTorch computes it for you: a tensor made with `requires_grad=True` records
# every operation done with it, and `loss.backward()` (or `torch.autograd.grad`) walks
# that record backwards with the chain rule. This is **autograd**.
#
# To trust it, you first use it on any function, then derive one gradient by hand and
# check that both agree: the gradient of the binary cross-entropy of logistic regression,
# the loss the network of part 3 is trained with.

# %%
from collections.abc import Callable

import torch

# %% [markdown]
# ## 4.1 A gradient by autograd
#
# Work on a copy of `x`: turning on `requires_grad` or filling `.grad` on the caller's
# tensor would surprise them later (for example, gradients would pile up in `.grad`).


# %%
def gradient(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Return df/dx at `x` for a function f that returns one number (a scalar tensor).

    The result has the shape of `x`. The caller's `x` is left as it was: its
    `requires_grad` and `.grad` do not change.
    Look up: Tensor.detach, Tensor.clone, Tensor.requires_grad_, torch.autograd.grad
    (or Tensor.backward and then .grad).
    Example: gradient(lambda t: (t ** 2).sum(), torch.tensor([1., 2.])) -> tensor([2., 4.])
    """
    # TODO(4.1): return df/dx at `x` computed by autograd, leaving the caller's `x` as it
    #     was.
    raise NotImplementedError("TODO(4.1): gradient")


# %% [markdown]
# ## 4.2 The same kind of gradient, by hand
#
# Logistic regression: `p = sigmoid(X @ w + b)`, and the mean binary cross-entropy
# `L = -mean(y * log(p) + (1 - y) * log(1 - p))`. With `z = X @ w + b`, the chain rule
# gives a short answer, because the sigmoid's derivative cancels against the log:
#
# * dL/dz = (p - y) / N for every point,
# * dL/dw = X.T @ (p - y) / N, a vector (d,),
# * dL/db = mean(p - y), one number.


# %%
def bce_grad_by_hand(
    w: torch.Tensor, b: torch.Tensor, X: torch.Tensor, y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (dw, db): the gradients of the mean binary cross-entropy, without autograd.

    w (d,), b a scalar tensor, X (N, d), y (N,) of 0/1 floats; all of one float dtype.
    dw has shape (d,), db is a scalar tensor (shape ()).
    Look up: torch.sigmoid, Tensor.T, the @ operator, Tensor.mean.
    Example: with w = 0 and b = 0 every p is 0.5, so db = 0.5 - mean(y).
    """
    # TODO(4.2): compute the gradients of the mean binary cross-entropy with respect to `w`
    #     and `b` yourself, without autograd.
    raise NotImplementedError("TODO(4.2): bce_grad_by_hand")


# %% [markdown]
# ## Try it
#
# Autograd and the hand formula should agree to many decimals.

# %%
if __name__ == "__main__":
    print(
        "gradient(sum(x^3), [1, 2]) =", gradient(lambda t: (t**3).sum(), torch.tensor([1.0, 2.0]))
    )
    torch.manual_seed(0)
    X, y = torch.randn(10, 3), (torch.rand(10) > 0.5).float()
    w, b = torch.randn(3, requires_grad=True), torch.tensor(0.1, requires_grad=True)
    loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(X @ w + b), y)
    loss.backward()
    dw, db = bce_grad_by_hand(w.detach(), b.detach(), X, y)
    print("w.grad, b.grad =", w.grad, b.grad)
    print("dw, db         =", dw, db)
