"""`python -m autograder watch`: the public checks of every part once, then those of a part
again when its file is saved, the progress and the next TODO; Ctrl-C leaves nothing running."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from conftest import ASSIGNMENTS, KIT_ROOT, SOLUTIONS
from grading_helpers import make_submission

from autograder.sandbox.client import ENV_MODE


class Watcher:
    """A `watch` process and the lines it printed so far."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "autograder", "watch", str(folder)],
            cwd=KIT_ROOT,
            env={**os.environ, "COLUMNS": "120", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 120) -> str:
        """Wait for a line holding `text`; return everything printed until then."""
        deadline = time.monotonic() + timeout
        start = len(self.seen)
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return "".join(self.seen[start:])
        raise AssertionError(f"no {text!r} within {timeout} s:\n{''.join(self.seen)[-3000:]}")


@pytest.mark.parametrize("mode", ["auto", "portable"])
def test_watch_checks_a_saved_part_again_and_ctrl_c_leaves_nothing(
    tmp_path: Path, mode: str
) -> None:
    work = make_submission(tmp_path / "work", base=ASSIGNMENTS)
    watcher = Watcher(work, {ENV_MODE: mode} if mode != "auto" else {})
    try:
        first = watcher.wait_for("Watching")
        assert "Score 0/100 on the public checks" in first
        assert "0 of 27 tasks done." in first and "Next: TODO(1.1) in part1_tensors.py" in first
        shutil.copyfile(SOLUTIONS / "part3_network.py", work / "intro_pytorch/part3_network.py")
        again = watcher.wait_for("tasks done.")
        assert "Checked part3_network.py in" in again and "Part 3." in again
        assert "Part 1." not in again  # only the saved part is checked again
        assert "3 of 27 tasks done." in again
        assert "Next: TODO(1.1) in part1_tensors.py" in watcher.wait_for("Next:")
        started = psutil.Process(watcher.proc.pid).children(recursive=True)
        assert started, "the sandbox should be kept warm between checks"
        watcher.proc.send_signal(signal.SIGINT)
        assert watcher.proc.wait(30) == 0
        assert "Stopped" in watcher.wait_for("Stopped", timeout=5)
        _, alive = psutil.wait_procs(started, timeout=5)
        assert alive == [], f"left running: {alive}"
    finally:
        if watcher.proc.poll() is None:
            watcher.proc.kill()
            watcher.proc.wait()
