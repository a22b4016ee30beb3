"""CURRICULUM.md as data: every student function's signature and one valid call of it."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

SIGNATURES = {
    "data": [
        "make_moons(n_samples=1000, noise=0.2, seed=0)",
        "make_blobs(n_samples=1200, seed=42)",
        "train_test_split(X, y, test_size=0.2, seed=0)",
    ],
    "part1_tensors": [
        "from_list(data)",
        "special_matrices(n)",
        "add(a, b)",
        "multiply(a, b)",
        "matmul(a, b)",
        "concat(tensors, dim=0)",
        "to_numpy(t)",
        "from_numpy(a)",
    ],
    "part2_layers": [
        "make_linear(in_features, out_features)",
        "linear_by_hand(x, layer)",
        "activations(x)",
        "sigmoid_by_hand(x)",
    ],
    "part3_network": [
        "build_model(hidden_size=16)",
        "predict_proba(model, X)",
        "predict(model, X, threshold=0.5)",
    ],
    "part4_autograd": ["gradient(f, x)", "bce_grad_by_hand(w, b, X, y)"],
    "part5_training": [
        "make_optimizer(model, name='sgd', lr=0.1)",
        "train(model, X, y, criterion, optimizer, epochs)",
        "accuracy(model, X, y)",
        "fit(X, y, epochs=30, lr=1.0, hidden_size=16, optimizer='sgd', seed=0)",
        "compare_optimizers(X, y, names=('sgd', 'momentum', 'adam'), epochs=30, lr=0.1, seed=0)",
    ],
    "part6_minibatch": [
        "make_loader(X, y, batch_size=32, shuffle=True)",
        "train_minibatch(model, loader, criterion, optimizer, epochs)",
        "fit_minibatch(X, y, epochs=30, batch_size=32, lr=0.5, hidden_size=16, "
        "optimizer='sgd', seed=0)",
    ],
    "part7_boundary": [
        "decision_grid(model, X, steps=100, margin=0.5)",
        "plot_decision_boundary(model, X, y, ax=None)",
    ],
}


def render_signature(function: Callable) -> str:
    """Return 'name(a, b=1)': parameter names and defaults, without annotations."""
    params = [
        name if p.default is inspect.Parameter.empty else f"{name}={p.default!r}"
        for name, p in inspect.signature(function).parameters.items()
    ]
    return f"{function.__name__}({', '.join(params)})"


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1), nn.Sigmoid())


def _points(n: int = 8) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 2)).astype(np.float32), (np.arange(n) % 2).astype(np.int64)


def _train_args() -> tuple:
    model = _model()
    X, y = _points()
    targets = torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return model, torch.as_tensor(X), targets, nn.BCELoss(), optimizer, 2


def _minibatch_args() -> tuple:
    model, X, targets, criterion, optimizer, epochs = _train_args()
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, targets), batch_size=4, shuffle=True
    )
    return model, loader, criterion, optimizer, epochs


EXAMPLE_ARGS: dict[str, Callable[[], tuple]] = {
    "from_list": lambda: ([[1, 2], [3, 4]],),
    "special_matrices": lambda: (3,),
    "add": lambda: (torch.ones(2, 1), torch.ones(1, 3)),
    "multiply": lambda: (torch.ones(2, 1), torch.ones(1, 3)),
    "matmul": lambda: (torch.ones(2, 3), torch.ones(3, 4)),
    "concat": lambda: ([torch.ones(2, 3), torch.zeros(1, 3)],),
    "to_numpy": lambda: (torch.ones(3, requires_grad=True),),
    "from_numpy": lambda: (np.zeros(3, dtype=np.float32),),
    "make_linear": lambda: (2, 3),
    "linear_by_hand": lambda: (torch.ones(4, 2), nn.Linear(2, 3)),
    "activations": lambda: (torch.linspace(-2, 2, 5),),
    "sigmoid_by_hand": lambda: (torch.linspace(-2, 2, 5),),
    "build_model": lambda: (8,),
    "predict_proba": lambda: (_model(), _points()[0]),
    "predict": lambda: (_model(), _points()[0]),
    "gradient": lambda: (lambda t: (t**2).sum(), torch.ones(3)),
    "bce_grad_by_hand": lambda: (
        torch.zeros(2),
        torch.tensor(0.0),
        torch.ones(4, 2),
        torch.tensor([0.0, 1.0, 1.0, 0.0]),
    ),
    "make_optimizer": lambda: (_model(), "sgd", 0.1),
    "train": _train_args,
    "accuracy": lambda: (_model(), *_points()),
    "fit": lambda: (*_points(), 2),
    "compare_optimizers": lambda: (*_points(), ("sgd",), 2),
    "make_loader": lambda: (*_points(), 4),
    "train_minibatch": _minibatch_args,
    "fit_minibatch": lambda: (*_points(), 2, 4),
    "decision_grid": lambda: (_model(), _points()[0], 5),
    "plot_decision_boundary": lambda: (_model(), *_points()),
}
