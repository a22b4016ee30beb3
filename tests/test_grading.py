"""The engine end to end, through `python -m autograder grade`, on submissions made here."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from grading_helpers import ASSIGNMENTS, SOLUTIONS, GradeRun, grade, grade_all, make_submission

from autograder.kit import load_parts

ALL_CHECKS = [task.id for part in load_parts() for task in part.tasks]


@pytest.fixture(scope="module")
def reference_graded(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("reference")
    return grade(make_submission(folder / "submission"), folder / "results.json")


def test_reference_scores_full_marks(reference_graded) -> None:
    """The reference solutions pass every check of every part, isolated."""
    graded = reference_graded
    assert graded.returncode == 0, graded.stderr
    results = graded.results
    assert results["score"] == results["max_score"] > 0
    assert all(t["status"] == "passed" for t in results["tests"]), graded.stdout
    assert results["extra_data"]["isolated"] is True
    assert results["extra_data"]["check_set"] == "hidden"


def test_results_json_follows_gradescopes_schema(reference_graded) -> None:
    """Top-level score and tests; every test numbered "<part>.<k>" and tagged with its part."""
    results = reference_graded.results
    assert {"score", "max_score", "execution_time", "output", "tests", "extra_data"} <= set(results)
    numbers = [t["number"] for t in results["tests"]]
    assert numbers == sorted(numbers, key=lambda n: [int(k) for k in n.split(".")])
    for test in results["tests"]:
        assert {"name", "number", "score", "max_score", "status", "output", "visibility"} <= set(
            test
        )
        assert f"part{test['number'].split('.')[0]}" in test["tags"]
        assert test["status"] in ("passed", "failed")
    assert results["extra_data"]["kit_version"]
    assert sum(t["max_score"] for t in results["tests"]) == results["max_score"]


def test_stubs_score_zero_with_not_started(tmp_path: Path) -> None:
    """The untouched assignments score 0 and every check says "not started"."""
    graded = grade(ASSIGNMENTS.parent, tmp_path / "results.json")
    assert graded.returncode == 0, graded.stderr
    assert graded.results["score"] == 0
    for test in graded.results["tests"]:
        assert test["output"].startswith("not started: `"), test
        assert f"(`TODO({test['number']})` in part" in test["output"], test
    assert "not started" in graded.stdout


@pytest.mark.parametrize("base", [SOLUTIONS, ASSIGNMENTS], ids=["reference", "stubs"])
def test_public_checks_pass_the_reference_and_fail_the_stubs(tmp_path: Path, base: Path) -> None:
    """The public set (what students run) is held to the same standard as the hidden one."""
    graded = grade(make_submission(tmp_path / "s", base=base), tmp_path / "r.json", "--public")
    results = graded.results
    assert results["extra_data"]["check_set"] == "public"
    assert len(results["tests"]) == len(ALL_CHECKS)
    assert results["score"] == (results["max_score"] if base == SOLUTIONS else 0), graded.stdout


def _replaced(module: str, old: str, new: str) -> dict[str, str]:
    text = (SOLUTIONS / f"{module}.py").read_text()
    assert text.count(old) == 1
    return {module: text.replace(old, new)}


CHATTY = (
    "def add(a, b):\n    print('x' * 10_000_000)\n    print('y' * 10_000_000)\n    return a + b\n"
)
TANH_BUG = _replaced("part2_layers", "torch.tanh(x)", "torch.relu(x)")
# BCELoss refuses flat targets: the error is raised in train, also when fit calls it
TRAIN_RAISES = _replaced(
    "part5_training", "loss = criterion(model(X), y)", "loss = criterion(model(X), y.reshape(-1))"
)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GradeRun]:
    """Submissions with one fault each (and two layouts), graded by one `grade-all` run."""
    root = tmp_path_factory.mktemp("faults")
    students = root / "students"
    make_submission(students / "package_layout", layout="package")
    make_submission(students / "flat_layout", layout="flat")
    make_submission(students / "missing_part", remove=("part2_layers",))
    make_submission(
        students / "syntax_error", replace=_replaced("part1_tensors", "return a + b", "return a +")
    )
    make_submission(students / "crash_at_import", append={"part2_layers": "1 / 0"})
    make_submission(students / "sibling_syntax_error", append={"part3_network": "def f(:"})
    make_submission(students / "sibling_crash", append={"part3_network": "1 / 0"})
    make_submission(
        students / "one_bug", replace=_replaced("part1_tensors", "return a + b", "return a - b")
    )
    linked = make_submission(students / "linked_part", remove=("part1_tensors",))
    (linked / "intro_pytorch" / "part1_tensors.py").symlink_to(SOLUTIONS / "part1_tensors.py")
    make_submission(students / "chatty", append={"part1_tensors": CHATTY})
    make_submission(students / "train_raises", replace=TRAIN_RAISES)
    for copy in ("same_a", "same_b"):
        make_submission(students / copy, replace=TANH_BUG)
    completed = grade_all(students, root / "out")
    assert completed.returncode == 0, completed.stderr[-3000:]
    return {
        path.parent.name: GradeRun(0, "", "", json.loads(path.read_text()))
        for path in (root / "out").glob("*/results.json")
    }


@pytest.mark.parametrize("layout", ["package_layout", "flat_layout"])
def test_every_submission_layout_is_graded(batch, layout: str) -> None:
    """The package folder itself, or a flat folder of part files (a Gradescope upload)."""
    results = batch[layout].results
    assert results["score"] == results["max_score"] == 100


def test_a_missing_part_scores_zero_and_the_rest_is_graded(batch) -> None:
    graded = batch["missing_part"]
    assert graded.part_score(2) == 0
    assert graded.results["score"] == 100 - graded.part_max(2)
    assert "part2_layers.py is missing from your submission" in graded.test("2.1")["output"]


def test_a_syntax_error_scores_its_part_zero_with_the_line(batch) -> None:
    graded = batch["syntax_error"]
    assert graded.part_score(1) == 0 and graded.part_score(2) == graded.part_max(2)
    output = graded.test("1.1")["output"]
    assert "importing part1_tensors.py failed" in output and "SyntaxError" in output
    assert "line " in output


def test_a_crash_at_import_scores_its_part_zero(batch) -> None:
    graded = batch["crash_at_import"]
    assert graded.part_score(1) == graded.part_max(1) and graded.part_score(2) == 0
    assert "ZeroDivisionError" in graded.test("2.3")["output"]


@pytest.mark.parametrize("student", ["sibling_syntax_error", "sibling_crash"])
def test_a_part_that_does_not_import_costs_only_what_uses_it(batch, student: str) -> None:
    """Parts 5-7 import part 3: they are still graded, and only the end-to-end checks that
    call the broken part's functions (fit, fit_minibatch) fail, naming the file to fix."""
    graded = batch[student]
    assert graded.part_score(3) == 0
    failed = [t["number"] for t in graded.results["tests"] if t["status"] == "failed"]
    assert failed == ["3.1", "3.2", "3.3", "5.4", "6.3"]
    for number in ("5.4", "6.3"):
        assert (
            "`build_model` comes from part3_network.py, which does not import"
            in (graded.test(number)["output"])
        )


