"""Sandbox mode "uid": root without namespaces (a Docker container such as Gradescope's with
the default seccomp profile). Children run as uid 65534 in the host's view of the files.

That mode needs an interpreter whose files uid 65534 can read. Where the kit's own Python
lives under /root (pyenv), these tests run the kit with the system's Python of the same
version instead, in a venv that reuses the kit's installed packages.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import KIT_ROOT
from grading_helpers import make_submission, python_for_nobody
from test_hostile import CASES, grade_hostile_batch

import autograder.sandbox

UID = {"AUTOGRADER_SANDBOX": "uid"}


@pytest.fixture(scope="module")
def python() -> str:
    folder = Path(tempfile.mkdtemp(prefix="agtest-uid-", dir="/var/tmp"))
    folder.chmod(0o755)
    found = sys.executable if autograder.sandbox.unavailable("uid") is None else None
    found = found or python_for_nobody(folder)
    if found is not None:
        check = [found, "-s", "-m", "autograder.isolation", "uid"]
        found = found if subprocess.run(check, cwd=KIT_ROOT).returncode == 0 else None
    if found is None:
        shutil.rmtree(folder)
        pytest.skip('mode "uid" cannot work here (not root, or no interpreter uid 65534 reads)')
    yield found
    shutil.rmtree(folder)


def test_the_sandbox_tests_pass_in_mode_uid(python: str) -> None:
    """Every test of tests/test_sandbox.py that runs in mode "uid", none skipped."""
    completed = subprocess.run(
        [python, "-s", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs"]
        + ["tests/test_sandbox.py", "-k", "uid"],
        capture_output=True,
        text=True,
        cwd=KIT_ROOT,
        timeout=600,
    )
    summary = completed.stdout.strip().splitlines()[-1]
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert int(re.search(r"(\d+) passed", summary).group(1)) >= 18, summary
    assert "skipped" not in summary, completed.stdout[-2000:]


def test_the_reference_scores_full_marks_in_mode_uid(python: str, tmp_path: Path) -> None:
    make_submission(tmp_path / "student")
    results = tmp_path / "results.json"
    completed = subprocess.run(
        [python, "-m", "autograder", "grade", str(tmp_path / "student"), "--results", str(results)],
        capture_output=True,
        text=True,
        cwd=KIT_ROOT,
        timeout=600,
        env={**os.environ, **UID},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    graded = json.loads(results.read_text())
    assert graded["score"] == 100 and graded["extra_data"]["isolation"] == "uid"
    assert "isolated (uid)" in completed.stdout


@pytest.fixture(scope="module")
def batch(python: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return grade_hostile_batch(tmp_path_factory.mktemp("hostile-uid"), python, UID)


def test_hostile_submissions_earn_nothing_in_mode_uid(batch) -> None:
    """The hostile cases of tests/hostile/ in mode "uid": no score, no grader file changed,
    no secret in any report, no process left; only the network is open in this mode."""
    from autograder.checks.hidden import SEED_SALT

    assert batch["completed"].returncode == 0, batch["completed"].stderr[-2000:]
    assert sorted(batch["results"]) == CASES
    for case, results in batch["results"].items():
        assert results["score"] == 0 and results["extra_data"]["isolation"] == "uid", case
    text = json.dumps(batch["results"]) + batch["completed"].stdout
    assert SEED_SALT not in text, "the hidden salt leaked into a report"
    assert batch["changed"] == [], "a grader file was changed"
    assert not batch["marker"].exists() and not Path("/tmp/autograder-hostile-marker").exists()
    assert batch["survivors"] == []
    tests = {t["number"]: t for t in batch["results"]["read_solutions"]["tests"]}
    assert "PermissionError" in tests["1.1"]["output"]
