"""Submitted code sees an allow-list of files, not the host: copies of the reference and
files planted anywhere else (the kit's root and `dist/`, its parents, home folders, /tmp,
/srv, /opt, /home, every folder of sys.path or of a .pth file) stay out of its sight.

A hostile part 1 (tests/hostile_search.py) searches all of them and takes the functions of
any copy of the reference it finds. Graded in each isolated mode that works here, it finds
nothing and scores 0; graded without isolation (mode "none"), the same code finds every
planted file and copy and scores points, which shows that the search works.

The grading runs in a copy of the kit (so that the files planted beside the engine's own
modules never reach the bundles that other tests build meanwhile), with a real Gradescope
build in its dist/. The standard library's folder is shown whole (it is the Python
installation), so nothing is planted there.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import KIT_ROOT, SOLUTIONS
from grading_helpers import ASSIGNMENTS, GradeRun, grade, make_submission, python_for_nobody

import autograder
from autograder.sandbox.client import ENV_MODE, unavailable
from autograder.sandbox.view import FORBIDDEN, View, derive, inside

SEARCH = Path(__file__).resolve().parent / "hostile_search.py"
MARKER_PREFIX = "agview-"
ISOLATED = ("namespaces", "bwrap")
_NOT_COPIED = shutil.ignore_patterns(".venv", ".git", "build", "dist", "__pycache__", "*.pyc")


def _mode(mode: str):
    reason = unavailable(mode)
    marks = [pytest.mark.skip(reason=f"mode {mode} cannot run here: {reason}")] if reason else []
    return pytest.param(mode, marks=marks, id=mode)


_FOLDERS = """
import json, os, sys
stdlib = os.path.dirname(os.path.realpath(os.__file__))
found = []
for entry in sys.path:
    folder = os.path.realpath(entry or os.curdir)
    if os.path.isdir(folder) and not (folder + "/").startswith(stdlib + "/"):
        found.append(folder)
        for name in (n for n in os.listdir(folder) if n.endswith(".pth")):
            lines = open(os.path.join(folder, name)).read().splitlines()
            found += [line for line in lines if line.startswith("/") and os.path.isdir(line)]
print(json.dumps(found))
"""


def _path_folders(python: str, cwd: Path) -> list[Path]:
    """The folders of sys.path and of its .pth files that `python` has in `cwd`, but the
    standard library's."""
    listed = subprocess.run([python, "-c", _FOLDERS], cwd=cwd, capture_output=True, text=True)
    return [Path(folder) for folder in json.loads(listed.stdout)]


def _plant(folders: list[Path], token: str) -> list[Path]:
    markers = []
    for folder in sorted({f.resolve() for f in folders if f.is_dir()}):
        marker = folder / f"{MARKER_PREFIX}{token}.txt"
        if not marker.exists():
            marker.write_text(f"{MARKER_PREFIX}{token}\n")
            marker.chmod(0o644)
            markers.append(marker)
    return markers