def test_one_bug_costs_only_its_check(batch) -> None:
    graded = batch["one_bug"]
    failed = [t["number"] for t in graded.results["tests"] if t["status"] == "failed"]
    assert failed == ["1.3"]
    output = graded.test("1.3")["output"]
    assert "`add`(`a` of shape" in output and "wrong values" in output


def test_an_error_names_the_calls_that_led_to_it(batch) -> None:
    """An error raised in train while fit is graded says where, through which calls."""
    graded = batch["train_raises"]
    line = (
        TRAIN_RAISES["part5_training"]
        .splitlines()
        .index("        loss = criterion(model(X), y.reshape(-1))")
    )
    where = f"line {line + 1} of part5_training.py"
    fit = f"`fit(X, y)` raised `ValueError` in `fit → train`, {where}: "
    assert fit in graded.test("5.4")["output"]
    train = "`train`(the grader's model and data, optimizer `sgd`, 12 epochs)"
    assert f"{train} raised `ValueError` in `train`, {where}: " in graded.test("5.2")["output"]


def test_hints_can_be_switched_off_and_untouched_tasks_get_none(tmp_path: Path, batch) -> None:
    """A failed check ends with the task's hint unless hints are off (--hints off); a task
    still raising NotImplementedError gets no hint either way."""
    assert "\nHint: " in batch["one_bug"].test("1.3")["output"]
    submission = make_submission(
        tmp_path / "s", replace=_replaced("part1_tensors", "return a + b", "return a - b")
    )
    quiet = grade(submission, tmp_path / "r.json", "--part", "1", "--hints", "off")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.results["extra_data"]["hints"] is False
    assert "wrong values" in quiet.test("1.3")["output"]
    assert all("Hint:" not in test["output"] for test in quiet.results["tests"])
    stubs = grade(ASSIGNMENTS.parent, tmp_path / "stubs.json", "--part", "1")
    assert stubs.results["extra_data"]["hints"] is True
    assert all("Hint:" not in test["output"] for test in stubs.results["tests"])


