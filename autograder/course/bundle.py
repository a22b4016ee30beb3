"""The student bundle (`make release`): the stubs, the public checks and the engine that runs
them, with a Makefile, a README and the requirements; nothing of solutions/, no hidden check."""

from __future__ import annotations

import shutil
import stat
import sys
import zipfile
from pathlib import Path

from autograder.kit import ASSIGNMENTS, DIST, ENGINE, KIT_ROOT, SOLUTIONS

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

NAME = "intro_pytorch-student"
# What a student's checks need: these folders of the engine, whole, with the files at its
# top (the command line and the kit's paths). Anything else, course/ (the instructor's
# tools) and checks/hidden/ among it, stays out, also what is added there later.
STUDENT_FOLDERS = ("sandbox", "grading", "probes", "checks/public", "reports", "notebook")
KIT_ONLY_PACKAGES = ("nbgrader", "jupytext")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so that the same kit gives the same zip

STUDENT_MAKEFILE = """\
# Shortcuts for the commands of README.md. `make help` lists them.
# The first one creates .venv/ with the packages of requirements.txt (a few minutes).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
export OMP_NUM_THREADS := 1
export MPLBACKEND := Agg
PART ?=

.DEFAULT_GOAL := help
.PHONY: help check watch grade plot demo clean

help: ## list what you can do
\t@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \\
\t\t| awk -F':.*## ' '{printf "  make %-7s %s\\n", $$1, $$2}'

$(STAMP): requirements.txt
\t@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' \\
\t\t|| { echo "Python 3.10 or newer is needed (set PYTHON=...)"; exit 1; }
\ttest -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
\t$(BIN)/python -m pip install --quiet -r requirements.txt
\ttouch $@

check: $(STAMP) ## run the checks of every part; PART=3 for part 3 only
\t$(BIN)/python -m autograder check $(PART)

watch: $(STAMP) ## check a part again each time you save it; Ctrl-C stops
\t$(BIN)/python -m autograder watch

grade: $(STAMP) ## your score on all the checks you have (also written to results.json)
\t$(BIN)/python -m autograder check --results results.json

plot: $(STAMP) ## train your network and save its decision boundary to boundary.png
\t$(BIN)/python -m autograder plot

demo: $(STAMP) ## run part PART as a program (its demo), e.g. make demo PART=5
\t@test -n "$(PART)" || { echo "usage: make demo PART=5"; exit 2; }
\t$(BIN)/python -m autograder demo $(PART)

clean: ## remove .venv/, results.json and boundary.png
\trm -rf $(VENV) results.json boundary.png
"""

STUDENT_README = """\
# Introduction to PyTorch: exercises

Seven short exercises that follow the seminar, from tensors to a small network that
separates two kinds of points on a plane. You write the missing code; the checks tell you
what works and what to fix.

## Start

You need Python 3.10 or newer (from python.org; on Debian or Ubuntu, also
`sudo apt install python3-venv`). Open a terminal in this folder and make an environment
with the packages of `requirements.txt`. This is needed once and takes a few minutes
(PyTorch is large).

On Windows (PowerShell or Command Prompt):

```
py -m venv .venv
.venv\\Scripts\\activate
python -m pip install -r requirements.txt
```

On macOS or Linux:

```sh
python3 -m venv .venv
source .venv/bin/activate
python -m pip install -r requirements.txt
```

Each time you open a new terminal here, run the second line again (it activates the
environment: `python` is then the one with PyTorch). If PowerShell refuses to run it, run
`Set-ExecutionPolicy -Scope CurrentUser RemoteSigned` once. Then check your work:

```
python -m autograder check
```

Every check says "not started" until you write code.

## Work on a part

Open `assignments/intro_pytorch/part1_tensors.py`. Each function you write has a docstring
(what to compute, the shapes, the PyTorch calls to look up, an example) and two lines like

```python
    # TODO(1.1): return a float32 tensor made from `data` (torch.tensor with dtype=torch.float32).
    raise NotImplementedError("1.1: from_list is not written yet")
```

Replace those two lines with your code. Then, the same on every system:

| command | what it does |
|---|---|
| `python -m autograder check` | run the checks of every part |
| `python -m autograder check 1` | run the checks of part 1 only |
| `python -m autograder watch` | check a part again when you save it; Ctrl-C stops |
| `python -m autograder plot` | train your network, draw what it learned in `boundary.png` |
| `python -m autograder demo 5` | run part 5 as a program: the code at the end of its file |
| `python -m autograder check --results results.json` | also write your score to `results.json` |

With `make` (macOS, Linux): `make check`, `make check PART=1`, `make watch`, `make plot`,
`make demo PART=5` and `make grade` do the same; the first one also makes `.venv/`.
`watch` checks everything once, then the part you saved each time you save it, and says how
many tasks are done and which TODO comes next.

## What a check tells you

A check that fails says what it called, what came back and what was expected, and often
names the likely mistake, for example: `predict_proba(...) returned shape (57, 1), expected
(57,): flatten the model's (N, 1) output with .reshape(-1) or .squeeze(1).` Each check has
a time limit of a few seconds, so an endless loop is stopped quickly.

On Linux your code runs in a sandbox. On Windows, on macOS and where Linux refuses
sandboxes (some containers, Colab), it runs in plain new processes, and the score line says
"not isolated (portable)": the checks and their time limits are the same, and whatever your
code started is stopped with it.

These are the public checks. Your grade comes from hidden checks that run the same
functions on inputs you have not seen: passing every check here is a very good sign, not a
promise. Use the names and signatures of the functions as they are.

## Hand in

The seven files `part1_tensors.py` to `part7_boundary.py` from `assignments/intro_pytorch/`
(on Gradescope, upload those files themselves, not the folder). `data.py` is given: the
grader uses its own copy.

## What is in this folder

| path | holds |
|---|---|
| `assignments/intro_pytorch/` | your code: one module per part, and `data.py` (toy data, given) |
| `autograder/` | the checks and the program that runs them; you do not need to read it |
| `requirements.txt`, `Makefile` | the packages to install, and shortcuts for the commands above |
"""