@pytest.fixture(scope="module")
def kit():
    """A copy of the kit, readable by uid 65534, with dist/ holding what `make gradescope`
    and `make release` write, markers planted everywhere, copies of the reference in /tmp
    and in the home folder; all removed afterwards."""
    token = secrets.token_hex(6)
    base = Path(tempfile.mkdtemp(prefix=f"{MARKER_PREFIX}{token}-", dir="/var/tmp"))
    root = base / "kit"
    shutil.copytree(KIT_ROOT, root, ignore=_NOT_COPIED)
    for command in ("gradescope", "release"):  # as `make gradescope` and `make release` do
        completed = subprocess.run(
            [sys.executable, "-m", "autograder", command],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert completed.returncode == 0, completed.stderr
    copies = [root / "solutions" / "intro_pytorch"]
    copies.append(root / "dist" / "gradescope" / "source" / "solutions" / "intro_pytorch")
    made = [base]
    for home in (Path("/tmp"), Path.home()):
        copy = home / f"{MARKER_PREFIX}{token}-course" / "solutions" / "intro_pytorch"
        shutil.copytree(SOLUTIONS, copy)
        made.append(copy.parent.parent)
        copies.append(copy)
    folders = [root, root / "autograder", root / "autograder" / "probes", root / "dist"]
    folders += [
        root / "tests",
        root / "dist" / "student",
        base,
        Path.home(),
        Path("/tmp"),
        Path("/srv"),
        Path("/opt"),
    ]
    folders += [Path("/home"), *_path_folders(sys.executable, root)]
    for path in [base, *base.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    markers = _plant(folders, token)
    # A grader run as uid 65534 uses another interpreter, with folders of its own.
    nobody = python_for_nobody(base)
    others = _plant(_path_folders(nobody, root), token) if nobody is not None else []
    try:
        yield {
            "root": root,
            "base": base,
            "token": token,
            "markers": markers,
            "others": others,
            "copies": copies,
            "nobody": nobody,
        }
    finally:
        for path in [*markers, *others]:
            path.unlink(missing_ok=True)
        for path in made:
            shutil.rmtree(path, ignore_errors=True)


def _search_report(results: dict) -> dict:
    output = next(t for t in results["tests"] if t["number"] == "1.6")["output"]
    found = re.search(r"view search (\{.*\})", output)
    assert found, output
    return json.loads(found.group(1))


def _searching_student(folder: Path, kit: dict) -> Path:
    code = SEARCH.read_text().replace("@TOKEN@", kit["token"])
    student = make_submission(folder / "student", base=ASSIGNMENTS, append={"part1_tensors": code})
    for path in [student, *student.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return student


def _grade_search(tmp_path: Path, kit: dict, mode: str) -> GradeRun:
    student = _searching_student(tmp_path, kit)
    return grade(
        student, tmp_path / "results.json", "--part", "1", env={ENV_MODE: mode}, kit=kit["root"]
    )


def _assert_found_nothing(report: dict) -> None:
    assert report["own"], report  # the search does walk what the child sees
    assert report["roots"] >= 10 and report["entries"] > 100, report
    assert report["counts"] == [0, 0], report


@pytest.mark.parametrize("mode", [_mode(m) for m in ISOLATED])
def test_a_searching_submission_finds_nothing(kit, tmp_path: Path, mode: str) -> None:
    graded = _grade_search(tmp_path, kit, mode)
    assert graded.returncode == 0, graded.stderr[-2000:]
    assert graded.results["extra_data"]["isolation"] == mode
    _assert_found_nothing(_search_report(graded.results))
    assert graded.results["score"] == 0
    assert kit["token"] not in json.dumps(graded.results)


def test_without_isolation_the_same_search_finds_the_planted_files(kit, tmp_path) -> None:
    """The control: run as a plain process, the search finds every marker and every copy
    of the reference, and a copy's functions earn points."""
    graded = _grade_search(tmp_path, kit, "none")
    assert graded.returncode == 0, graded.stderr[-2000:]
    assert graded.results["extra_data"]["isolation"] == "none"
    report = _search_report(graded.results)
    found = set(report["markers"])
    assert found >= set(map(str, kit["markers"])), report
    # the markers planted for the other interpreter are found too where the search walks
    # (the kit's clone under /tmp puts them there), and nothing else
    assert found <= set(map(str, kit["markers"] + kit["others"])), report
    copies = sorted(str(folder / "part1_tensors.py") for folder in kit["copies"])
    assert report["copies"] == copies, report
    assert graded.part_score(1) > 0, report


@pytest.fixture(scope="module")
def as_nobody(kit):
    """Run the copy's grader as uid 65534, with an interpreter it can read, in mode bwrap:
    a grader that is not root, as on an instructor's own account (each child gets a user
    namespace of its own)."""
    python = kit["nobody"]
    if python is None:
        pytest.skip("cannot run the grader as uid 65534 here (not root, or no interpreter)")
    writable = kit["base"] / "writable"
    writable.mkdir()
    os.chown(writable, 65534, 65534)
    env = {**os.environ, "HOME": "/tmp", ENV_MODE: "bwrap"}
    env["AUTOGRADER_REFERENCE_DIR"] = str(writable / "reference")

    def run(*args: str) -> subprocess.CompletedProcess:
        command = ["runuser", "-u", "nobody", "--", "env", *(f"{k}={v}" for k, v in env.items())]
        return subprocess.run(
            [*command, python, "-m", "autograder", *args],
            capture_output=True,
            text=True,
            cwd=kit["root"],
            timeout=600,
        )

    return writable, run


def test_bwrap_run_by_a_user_finds_nothing_either(kit, as_nobody) -> None:
    writable, run = as_nobody
    student = _searching_student(kit["base"] / "nobody", kit)
    results = writable / "results.json"
    completed = run("grade", str(student), "--part", "1", "--results", str(results))
    if "cannot work" in completed.stderr:
        pytest.skip(f"bwrap does not work for uid 65534 here: {completed.stderr[-300:]}")
    assert completed.returncode == 0, completed.stderr[-2000:]
    graded = json.loads(results.read_text())
    assert graded["extra_data"]["isolation"] == "bwrap" and graded["score"] == 0
    _assert_found_nothing(_search_report(graded))


@pytest.mark.parametrize("mode", [_mode(m) for m in ISOLATED])
def test_the_reference_scores_full_marks(kit, tmp_path: Path, mode: str) -> None:
    graded = grade(
        make_submission(tmp_path / "student"),
        tmp_path / "results.json",
        env={ENV_MODE: mode},
        kit=kit["root"],
    )
    assert graded.returncode == 0, graded.stderr[-2000:]
    assert (graded.results["score"], graded.results["extra_data"]["isolation"]) == (100, mode)


_DERIVE = """
import json, torch, autograder.sandbox.zygote, autograder.sandbox.warmup as warmup
warmup.preload(["numpy", "torch", "torch.nn", "torch.utils.data"])
warmup.import_probes()
from autograder.sandbox.view import derive
view = derive(["numpy", "torch", "matplotlib"])
print(json.dumps({"trees": view.trees, "files": view.files, "covers": view.covers}))
"""


def test_the_view_is_derived_from_what_is_loaded() -> None:
    """Packages seen whole, the engine file by file, its checks never; and no child is forked
    from a process that holds the checks or submission code. Derived in a process that
    imported what a zygote imports."""
    import torch

    derived = subprocess.run(
        [sys.executable, "-c", _DERIVE], capture_output=True, text=True, cwd=KIT_ROOT
    )
    assert derived.returncode == 0, derived.stderr
    view = View(**{key: tuple(paths) for key, paths in json.loads(derived.stdout).items()})
    engine = Path(autograder.__file__).parent
    assert str(Path(torch.__file__).parent) in view.trees
    assert str(engine / "probes" / "part1.py") in view.files
    assert not any(inside(str(engine), tree) for tree in view.trees)
    assert not any(inside(path, str(engine / "checks")) for path in view.paths())
    assert not any(inside(path, str(KIT_ROOT / "solutions")) for path in view.paths())
    assert not any(inside(path, str(KIT_ROOT / "tests")) for path in view.paths())
    loaded = {n: m for n, m in sys.modules.items() if not n.startswith(FORBIDDEN)}
    for forbidden in ("autograder.checks.hidden", "intro_pytorch.part1_tensors"):
        with pytest.raises(RuntimeError, match="must not be forked"):
            derive([], {**loaded, forbidden: object()})
