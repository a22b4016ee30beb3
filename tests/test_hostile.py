"""Hostile submissions earn nothing, break nothing and leave nothing behind.

Each case in tests/hostile/ is appended to the stub of part 1 (one student each), and all of
them are graded by one run of the real command line, isolated (the default here, as root),
with the reference as one more student: the attacks must not cost it a point. Each case's
report says how its attack was stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import KIT_ROOT
from grading_helpers import ASSIGNMENTS, grade_all, make_submission

HOSTILE = Path(__file__).resolve().parent / "hostile"
CASES = sorted(path.stem for path in HOSTILE.glob("*.py"))
CONTROL = "reference"  # a correct student graded beside the attacks
# What check 1.1 of each case says (one of): how the attack was stopped, not only that it
# scored 0.
STOPPED = {
    "detached_grandchild": "not started",  # it imported; its daemon was killed (below)
    "endless_loop": "did not finish in time",
    "exit_at_import": "stopped without an answer",
    "fd_garbage": "was garbled",
    "forge_results": "not started",  # its results.json was replaced by the grader's (below)
    "fork_bomb": "from_list",  # whatever the bound cut short; no process survives (below)
    "import_solutions": "Error: [Errno",  # FileNotFoundError, or PermissionError in mode uid
    "memory_hog": ("MemoryError", "did not finish in time"),  # 2 s may end it first
    "network": "not started",  # nothing reached the listener (below)
    "patch_checkers": "shape (1,), expected",  # the grader's comparisons are its own
    "read_hidden_checks": "Error: [Errno",
    "read_solutions": "Error: [Errno",
    "sys_exit_at_import": "SystemExit",
    "write_grader_files": "not started",  # the grader's files are unchanged (below)
}
GUARDED = [
    KIT_ROOT / "autograder" / "grading" / "plugin.py",
    KIT_ROOT / "autograder" / "grading" / "expect.py",
    KIT_ROOT / "autograder" / "manifest.toml",
]


class Listener:
    """A TCP server on the host's loopback that records whatever reaches it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                self.received.append(connection.recv(100) or b"<connected>")

    def close(self) -> None:
        self.stop.set()
        self.server.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _processes_of(root: Path) -> list[str]:
    """Live processes of a grading run under `root`: its zygotes and everything they forked (a
    fork keeps the zygote's command line, which names the run's folders). Other gradings that
    run at the same time (tests in parallel) are not counted."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = (entry / "status").read_text()
        except (OSError, NotADirectoryError):
            continue
        if str(root) in command and "\nState:\tZ" not in status:
            found.append(f"{entry.name} {command[:80]}")
    return found


def grade_hostile_batch(
    root: Path, python: str = sys.executable, env: dict[str, str] | None = None
) -> dict[str, object]:
    """Every hostile case as one student, all graded by one `grade-all --timeout 2` run of
    `python` (with `env`); what came out, and what the run left behind."""
    listener = Listener()
    marker = root / "marker"
    out = root / "out"
    submissions = root / "submissions"
    for case in CASES:
        code = (
            (HOSTILE / f"{case}.py")
            .read_text()
            .replace("@PORT@", str(listener.port))
            .replace("@MARKER@", str(marker))
            .replace("@RESULTS@", str(out / case / "results.json"))
        )
        make_submission(submissions / case, base=ASSIGNMENTS, append={"part1_tensors": code})
    make_submission(submissions / CONTROL)
    before = {path: _digest(path) for path in GUARDED}
    started = time.monotonic()
    try:
        completed = grade_all(submissions, out, "--timeout", "2", python=python, env=env)
    finally:
        listener.close()
    seconds = time.monotonic() - started
    time.sleep(2.5)  # the detached grandchild would write its marker after 2 s
    return {
        "completed": completed,
        "seconds": seconds,
        "results": {
            case: json.loads(path.read_text())
            for case in [*CASES, CONTROL]
            if (path := out / case / "results.json").exists()
        },
        "changed": [path for path in GUARDED if _digest(path) != before[path]],
        "received": listener.received,
        "marker": marker,
        "survivors": _processes_of(root),
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return grade_hostile_batch(tmp_path_factory.mktemp("hostile"))


def test_the_batch_finishes_in_bounded_time(batch) -> None:
    """Endless loops, fork bombs and crashes never stop the batch or hang the grader."""
    assert batch["completed"].returncode == 0, batch["completed"].stderr[-2000:]
    assert batch["seconds"] < 40 * len(CASES), "the --timeout cap was not honoured"


def was_stopped(case: str, results: dict) -> bool:
    """Check 1.1 of the case says how its attack was stopped."""
    output = next(t for t in results["tests"] if t["number"] == "1.1")["output"]
    expected = STOPPED[case]
    return any(
        phrase in output for phrase in (expected if isinstance(expected, tuple) else [expected])
    )


def test_every_case_has_its_expected_report() -> None:
    assert sorted(STOPPED) == CASES


@pytest.mark.parametrize("case", CASES)
def test_hostile_submission_earns_nothing(batch, case: str) -> None:
    assert case in batch["results"], f"no results.json for {case}"
    results = batch["results"][case]
    assert results["score"] == 0, results
    assert results["max_score"] == 100 and len(results["tests"]) == 27
    assert was_stopped(case, results), results["tests"][0]["output"]
    from autograder.checks.hidden import SEED_SALT

    text = json.dumps(results) + batch["completed"].stdout
    assert SEED_SALT not in text, "the hidden salt leaked into the report"


def test_the_attacks_cost_a_correct_student_nothing(batch) -> None:
    """The reference, graded in the same run as the attacks, passes every check of part 1
    (where they all are; the 2 s cap of this run is too short for the training checks)."""
    tests = [t for t in batch["results"][CONTROL]["tests"] if "part1" in t["tags"]]
    assert [t["status"] for t in tests] == ["passed"] * 8, tests


def test_nothing_is_left_behind(batch) -> None:
    """No grader file changed, nothing reached the network, no process outlived its probe."""
    assert batch["changed"] == [], "a grader file was changed"
    assert batch["received"] == [], "a submission reached the host's network"
    assert not batch["marker"].exists(), "a process of a submission outlived the grading"
    assert not Path("/tmp/autograder-hostile-marker").exists()
    assert batch["survivors"] == []


def test_monkeypatched_checkers_are_named_as_wrong_values(batch) -> None:
    """Patching numpy, torch or pytest inside the submission changes nothing in the grader."""
    tests = {t["number"]: t for t in batch["results"]["patch_checkers"]["tests"]}
    assert "wrong values" in tests["1.3"]["output"] or "shape" in tests["1.3"]["output"]
    assert tests["1.1"]["status"] == "failed"


@pytest.mark.skipif(os.geteuid() != 0, reason="the isolated mode as root is what runs here")
def test_solutions_are_invisible_inside_the_sandbox(batch) -> None:
    tests = {t["number"]: t for t in batch["results"]["read_solutions"]["tests"]}
    assert "FileNotFoundError" in tests["1.1"]["output"]
