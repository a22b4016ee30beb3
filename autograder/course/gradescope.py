"""The Gradescope autograder (`make gradescope`): dist/gradescope/autograder.zip, with setup.sh
and run_autograder at its root, the engine with its hidden checks, and the solutions."""

from __future__ import annotations

import json
import shutil
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from autograder.course.bundle import copy_assignments, copy_engine, requirements, write_zip
from autograder.i18n import current, in_language
from autograder.kit import DIST, SOLUTIONS, settings_text

TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder's image: it installs Python
# {python}, bubblewrap and the pinned requirements, then computes the expected values here,
# on the machine that grades, by grading the reference once (it must score full marks).
# --no-install: only show the install steps (for a machine that is already set up).
set -euo pipefail
SOURCE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
cd "$SOURCE"
INSTALL=yes
[ "${{1:-}}" = --no-install ] && INSTALL=no

step() {{
  if [ "$INSTALL" = yes ]; then "$@"; else echo "skipped: $*"; fi
}}

export DEBIAN_FRONTEND=noninteractive
PACKAGES=(python{python} python{python}-venv bubblewrap)
step apt-get update -qq
if ! step apt-get install -y -qq "${{PACKAGES[@]}}"; then
  # Python {python} is not in this release of Ubuntu: take it from the deadsnakes archive
  step apt-get install -y -qq software-properties-common
  step add-apt-repository -y ppa:deadsnakes/ppa
  step apt-get install -y -qq "${{PACKAGES[@]}}"
fi
step python{python} -m venv "$SOURCE/.venv"
step "$SOURCE/.venv/bin/python" -m pip install --quiet -r requirements.txt

export PATH="$SOURCE/.venv/bin:$PATH" OMP_NUM_THREADS=1 MPLBACKEND=Agg
mkdir -p build
python3 -m autograder grade solutions --results build/reference-results.json
python3 -c 'import json, sys
results = json.load(open(sys.argv[1]))
full = results["score"] == results["max_score"] and not results["extra_data"]["grader_errors"]
sys.exit(0 if full else "the reference does not score full marks: see the table above")' \\
  build/reference-results.json
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission, from the copy in /autograder. AUTOGRADER_ROOT
# (default /autograder) holds source/ (this zip), submission/ (the upload) and results/.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
RESULTS="$ROOT/results/results.json"
export PATH="$ROOT/source/.venv/bin:$PATH" OMP_NUM_THREADS=1 MPLBACKEND=Agg
mkdir -p "$ROOT/results"
(cd "$ROOT/source" && python3 -m autograder grade "$ROOT/submission" --results "$RESULTS")
status=$?
if [ ! -s "$RESULTS" ]; then
  # the grader did not even start: the student still gets a message, in the course's language
  sed "s/@STATUS@/$status/" "$ROOT/source/cannot-start.json" > "$RESULTS"
fi
exit 0
"""


def pinned_requirements() -> list[str]:
    """The kit's requirements pinned to the versions installed here; torch from its CPU index
    (the default one on PyPI pulls several GB of CUDA libraries)."""
    pinned = [f"--extra-index-url {TORCH_CPU_INDEX}"]
    for line in requirements():
        requirement = Requirement(line)
        if requirement.marker is None:
            pinned.append(f"{requirement.name}=={metadata.version(requirement.name)}")
        else:  # needed only on other Pythons (tomli before 3.11): its range stays
            pinned.append(line)
    return pinned


def cannot_start(language: str) -> str:
    """The results.json that run_autograder writes when the grader did not even start; its
    exit status goes where @STATUS@ is."""
    message = in_language(language, "gradescope.cannot_start", status="@STATUS@")
    return json.dumps({"score": 0, "output": message, "tests": []}, ensure_ascii=False) + "\n"


def build_zip(dist: Path = DIST, hints: bool | None = None, language: str | None = None) -> Path:
    """Write dist/gradescope/ (the zip's content) and dist/gradescope/autograder.zip, in
    `language` (default: the one in use); `hints` overrides the course's setting for the
    graded runs there."""
    language = language or current()
    folder = dist / "gradescope"
    source = folder / "source"
    shutil.rmtree(folder, ignore_errors=True)
    source.mkdir(parents=True)
    copy_engine(source, students=False)
    settings = settings_text(language=language, hints=hints)
    (source / "autograder" / "settings.toml").write_text(settings)
    (source / "cannot-start.json").write_text(cannot_start(language), encoding="utf-8")
    copy_assignments(source)
    shutil.copytree(
        SOLUTIONS,
        source / "solutions" / SOLUTIONS.name,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    (source / "requirements.txt").write_text("\n".join(pinned_requirements()) + "\n")
    for name, text in (
        ("setup.sh", SETUP_SH.format(python=python)),
        ("run_autograder", RUN_AUTOGRADER),
    ):
        (source / name).write_text(text)
        (source / name).chmod(0o755)
    archive = folder / "autograder.zip"
    write_zip(source, archive)
    return archive
