"""grade-all: a folder of students graded in one run, with feedback pages, a gradebook, a class
summary and a histogram; faults of one student never stop the batch; a rerun skips the
students already graded."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import statistics
from pathlib import Path

import pytest
from corpus import MUTANTS
from grading_helpers import ASSIGNMENTS, grade_all, make_submission
from rich.console import Console
from test_corpus import mutate

from autograder.grading import batch
from autograder.grading.grader import GradeReport
from autograder.grading.plugin import Outcome
from autograder.kit import load_parts

PNG = b"\x89PNG\r\n\x1a\n"
NO_STEP = next(m for m in MUTANTS if m.name == "minibatch_no_step")
ENDLESS = "def gradient(f, x):\n    while True:\n        pass\n"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run 1 grades a correct, a buggy (flat upload) and an untouched submission; run 2, with
    two more students (one loops forever, one exits at import), grades only those two."""
    root = tmp_path_factory.mktemp("batch")
    submissions, out = root / "submissions", root / "out"
    make_submission(submissions / "alice")
    make_submission(submissions / "bob", layout="flat", replace={NO_STEP.module: mutate(NO_STEP)})
    make_submission(submissions / "carol", base=ASSIGNMENTS, layout="package")
    first = grade_all(submissions, out)
    snapshot = {name: (out / name).read_bytes() for name in ("gradebook.csv", "summary.md")}
    make_submission(submissions / "dave", base=ASSIGNMENTS, append={"part4_autograd": ENDLESS})
    make_submission(
        submissions / "erin", base=ASSIGNMENTS, append={"part2_layers": "import os\nos._exit(3)"}
    )
    second = grade_all(submissions, out, "--timeout", "3")
    return {"out": out, "first": first, "second": second, "snapshot": snapshot}


def results(out: Path, student: str) -> dict:
    return json.loads((out / student / "results.json").read_text())


def test_every_student_gets_results_and_feedback(runs) -> None:
    first, out = runs["first"], runs["out"]
    assert first.returncode == 0, first.stderr[-3000:]
    for line in ("alice: 100/100", "carol: 0/100"):
        assert line in first.stdout
    assert results(out, "alice")["score"] == 100
    bob = results(out, "bob")
    failed = {t["number"] for t in bob["tests"] if t["status"] == "failed"}
    assert "6.2" in failed and bob["score"] < 100
    for student in ("alice", "bob", "carol"):
        assert (out / student / "feedback.html").is_file()


def test_the_gradebook_has_points_per_part_and_total(runs) -> None:
    rows = list(csv.DictReader(io.StringIO(runs["snapshot"]["gradebook.csv"].decode())))
    parts = [f"part{p.number}" for p in load_parts()]
    assert list(rows[0]) == ["student", *parts, "total"]
    by_student = {row["student"]: row for row in rows}
    assert list(by_student) == ["alice", "bob", "carol"]
    bob = results(runs["out"], "bob")
    assert float(by_student["bob"]["total"]) == bob["score"]
    assert sum(float(by_student["bob"][part]) for part in parts) == bob["score"]
    assert float(by_student["alice"]["part3"]) == 20 and float(by_student["carol"]["total"]) == 0


def test_the_summary_counts_the_failures_of_each_check(runs) -> None:
    summary = runs["snapshot"]["summary.md"].decode()
    scores = [results(runs["out"], s)["score"] for s in ("alice", "bob", "carol")]
    assert "3 of 3 students graded (checks: hidden; isolation: `namespaces`)" in summary
    assert f"mean {statistics.mean(scores):.1f}, median {statistics.median(scores):g}" in summary
    top = sum(score >= 90 for score in scores)
    assert f"| [90, 100] | {top} | {'█' * top} |" in summary and "| [0, 10) | 1 | █ |" in summary
    # carol fails every check (not started); bob fails 6.2 too: it comes first
    rows = [line for line in summary.splitlines() if re.match(r"\| \d+\.\d+ \|", line)]
    assert len(rows) == sum(len(p.tasks) for p in load_parts())
    assert rows[0].startswith("| 6.2 | `train_minibatch`: ") and rows[0].endswith("| 2 | 1 |")
    assert next(row for row in rows if row.startswith("| 1.1 |")).endswith("| 1 | 1 |")
    assert (runs["out"] / "scores.png").read_bytes().startswith(PNG)


def images(page: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r'base64,([A-Za-z0-9+/=]+)"', page)]


