"""Hostile submissions earn nothing, break nothing and leave nothing behind.

Each case in tests/hostile/ is appended to the stub of part 1 and graded with `--part 1`
through the real command line, isolated (the default here, as root).
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from conftest import KIT_ROOT
from grading_helpers import ASSIGNMENTS, grade, make_submission

HOSTILE = Path(__file__).resolve().parent / "hostile"
CASES = sorted(path.stem for path in HOSTILE.glob("*.py"))
GUARDED = [
    KIT_ROOT / "autograder" / "plugin.py",
    KIT_ROOT / "autograder" / "expect.py",
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


def _sandbox_processes() -> list[str]:
    """Processes of the sandbox user, or workers of the grader, still alive."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = int((entry / "status").read_text().split("\nUid:\t")[1].split()[0])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
        if uid == 65534 or "autograder.worker" in command:
            found.append(f"{entry.name} uid={uid} {command[:80]}")
    return found


@pytest.mark.parametrize("case", CASES)
def test_hostile_submission_earns_nothing_and_leaves_nothing(tmp_path: Path, case: str) -> None:
    listener = Listener()
    marker = tmp_path / "marker"
    results = tmp_path / "out" / "results.json"
    code = (
        (HOSTILE / f"{case}.py")
        .read_text()
        .replace("@PORT@", str(listener.port))
        .replace("@MARKER@", str(marker))
        .replace("@RESULTS@", str(results))
    )
    submission = make_submission(tmp_path / "s", base=ASSIGNMENTS, append={"part1_tensors": code})
    before = {path: _digest(path) for path in GUARDED}
    started = time.monotonic()
    try:
        graded = grade(submission, results, "--part", "1", "--timeout", "3", timeout=240)
    finally:
        listener.close()
    assert graded.returncode == 0, graded.stderr[-2000:]
    assert graded.results["score"] == 0, graded.stdout
    assert graded.results["max_score"] > 0
    assert time.monotonic() - started < 60, "the --timeout cap was not honoured"
    assert {path: _digest(path) for path in GUARDED} == before, "a grader file was changed"
    assert listener.received == [], "the submission reached the host's network"
    from autograder.checks.hidden import SEED_SALT

    text = results.read_text() + graded.stdout
    assert SEED_SALT not in text, "the hidden salt leaked into the report"
    time.sleep(2.5 if case == "detached_grandchild" else 0)
    assert not marker.exists(), "a process of the submission outlived the grading"
    assert not Path("/tmp/autograder-hostile-marker").exists()
    assert _sandbox_processes() == []


def test_monkeypatched_checkers_are_named_as_wrong_values(tmp_path: Path) -> None:
    """Patching numpy, torch or pytest inside the submission changes nothing in the grader."""
    code = (HOSTILE / "patch_checkers.py").read_text()
    submission = make_submission(tmp_path / "s", base=ASSIGNMENTS, append={"part1_tensors": code})
    graded = grade(submission, tmp_path / "results.json", "--part", "1")
    assert "wrong values" in graded.test("1.3")["output"] or "shape" in graded.test("1.3")["output"]
    assert graded.test("1.1")["status"] == "failed"


@pytest.mark.skipif(os.geteuid() != 0, reason="the isolated mode as root is what runs here")
def test_solutions_are_invisible_inside_the_sandbox(tmp_path: Path) -> None:
    code = (HOSTILE / "read_solutions.py").read_text()
    submission = make_submission(tmp_path / "s", base=ASSIGNMENTS, append={"part1_tensors": code})
    graded = grade(submission, tmp_path / "results.json", "--part", "1")
    assert "FileNotFoundError" in graded.test("1.1")["output"]
