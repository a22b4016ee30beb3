"""Checks of part 1: creating and combining tensors."""

from autograder.grading.expect import Result, compare_cases, fail
from autograder.grading.plugin import check


@check("1.1", "part1.from_list")
def test_from_list(got: Result, want: Result) -> None:
    """from_list: nested lists become float32 tensors holding the same numbers."""
    compare_cases(got, want, "from_list")


@check("1.2", "part1.special_matrices")
def test_special_matrices(got: Result, want: Result) -> None:
    """special_matrices: float32 (n, n) zeros, ones and identity."""
    compare_cases(got, want, "special_matrices")


@check("1.3", "part1.add")
def test_add(got: Result, want: Result) -> None:
    """add: element-wise sum, with broadcasting."""
    compare_cases(got, want, "add")


@check("1.4", "part1.multiply")
def test_multiply(got: Result, want: Result) -> None:
    """multiply: element-wise product (not the matrix product), with broadcasting."""
    compare_cases(got, want, "multiply")


@check("1.5", "part1.matmul")
def test_matmul(got: Result, want: Result) -> None:
    """matmul: (n, k) @ (k, m) gives the (n, m) matrix product."""
    compare_cases(got, want, "matmul")


@check("1.6", "part1.concat")
def test_concat(got: Result, want: Result) -> None:
    """concat: tensors joined along the given existing dimension."""
    compare_cases(got, want, "concat")


@check("1.7", "part1.to_numpy")
def test_to_numpy(got: Result, want: Result) -> None:
    """to_numpy: a NumPy array with the same numbers, also for tensors that require grad."""
    compare_cases(got, want, "to_numpy")
    if not got.fact("input_untouched", "value"):
        fail("check.to_numpy.changed_input")


@check("1.8", "part1.from_numpy")
def test_from_numpy(got: Result, want: Result) -> None:
    """from_numpy: a tensor that shares memory with the array (no copy)."""
    for case in want.cases():
        if not got.fact(f"{case}.shares", "value"):
            fail("check.from_numpy.copied", call=want.call("from_numpy", case))
    compare_cases(got, want, "from_numpy")
