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
class GradeRun:
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
    kit: Path = KIT_ROOT,
) -> GradeRun:
    """Run the grader of `kit` (this one, or a copy) as a user would; return what it wrote."""
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
        cwd=kit,
        env={**os.environ, "COLUMNS": "120", **(env or {})},
    )
    data = json.loads(results.read_text()) if results.exists() else {}
    return GradeRun(completed.returncode, completed.stdout, completed.stderr, data)


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


def python_for_nobody(folder: Path) -> str | None:
    """An interpreter with the kit's packages that uid 65534 can run: this one when it may,
    else the system's of the same version in a venv made in `folder` that reuses the kit's
    installed packages (the kit's own Python may live under /root). None if there is none
    (or this process is not root, which it must be to run anything as uid 65534)."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return None
    probe = subprocess.run(
        ["runuser", "-u", "nobody", "--", sys.executable, "-c", "import torch"],
        capture_output=True,
    )
    if probe.returncode == 0:
        return sys.executable
    system = shutil.which(
        f"python{sys.version_info.major}.{sys.version_info.minor}", path="/usr/bin"
    )
    if system is None:
        return None
    venv = folder / "venv"
    subprocess.run([system, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python*/site-packages"))
    packages = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site / "kit.pth").write_text("\n".join([*packages, str(KIT_ROOT)]) + "\n")
    return str(venv / "bin" / "python")


__all__ = [
    "ASSIGNMENTS",
    "SOLUTIONS",
    "GradeRun",
    "grade",
    "grade_all",
    "make_submission",
    "python_for_nobody",
]
