"""Build submissions on disk and grade them through the real command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import ASSIGNMENTS, KIT_ROOT, SOLUTIONS


@dataclass
class Graded:
    """What one `python -m autograder grade` run left: exit code, output, results.json."""

    returncode: int
    stdout: str
    stderr: str
    results: dict[str, Any]

    def test(self, number: str) -> dict[str, Any]:
        return next(t for t in self.results["tests"] if t["number"] == number)

    def part_score(self, part: int) -> float:
        return sum(t["score"] for t in self.results["tests"] if f"part{part}" in t["tags"])

    def part_max(self, part: int) -> float:
        return sum(t["max_score"] for t in self.results["tests"] if f"part{part}" in t["tags"])


def make_submission(
    root: Path,
    base: Path = SOLUTIONS,
    layout: str = "nested",
    replace: dict[str, str] | None = None,
    append: dict[str, str] | None = None,
    remove: tuple[str, ...] = (),
) -> Path:
    """Copy a package (solutions or stubs), change some files, lay it out as asked.

    layout: "nested" (root/intro_pytorch/…), "package" (the package folder itself) or
    "flat" (only the part files, as a Gradescope upload).
    """
    package = root / "intro_pytorch" if layout == "nested" else root
    shutil.copytree(base, package, dirs_exist_ok=True)
    for name, text in (replace or {}).items():
        (package / f"{name}.py").write_text(text)
    for name, text in (append or {}).items():
        path = package / f"{name}.py"
        path.write_text(path.read_text() + "\n" + text)
    for name in remove:
        (package / f"{name}.py").unlink()
    if layout == "flat":
        for provided in ("__init__.py", "data.py"):
            (package / provided).unlink()
    for pycache in package.rglob("__pycache__"):
        shutil.rmtree(pycache)
    return root


def grade(
    submission: Path,
    results: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> Graded:
    """Run the grader as a user would; return what it wrote."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            str(submission),
            "--results",
            str(results),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=KIT_ROOT,
        env={**os.environ, "COLUMNS": "120", **(env or {})},
    )
    data = json.loads(results.read_text()) if results.exists() else {}
    return Graded(completed.returncode, completed.stdout, completed.stderr, data)


def grade_all(
    submissions: Path,
    out: Path,
    *args: str,
    python: str = sys.executable,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess:
    """Run `grade-all` as an instructor would (with `python`, and `env` on top of ours)."""
    return subprocess.run(
        [python, "-m", "autograder", "grade-all", str(submissions), "--out", str(out), *args],
        capture_output=True,
        text=True,
        cwd=KIT_ROOT,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


__all__ = ["ASSIGNMENTS", "SOLUTIONS", "Graded", "grade", "grade_all", "make_submission"]
