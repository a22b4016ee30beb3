"""The student bundle of `make release`: what it holds and never holds, that its Makefile
grades the stubs and plots a trained network without solutions/ or hidden checks, and that its
plain commands grade on a Python without what only POSIX systems have (as on Windows)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from conftest import KIT_ROOT, SOLUTIONS
from packaging.requirements import Requirement
from russian_text import english_phrases, english_words
from solution_statements import leaks, secrets

from autograder.checks.hidden import SEED_SALT
from autograder.course.bundle import NAME, STUDENT_FOLDERS
from autograder.course.texts import english


def release(dist: Path, language: str) -> Path:
    """`make release KIT_LANG=<language>` into `dist`."""
    completed = subprocess.run(
        [sys.executable, "-m", "autograder", "release", "--dist", str(dist)],
        capture_output=True,
        text=True,
        cwd=KIT_ROOT,
        timeout=300,
        env={**os.environ, "KIT_LANG": language},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return dist


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return release(tmp_path_factory.mktemp("dist"), "en")


@pytest.fixture(scope="module")
def dist_ru(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return release(tmp_path_factory.mktemp("dist-ru"), "ru")


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
    assert names == {"torch", "numpy", "matplotlib", "pytest", "rich", "psutil", "tomli"}
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


def make_venv(folder: Path) -> tuple[Path, Path]:
    """A virtual environment that sees the packages installed here (no download); returns
    it and its site-packages."""
    venv = folder / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run(
        [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "kit.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv, Path(purelib)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An environment marked as installed from the bundle's requirements, which the kit's own
    environment meets."""
    return make_venv(tmp_path_factory.mktemp("venv"))[0]


@pytest.fixture(scope="module")
def without_posix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of an environment whose interpreter lacks os.fork, setsid, killpg, getuid,
    signal.SIGKILL and the modules resource, fcntl and termios, from its start on
    (tests/without_posix.py): Windows simulated on Linux."""
    venv, purelib = make_venv(tmp_path_factory.mktemp("without-posix"))
    shutil.copyfile(Path(__file__).with_name("without_posix.py"), purelib / "without_posix.py")
    (purelib / "zz-without-posix.pth").write_text("import without_posix\n")  # after kit.pth
    return venv / "bin" / "python"


def test_make_check_grades_the_stubs_with_the_shipped_expected_values(dist, venv) -> None:
    bundle = dist / "student"
    (venv / ".requirements-installed").touch()
    completed = make(bundle, venv, "check", "PART=1")
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "Score 0/12 on the public checks, isolated" in completed.stdout
    assert "not started" in completed.stdout
    assert not (bundle / "build").exists()  # nothing recomputed: there is nothing to do it with
    help_text = make(bundle, venv, "help").stdout
    for target in ("check", "watch", "grade", "plot", "demo", "clean"):
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


def check(bundle: Path, python: Path) -> tuple[subprocess.CompletedProcess, dict]:
    """`python -m autograder check` in the bundle, as its README says; with its results."""
    results = bundle / "results.json"
    completed = subprocess.run(
        [python, "-m", "autograder", "check", "--results", str(results)],
        capture_output=True,
        text=True,
        cwd=bundle,
        env={**os.environ, "COLUMNS": "120"},
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed, json.loads(results.read_text())


def test_the_simulated_python_lacks_what_only_posix_has(without_posix: Path) -> None:
    probe = "import os, signal; print(hasattr(os, 'fork'), hasattr(signal, 'SIGKILL')); "
    probe += "import resource"
    completed = subprocess.run([without_posix, "-c", probe], capture_output=True, text=True)
    assert completed.stdout.split() == ["False", "False"]
    assert "No module named 'resource'" in completed.stderr


def test_without_posix_the_checks_run_portable(dist, without_posix, tmp_path) -> None:
    """The stubs score 0 and the reference full marks, in spawned workers."""
    bundle = tmp_path / "student"
    shutil.copytree(dist / "student", bundle)
    completed, results = check(bundle, without_posix)
    assert (results["score"], results["max_score"]) == (0, 100)
    assert results["extra_data"]["isolation"] == "portable"
    assert "not isolated (portable)" in completed.stdout
    for part in SOLUTIONS.glob("part*.py"):
        shutil.copyfile(part, bundle / "assignments" / "intro_pytorch" / part.name)
    _, results = check(bundle, without_posix)
    assert results["score"] == results["max_score"] == 100


def test_without_posix_an_endless_loop_costs_only_its_part(dist, without_posix, tmp_path):
    """A train() that never returns loses the checks that call it, in seconds (time limits
    follow the reference's own time); the other parts keep full marks."""
    bundle = tmp_path / "student"
    shutil.copytree(dist / "student", bundle)
    package = bundle / "assignments" / "intro_pytorch"
    for part in SOLUTIONS.glob("part*.py"):
        shutil.copyfile(part, package / part.name)
    endless = "\n\ndef train(*args, **kwargs):\n    while True:\n        pass\n"
    (package / "part5_training.py").write_text(
        (SOLUTIONS / "part5_training.py").read_text() + endless
    )
    started = time.monotonic()
    _, results = check(bundle, without_posix)
    seconds = time.monotonic() - started
    lost = {t["number"] for t in results["tests"] if t["score"] < t["max_score"]}
    assert lost and {number.split(".")[0] for number in lost} == {"5"}, lost
    assert (
        "did not finish in time"
        in next(t for t in results["tests"] if t["number"] == "5.2")["output"]
    )
    assert seconds < 64, f"{seconds:.0f} s: half of what one endless loop used to cost"


def test_the_russian_bundle_speaks_russian_from_its_readme_to_its_checks(dist, dist_ru) -> None:
    """`make release KIT_LANG=ru`: dist/student/ and intro_pytorch-student-ru.zip hold the
    Russian stubs (the same code), README and Makefile, and the checks answer in Russian
    without an English sentence outside code."""
    bundle, in_english = dist_ru / "student", dist / "student"
    assert sorted(p.name for p in dist_ru.iterdir()) == [f"{NAME}-ru.zip", "student"]
    assert (bundle / "README.md").read_text().startswith("# Введение в PyTorch")
    assert 'language = "ru"' in (bundle / "autograder" / "settings.toml").read_text()
    assert "проверки всех частей" in (bundle / "Makefile").read_text()
    for stub in (in_english / "assignments" / "intro_pytorch").glob("part*.py"):
        russian = (bundle / "assignments" / "intro_pytorch" / stub.name).read_text()
        assert "TODO(" in russian and russian != stub.read_text()
        texts = english(russian)  # its markdown cells and docstrings, and its TODO comments
        prose = [*texts["markdown"].values(), *texts["docstring"].values()]
        prose += [line for line in russian.splitlines() if line.strip().startswith("# ")]
        assert [text for text in prose if english_phrases(text)] == [], stub.name
    results = bundle / "results.json"
    completed = subprocess.run(
        [sys.executable, "-m", "autograder", "check", "1", "--results", str(results)],
        capture_output=True,
        text=True,
        cwd=bundle,
        env={k: v for k, v in os.environ.items() if k != "KIT_LANG"},
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Оценка 0/12: открытые проверки" in completed.stdout
    assert "не начата" in completed.stdout
    graded = json.loads(results.read_text())
    texts = [graded["output"], *(test["output"] for test in graded["tests"])]
    texts += [test["name"] for test in graded["tests"]]
    assert [text for text in texts if english_words(text)] == []
