"""Checks of part 3: a network for points on a plane."""

import numpy as np

from autograder.grading.expect import Result, expect_like, fail, shape_text
from autograder.grading.plugin import check
from autograder.i18n import _


@check("3.1", "part3.build_model")
def test_build_model(got: Result, want: Result) -> None:
    """build_model: Linear(2, h) → ReLU → Linear(h, 1) → Sigmoid, for any hidden_size h."""
    for case in want.cases():
        call = want.call("build_model", case)
        if not got.fact(f"{case}.module", "value"):
            fail("check.build_model.not_module", call=call, got=got[case].describe())
        model_on = _("subject.model_on_batch", call=call)
        expect_like(got[case], want[case], model_on, values=False)
        outputs = got[case].numbers
        if not np.all((outputs > 0) & (outputs < 1)):
            farthest = outputs.ravel()[np.argmax(np.abs(outputs - 0.5))]
            fail("check.build_model.outside_0_1", call=call, value=f"{farthest:.3g}")
        layers, expected = (
            got.fact(f"{case}.layers", "linears"),
            want.fact(f"{case}.layers", "linears"),
        )
        if len(layers) != 2:
            fail("check.build_model.linear_count", call=call, count=len(layers), want=expected)
        if layers != expected:
            if layers[0][1] != expected[0][1]:
                fail(
                    "check.build_model.hidden_size_ignored",
                    call=call,
                    got=layers[0][1],
                    want=expected[0][1],
                )
            fail("check.build_model.layers", call=call, got=layers, want=expected)
        if got.fact(f"{case}.layers", "affine"):
            fail("check.build_model.linear", call=call)
        if not np.allclose(outputs, got[f"{case}.formula"].numbers, atol=1e-5):
            fail("check.build_model.order", call=call)


@check("3.2", "part3.predict_proba")
def test_predict_proba(got: Result, want: Result) -> None:
    """predict_proba: a flat float array (N,) of probabilities, computed without a graph."""
    for case in want.cases():
        value, expected = got[case], want[case]
        call = want.call("predict_proba", case)
        if value.kind == "ndarray" and value.shape == [*expected.shape, 1]:
            fail(
                "check.predict_proba.column",
                call=call,
                got=value.shape_text,
                want=expected.shape_text,
            )
        expect_like(value, expected, call, any_float=True)
    if got.fact("graph", "built"):
        fail("check.predict_proba.graph")


@check("3.3", "part3.predict")
def test_predict(got: Result, want: Result) -> None:
    """predict: int64 labels, 1 where the probability is strictly greater than the threshold."""
    probabilities = want["probabilities"].numbers
    for case in want.cases():
        value, expected = got[case], want[case]
        threshold = want.fact(f"{case}.input", "threshold") or 0.5
        call = want.call("predict", case)
        if value.kind == "ndarray" and value.shape == expected.shape and value.numbers is not None:
            labels = value.numbers
            if np.array_equal(labels, probabilities < threshold):
                fail("check.predict.reversed", call=call)
            if np.array_equal(labels, probabilities >= threshold) and not np.array_equal(
                labels, expected.numbers
            ):
                fail("check.predict.inclusive", call=call)
            if threshold != 0.5 and np.array_equal(labels, probabilities > 0.5):
                fail("check.predict.threshold_ignored", call=call)
        if value.kind == "ndarray" and value.shape == [*expected.shape, 1]:
            fail(
                "check.predict.column",
                call=call,
                got=value.shape_text,
                want=shape_text(expected.shape),
            )
        expect_like(value, expected, call)
