"""The reference solutions meet CURRICULUM.md's contract: types, dtypes, shapes, behaviour."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
import torch
from torch import nn

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def moons(ref):
    return ref["data"].make_moons(200, noise=0.2, seed=3)


# data.py


def test_make_moons_is_two_balanced_shuffled_classes(ref) -> None:
    X, y = ref["data"].make_moons(101, noise=0.1, seed=1)
    assert X.shape == (101, 2) and X.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    assert sorted(np.bincount(y)) == [50, 51]
    assert not (np.all(y[:50] == 0) or np.all(y[:50] == 1)), "labels are not shuffled"
    # class 0 is the upper moon, class 1 the lower one
    assert X[y == 0, 1].mean() > X[y == 1, 1].mean()


def test_make_moons_is_deterministic_for_a_seed(ref) -> None:
    first, second = ref["data"].make_moons(seed=7), ref["data"].make_moons(seed=7)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], ref["data"].make_moons(seed=8)[0])


def test_make_blobs_matches_the_seminar_centres(ref) -> None:
    X, y = ref["data"].make_blobs()
    assert X.shape == (1200, 2) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, 0.5], atol=0.15)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [3, -0.5], atol=0.15)
    np.testing.assert_allclose(X[y == 0].std(axis=0), [1, 1], atol=0.1)


def test_train_test_split_partitions_the_points(ref, moons) -> None:
    X, y = moons
    X_train, X_test, y_train, y_test = ref["data"].train_test_split(X, y, test_size=0.25)
    assert len(X_test) == len(y_test) == 50 and len(X_train) == len(y_train) == 150
    rows = {tuple(row) for row in np.concatenate([X_train, X_test])}
    assert len(rows) == 200
    for part_X, part_y in [(X_train, y_train), (X_test, y_test)]:
        index = [np.flatnonzero(np.all(row[None, :] == X, axis=1))[0] for row in part_X]
        np.testing.assert_array_equal(y[index], part_y)
    with pytest.raises(ValueError):
        ref["data"].train_test_split(X, y[:-1])


# part 1


def test_tensor_creation(ref) -> None:
    p1 = ref["part1_tensors"]
    t = p1.from_list([[1, 2, 3], [4, 5, 6]])
    assert t.dtype == torch.float32 and t.shape == (2, 3)
    assert t.tolist() == [[1, 2, 3], [4, 5, 6]]
    zeros, ones, eye = p1.special_matrices(4)
    for m in (zeros, ones, eye):
        assert m.dtype == torch.float32 and m.shape == (4, 4)
    assert zeros.sum() == 0 and ones.sum() == 16
    assert torch.equal(eye, torch.diag(torch.ones(4)))


def test_arithmetic_broadcasts(ref) -> None:
    p1 = ref["part1_tensors"]
    column, row = torch.tensor([[1.0], [2.0]]), torch.tensor([[10.0, 20.0, 30.0]])
    assert p1.add(column, row).tolist() == [[11, 21, 31], [12, 22, 32]]
    assert p1.multiply(column, row).tolist() == [[10, 20, 30], [20, 40, 60]]
    a, b = torch.randn(3, 4), torch.randn(4, 5)
    torch.testing.assert_close(p1.matmul(a, b), a @ b)
    assert p1.matmul(a, b).shape == (3, 5)


def test_concat_along_each_dimension(ref) -> None:
    p1 = ref["part1_tensors"]
    a, b = torch.ones(2, 3), torch.zeros(2, 3)
    assert p1.concat([a, b]).shape == (4, 3)
    assert p1.concat([a, b], dim=1).shape == (2, 6)
    assert p1.concat([a, b, a], dim=0)[2:4].sum() == 0


def test_to_numpy_works_for_a_tensor_that_requires_grad(ref) -> None:
    t = torch.arange(4.0, requires_grad=True)
    array = ref["part1_tensors"].to_numpy(t)
    assert isinstance(array, np.ndarray) and array.dtype == np.float32
    assert array.tolist() == [0, 1, 2, 3]


def test_from_numpy_shares_memory(ref) -> None:
    a = np.zeros(3, dtype=np.float32)
    t = ref["part1_tensors"].from_numpy(a)
    a[1] = 5
    assert t.tolist() == [0, 5, 0]
    assert ref["part1_tensors"].from_numpy(np.zeros(2)).dtype == torch.float64


# part 2


class NoCallLinear(nn.Linear):
    def forward(self, x):
        raise AssertionError("linear_by_hand called the layer")


def test_make_linear(ref) -> None:
    layer = ref["part2_layers"].make_linear(3, 5)
    assert isinstance(layer, nn.Linear)
    assert layer.weight.shape == (5, 3) and layer.bias.shape == (5,)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_by_hand_matches_the_layer_without_calling_it(ref, bias: bool) -> None:
    torch.manual_seed(0)
    layer = NoCallLinear(3, 4, bias=bias)
    x = torch.randn(6, 3)
    expected = nn.functional.linear(x, layer.weight, layer.bias)
    torch.testing.assert_close(ref["part2_layers"].linear_by_hand(x, layer), expected)


def test_activations(ref) -> None:
    x = torch.linspace(-3, 3, 13)
    result = ref["part2_layers"].activations(x)
    assert set(result) == {"relu", "sigmoid", "tanh"}
    torch.testing.assert_close(result["relu"], torch.relu(x))
    torch.testing.assert_close(result["sigmoid"], torch.sigmoid(x))
    torch.testing.assert_close(result["tanh"], torch.tanh(x))


def test_sigmoid_by_hand_is_finite_for_large_inputs(ref) -> None:
    x = torch.tensor([-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4])
    result = ref["part2_layers"].sigmoid_by_hand(x)
    assert not torch.isnan(result).any()
    torch.testing.assert_close(result, torch.sigmoid(x))


# part 3


def test_build_model_maps_points_to_probabilities(ref) -> None:
    torch.manual_seed(0)
    model = ref["part3_network"].build_model(hidden_size=7)
    out = model(torch.randn(50, 2) * 5)
    assert out.shape == (50, 1) and out.dtype == torch.float32
    assert ((out > 0) & (out < 1)).all()
    assert sum(p.numel() for p in model.parameters()) == 2 * 7 + 7 + 7 + 1


def test_predict_proba_is_flat_and_builds_no_graph(ref, moons) -> None:
    p3 = ref["part3_network"]
    model = p3.build_model()
    X = torch.as_tensor(moons[0]).requires_grad_(True)
    proba = p3.predict_proba(model, X)
    assert isinstance(proba, np.ndarray) and proba.shape == (200,)
    assert np.issubdtype(proba.dtype, np.floating)
    np.testing.assert_allclose(proba, model(X).detach().numpy().reshape(-1), rtol=1e-6)
    np.testing.assert_array_equal(proba, p3.predict_proba(model, moons[0]))
    assert all(p.grad is None for p in model.parameters())


def test_predict_uses_a_strict_threshold(ref) -> None:
    p3 = ref["part3_network"]
    half = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    nn.init.zeros_(half[0].weight)
    nn.init.zeros_(half[0].bias)
    labels = p3.predict(half, np.ones((4, 2), dtype=np.float32))
    assert labels.dtype == np.int64 and labels.shape == (4,)
    assert labels.tolist() == [0, 0, 0, 0], "probability exactly 0.5 is class 0"
    assert p3.predict(half, np.ones((2, 2)), threshold=0.4).tolist() == [1, 1]


# part 4


def test_gradient_by_autograd_leaves_the_input_untouched(ref) -> None:
    x = torch.tensor([1.0, -2.0, 3.0])
    grad = ref["part4_autograd"].gradient(lambda t: (t**3).sum(), x)
    torch.testing.assert_close(grad, 3 * x**2)
    assert not x.requires_grad and x.grad is None
    leaf = torch.ones(2, requires_grad=True)
    ref["part4_autograd"].gradient(lambda t: (t * t).sum(), leaf)
    assert leaf.grad is None


def test_bce_grad_by_hand_matches_autograd_in_float64(ref) -> None:
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(30, 4, dtype=torch.float64, generator=generator)
    y = (torch.rand(30, generator=generator) > 0.5).double()
    w = torch.randn(4, dtype=torch.float64, generator=generator, requires_grad=True)
    b = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    nn.functional.binary_cross_entropy(torch.sigmoid(X @ w + b), y).backward()
    dw, db = ref["part4_autograd"].bce_grad_by_hand(w.detach(), b.detach(), X, y)
    assert dw.shape == (4,) and db.shape == ()
    torch.testing.assert_close(dw, w.grad)
    torch.testing.assert_close(db, b.grad)


# part 5


def test_make_optimizer_by_name(ref) -> None:
    p5 = ref["part5_training"]
    model = ref["part3_network"].build_model()
    sgd = p5.make_optimizer(model, "sgd", lr=0.3)
    momentum = p5.make_optimizer(model, "momentum")
    adam = p5.make_optimizer(model, "adam", lr=0.01)
    assert type(sgd) is torch.optim.SGD and sgd.defaults["momentum"] == 0
    assert sgd.defaults["lr"] == 0.3
    assert type(momentum) is torch.optim.SGD and momentum.defaults["momentum"] == 0.9
    assert type(adam) is torch.optim.Adam and adam.defaults["lr"] == 0.01
    assert {id(p) for p in sgd.param_groups[0]["params"]} == {id(p) for p in model.parameters()}


def test_make_optimizer_refuses_unknown_names(ref) -> None:
    model = ref["part3_network"].build_model()
    with pytest.raises(ValueError, match="sgd.*momentum.*adam"):
        ref["part5_training"].make_optimizer(model, "rmsprop")


def test_train_records_the_loss_before_each_step(ref, moons) -> None:
    p5 = ref["part5_training"]
    X = torch.as_tensor(moons[0])
    y = torch.as_tensor(moons[1], dtype=torch.float32).reshape(-1, 1)
    torch.manual_seed(1)
    model = ref["part3_network"].build_model()
    twin = ref["part3_network"].build_model()
    twin.load_state_dict(model.state_dict())
    losses = p5.train(model, X, y, nn.BCELoss(), torch.optim.SGD(model.parameters(), lr=1.0), 5)
    assert len(losses) == 5 and all(type(loss) is float for loss in losses)
    assert losses[-1] < losses[0]
    optimizer = torch.optim.SGD(twin.parameters(), lr=1.0)
    for expected in losses:
        optimizer.zero_grad()
        loss = nn.BCELoss()(twin(X), y)
        assert loss.item() == pytest.approx(expected, rel=1e-6)
        loss.backward()
        optimizer.step()


def test_accuracy_is_a_float_share(ref, moons) -> None:
    p5 = ref["part5_training"]
    model = ref["part3_network"].build_model()
    expected = float(np.mean(ref["part3_network"].predict(model, moons[0]) == moons[1]))
    assert type(p5.accuracy(model, *moons)) is float
    assert p5.accuracy(model, *moons) == expected
    column = torch.as_tensor(moons[1], dtype=torch.float32).reshape(-1, 1)
    assert p5.accuracy(model, moons[0], column) == expected


def test_fit_is_deterministic_for_a_seed(ref, moons) -> None:
    fit = ref["part5_training"].fit
    model, losses = fit(*moons, epochs=5)
    again_model, again = fit(*moons, epochs=5)
    assert losses == again and len(losses) == 5
    for p, q in zip(model.parameters(), again_model.parameters(), strict=True):
        assert torch.equal(p, q)
    assert fit(*moons, epochs=5, seed=1)[1] != losses
    hidden = next(
        m for m in fit(*moons, epochs=1, hidden_size=5)[0].modules() if isinstance(m, nn.Linear)
    )
    assert hidden.out_features == 5


def test_compare_optimizers_returns_fit_curves(ref, moons) -> None:
    p5 = ref["part5_training"]
    curves = p5.compare_optimizers(*moons, epochs=4)
    assert list(curves) == ["sgd", "momentum", "adam"]
    for name, curve in curves.items():
        assert curve == p5.fit(*moons, epochs=4, lr=0.1, optimizer=name)[1]


# part 6


def test_make_loader_batches_float32_targets_as_a_column(ref, moons) -> None:
    loader = ref["part6_minibatch"].make_loader(*moons, batch_size=64)
    batches = list(loader)
    assert [len(xb) for xb, _ in batches] == [64, 64, 64, 8]
    xb, yb = batches[0]
    assert xb.dtype == yb.dtype == torch.float32
    assert xb.shape == (64, 2) and yb.shape == (64, 1)


def test_make_loader_shuffles_every_epoch_only_when_asked(ref, moons) -> None:
    p6 = ref["part6_minibatch"]
    shuffled = p6.make_loader(*moons, batch_size=200)
    first, second = (next(iter(shuffled))[0] for _ in range(2))
    assert not torch.equal(first, second)
    assert torch.equal(first[first[:, 0].argsort()], second[second[:, 0].argsort()])
    ordered = next(iter(p6.make_loader(*moons, batch_size=200, shuffle=False)))[0]
    assert torch.equal(ordered, torch.as_tensor(moons[0]))


def test_train_minibatch_returns_one_mean_per_epoch(ref, moons) -> None:
    p6 = ref["part6_minibatch"]
    torch.manual_seed(0)
    model = ref["part3_network"].build_model()
    loader = p6.make_loader(*moons)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = p6.train_minibatch(model, loader, nn.BCELoss(), optimizer, 4)
    assert len(losses) == 4 and all(type(loss) is float for loss in losses)
    assert losses[-1] < losses[0]


def test_fit_minibatch_is_deterministic_for_a_seed(ref, moons) -> None:
    fit_minibatch = ref["part6_minibatch"].fit_minibatch
    assert fit_minibatch(*moons, epochs=3)[1] == fit_minibatch(*moons, epochs=3)[1]
    assert fit_minibatch(*moons, epochs=3)[1] != fit_minibatch(*moons, epochs=3, seed=2)[1]


# part 7


def test_decision_grid_covers_the_widened_box(ref, moons) -> None:
    p7 = ref["part7_boundary"]
    model = ref["part3_network"].build_model()
    X = moons[0]
    xx, yy, proba = p7.decision_grid(model, X, steps=20, margin=0.5)
    assert xx.shape == yy.shape == proba.shape == (20, 20)
    assert xx[0, 0] == pytest.approx(X[:, 0].min() - 0.5)
    assert xx[0, -1] == pytest.approx(X[:, 0].max() + 0.5)
    assert yy[-1, 0] == pytest.approx(X[:, 1].max() + 0.5)
    assert np.all(xx[0] == xx[-1]), "xy indexing: x varies along columns"
    i, j = 3, 11
    point = np.array([[xx[i, j], yy[i, j]]], dtype=np.float32)
    assert proba[i, j] == pytest.approx(ref["part3_network"].predict_proba(model, point)[0])


def test_plot_decision_boundary_renders_a_png(ref, moons) -> None:
    import matplotlib.pyplot as plt

    p7 = ref["part7_boundary"]
    model = ref["part3_network"].build_model()
    ax = p7.plot_decision_boundary(model, *moons)
    scattered = [c for c in ax.collections if c.get_offsets().shape == (200, 2)]
    assert len(scattered) == 1
    np.testing.assert_allclose(scattered[0].get_offsets(), moons[0])
    png = io.BytesIO()
    ax.figure.savefig(png, format="png")
    assert png.getvalue().startswith(b"\x89PNG")
    _, given = plt.subplots()
    assert p7.plot_decision_boundary(model, *moons, ax=given) is given
    plt.close("all")
