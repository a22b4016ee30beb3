"""The mutation corpus: known mistakes (each must lose points in its own part, with feedback
that names it) and correct variants written in another style (each must score full).

A mutant is a small textual change of the reference: (module, old text, new text). A
variant appends new definitions to a reference module; later definitions replace earlier
ones, so the rest of the reference stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    name: str
    module: str
    changes: tuple[tuple[str, str], ...]
    check: str  # the check that must fail
    feedback: str  # a phrase its feedback must contain


M = Mutant
MUTANTS = [
    M(
        "from_numpy_copies",
        "part1_tensors",
        (("torch.from_numpy(a)", "torch.tensor(a)"),),
        "1.8",
        "made a copy",
    ),
    M(
        "to_numpy_without_detach",
        "part1_tensors",
        (("t.detach().cpu().numpy()", "t.numpy()"),),
        "1.7",
        "requires grad",
    ),
    M("add_subtracts", "part1_tensors", (("return a + b", "return a - b"),), "1.3", "wrong values"),
    M(
        "linear_by_hand_calls_the_layer",
        "part2_layers",
        (("out = x @ layer.weight.T", "return layer(x)"),),
        "2.2",
        "must not call the layer",
    ),
    M(
        "make_linear_swaps_sizes",
        "part2_layers",
        (("nn.Linear(in_features, out_features)", "nn.Linear(out_features, in_features)"),),
        "2.1",
        "Check the order of `nn.Linear`'s arguments",
    ),
    M(
        "linear_by_hand_forgets_bias",
        "part2_layers",
        (("out = out + layer.bias", "out = out + 0"),),
        "2.2",
        "without the bias",
    ),
    # evasions of "without calling the layer": its forward, the functional form, an alias
    # of Module.__call__ taken when the module is imported
    M(
        "linear_by_hand_calls_forward",
        "part2_layers",
        (("out = x @ layer.weight.T", "return nn.Linear.forward(layer, x)"),),
        "2.2",
        "must not call the layer",
    ),
    M(
        "linear_by_hand_functional",
        "part2_layers",
        (
            (
                "out = x @ layer.weight.T",
                "return torch.nn.functional.linear(x, layer.weight, layer.bias)",
            ),
        ),
        "2.2",
        "must not call the layer",
    ),
    M(
        "linear_by_hand_alias_of_call",
        "part2_layers",
        (
            ("from torch import nn\n", "from torch import nn\n\n_apply = nn.Module.__call__\n"),
            ("out = x @ layer.weight.T", "return _apply(layer, x)"),
        ),
        "2.2",
        "must not call the layer",
    ),
    # evasions of "do not call torch.sigmoid": an alias taken at import, another name for it
    M(
        "sigmoid_by_alias",
        "part2_layers",
        (
            ("from torch import nn\n", "from torch import nn\n\n_squash = torch.sigmoid\n"),
            ("return 1 / (1 + torch.exp(-x))", "return _squash(x)"),
        ),
        "2.4",
        "PyTorch's own sigmoid ran",
    ),
    M(
        "sigmoid_by_expit",
        "part2_layers",
        (("return 1 / (1 + torch.exp(-x))", "return torch.special.expit(x)"),),
        "2.4",
        "PyTorch's own sigmoid ran",
    ),
    M(
        "sigmoid_overflows",
        "part2_layers",
        (("return 1 / (1 + torch.exp(-x))", "return torch.exp(x) / (1 + torch.exp(x))"),),
        "2.4",
        "NaN",
    ),
    M(
        "no_final_sigmoid",
        "part3_network",
        (("        nn.Sigmoid(),\n", ""),),
        "3.1",
        "is the final Sigmoid missing",
    ),
    M("no_hidden_relu", "part3_network", (("        nn.ReLU(),\n", ""),), "3.1", "is linear"),
    M(
        "hidden_size_ignored",
        "part3_network",
        (
            ("nn.Linear(2, hidden_size)", "nn.Linear(2, 16)"),
            ("nn.Linear(hidden_size, 1)", "nn.Linear(16, 1)"),
        ),
        "3.1",
        "`hidden_size` ignored",
    ),
    M(
        "predict_proba_keeps_shape_n_1",
        "part3_network",
        (("model(inputs).reshape(-1).numpy()", "model(inputs).numpy()"),),
        "3.2",
        "flatten the model's (N, 1) output",
    ),
    M(
        "predict_proba_builds_a_graph",
        "part3_network",
        (
            ("    with torch.no_grad():\n        inputs", "    if True:\n        inputs"),
            ("model(inputs).reshape(-1).numpy()", "model(inputs).reshape(-1).detach().numpy()"),
        ),
        "3.2",
        "record a graph",
    ),
    M(
        "predict_proba_keeps_float64",
        "part3_network",
        (("inputs = torch.as_tensor(X, dtype=torch.float32)", "inputs = torch.as_tensor(X)"),),
        "3.2",
        "must have the same dtype",
    ),
    M(
        "threshold_reversed",
        "part3_network",
        (("predict_proba(model, X) > threshold", "predict_proba(model, X) < threshold"),),
        "3.3",
        "reversed",
    ),
    M(
        "threshold_inclusive",
        "part3_network",
        (("predict_proba(model, X) > threshold", "predict_proba(model, X) >= threshold"),),
        "3.3",
        "not `>=`",
    ),
    M(
        "gradient_changes_its_input",
        "part4_autograd",
        (("x = x.detach().clone().requires_grad_(True)", "x = x.requires_grad_(True)"),),
        "4.1",
        "changed the caller's `x`",
    ),
    M(
        "hand_gradient_sums",
        "part4_autograd",
        (("dw = X.T @ error / len(y)", "dw = X.T @ error"),),
        "4.2",
        "not a sum",
    ),
    M(
        "hand_gradient_sign",
        "part4_autograd",
        (("error = torch.sigmoid(X @ w + b) - y", "error = y - torch.sigmoid(X @ w + b)"),),
        "4.2",
        "wrong sign",
    ),
    # evasions of "without autograd": an alias of torch.autograd.grad taken at import, and
    # backward() on a loss built from copies of w and b
    M(
        "hand_gradient_by_aliased_autograd",
        "part4_autograd",
        (
            ("import torch\n", "import torch\nfrom torch.autograd import grad as _slope\n"),
            (
                "    error = torch.sigmoid(X @ w + b) - y\n    dw = X.T @ error / len(y)\n    db = error.mean()\n    return dw, db\n",
                "    w, b = w.detach().requires_grad_(True), b.detach().requires_grad_(True)\n    loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(X @ w + b), y)\n    return _slope(loss, (w, b))\n",
            ),
        ),
        "4.2",
        "autograd ran",
    ),
    M(
        "hand_gradient_by_backward",
        "part4_autograd",
        (
            (
                "    error = torch.sigmoid(X @ w + b) - y\n    dw = X.T @ error / len(y)\n    db = error.mean()\n    return dw, db\n",
                "    w, b = w.detach().requires_grad_(True), b.detach().requires_grad_(True)\n    torch.nn.functional.binary_cross_entropy(torch.sigmoid(X @ w + b), y).backward()\n    return w.grad, b.grad\n",
            ),
        ),
        "4.2",
        "autograd ran",
    ),
    M(
        "unknown_optimizer_accepted",
        "part5_training",
        (
            (
                '    raise ValueError(f"unknown optimizer',
                '    return torch.optim.SGD(model.parameters(), lr=lr)\n    raise ValueError(f"unknown optimizer',
            ),
        ),
        "5.1",
        "accepted an unknown name",
    ),
    M(
        "no_zero_grad",
        "part5_training",
        (
            (
                "        optimizer.zero_grad()\n        loss = criterion(model(X), y)",
                "        loss = criterion(model(X), y)",
            ),
        ),
        "5.2",
        "without `optimizer.zero_grad()`",
    ),
    M(
        "no_step",
        "part5_training",
        (
            (
                "        optimizer.step()\n        losses.append(loss.item())",
                "        losses.append(loss.item())",
            ),
        ),
        "5.2",
        "without `optimizer.step()`",
    ),
    M(
        "no_backward",
        "part5_training",
        (
            (
                "        loss.backward()\n        optimizer.step()\n        losses.append(loss.item())",
                "        optimizer.step()\n        losses.append(loss.item())",
            ),
        ),
        "5.2",
        "without `loss.backward()`",
    ),
    M(
        "zero_grad_between_backward_and_step",
        "part5_training",
        (
            (
                "        optimizer.zero_grad()\n        loss = criterion(model(X), y)\n        loss.backward()\n",
                "        loss = criterion(model(X), y)\n        loss.backward()\n        optimizer.zero_grad()\n",
            ),
        ),
        "5.2",
        "between `loss.backward()` and `optimizer.step()`",
    ),
    M(
        "loss_tensors_returned",
        "part5_training",
        (("losses.append(loss.item())", "losses.append(loss)"),),
        "5.2",
        "Record `loss.item()`",
    ),
    M(
        "accuracy_broadcasts",
        "part5_training",
        (
            (
                "np.mean(predict(model, X) == labels)",
                "np.mean(predict(model, X).reshape(-1, 1) == labels)",
            ),
        ),
        "5.3",
        "broadcasts",
    ),
    M(
        "accuracy_keeps_column_labels",
        "part5_training",
        (("labels = np.asarray(y).reshape(-1)", "labels = np.asarray(y)"),),
        "5.3",
        "broadcasts",
    ),
    M(
        "fit_without_seed",
        "part5_training",
        (("    torch.manual_seed(seed)\n    inputs", "    inputs"),),
        "5.4",
        "same seed",
    ),
    M(
        "fit_ignores_hidden_size",
        "part5_training",
        (
            (
                "model = build_model(hidden_size)\n    opt = make_optimizer(model, optimizer, lr)\n    losses = train(",
                "model = build_model()\n    opt = make_optimizer(model, optimizer, lr)\n    losses = train(",
            ),
        ),
        "5.4",
        "hidden_size",
    ),
    M(
        "compare_ignores_lr",
        "part5_training",
        (
            (
                "fit(X, y, epochs=epochs, lr=lr, optimizer=name, seed=seed)",
                "fit(X, y, epochs=epochs, optimizer=name, seed=seed)",
            ),
        ),
        "5.5",
        "expected `lr=0.1`",
    ),
    M(
        "loader_never_shuffles",
        "part6_minibatch",
        (("batch_size=batch_size, shuffle=shuffle)", "batch_size=batch_size, shuffle=False)"),),
        "6.1",
        "original order",
    ),
    M(
        "targets_flat",
        "part6_minibatch",
        (
            (
                "targets = torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)\n    return DataLoader",
                "targets = torch.as_tensor(y, dtype=torch.float32)\n    return DataLoader",
            ),
        ),
        "6.1",
        "targets of shape",
    ),
    M(
        "zero_grad_once_per_epoch",
        "part6_minibatch",
        (
            (
                "        total, count = 0.0, 0\n",
                "        total, count = 0.0, 0\n        optimizer.zero_grad()\n",
            ),
            ("            optimizer.zero_grad()\n            loss", "            loss"),
        ),
        "6.2",
        "once per epoch",
    ),
    M(
        "train_records_loss_after_step",
        "part5_training",
        (("losses.append(loss.item())", "losses.append(criterion(model(X), y).item())"),),
        "5.2",
        "recording the loss after `optimizer.step()`",
    ),
    M(
        "minibatch_no_zero_grad",
        "part6_minibatch",
        (("            optimizer.zero_grad()\n            loss", "            loss"),),
        "6.2",
        "gradients pile up from batch to batch",
    ),
    M(
        "minibatch_no_step",
        "part6_minibatch",
        (("            optimizer.step()\n            total", "            total"),),
        "6.2",
        "without `optimizer.step()`",
    ),
    M(
        "minibatch_zero_grad_between_backward_and_step",
        "part6_minibatch",
        (
            (
                "            optimizer.zero_grad()\n            loss = criterion(model(xb), yb)\n            loss.backward()\n",
                "            loss = criterion(model(xb), yb)\n            loss.backward()\n            optimizer.zero_grad()\n",
            ),
        ),
        "6.2",
        "between `loss.backward()` and `optimizer.step()`",
    ),
    M(
        "minibatch_sum_of_losses",
        "part6_minibatch",
        (
            ("total += loss.item() * len(xb)", "total += loss.item()"),
            ("losses.append(total / count)", "losses.append(total)"),
        ),
        "6.2",
        "adding up the batch losses",
    ),
    M(
        "minibatch_last_batch_loss",
        "part6_minibatch",
        (("losses.append(total / count)", "losses.append(loss.item())"),),
        "6.2",
        "keeping only the last batch's loss",
    ),
    M(
        "fit_minibatch_unshuffled",
        "part6_minibatch",
        (
            (
                "loader = make_loader(X, y, batch_size, shuffle=True)",
                "loader = make_loader(X, y, batch_size, shuffle=False)",
            ),
        ),
        "6.3",
        "does not shuffle",
    ),
    # a loader made under another name (so that replacing the name DataLoader misses it)
    M(
        "fit_minibatch_unshuffled_by_alias",
        "part6_minibatch",
        (
            (
                "from torch.utils.data import DataLoader, TensorDataset\n",
                "from torch.utils.data import DataLoader, TensorDataset\n\nBatches = DataLoader\n",
            ),
            (
                "loader = make_loader(X, y, batch_size, shuffle=True)",
                "loader = Batches(make_loader(X, y).dataset, batch_size=batch_size)",
            ),
        ),
        "6.3",
        "does not shuffle",
    ),
    M(
        "fit_minibatch_one_batch_of_everything",
        "part6_minibatch",
        (
            (
                "loader = make_loader(X, y, batch_size, shuffle=True)",
                "loader = make_loader(X, y, len(X), shuffle=True)",
            ),
        ),
        "6.3",
        "one batch of all the points",
    ),
    M(
        "grid_axes_swapped",
        "part7_boundary",
        (
            (
                "np.linspace(low[1], high[1], steps))",
                'np.linspace(low[1], high[1], steps), indexing="ij")',
            ),
        ),
        "7.1",
        "swapped",
    ),
    M(
        "grid_proba_transposed",
        "part7_boundary",
        (
            (
                "predict_proba(model, grid).reshape(xx.shape)",
                "predict_proba(model, grid).reshape(xx.shape).T",
            ),
        ),
        "7.1",
        "transposed",
    ),
    M(
        "grid_margin_ignored",
        "part7_boundary",
        (
            ("low = points.min(axis=0) - margin", "low = points.min(axis=0)"),
            ("high = points.max(axis=0) + margin", "high = points.max(axis=0)"),
        ),
        "7.1",
        "margin",
    ),
    M(
        "plot_misses_points",
        "part7_boundary",
        (
            (
                "ax.scatter(points[:, 0], points[:, 1], c=labels,",
                "ax.scatter(points[::2, 0], points[::2, 1], c=labels[::2],",
            ),
        ),
        "7.2",
        "of the 40 points",
    ),
]


@dataclass(frozen=True)
class Variant:
    name: str
    appended: dict[str, str]  # module -> code appended to the reference module


VARIANTS = [
    Variant(
        "module_subclass_with_functional_sigmoid",
        {
            "part3_network": """
