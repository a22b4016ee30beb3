"""Gradescope's autograder.zip: its content and scripts, setup.sh computing the expected values
(without its apt-get and pip steps), and run_autograder run for real on a temporary
AUTOGRADER_ROOT for a correct and a buggy upload."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from conftest import KIT_ROOT
from corpus import MUTANTS
from grading_helpers import make_submission
from packaging.requirements import Requirement
from test_corpus import mutate

SCHEMA = json.loads(Path(__file__).with_name("gradescope_schema.json").read_text())
ADD_SUBTRACTS = next(m for m in MUTANTS if m.name == "add_subtracts")
PYTHON = f"python{sys.version_info.major}.{sys.version_info.minor}"


def environment() -> dict[str, str]:
    """This machine as setup.sh leaves Gradescope's: the kit's python3 first on PATH."""
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADER_REFERENCE_DIR"}
    return {**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "autograder", "gradescope", "--dist", str(dist)]
    completed = subprocess.run(
        [*command, "--hints", "off"],  # as `make gradescope HINTS=off`
        capture_output=True,
        text=True,
        cwd=KIT_ROOT,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return dist / "gradescope" / "autograder.zip"


@dataclass
class Root:
    """An AUTOGRADER_ROOT laid out as Gradescope does, after setup.sh."""

    path: Path
    setup: subprocess.CompletedProcess

    def run(self, upload: Path | None) -> dict:
        """Put `upload` in submission/, run /autograder/run_autograder; return results.json."""
        for folder in ("submission", "results"):
            shutil.rmtree(self.path / folder, ignore_errors=True)
        (self.path / "results").mkdir()
        if upload is not None:
            shutil.copytree(upload, self.path / "submission")
        completed = subprocess.run(
            [str(self.path / "run_autograder")],
            capture_output=True,
            text=True,
            cwd=self.path,
            env={**environment(), "AUTOGRADER_ROOT": str(self.path)},
            timeout=300,
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        results = json.loads((self.path / "results" / "results.json").read_text())
        jsonschema.validate(results, SCHEMA)
        return results


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, archive: Path) -> Root:
    path = tmp_path_factory.mktemp("autograder")
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(path / "source")
        for info in opened.infolist():  # extractall drops the permissions
            (path / "source" / info.filename).chmod(info.external_attr >> 16 & 0o777)
    shutil.copy2(path / "source" / "run_autograder", path / "run_autograder")
    setup = subprocess.run(
        ["bash", str(path / "source" / "setup.sh"), "--no-install"],
        capture_output=True,
        text=True,
        cwd=path,
        env=environment(),
        timeout=600,
    )
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    return Root(path, setup)


def test_the_zip_holds_the_scripts_at_its_root_and_what_grading_needs(archive: Path) -> None:
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in opened.infolist()}
    for script in ("setup.sh", "run_autograder"):
        assert modes[script] & stat.S_IXUSR, script
    assert {"requirements.txt", "autograder/checks/hidden/test_part6.py"} <= names
    for number in range(1, 8):
        assert any(name.startswith(f"solutions/intro_pytorch/part{number}_") for name in names)
    assert "assignments/intro_pytorch/data.py" in names
    with zipfile.ZipFile(archive) as opened:
        assert 'hints = "off"' in opened.read("autograder/settings.toml").decode()
    for name in names:
        assert not name.startswith(("tests/", "build/", "dist/", ".")), name
        assert "__pycache__" not in name and not name.endswith((".pyc", ".npz")), name


def test_the_requirements_are_pinned_to_what_the_kit_was_tested_with(archive: Path) -> None:
    with zipfile.ZipFile(archive) as opened:
        lines = opened.read("requirements.txt").decode().splitlines()
    assert lines[0] == "--extra-index-url https://download.pytorch.org/whl/cpu"
    for line in lines[1:]:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate():
            assert str(requirement.specifier).startswith("=="), line


def test_the_scripts_are_valid_bash_and_setup_installs_what_it_should(root: Root) -> None:
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(root.path / "source" / script)], check=True)
    skipped = [line for line in root.setup.stdout.splitlines() if line.startswith("skipped: ")]
    assert f"skipped: apt-get install -y -qq {PYTHON} {PYTHON}-venv bubblewrap" in skipped
    assert any(line.endswith("-m pip install --quiet -r requirements.txt") for line in skipped)


def test_setup_computes_the_expected_values_on_the_grading_machine(root: Root) -> None:
    """setup.sh grades the reference once: that computes the expected values there."""
    reference = json.loads((root.path / "source/build/reference-results.json").read_text())
    assert reference["score"] == reference["max_score"] == 100
    assert (root.path / "source/build/reference/hidden.npz").is_file()


def test_run_autograder_grades_a_correct_upload(root: Root, tmp_path: Path) -> None:
    results = root.run(make_submission(tmp_path / "upload", layout="flat"))
    assert results["score"] == results["max_score"] == 100
    assert results["extra_data"]["check_set"] == "hidden"
    assert results["extra_data"]["isolated"] is True


def test_run_autograder_grades_a_buggy_upload(root: Root, tmp_path: Path) -> None:
    upload = make_submission(
        tmp_path / "upload", layout="flat", replace={"part1_tensors": mutate(ADD_SUBTRACTS)}
    )
    results = root.run(upload)
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert [t["number"] for t in failed] == ["1.3"]
    assert results["score"] == results["max_score"] - failed[0]["max_score"]
    # the zip was built with hints off: its graded runs give the diagnosis, not the hint
    assert "wrong values" in failed[0]["output"] and "Hint:" not in failed[0]["output"]
    assert results["extra_data"]["hints"] is False


def test_run_autograder_always_leaves_results(root: Root, tmp_path: Path) -> None:
    """Even when the grader cannot start, the student gets a results.json that says so."""
    broken = tmp_path / "root"
    (broken / "source").mkdir(parents=True)
    shutil.copy2(root.path / "run_autograder", broken / "run_autograder")
    shutil.copy2(root.path / "source" / "cannot-start.json", broken / "source")
    results = Root(broken, root.setup).run(None)
    assert results["score"] == 0 and "not your fault" in results["output"]


def test_the_message_for_a_grader_that_cannot_start_follows_the_course_language() -> None:
    from autograder.course.gradescope import cannot_start

    english, russian = json.loads(cannot_start("en")), json.loads(cannot_start("ru"))
    assert "@STATUS@" in english["output"] and "@STATUS@" in russian["output"]
    assert english["output"] != russian["output"] and russian["score"] == 0
