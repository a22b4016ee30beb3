"""Checks of part 7: seeing what the network learned."""

import numpy as np

from autograder.grading.expect import Result, close_to, compare_cases, fail, fail_n
from autograder.grading.plugin import check
from autograder.i18n import _


@check("7.1", "part7.decision_grid", timeout=30)
def test_decision_grid(got: Result, want: Result) -> None:
    """decision_grid: an xy meshgrid over the widened box of X and the model's probability."""
    for case in want.cases():
        call = want.call("decision_grid", case)
        mine, theirs = got[case], want[case]
        if mine.kind == "tuple" and mine.length == 3:
            xx, yy, proba = (mine[k] for k in range(3))
            expected = [theirs[k].numbers for k in range(3)]
            if close_to(xx, expected[0].T) and close_to(yy, expected[1].T):
                fail("check.decision_grid.swapped", call=call)
            if close_to(proba, expected[2].T) and not close_to(proba, expected[2]):
                fail("check.decision_grid.transposed", call=call)
            margin = want.fact(f"{case}.input", "margin")
            if (
                xx.numbers is not None
                and xx.numbers.size
                and np.isclose(xx.numbers.min(), expected[0].min() + margin)
            ):
                fail("check.decision_grid.margin", call=call, margin=margin)
    compare_cases(got, want, "decision_grid", rtol=1e-5, atol=1e-6)


@check("7.2", "part7.plot_decision_boundary", timeout=30)
def test_plot_decision_boundary(got: Result, want: Result) -> None:
    """plot_decision_boundary: the plane coloured by class, every point coloured by its label."""
    X, y = want["X"].numbers, want["y"].numbers
    for case in ("case0", "case1"):
        given = want.fact(case, "given")
        code = "model, X, y, ax=ax" if given else "model, X, y"
        call = _("call.code", function="plot_decision_boundary", code=code)
        if got.fact(case, "type") != want.fact(case, "type"):
            fail("check.plot.type", call=call, got=got.fact(case, "type"))
        if given and not got.fact(case, "same_axes"):
            fail("check.plot.other_axes", call=call)
        offsets, colours = got[f"{case}.offsets"].numbers, got[f"{case}.colours"].numbers
        if offsets is None or len(offsets) < len(X):
            drawn = 0 if offsets is None else len(offsets)
            fail_n("check.plot.points_missing", len(X), call=call, drawn=drawn)
        distance = np.abs(X[:, None, :].astype(np.float64) - offsets[None, :, :]).max(axis=2)
        where = distance.argmin(axis=1)
        if not np.all(distance[np.arange(len(X)), where] < 1e-4):
            fail("check.plot.points_misplaced", call=call)
        by_label = [
            {
                tuple(np.round(colours[k], 3))
                for k, label in zip(where, y, strict=True)
                if label == value
            }
            for value in (0, 1)
        ]
        if len(by_label[0]) != 1 or len(by_label[1]) != 1 or by_label[0] == by_label[1]:
            fail("check.plot.colours", call=call)
        if not got.fact(f"{case}.backgrounds", "kinds"):
            fail("check.plot.background", call=call)