class TwoLayerNet(nn.Module):
    def __init__(self, hidden_size: int = 16) -> None:
        super().__init__()
        self.hidden = nn.Linear(2, hidden_size)
        self.out = nn.Linear(hidden_size, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(torch.relu(self.hidden(x))))


def build_model(hidden_size=16):
    return TwoLayerNet(hidden_size)
"""
        },
    ),
    Variant(
        "hand_sigmoid_and_squeeze",
        {
            "part3_network": """
class HandSigmoid(nn.Module):
    def forward(self, x):
        return 1 / (1 + torch.exp(-x))


def build_model(hidden_size=16):
    return nn.Sequential(nn.Linear(2, hidden_size), nn.ReLU(), nn.Linear(hidden_size, 1), HandSigmoid())


@torch.no_grad()
def predict_proba(model, X):
    return model(torch.tensor(np.asarray(X), dtype=torch.float32)).squeeze(1).numpy().astype(np.float64)


def predict(model, X, threshold=0.5):
    return np.where(predict_proba(model, X) > threshold, 1, 0).astype(np.int64)
""".replace("np.asarray(X)", "X.detach().numpy() if isinstance(X, torch.Tensor) else X")
        },
    ),
    Variant(
        "zero_grad_after_step",
        {
            "part5_training": """
