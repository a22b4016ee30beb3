"""Checks of part 7: seeing what the network learned."""

import numpy as np

from autograder.grading.expect import Result, close_to, compare_cases, fail
from autograder.grading.plugin import check


@check("7.1", "part7.decision_grid", timeout=30)
def test_decision_grid(got: Result, want: Result) -> None:
    """decision_grid: an xy meshgrid over the widened box of X and the model's probability."""
    for case in want.cases():
        call = f"decision_grid({want.fact(f'{case}.input', 'text')})"
        mine, theirs = got[case], want[case]
        if mine.kind == "tuple" and mine.length == 3:
            xx, yy, proba = (mine[k] for k in range(3))
            expected = [theirs[k].numbers for k in range(3)]
            if close_to(xx, expected[0].T) and close_to(yy, expected[1].T):
                fail(
                    f"{call}: the grid axes are swapped: np.meshgrid's default (xy) indexing "
                    "makes xx change along each row."
                )
            if close_to(proba, expected[2].T) and not close_to(proba, expected[2]):
                fail(
                    f"{call}: proba is transposed: reshape the probabilities to xx.shape, in "
                    "the order of xx.ravel()."
                )
            margin = want.fact(f"{case}.input", "margin")
            if (
                xx.numbers is not None
                and xx.numbers.size
                and np.isclose(xx.numbers.min(), expected[0].min() + margin)
            ):
                fail(f"{call}: the grid does not reach past X by margin={margin} on each side.")
    compare_cases(got, want, "decision_grid", rtol=1e-5, atol=1e-6)


@check("7.2", "part7.plot_decision_boundary", timeout=30)
def test_plot_decision_boundary(got: Result, want: Result) -> None:
    """plot_decision_boundary: the plane coloured by class, every point coloured by its label."""
    X, y = want["X"].numbers, want["y"].numbers
    for case in ("case0", "case1"):
        given = want.fact(case, "given")
        call = "plot_decision_boundary(model, X, y" + (", ax=ax)" if given else ")")
        if got.fact(case, "type") != want.fact(case, "type"):
            fail(
                f"{call} returned {got.fact(case, 'type')}, expected the matplotlib Axes it "
                "drew on."
            )
        if given and not got.fact(case, "same_axes"):
            fail(f"{call} did not draw on the ax it was given: use that ax and return it.")
        offsets, colours = got[f"{case}.offsets"].numbers, got[f"{case}.colours"].numbers
        if offsets is None or len(offsets) < len(X):
            drawn = 0 if offsets is None else len(offsets)
            fail(f"{call} drew {drawn} of the {len(X)} points: scatter every point of X.")
        distance = np.abs(X[:, None, :].astype(np.float64) - offsets[None, :, :]).max(axis=2)
        where = distance.argmin(axis=1)
        if not np.all(distance[np.arange(len(X)), where] < 1e-4):
            fail(
                f"{call} did not draw the points of X where they are: scatter X[:, 0] "
                "against X[:, 1]."
            )
        by_label = [
            {
                tuple(np.round(colours[k], 3))
                for k, label in zip(where, y, strict=True)
                if label == value
            }
            for value in (0, 1)
        ]
        if len(by_label[0]) != 1 or len(by_label[1]) != 1 or by_label[0] == by_label[1]:
            fail(
                f"{call} does not colour the points by their label: pass c=y to scatter, or "
                "scatter each class in its own colour."
            )
        if not got.fact(f"{case}.backgrounds", "kinds"):
            fail(
                f"{call} did not colour the plane by the predicted class: colour the cells of "
                "your decision grid with Axes.pcolormesh (or Axes.contourf)."
            )
