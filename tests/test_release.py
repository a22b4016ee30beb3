"""The student bundle of `make release`: what it holds and never holds, and that its Makefile
grades the stubs and plots a trained network without solutions/ or hidden checks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from conftest import KIT_ROOT, SOLUTIONS
from packaging.requirements import Requirement
from solution_statements import leaks, secrets

from autograder.checks.hidden import SEED_SALT
from autograder.course.bundle import NAME, STUDENT_FOLDERS


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    completed = subprocess.run(
        [sys.executable, "-m", "autograder", "release", "--dist", str(dist)],
        capture_output=True,
        text=True,
        cwd=KIT_ROOT,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return dist


def files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_bundle_holds_the_stubs_public_checks_engine_and_tools(dist: Path) -> None:
    bundle = files(dist / "student")
    assert {"Makefile", "README.md", "requirements.txt"} <= set(bundle)
    for stub in (KIT_ROOT / "assignments" / "intro_pytorch").glob("*.py"):
        assert bundle[f"assignments/intro_pytorch/{stub.name}"].read_bytes() == stub.read_bytes()
    assert {f"autograder/checks/public/test_part{n}.py" for n in range(1, 8)} <= set(bundle)
    assert "autograder/checks/public/expected.npz" in bundle
    engine = {name.split("/")[1] for name in bundle if name.startswith("autograder/")}
    folders = {folder.split("/")[0] for folder in STUDENT_FOLDERS}
    top = {"__init__.py", "__main__.py", "cli.py", "i18n.py", "kit.py", "manifest.toml"}
    top |= {"settings.toml"}
    assert engine == folders | top
    with zipfile.ZipFile(dist / f"{NAME}.zip") as archive:
        assert sorted(archive.namelist()) == sorted(f"{NAME}/{name}" for name in bundle)
        for name, path in bundle.items():
            assert archive.read(f"{NAME}/{name}") == path.read_bytes()


def test_no_solution_statement_and_no_hidden_file_is_in_the_bundle(dist: Path) -> None:
    """No file a student gets holds a finished statement of the reference, anywhere in a line
    (stubs, hints in the manifest, the grader's own probes, README, Makefile)."""
    secret = secrets(SOLUTIONS)
    bundle = files(dist / "student")
    found = {}
    for name, path in bundle.items():
        parts = set(name.split("/"))
        assert not parts & {"solutions", "hidden", "tests", "build", ".git", "__pycache__"}, name
        assert not name.startswith("autograder/course/") and "mistakes.py" not in name, name
        data = path.read_bytes()
        assert SEED_SALT.encode() not in data, name
        if name.endswith(".npz"):
            assert name == "autograder/checks/public/expected.npz"
            continue
        if name.endswith(".mo"):  # compiled from the .po beside it, which is scanned
            continue
        found[name] = leaks(data.decode(), secret)
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_requirements_are_the_kits_own_and_met_here(dist: Path) -> None:
    lines = (dist / "student" / "requirements.txt").read_text().splitlines()
    names = {Requirement(line).name for line in lines}
    assert names == {"torch", "numpy", "matplotlib", "pytest", "rich", "tomli"}
    assert "torch>=2.3,<2.14" in lines  # an open range would pull a CUDA build of several GB
    for line in lines:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate():
            assert requirement.specifier.contains(metadata.version(requirement.name)), line


def make(bundle: Path, venv: Path, *targets: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    return subprocess.run(
        ["make", "--no-print-directory", *targets, f"VENV={venv}"],
        capture_output=True,
        text=True,
        cwd=bundle,
        env={**env, "COLUMNS": "120"},
        timeout=300,
    )


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment that sees the packages installed here (no download), marked as
    installed from the bundle's requirements, which the kit's own environment meets."""
    venv = tmp_path_factory.mktemp("venv") / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run(
        [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "kit.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv


def test_make_check_grades_the_stubs_with_the_shipped_expected_values(dist, venv) -> None:
    bundle = dist / "student"
    (venv / ".requirements-installed").touch()
    completed = make(bundle, venv, "check", "PART=1")
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "Score 0/12 on the public checks, isolated" in completed.stdout
    assert "not started" in completed.stdout
    assert not (bundle / "build").exists()  # nothing recomputed: there is nothing to do it with
    help_text = make(bundle, venv, "help").stdout
    for target in ("check", "grade", "plot", "clean"):
        assert f"make {target} " in help_text


def test_make_grade_and_plot_on_finished_work(dist, venv, tmp_path: Path) -> None:
    bundle = tmp_path / "student"
    shutil.copytree(dist / "student", bundle)
    for part in SOLUTIONS.glob("part*.py"):
        shutil.copyfile(part, bundle / "assignments" / "intro_pytorch" / part.name)
    (venv / ".requirements-installed").touch()
    graded = make(bundle, venv, "grade", "plot")
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    results = json.loads((bundle / "results.json").read_text())
    assert results["score"] == results["max_score"] == 100
    assert results["extra_data"]["check_set"] == "public"
    assert (bundle / "boundary.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
