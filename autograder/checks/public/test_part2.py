"""Checks of part 2: layers and activations."""

from autograder.grading.expect import Result, compare_cases, expect_like, fail, matches
from autograder.grading.plugin import check

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
        call = f"make_linear({want.fact(f'{case}.input', 'text')})"
        if not got.fact(f"{case}.layer", "is_linear"):
            fail(f"{call} returned {got[case].describe()}, expected an nn.Linear layer.")
        weight, expected = got[f"{case}.weight"], want[f"{case}.weight"]
        swapped = weight.shape == expected.shape[::-1] != expected.shape
        if weight.kind == "tensor" and swapped:
            n_out, n_in = expected.shape
            fail(
                f"the layer of {call} has a weight of shape {weight.shape_text}, expected "
                f"{expected.shape_text}: it maps {n_out} numbers to {n_in}, not {n_in} to "
                f"{n_out}. Check the order of nn.Linear's arguments: the input size comes "
                "first."
            )
        expect_like(weight, expected, f"the weight of the layer of {call}", values=False)
        bias = got[f"{case}.bias"]
        expect_like(bias, want[f"{case}.bias"], f"the bias of the layer of {call}", values=False)
        batch = want.fact(f"{case}.batch", "shape")
        error = got.fact(f"{case}.use_error", "text")
        if error:
            fail(f"the layer of {call} failed on a batch of shape {tuple(batch)}: {error}")
        expect_like(
            got[case],
            want[case],
            f"the layer of {call}, on a batch of shape {tuple(batch)},",
            values=False,
        )


@check("2.2", "part2.linear_by_hand", diagnose=True)
def test_linear_by_hand(got: Result, want: Result) -> None:
    """linear_by_hand: the layer's output from its weight and bias, without calling it."""
    if got.fact("layer_used", "value"):
        fail(
            "linear_by_hand must not call the layer, but the layer's own computation ran "
            "(torch.nn.functional.linear, which layer(x) and layer.forward(x) use): compute "
            "the output from layer.weight and layer.bias with the @ operator."
        )
    for case in want.cases():
        no_bias = want[f"{case}.mistake.no_bias"]
        if no_bias.numbers is not None and matches(got[case], no_bias, rtol=1e-4, atol=1e-5):
            call = f"linear_by_hand({want.fact(f'{case}.input', 'text')})"
            fail(
                f"{call} returned the product without the bias: every row is off by "
                "layer.bias. Add the bias to each row."
            )
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
        names = ", ".join(sorted({SIGMOID_NAMES.get(name, name) for name in used}))
        fail(
            f"sigmoid_by_hand must write the formula, but PyTorch's own sigmoid ran ({names}): "
            "build it from torch.exp and arithmetic."
        )
    compare_cases(got, want, "sigmoid_by_hand")
