"""The mutation corpus, graded with the public and with the hidden checks: every known mistake
loses points in its own part, in both sets alike, with feedback that names it; every correct
variant, whatever its style, scores full marks; and no report holds code of the reference."""

from __future__ import annotations

import json

import pytest
from conftest import ASSIGNMENTS, SOLUTIONS
from corpus import MUTANTS, VARIANTS, Mutant
from grading_helpers import grade_all, make_submission
from russian_text import english_words
from solution_statements import leaks, secrets

from autograder.i18n import in_language
from autograder.kit import load_parts

PART_OF = {part.module: part.number for part in load_parts()}
# the end-to-end checks may repeat a mistake made in the functions they call
END_TO_END = {"5.4", "6.3"}
CHECK_SETS = ("public", "hidden")
# every run of the corpus: the two check sets in English, and the graded one in Russian
RUNS = {"public": ("--public",), "hidden": (), "hidden-ru": ()}
LANGUAGE = {"hidden-ru": "ru"}


def mutate(mutant: Mutant) -> str:
    text = (SOLUTIONS / f"{mutant.module}.py").read_text()
    for old, new in mutant.changes:
        assert text.count(old) == 1, f"{mutant.name}: {old!r} is not in the reference once"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    """Every mutant, every variant, the reference and the stubs, as submission folders; and
    the folder where each check set's grade-all writes."""
    root = tmp_path_factory.mktemp("corpus")
    submissions = root / "submissions"
    make_submission(submissions / "reference")
    make_submission(submissions / "stubs", base=ASSIGNMENTS)
    for mutant in MUTANTS:
        make_submission(submissions / mutant.name, replace={mutant.module: mutate(mutant)})
    for variant in VARIANTS:
        make_submission(submissions / variant.name, append=variant.appended)
    return submissions, root


@pytest.fixture(scope="module")
def graded(corpus) -> dict[str, dict[str, dict]]:
    """{run: {submission: results.json}}, each run by one `grade-all` (see RUNS)."""
    submissions, root = corpus
    found = {}
    for run, args in RUNS.items():
        out = root / run
        env = {"KIT_LANG": LANGUAGE.get(run, "en")}
        completed = grade_all(submissions, out, *args, env=env, timeout=900)
        assert completed.returncode == 0, completed.stderr[-3000:]
        found[run] = {
            path.parent.name: json.loads(path.read_text()) for path in out.glob("*/results.json")
        }
    return found


def failed(results: dict) -> dict[str, str]:
    return {t["number"]: t["output"] for t in results["tests"] if t["status"] == "failed"}


def diagnosis(output: str) -> str:
    """What a check found, without the task's fixed hint (which names the same idea for every
    mistake) and what the code printed."""
    return output.split("\nHint: ")[0].split("\nYour code printed:")[0]


@pytest.mark.parametrize("check_set", CHECK_SETS)
def test_the_reference_scores_full_marks_and_the_stubs_nothing(graded, check_set) -> None:
    results = graded[check_set]
    assert results["reference"]["score"] == results["reference"]["max_score"] == 100
    assert results["stubs"]["score"] == 0


@pytest.mark.parametrize("check_set", CHECK_SETS)
@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_a_mutant_loses_points_in_its_part_with_named_feedback(
    graded, mutant: Mutant, check_set: str
) -> None:
    lost = failed(graded[check_set][mutant.name])
    assert mutant.check in lost, f"{mutant.name} passed {mutant.check}"
    assert mutant.feedback in diagnosis(lost[mutant.check]), lost[mutant.check]
    part = str(PART_OF[mutant.module])
    elsewhere = {c for c in lost if c.split(".")[0] != part and c not in END_TO_END}
    assert not elsewhere, f"{mutant.name} also lost {sorted(elsewhere)}"


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_a_correct_variant_scores_full_marks(graded, variant) -> None:
    for check_set in CHECK_SETS:
        assert failed(graded[check_set][variant.name]) == {}, check_set


def test_public_checks_take_points_exactly_where_hidden_ones_do(graded) -> None:
    """A student whose public checks are green keeps those points in the graded run: for every
    submission of the corpus, each check fails in both sets or in neither, and no part is all
    green in public and short in hidden. Only an end-to-end check (fit, fit_minibatch) may
    differ, where it repeats a mistake that its part's own check shows in both (its accuracy
    then depends on the seed)."""
    assert graded["public"].keys() == graded["hidden"].keys()
    differ, short = {}, {}
    for name in graded["hidden"]:
        public, hidden = set(failed(graded["public"][name])), set(failed(graded["hidden"][name]))
        if (public ^ hidden) - END_TO_END:
            differ[name] = (sorted(public), sorted(hidden))
        for part in {check.split(".")[0] for check in hidden}:
            if not any(check.split(".")[0] == part for check in public):
                short[f"{name}, part {part}"] = sorted(hidden)
    assert differ == {}
    assert short == {}


def test_every_named_mistake_is_met_by_a_mutant(graded) -> None:
    """Each known mistake of the train loops is named in some mutant's feedback; and there
    are at least eight correct variants."""
    from autograder.checks.public import test_part5, test_part6

    feedback = " ".join(
        diagnosis(output)
        for mutant in MUTANTS
        for output in failed(graded["hidden"][mutant.name]).values()
    )
    ids = [*test_part5.TRAIN_MISTAKES.values(), *test_part6.MINIBATCH_MISTAKES.values()]
    messages = [in_language("en", message_id) for message_id in ids]
    missing = [message for message in messages if message not in feedback]
    assert missing == []
    assert len(VARIANTS) >= 8


def test_no_report_holds_code_of_the_reference(graded, corpus) -> None:
    """results.json and feedback.html of every submission, in both sets and both languages,
    hold no finished statement of the reference (stubs and mutants alike); untouched tasks
    get no hint."""
    _, root = corpus
    secret = secrets(SOLUTIONS)
    found = {}
    for check_set in RUNS:
        for page in [*(root / check_set).glob("*/results.json"), *(root / check_set).glob("*.md")]:
            found.update(
                {f"{check_set}/{page.parent.name}/{page.name}": leaks(page.read_text(), secret)}
            )
        for page in (root / check_set).glob("*/feedback.html"):
            found[f"{check_set}/{page.parent.name}/feedback.html"] = leaks(page.read_text(), secret)
    assert {name: hits for name, hits in found.items() if hits} == {}
    for run in RUNS:
        hint = in_language(LANGUAGE.get(run, "en"), "report.hint", hint="").strip()
        untouched = graded[run]["stubs"]["tests"]
        assert all(hint not in test["output"] for test in untouched), run


def test_scores_are_the_same_in_every_language(graded) -> None:
    """The graded run in Russian gives every submission the points of the English one, check
    by check."""
    for name, results in graded["hidden"].items():
        russian = graded["hidden-ru"][name]
        points = {t["number"]: t["score"] for t in results["tests"]}
        assert {t["number"]: t["score"] for t in russian["tests"]} == points, name
        assert russian["extra_data"]["language"] == "ru"


def test_russian_reports_hold_no_english_outside_code(graded) -> None:
    """Every message of the corpus in Russian: the letters check finds no English word outside
    code (what a submission printed is its own, and is left out)."""
    printed = in_language("ru", "report.printed", output="")
    found = {}
    for name, results in graded["hidden-ru"].items():
        for test in [*results["tests"], {"number": "-", "output": results["output"]}]:
            words = english_words(test["output"].split(printed)[0])
            if words:
                found[f"{name} {test['number']}"] = words
    assert found == {}
