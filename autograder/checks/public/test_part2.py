"""Checks of part 2: layers and activations."""

from autograder.grading.expect import Result, compare_cases, expect_like, fail, matches
from autograder.grading.plugin import check
from autograder.i18n import _

# how a student would write the PyTorch function that the probe saw run
SIGMOID_NAMES = {
    "sigmoid": "torch.sigmoid",
    "sigmoid_": "Tensor.sigmoid_",
    "special_expit": "torch.special.expit",
    "expit": "torch.special.expit",
    "logsigmoid": "torch.nn.functional.logsigmoid",
}


@check("2.1", "part2.make_linear")
def test_make_linear(got: Result, want: Result) -> None:
    """make_linear: an nn.Linear with the right weight and bias shapes."""
    for case in want.cases():
        call = want.call("make_linear", case)
        if not got.fact(f"{case}.layer", "is_linear"):
            fail("check.make_linear.not_linear", call=call, got=got[case].describe())
        weight, expected = got[f"{case}.weight"], want[f"{case}.weight"]
        swapped = weight.shape == expected.shape[::-1] != expected.shape
        if weight.kind == "tensor" and swapped:
            n_out, n_in = expected.shape
            fail(
                "check.make_linear.swapped",
                call=call,
                got=weight.shape_text,
                want=expected.shape_text,
                n_in=n_in,
                n_out=n_out,
            )
        weight_of = _("subject.weight_of_layer", call=call)
        expect_like(weight, expected, weight_of, values=False)
        bias_of = _("subject.bias_of_layer", call=call)
        expect_like(got[f"{case}.bias"], want[f"{case}.bias"], bias_of, values=False)
        batch = str(tuple(want.fact(f"{case}.batch", "shape")))
        error = got.fact(f"{case}.use_error", "text")
        if error:
            fail("check.make_linear.layer_failed", call=call, batch=batch, error=error)
        on_batch = _("subject.layer_on_batch", call=call, batch=batch)
        expect_like(got[case], want[case], on_batch, values=False)


@check("2.2", "part2.linear_by_hand", diagnose=True)
def test_linear_by_hand(got: Result, want: Result) -> None:
    """linear_by_hand: the layer's output from its weight and bias, without calling it."""
    if got.fact("layer_used", "value"):
        fail("check.linear_by_hand.layer_used")
    for case in want.cases():
        no_bias = want[f"{case}.mistake.no_bias"]
        if no_bias.numbers is not None and matches(got[case], no_bias, rtol=1e-4, atol=1e-5):
            fail("check.linear_by_hand.no_bias", call=want.call("linear_by_hand", case))
    compare_cases(got, want, "linear_by_hand", rtol=1e-4, atol=1e-5)


@check("2.3", "part2.activations")
def test_activations(got: Result, want: Result) -> None:
    """activations: a dict with relu, sigmoid and tanh applied to x."""
    compare_cases(got, want, "activations")


@check("2.4", "part2.sigmoid_by_hand")
def test_sigmoid_by_hand(got: Result, want: Result) -> None:
    """sigmoid_by_hand: 1 / (1 + e^(-x)) written out, finite for |x| up to 1e4."""
    used = got.fact("library_sigmoid", "value")
    if used:
        names = ", ".join(f"`{SIGMOID_NAMES.get(name, name)}`" for name in sorted(set(used)))
        fail("check.sigmoid_by_hand.library", names=names)
    compare_cases(got, want, "sigmoid_by_hand")
