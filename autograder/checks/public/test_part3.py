"""Checks of part 3: a network for points on a plane."""

import numpy as np

from autograder.grading.expect import Result, expect_like, fail, shape_text
from autograder.grading.plugin import check


@check("3.1", "part3.build_model")
def test_build_model(got: Result, want: Result) -> None:
    """build_model: Linear(2, h) → ReLU → Linear(h, 1) → Sigmoid, for any hidden_size h."""
    for case in want.cases():
        call = f"build_model({want.fact(f'{case}.input', 'text')})"
        if not got.fact(f"{case}.module", "value"):
            fail(
                f"{call} returned {got[case].describe()}, expected an nn.Module such as "
                "nn.Sequential."
            )
        expect_like(got[case], want[case], f"the model of {call} on a batch (N, 2)", values=False)
        outputs = got[case].numbers
        if not np.all((outputs > 0) & (outputs < 1)):
            fail(
                f"the model of {call} gave outputs outside (0, 1), e.g. "
                f"{outputs.ravel()[np.argmax(np.abs(outputs - 0.5))]:.3g}: is the final "
                "Sigmoid missing?"
            )
        layers, expected = (
            got.fact(f"{case}.layers", "linears"),
            want.fact(f"{case}.layers", "linears"),
        )
        if len(layers) != 2:
            fail(f"{call} has {len(layers)} nn.Linear layers, expected 2: {expected}.")
        if layers != expected:
            if layers[0][1] != expected[0][1]:
                fail(
                    f"{call} made a hidden layer of {layers[0][1]} units, expected "
                    f"{expected[0][1]}: is hidden_size ignored?"
                )
            fail(f"{call} has layers {layers}, expected {expected} (in, out features).")
        if got.fact(f"{case}.layers", "affine"):
            fail(f"the model of {call} is linear: add nn.ReLU() between the two Linear layers.")
        if not np.allclose(outputs, got[f"{case}.formula"].numbers, atol=1e-5):
            fail(
                f"the model of {call} is not Linear → ReLU → Linear → Sigmoid: is the hidden "
                "activation something other than ReLU, or the order different?"
            )


@check("3.2", "part3.predict_proba")
def test_predict_proba(got: Result, want: Result) -> None:
    """predict_proba: a flat float array (N,) of probabilities, computed without a graph."""
    for case in want.cases():
        value, expected = got[case], want[case]
        call = f"predict_proba({want.fact(f'{case}.input', 'text')})"
        if value.kind == "ndarray" and value.shape == [*expected.shape, 1]:
            fail(
                f"{call} returned shape {value.shape_text}, expected {expected.shape_text}: "
                "flatten the model's (N, 1) output with .reshape(-1) or .squeeze(1)."
            )
        expect_like(value, expected, call, any_float=True)
    if got.fact("graph", "built"):
        fail(
            "predict_proba let autograd record a graph: run the model inside "
            "`with torch.no_grad():`."
        )


@check("3.3", "part3.predict")
def test_predict(got: Result, want: Result) -> None:
    """predict: int64 labels, 1 where the probability is strictly greater than the threshold."""
    probabilities = want["probabilities"].numbers
    for case in want.cases():
        value, expected = got[case], want[case]
        threshold = want.fact(f"{case}.input", "threshold") or 0.5
        call = f"predict({want.fact(f'{case}.input', 'text')})"
        if value.kind == "ndarray" and value.shape == expected.shape and value.numbers is not None:
            labels = value.numbers
            if np.array_equal(labels, probabilities < threshold):
                fail(
                    f"{call}: the classes are reversed: class 1 is where the probability is "
                    "greater than the threshold."
                )
            if np.array_equal(labels, probabilities >= threshold) and not np.array_equal(
                labels, expected.numbers
            ):
                fail(
                    f"{call}: a probability equal to the threshold must give class 0: use >, "
                    "not >=."
                )
            if threshold != 0.5 and np.array_equal(labels, probabilities > 0.5):
                fail(f"{call} ignored the threshold: compare with `threshold`, not 0.5.")
        if value.kind == "ndarray" and value.shape == [*expected.shape, 1]:
            fail(
                f"{call} returned shape {value.shape_text}, expected {shape_text(expected.shape)}."
            )
        expect_like(value, expected, call)