def test_a_linked_part_file_is_refused(batch) -> None:
    """A symbolic link could point at the grader's secrets: it is never followed."""
    graded = batch["linked_part"]
    assert graded.part_score(1) == 0
    assert "symbolic link" in graded.test("1.1")["output"]


def test_a_missing_folder_is_a_bad_argument(tmp_path: Path) -> None:
    graded = grade(tmp_path / "nowhere", tmp_path / "results.json")
    assert graded.returncode == 2
    assert "not a folder" in graded.stderr
    assert not (tmp_path / "results.json").exists()


def test_results_stay_small_whatever_the_submission_prints(batch) -> None:
    """20 MB printed: the checks still pass, results.json stays under 1 MB."""
    results = batch["chatty"].results
    assert results["score"] == results["max_score"]
    assert len(json.dumps(results)) < 1_000_000


def test_grades_are_the_same_on_every_run(tmp_path: Path, batch) -> None:
    """Three gradings of one submission (two in a batch, one alone) agree in every detail."""
    alone = grade(make_submission(tmp_path / "s", replace=TANH_BUG), tmp_path / "r.json").results
    runs = [alone, batch["same_a"].results, batch["same_b"].results]
    for results in runs:
        results.pop("execution_time")
        results["output"] = results["output"].split(" in ")[0]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0]["score"] < runs[0]["max_score"]


@pytest.mark.parametrize("base", [SOLUTIONS, ASSIGNMENTS])
def test_not_isolated_fallback_grades_the_same(tmp_path: Path, base: Path) -> None:
    """Without namespaces (a student's laptop) grades agree and the report says so."""
    submission = make_submission(tmp_path / "s", base=base)
    graded = grade(
        submission, tmp_path / "results.json", "--part", "1", env={"AUTOGRADER_SANDBOX": "none"}
    )
    assert graded.returncode == 0, graded.stderr
    expected = graded.results["max_score"] if base == SOLUTIONS else 0
    assert graded.results["score"] == expected
    assert graded.results["extra_data"]["isolated"] is False
    assert "not isolated" in graded.results["output"] and "not isolated" in graded.stdout


def test_results_file_is_replaced_atomically(tmp_path: Path, reference_graded) -> None:
    """An old results.json is replaced whole, and no temporary file is left behind."""
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"score": 999}))
    graded = grade(make_submission(tmp_path / "s"), results, "--part", "2")
    assert graded.results["score"] == graded.results["max_score"] != 999
    assert set(os.listdir(tmp_path)) == {"results.json", "s"}


def test_the_expected_values_are_recomputed_when_a_known_mistake_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reference run executes the probes and the known mistakes: editing either makes the
    stored expected values stale."""
    from autograder.grading import reference

    probes, mistakes = reference.EXECUTED
    assert mistakes.name == "mistakes.py" and mistakes.is_file()
    copy = tmp_path / "hidden" / "mistakes.py"
    copy.parent.mkdir()
    copy.write_text(mistakes.read_text())
    monkeypatch.setattr(reference, "EXECUTED", (probes, copy))
    before = reference.fingerprint(SOLUTIONS)
    assert reference.fingerprint(SOLUTIONS) == before
    copy.write_text(copy.read_text() + "\nZERO_GRAD_TWICE = True\n")
    assert reference.fingerprint(SOLUTIONS) != before