class ReleaseError(RuntimeError):
    """The bundle cannot be made: the reference does not pass its own public checks."""


def requirements(exclude: tuple[str, ...] = KIT_ONLY_PACKAGES) -> list[str]:
    """The kit's dependencies (pyproject.toml) without those only the instructor's kit uses."""
    with (KIT_ROOT / "pyproject.toml").open("rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    return [d for d in dependencies if not d.startswith(exclude)]


def public_expected_values() -> Path:
    """Grade the reference with the public checks (which computes the expected values when
    they are missing or stale) and return the file that holds them."""
    from autograder.grading.grader import grade, reference_path

    report = grade(SOLUTIONS.parent, public=True)
    if report.grader_errors or report.score != report.max_score:
        failed = [o.check_id for o in report.outcomes if o.status != "passed"]
        raise ReleaseError(
            f"the reference scores {report.score:g}/{report.max_score:g} on the public checks "
            f"(failed: {', '.join(failed) or '-'}; errors: {report.grader_errors})"
        )
    return reference_path("public")


def _skipped(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".npz"))}


def copy_engine(target: Path, *, students: bool) -> None:
    """Copy the autograder package without caches: for students, STUDENT_FOLDERS and the
    files at its top; else all of it, hidden checks and instructor tools included."""
    engine = target / "autograder"
    if not students:
        shutil.copytree(ENGINE, engine, ignore=_skipped)
        return
    engine.mkdir(parents=True)
    for file in ENGINE.iterdir():
        if file.is_file() and not _skipped(str(ENGINE), [file.name]):
            shutil.copy2(file, engine / file.name)
    for folder in STUDENT_FOLDERS:
        shutil.copytree(ENGINE / folder, engine / folder, ignore=_skipped)
    for parent in {Path(folder).parent for folder in STUDENT_FOLDERS} - {Path(".")}:
        init = ENGINE / parent / "__init__.py"
        if init.is_file():
            shutil.copy2(init, engine / parent / "__init__.py")


def copy_assignments(target: Path) -> None:
    """The stubs and the provided modules, as students get them."""
    shutil.copytree(
        ASSIGNMENTS,
        target / "assignments" / ASSIGNMENTS.name,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )


def write_zip(folder: Path, path: Path, prefix: str = "") -> None:
    """Zip every file of `folder` (names under `prefix`), in name order, with fixed times and
    the files' permissions (the scripts stay executable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(prefix + file.relative_to(folder).as_posix(), ZIP_TIME)
            info.external_attr = (stat.S_IFREG | stat.S_IMODE(file.stat().st_mode)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes())


def build_bundle(dist: Path = DIST) -> Path:
    """Write dist/student/ and dist/intro_pytorch-student.zip; return the zip's path."""
    expected = public_expected_values()
    folder = dist / "student"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    copy_assignments(folder)
    copy_engine(folder, students=True)
    shutil.copyfile(expected, folder / "autograder" / "checks" / "public" / "expected.npz")
    (folder / "Makefile").write_text(STUDENT_MAKEFILE)
    (folder / "README.md").write_text(STUDENT_README)
    (folder / "requirements.txt").write_text("\n".join(requirements()) + "\n")
    archive = dist / f"{NAME}.zip"
    write_zip(folder, archive, prefix=f"{NAME}/")
    return archive
