"""The mutation corpus, graded in one batch: every known mistake loses points in its own part
with feedback that names it; every correct variant, whatever its style, scores full marks."""

from __future__ import annotations

import json

import pytest
from conftest import SOLUTIONS
from corpus import MUTANTS, VARIANTS, Mutant
from grading_helpers import grade_all, make_submission

from autograder.kit import load_parts

PART_OF = {part.module: part.number for part in load_parts()}
# the end-to-end checks may repeat a mistake made in the functions they call
END_TO_END = {"5.4", "6.3"}


def mutate(mutant: Mutant) -> str:
    text = (SOLUTIONS / f"{mutant.module}.py").read_text()
    for old, new in mutant.changes:
        assert text.count(old) == 1, f"{mutant.name}: {old!r} is not in the reference once"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every mutant, every variant and the reference, graded by one `grade-all` run."""
    root = tmp_path_factory.mktemp("corpus")
    submissions = root / "submissions"
    make_submission(submissions / "reference")
    for mutant in MUTANTS:
        make_submission(submissions / mutant.name, replace={mutant.module: mutate(mutant)})
    for variant in VARIANTS:
        make_submission(submissions / variant.name, append=variant.appended)
    completed = grade_all(submissions, root / "out", timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return {
        path.parent.name: json.loads(path.read_text())
        for path in (root / "out").glob("*/results.json")
    }


def failed(results: dict) -> dict[str, str]:
    return {t["number"]: t["output"] for t in results["tests"] if t["status"] == "failed"}


def diagnosis(output: str) -> str:
    """What a check found, without the task's fixed hint (which names the same idea for every
    mistake) and what the code printed."""
    return output.split("\nHint: ")[0].split("\nYour code printed:")[0]


def test_the_reference_scores_full_marks(graded) -> None:
    assert graded["reference"]["score"] == graded["reference"]["max_score"] == 100


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_a_mutant_loses_points_in_its_part_with_named_feedback(graded, mutant: Mutant) -> None:
    lost = failed(graded[mutant.name])
    assert mutant.check in lost, f"{mutant.name} passed {mutant.check}"
    assert mutant.feedback in diagnosis(lost[mutant.check]), lost[mutant.check]
    part = str(PART_OF[mutant.module])
    elsewhere = {c for c in lost if c.split(".")[0] != part and c not in END_TO_END}
    assert not elsewhere, f"{mutant.name} also lost {sorted(elsewhere)}"


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_a_correct_variant_scores_full_marks(graded, variant) -> None:
    assert failed(graded[variant.name]) == {}


def test_every_named_mistake_is_met_by_a_mutant(graded) -> None:
    """Each known mistake of the train loops is named in some mutant's feedback; and there
    are at least eight correct variants."""
    from autograder.checks.public import test_part5, test_part6

    feedback = " ".join(
        diagnosis(output) for mutant in MUTANTS for output in failed(graded[mutant.name]).values()
    )
    messages = [*test_part5.TRAIN_MISTAKES.values(), *test_part6.MINIBATCH_MISTAKES.values()]
    missing = [message for message in messages if message not in feedback]
    assert missing == []
    assert len(VARIANTS) >= 8
