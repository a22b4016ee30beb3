"""Checks of part 2: layers and activations."""

from autograder.grading.expect import Result, compare_cases, expect_like, fail
from autograder.grading.plugin import check


@check("2.1", "part2.make_linear")
def test_make_linear(got: Result, want: Result) -> None:
    """make_linear: an nn.Linear with the right weight and bias shapes."""
    for case in want.cases():
        call = f"make_linear({want.fact(f'{case}.input', 'text')})"
        if not got.fact(f"{case}.layer", "is_linear"):
            fail(f"{call} returned {got[case].describe()}, expected an nn.Linear layer.")
        expect_like(
            got[f"{case}.weight"], want[f"{case}.weight"], f"the weight of {call}", values=False
        )
        expect_like(got[f"{case}.bias"], want[f"{case}.bias"], f"the bias of {call}", values=False)
        expect_like(got[case], want[case], f"the output of {call}", values=False)


@check("2.2", "part2.linear_by_hand")
def test_linear_by_hand(got: Result, want: Result) -> None:
    """linear_by_hand: x @ W.T + b from the layer's weight and bias, without calling it."""
    if got.fact("layer_called", "value"):
        fail(
            "linear_by_hand called the layer: compute the output from layer.weight and "
            "layer.bias instead."
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
        fail(f"sigmoid_by_hand called {used[0]}: write the formula with torch.exp instead.")
    compare_cases(got, want, "sigmoid_by_hand")
