# %% [markdown]
# # Part 1. Creating and combining tensors
#
# *Seminar 06:17–16:00.* Everything in PyTorch is a **tensor**: an n-dimensional array of
# numbers, much like a NumPy array, that can also live on a GPU and remember how it was
# computed (part 4 uses that). Most NumPy operations have a PyTorch twin with the same
# name. In this part you create tensors, combine them, and move data between NumPy and
# PyTorch.
#
# Throughout the kit tensors hold `float32` numbers: that is what `nn.Linear` expects,
# and mixing float32 with float64 is the most common error of a first PyTorch program.

# %%
import numpy as np
import torch

# %% [markdown]
# ## 1.1 A tensor from a Python list
#
# `torch.tensor` copies a (nested) Python list into a new tensor. Without a `dtype` it
# guesses one from the values: `[[1, 2]]` would become int64.


# %%
def from_list(data: list) -> torch.Tensor:
    """Return a float32 tensor holding the numbers of a nested Python list.

    Shape: the nesting of the list, e.g. a list of 2 lists of 3 numbers gives (2, 3).
    Look up: torch.tensor (its dtype argument).
    Example: from_list([[1, 2], [3, 4]]) -> tensor([[1., 2.], [3., 4.]])
    """
    # TODO(1.1): return a float32 tensor holding the numbers of `data`.
    raise NotImplementedError("TODO(1.1): from_list")


# %% [markdown]
# ## 1.2 Matrices of zeros, of ones, and the identity
#
# Weights are often started from zeros or ones, and the identity matrix `I` leaves a
# vector unchanged: `I @ v == v`.


# %%
def special_matrices(n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return (zeros, ones, eye): three float32 tensors of shape (n, n).

    `eye` has ones on its diagonal and zeros elsewhere.
    Look up: torch.zeros, torch.ones, torch.eye.
    Example: special_matrices(2)[2] -> tensor([[1., 0.], [0., 1.]])
    """
    # TODO(1.2): return the three float32 (n, n) tensors: all zeros, all ones, and the
    #     identity.
    raise NotImplementedError("TODO(1.2): special_matrices")


# %% [markdown]
# ## 1.3–1.5 Arithmetic
#
# `+` and `*` work element by element. When the shapes differ, PyTorch **broadcasts**:
# a dimension of size 1 is stretched to match, so a (3, 1) column plus a (1, 4) row gives
# a (3, 4) table. `@` is the matrix product: (n, k) @ (k, m) gives (n, m).


# %%
def add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return a + b, element by element (broadcasting allowed).

    Look up: torch.add, or the + operator.
    Example: add(tensor([1., 2.]), tensor([10., 20.])) -> tensor([11., 22.])
    """
    # TODO(1.3): return the element-by-element sum of `a` and `b` (their shapes may differ
    #     and broadcast).
    raise NotImplementedError("TODO(1.3): add")


# %%
def multiply(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return a * b, element by element (broadcasting allowed); not the matrix product.

    Look up: torch.mul, or the * operator.
    Example: multiply(tensor([1., 2.]), tensor([10., 20.])) -> tensor([10., 40.])
    """
    # TODO(1.4): return the element-by-element product of `a` and `b` (not the matrix
    #     product).
    raise NotImplementedError("TODO(1.4): multiply")


# %%
def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return the matrix product of a (n, k) and b (k, m): a tensor of shape (n, m).

    Look up: torch.matmul, or the @ operator.
    Example: matmul(tensor([[1., 2.]]), tensor([[3.], [4.]])) -> tensor([[11.]])
    """
    # TODO(1.5): return the matrix product of `a` (n, k) and `b` (k, m): a tensor of shape
    #     (n, m).
    raise NotImplementedError("TODO(1.5): matmul")


# %% [markdown]
# ## 1.6 Joining tensors
#
# `torch.cat` glues tensors along a dimension that already exists: two (2, 3) tensors
# give (4, 3) along `dim=0` (more rows) and (2, 6) along `dim=1` (more columns).


# %%
def concat(tensors: list[torch.Tensor], dim: int = 0) -> torch.Tensor:
    """Join a list of tensors along the existing dimension `dim`.

    All tensors must have the same shape except along `dim`.
    Look up: torch.cat.
    Example: concat([torch.ones(2, 3), torch.zeros(1, 3)]).shape -> torch.Size([3, 3])
    """
    # TODO(1.6): join the tensors one after another along their existing dimension `dim`.
    raise NotImplementedError("TODO(1.6): concat")


# %% [markdown]
# ## 1.7–1.8 Between NumPy and PyTorch
#
# `tensor.numpy()` and `torch.from_numpy(array)` convert without copying: the array and
# the tensor share one block of memory, so a write to one shows in the other.
# `.numpy()` refuses a tensor that requires grad (it is part of a graph): call
# `.detach()` first to get a view of the same numbers outside the graph.


# %%
def to_numpy(t: torch.Tensor) -> np.ndarray:
    """Return the numbers of `t` as a NumPy array; works when `t` requires grad.

    Shape and dtype stay the same: a float32 tensor gives a float32 array.
    Look up: Tensor.detach, Tensor.numpy.
    Example: to_numpy(torch.ones(2, requires_grad=True)) -> array([1., 1.], dtype=float32)
    """
    # TODO(1.7): return a NumPy array with the numbers of `t`, also when `t` requires grad.
    raise NotImplementedError("TODO(1.7): to_numpy")


# %%
def from_numpy(a: np.ndarray) -> torch.Tensor:
    """Return a tensor that shares memory with the array `a` (no copy).

    A write to `a` afterwards shows in the tensor. The dtype follows the array: a float64
    array gives a float64 tensor (a copy to float32 could not share memory).
    Look up: torch.from_numpy.
    Example: a = np.zeros(2); t = from_numpy(a); a[0] = 5  ->  t is tensor([5., 0.])
    """
    # TODO(1.8): return a tensor that shares its memory with the array `a` (no copy).
    raise NotImplementedError("TODO(1.8): from_numpy")


# %% [markdown]
# ## Try it
#
# Run this file (`python -m intro_pytorch.part1_tensors`) or this cell to see your
# functions at work.

# %%
if __name__ == "__main__":
    zeros, ones, eye = special_matrices(3)
    print("eye =\n", eye)
    print("add(ones, eye) =\n", add(ones, eye))
    print("multiply(column, row) =\n", multiply(from_list([[1], [2], [3]]), from_list([[1, 10]])))
    print("matmul(eye, ones) =\n", matmul(eye, ones))
    print("concat([zeros, ones]).shape =", concat([zeros, ones]).shape)
    array = np.zeros(3, dtype=np.float32)
    shared = from_numpy(array)
    array[0] = 7
    print("array[0] = 7 -> shared =", shared, "| to_numpy(shared * 2) =", to_numpy(shared * 2))