def test_feedback_shows_scores_failed_checks_with_hints_and_pictures(runs) -> None:
    page = (runs["out"] / "bob" / "feedback.html").read_text()
    for part in load_parts():
        assert f"Part {part.number}. " in page
    bob = results(runs["out"], "bob")
    for test in bob["tests"]:
        if test["status"] == "failed":
            assert f"<h3>{test['number']} " in page
    assert "Hint: " in page and "optimizer.step()" in page
    pictures = images(page)
    assert len(pictures) == 3 and all(p.startswith(PNG) for p in pictures)
    mine, reference, _losses = pictures
    alice = images((runs["out"] / "alice" / "feedback.html").read_text())
    assert alice[1] == reference  # the reference's panel: the same held-out points for all
    assert mine != reference and alice[0] != mine  # an untrained boundary looks different


def test_faulty_students_never_stop_the_batch_and_a_rerun_skips(runs) -> None:
    second, out = runs["second"], runs["out"]
    assert second.returncode == 0, second.stderr[-3000:]
    for student in ("alice", "bob", "carol"):
        assert f"{student}: already graded" in second.stdout
    dave, erin = results(out, "dave"), results(out, "erin")
    gradient = next(t for t in dave["tests"] if t["number"] == "4.1")
    assert "did not finish in time" in gradient["output"]
    assert all(t["score"] == 0 for t in erin["tests"] if "part2" in t["tags"])
    gradebook = (out / "gradebook.csv").read_text()
    assert [line.split(",")[0] for line in gradebook.splitlines()[1:]] == [
        "alice",
        "bob",
        "carol",
        "dave",
        "erin",
    ]


class FakeGrader:
    """Stands in for Grader: instant reports; grading `broken` raises (a grader bug)."""

    broken: set[str] = set()
    graded: list[str] = []

    def __init__(self, **options: object) -> None:
        pass

    def __enter__(self) -> FakeGrader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def grade(self, folder: Path) -> GradeReport:
        if folder.name in self.broken:
            raise RuntimeError(f"grader bug on {folder.name}")
        FakeGrader.graded.append(folder.name)
        outcome = Outcome("1.1", "from_list", 1.0, 1.0, "passed")
        return GradeReport([outcome], load_parts(), "public", "none", 0.1)

    def grade_many(self, folders: list[Path]):
        for folder in folders:
            yield folder, self.grade(folder)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(batch, "Grader", FakeGrader)
    FakeGrader.broken, FakeGrader.graded = set(), []
    for student in ("ann", "ben", "cid"):
        (tmp_path / "submissions" / student).mkdir(parents=True)
    return tmp_path


def test_a_grader_failure_on_one_student_is_recorded_and_the_rest_graded(fake: Path) -> None:
    FakeGrader.broken = {"ben"}
    console = Console(file=io.StringIO(), width=100)
    done = batch.run_batch(fake / "submissions", fake / "out", console=console)
    assert [(g.student, g.error is None) for g in done] == [
        ("ann", True),
        ("ben", False),
        ("cid", True),
    ]
    assert not (fake / "out" / "ben" / "results.json").exists()  # so the next run retries
    assert "ben: not graded: the grader failed: RuntimeError: grader bug on ben" in (
        console.file.getvalue()
    )
    summary = (fake / "out" / "summary.md").read_text()
    assert "2 of 3 students graded" in summary and "- ben: not graded (the grader" in summary
    assert "ben,,,,,,,,\n" in (fake / "out" / "gradebook.csv").read_text()


def test_a_rerun_grades_only_who_is_missing_or_broke_unless_forced(fake: Path) -> None:
    submissions, out = fake / "submissions", fake / "out"
    assert [g.student for g in batch.grade_all(submissions, out) if not g.skipped] == [
        "ann",
        "ben",
        "cid",
    ]
    broken = json.loads((out / "cid" / "results.json").read_text())
    broken["extra_data"]["grader_errors"] = ["the sandbox failed"]
    (out / "cid" / "results.json").write_text(json.dumps(broken))
    FakeGrader.graded = []
    skipped = [g.student for g in batch.grade_all(submissions, out) if g.skipped]
    assert skipped == ["ann", "ben"] and FakeGrader.graded == ["cid"]
    FakeGrader.graded = []
    assert not any(g.skipped for g in batch.grade_all(submissions, out, force=True))
    assert FakeGrader.graded == ["ann", "ben", "cid"]


def test_hidden_folders_and_the_output_folder_are_not_students(fake: Path) -> None:
    submissions = fake / "submissions"
    (submissions / ".git").mkdir()
    out = submissions / "graded"
    for _ in range(2):  # the second run finds OUT among the subfolders
        assert [g.student for g in batch.grade_all(submissions, out)] == ["ann", "ben", "cid"]
