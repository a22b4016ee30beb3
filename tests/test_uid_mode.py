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
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import KIT_ROOT
from grading_helpers import make_submission, python_for_nobody
from test_hostile import CASES, CONTROL, grade_hostile_batch, was_stopped

import autograder.sandbox.client

UID = {"AUTOGRADER_SANDBOX": "uid"}

READ_DIST = """
import pathlib

import autograder

_kit = pathlib.Path(autograder.__file__).resolve().parents[1]
exec((_kit / "dist" / "@COPY@" / "part1_tensors.py").read_text())
"""
CLOSED = [KIT_ROOT / "dist", KIT_ROOT / "solutions", KIT_ROOT / "tests", KIT_ROOT / ".git"]


def _modes() -> list[int | None]:
    return [path.stat().st_mode & 0o777 if path.exists() else None for path in CLOSED]


@pytest.fixture(scope="module")
def python() -> str:
    folder = Path(tempfile.mkdtemp(prefix="agtest-uid-", dir="/var/tmp"))
    folder.chmod(0o755)
    found = sys.executable if autograder.sandbox.client.unavailable("uid") is None else None
    found = found or python_for_nobody(folder)
    if found is not None:
        check = [found, "-s", "-m", "autograder.sandbox.isolation", "uid"]
        found = found if subprocess.run(check, cwd=KIT_ROOT).returncode == 0 else None
    if found is None:
        shutil.rmtree(folder)
        pytest.skip('mode "uid" cannot work here (not root, or no interpreter uid 65534 reads)')
    yield found
    shutil.rmtree(folder)


def test_the_sandbox_tests_pass_in_mode_uid(python: str) -> None:
    """Every test of tests/test_sandbox.py that runs in mode "uid", none skipped; the kit's
    folders that its sandboxes close are open again afterwards."""
    before = _modes()
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
    assert _modes() == before


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
    assert "isolated (uid)" in completed.stdout, completed.stdout[-2000:]


@pytest.fixture(scope="module")
def batch(python: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return grade_hostile_batch(tmp_path_factory.mktemp("hostile-uid"), python, UID)


def test_hostile_submissions_earn_nothing_in_mode_uid(batch) -> None:
    """The hostile cases of tests/hostile/ in mode "uid": no score, no grader file changed,
    no secret in any report, no process left; only the network is open in this mode."""
    from autograder.checks.hidden import SEED_SALT

    assert batch["completed"].returncode == 0, batch["completed"].stderr[-2000:]
    assert sorted(batch["results"]) == sorted([*CASES, CONTROL])
    for case in CASES:
        results = batch["results"][case]
        assert results["score"] == 0 and results["extra_data"]["isolation"] == "uid", case
        assert was_stopped(case, results), (case, results["tests"][0]["output"])
    control = [t for t in batch["results"][CONTROL]["tests"] if "part1" in t["tags"]]
    assert [t["status"] for t in control] == ["passed"] * 8, control
    text = json.dumps(batch["results"]) + batch["completed"].stdout
    assert SEED_SALT not in text, "the hidden salt leaked into a report"
    assert batch["changed"] == [], "a grader file was changed"
    assert not batch["marker"].exists() and not Path("/tmp/autograder-hostile-marker").exists()
    assert batch["survivors"] == []
    tests = {t["number"]: t for t in batch["results"]["read_solutions"]["tests"]}
    assert "PermissionError" in tests["1.1"]["output"]


@pytest.fixture
def dist_copy():
    """A copy of part 1 of the reference in the kit's dist/, open to everyone."""
    created = not (KIT_ROOT / "dist").exists()
    copy = KIT_ROOT / "dist" / f"uid-test-{os.getpid()}"
    copy.mkdir(parents=True)
    for folder in (copy.parent, copy):
        folder.chmod(0o755)
    shutil.copy(KIT_ROOT / "solutions" / "intro_pytorch" / "part1_tensors.py", copy)
    yield copy.name
    shutil.rmtree(KIT_ROOT / "dist" if created else copy)


def test_dist_is_closed_while_grading_and_opened_afterwards(python, dist_copy, tmp_path) -> None:
    before = _modes()
    assert (KIT_ROOT / "dist").stat().st_mode & 0o077
    code = READ_DIST.replace("@COPY@", dist_copy)
    student = make_submission(tmp_path / "student", base=KIT_ROOT / "assignments" / "intro_pytorch")
    part1 = student / "intro_pytorch" / "part1_tensors.py"
    part1.write_text(part1.read_text() + code)
    results = tmp_path / "results.json"
    completed = subprocess.run(
        [python, "-m", "autograder", "grade", str(student), "--results", str(results)]
        + ["--part", "1"],
        capture_output=True,
        text=True,
        cwd=KIT_ROOT,
        timeout=600,
        env={**os.environ, **UID},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    graded = json.loads(results.read_text())
    assert graded["score"] == 0
    assert "PermissionError" in graded["tests"][0]["output"], graded["tests"][0]["output"]
    assert _modes() == before


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_grader_gives_the_permissions_back(python, tmp_path, sig) -> None:
    before = _modes()
    if not (KIT_ROOT / "solutions").stat().st_mode & 0o077:
        pytest.skip("solutions/ is closed to others already: nothing to see given back")
    make_submission(tmp_path / "student")
    grader = subprocess.Popen(
        [python, "-m", "autograder", "grade", str(tmp_path / "student")],
        cwd=KIT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **UID},
    )
    deadline = time.monotonic() + 60
    while (KIT_ROOT / "solutions").stat().st_mode & 0o077 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert (KIT_ROOT / "solutions").stat().st_mode & 0o077 == 0, "mode uid closes solutions/"
    grader.send_signal(sig)
    grader.wait(timeout=60)
    assert _modes() == before, grader.stderr.read()[-2000:]
