# %% [markdown]
# # Toy data for the seminar
#
# Two-dimensional points with a 0/1 label, small enough to train on in a second and to
# draw on a plane. This module is provided: you do not write it, and it is not graded.
#
# * `make_blobs` is the seminar's opening demo: two round clouds, easy to separate.
# * `make_moons` is the data the graded parts use: two interleaving half-circles that no
#   straight line separates, so the network needs its hidden layer.
# * `train_test_split` holds back a test set, so that accuracy is measured on points the
#   network never saw.

# %%
import numpy as np


# %%
def make_moons(
    n_samples: int = 1000, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Return two interleaving half-circles: X float32 (n, 2), y int64 (n,), shuffled.

    Class 0 is the upper moon (centre (0, 0), radius 1); class 1 the lower one, shifted to
    (1, 0.5). Gaussian noise of standard deviation `noise` blurs both. The same seed gives
    the same points.
    """
    rng = np.random.default_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.concatenate([upper, lower]) + rng.normal(scale=noise, size=(n_samples, 2))
    y = np.concatenate([np.zeros(n_upper), np.ones(n_lower)])
    order = rng.permutation(n_samples)
    return X[order].astype(np.float32), y[order].astype(np.int64)


# %%
def make_blobs(n_samples: int = 1200, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Return the seminar's two Gaussian blobs: X float32 (n, 2), y int64 (n,), shuffled.

    Class 0 is centred at (-2, 0.5), class 1 at (3, -0.5); both have standard deviation 1.
    """
    rng = np.random.default_rng(seed)
    centres = np.array([[-2.0, 0.5], [3.0, -0.5]])
    y = np.concatenate([np.zeros(n_samples - n_samples // 2), np.ones(n_samples // 2)])
    y = y.astype(np.int64)
    X = centres[y] + rng.normal(size=(n_samples, 2))
    order = rng.permutation(n_samples)
    return X[order].astype(np.float32), y[order]


# %%
def train_test_split(
    X: np.ndarray, y: np.ndarray, test_size: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the points and split them: (X_train, X_test, y_train, y_test).

    `test_size` is a share of the points (0 < test_size < 1) or a number of points.
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X has {n} points but y has {len(y)} labels")
    n_test = int(np.ceil(test_size * n)) if test_size < 1 else int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"test_size={test_size} leaves no points for training or testing")
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]