def train(model, X, y, criterion, optimizer, epochs):
    history = []
    for epoch in range(epochs):
        prediction = model(X)
        loss = criterion(prediction, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        history.append(float(loss))
    return history
"""
        },
    ),
    Variant(
        "gradient_by_backward",
        {
            "part4_autograd": """
def gradient(f, x):
    leaf = x.detach().clone()
    leaf.requires_grad = True
    f(leaf).backward()
    return leaf.grad


def bce_grad_by_hand(w, b, X, y):
    p = 1 / (1 + torch.exp(-(X.matmul(w) + b)))
    n = X.shape[0]
    return X.T.mv(p - y) / n, torch.sum(p - y) / n
"""
        },
    ),
    Variant(
        "plain_epoch_mean_and_loader_first",
        {
            "part6_minibatch": """
def train_minibatch(model, loader, criterion, optimizer, epochs):
    means = []
    for _ in range(epochs):
        batch_losses = []
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        means.append(sum(batch_losses) / len(batch_losses))
    return means


def fit_minibatch(X, y, epochs=30, batch_size=32, lr=0.5, hidden_size=16, optimizer="sgd", seed=0):
    torch.manual_seed(seed)
    loader = make_loader(X, y, batch_size=batch_size)
    model = build_model(hidden_size=hidden_size)
    losses = train_minibatch(model, loader, nn.BCELoss(), make_optimizer(model, optimizer, lr), epochs)
    return model, losses
"""
        },
    ),
    Variant(
        "contourf_and_one_scatter_per_class",
        {
            "part7_boundary": """
def plot_decision_boundary(model, X, y, ax=None):
    ax = ax if ax is not None else plt.figure().add_subplot()
    xx, yy, proba = decision_grid(model, X)
    ax.contourf(xx, yy, (proba > 0.5).astype(float), levels=[-0.5, 0.5, 1.5], colors=["#fbb", "#bbf"])
    points, labels = np.asarray(X), np.asarray(y)
    for label, colour in ((0, "red"), (1, "blue")):
        ax.scatter(points[labels == label, 0], points[labels == label, 1], color=colour, label=f"class {label}")
    ax.legend()
    return ax


def decision_grid(model, X, steps=100, margin=0.5):
    points = X.detach().numpy() if isinstance(X, torch.Tensor) else np.asarray(X)
    xs = np.linspace(points[:, 0].min() - margin, points[:, 0].max() + margin, steps)
    ys = np.linspace(points[:, 1].min() - margin, points[:, 1].max() + margin, steps)
    xx, yy = np.meshgrid(xs, ys)
    proba = predict_proba(model, np.c_[xx.ravel(), yy.ravel()])
    return xx, yy, proba.reshape(steps, steps)
"""
        },
    ),
    Variant(
        "optimizer_table_and_numpy_accuracy",
        {
            "part5_training": """
BUILDERS = {
    "sgd": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
}


def make_optimizer(model, name="sgd", lr=0.1):
    if name not in BUILDERS:
        raise ValueError(f"Unknown optimizer {name}. Choose from: {sorted(BUILDERS)}")
    return BUILDERS[name](model.parameters(), lr)


def accuracy(model, X, y):
    return (predict(model, X) == np.asarray(y).ravel()).mean()
"""
        },
    ),
    Variant(
        "tensors_other_calls",
        {
            "part1_tensors": """
def from_list(data):
    return torch.as_tensor(data).float()


def special_matrices(n):
    return torch.zeros((n, n)), torch.ones((n, n)), torch.diag(torch.ones(n))


def add(a, b):
    return torch.add(a, b)


def multiply(a, b):
    return torch.mul(a, b)


def matmul(a, b):
    return torch.matmul(a, b)


def concat(tensors, dim=0):
    return torch.concat(list(tensors), dim)


def to_numpy(t):
    return t.detach().numpy()
""",
            "part2_layers": """
def linear_by_hand(x, layer):
    result = torch.matmul(x, layer.weight.t())
    return result if layer.bias is None else result + layer.bias


def activations(x):
    return {"relu": nn.ReLU()(x), "sigmoid": nn.Sigmoid()(x), "tanh": nn.Tanh()(x)}
""",
        },
    ),
    Variant(
        "compare_through_an_alias_of_fit",
        {
            "part5_training": """
_run = fit


def compare_optimizers(X, y, names=("sgd", "momentum", "adam"), epochs=30, lr=0.1, seed=0):
    return {name: _run(X, y, epochs=epochs, lr=lr, optimizer=name, seed=seed)[1] for name in names}
"""
        },
    ),
    Variant(
        "fit_in_another_order",
        {
            "part5_training": """
def fit(X, y, epochs=30, lr=1.0, hidden_size=16, optimizer="sgd", seed=0):
    X_t = torch.tensor(np.asarray(X), dtype=torch.float32)
    y_t = torch.tensor(np.asarray(y), dtype=torch.float32).unsqueeze(1)
    torch.manual_seed(seed)
    net = build_model(hidden_size=hidden_size)
    criterion = nn.BCELoss()
    return net, train(net, X_t, y_t, criterion, make_optimizer(net, name=optimizer, lr=lr), epochs)


def compare_optimizers(X, y, names=("sgd", "momentum", "adam"), epochs=30, lr=0.1, seed=0):
    curves = {}
    for name in names:
        _, curves[name] = fit(X, y, epochs, lr, optimizer=name, seed=seed)
    return curves
"""
        },
    ),
]
