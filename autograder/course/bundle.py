"""The student bundle (`make release`): the stubs, the public checks and the engine that runs
them, with a Makefile, a README and the requirements; nothing of solutions/, no hidden check."""

from __future__ import annotations

import shutil
import stat
import sys
import zipfile
from pathlib import Path

from autograder.i18n import DEFAULT, LOCALE, current, in_language
from autograder.kit import (
    ASSIGNMENTS,
    DIST,
    ENGINE,
    KIT_ROOT,
    SOLUTIONS,
    settings_text,
)

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

NAME = "intro_pytorch-student"
# What a student's checks need: these folders of the engine, whole, with the files at its
# top (the command line and the kit's paths). Anything else, course/ (the instructor's
# tools) and checks/hidden/ among it, stays out, also what is added there later.
STUDENT_FOLDERS = ("sandbox", "grading", "probes", "checks/public", "reports", "notebook", "locale")
KIT_ONLY_PACKAGES = ("nbgrader", "jupytext")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so that the same kit gives the same zip

# the student's Makefile; @word@ is the message bundle.make.<word> in the bundle's language
STUDENT_MAKEFILE = """\
# @intro@

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
export OMP_NUM_THREADS := 1
export MPLBACKEND := Agg
PART ?=

.DEFAULT_GOAL := help
.PHONY: help check watch grade plot demo clean

help: ## @help@
\t@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \\
\t\t| awk -F':.*## ' '{printf "  make %-7s %s\\n", $$1, $$2}'

$(STAMP): requirements.txt
\t@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' \\
\t\t|| { echo "@python@"; exit 1; }
\ttest -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
\t$(BIN)/python -m pip install --quiet -r requirements.txt
\ttouch $@

check: $(STAMP) ## @check@
\t$(BIN)/python -m autograder check $(PART)

watch: $(STAMP) ## @watch@
\t$(BIN)/python -m autograder watch

grade: $(STAMP) ## @grade@
\t$(BIN)/python -m autograder check --results results.json

plot: $(STAMP) ## @plot@
\t$(BIN)/python -m autograder plot

demo: $(STAMP) ## @demo@
\t@test -n "$(PART)" || { echo "@demo_usage@"; exit 2; }
\t$(BIN)/python -m autograder demo $(PART)

clean: ## @clean@
\trm -rf $(VENV) results.json boundary.png
"""
MAKEFILE_WORDS = ("intro", "help", "python", "check", "watch", "grade", "plot", "demo")
MAKEFILE_WORDS += ("demo_usage", "clean")
README = "student_README.md"  # per language, in autograder/locale/<language>/texts/


def student_makefile(language: str) -> str:
    """The student's Makefile with its help in `language`."""
    text = STUDENT_MAKEFILE
    for word in MAKEFILE_WORDS:
        # plain text there: a backquote in a recipe's echo would run a command
        words = in_language(language, f"bundle.make.{word}").replace("`", "")
        text = text.replace(f"@{word}@", words)
    return text


def student_readme(language: str) -> str:
    return (LOCALE / language / "texts" / README).read_text(encoding="utf-8")


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


def archive_name(language: str) -> str:
    """intro_pytorch-student.zip in English, intro_pytorch-student-<language>.zip else."""
    return f"{NAME}.zip" if language == DEFAULT else f"{NAME}-{language}.zip"


def build_bundle(dist: Path = DIST, language: str | None = None) -> Path:
    """Write dist/student/ and its zip in `language` (default: the one in use); return the
    zip's path."""
    from autograder.course.stubs import write_assignments

    language = language or current()
    expected = public_expected_values()
    folder = dist / "student"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    write_assignments(assignments=folder / "assignments" / ASSIGNMENTS.name, language=language)
    copy_engine(folder, students=True)
    (folder / "autograder" / "settings.toml").write_text(settings_text(language=language))
    shutil.copyfile(expected, folder / "autograder" / "checks" / "public" / "expected.npz")
    (folder / "Makefile").write_text(student_makefile(language), encoding="utf-8")
    (folder / "README.md").write_text(student_readme(language), encoding="utf-8")
    (folder / "requirements.txt").write_text("\n".join(requirements()) + "\n")
    archive = dist / archive_name(language)
    write_zip(folder, archive, prefix=f"{NAME}/")
    return archive
