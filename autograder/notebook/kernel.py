"""What the nbgrader notebooks import: sibling parts served from notebooks, and `check`.

A notebook's module is the code of its cells, minus the kit's own cells (the setup cell
and the test cells), with IPython-only lines (`%magic`, `!shell`) commented out. The same
text is graded by `check` here and by `grade-nbgrader`, and imported by `setup_notebook`.
`check` grades in a subprocess with the isolated engine, but it is called from the
student's own kernel: code there could replace `check` itself (see the README).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.util
import inspect
import json
import linecache
import os
import re
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from autograder.i18n import ENVIRONMENT, _, choose, current, use
from autograder.kit import ENGINE, PACKAGE, READ_AS_IS, SOLUTIONS, load_parts, write_atomic

SETUP_ID = "setup"
CHECK_PREFIX = "check_"
IPYTHON_ONLY = re.compile(r"^(\s*)([%!])", re.MULTILINE)
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "intro_pytorch_checks"
MAX_NOTEBOOK_BYTES = 32 << 20
AUTOGRADING = "autograde"  # the value nbgrader gives NBGRADER_EXECUTION while autograding


def check_cell_id(task_id: str) -> str:
    """The nbgrader grade_id of the test cell of a task: "3.2" -> "check_3_2"."""
    return CHECK_PREFIX + task_id.replace(".", "_")


def _is_kit_cell(cell: dict[str, Any]) -> bool:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
    return grade_id == SETUP_ID or grade_id.startswith(CHECK_PREFIX)


def module_source(notebook: dict[str, Any]) -> str:
    """The module text of a notebook (parsed JSON): its code cells but the kit's own."""
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code" or _is_kit_cell(cell):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        cells.append(IPYTHON_ONLY.sub(r"\1# \2", source).rstrip() + "\n")
    return "\n\n".join(cells)


def read_notebook(path: Path) -> dict[str, Any] | None:
    """The parsed notebook at `path`; None unless it is a regular file (not a link) of at most
    MAX_NOTEBOOK_BYTES holding a notebook's JSON."""
    try:
        fd = os.open(path, READ_AS_IS)
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return None
            data = file.read(MAX_NOTEBOOK_BYTES + 1)
        notebook = json.loads(data) if len(data) <= MAX_NOTEBOOK_BYTES else None
    except (OSError, ValueError, RecursionError):
        return None
    return notebook if isinstance(notebook, dict) else None


def part_sources(*folders: Path) -> dict[str, str]:
    """{module: text} of every part whose notebook is found and readable, in the first folder
    that has it."""
    sources = {}
    for part in load_parts():
        for folder in folders:
            try:
                sources[part.module] = module_source(read_notebook(folder / f"{part.module}.ipynb"))
                break
            except (AttributeError, TypeError):  # no notebook, or not a notebook's JSON
                continue
    return sources


class _NotebookParts(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports intro_pytorch.<name> from <name>.ipynb (or <name>.py) in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find_spec(self, fullname: str, path: object = None, target: object = None):
        if fullname == PACKAGE:
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        package, _, name = fullname.partition(".")
        if package != PACKAGE or not name.isidentifier():
            return None
        notebook, script = self.folder / f"{name}.ipynb", self.folder / f"{name}.py"
        if notebook.is_file():
            return importlib.util.spec_from_loader(fullname, self, origin=str(notebook))
        if script.is_file():
            return importlib.util.spec_from_file_location(fullname, script)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        if module.__name__ == PACKAGE:
            return
        try:
            source = module_source(read_notebook(Path(module.__spec__.origin)))
        except (AttributeError, TypeError) as error:
            raise ImportError(f"{module.__spec__.origin} is not a readable notebook") from error
        # a name of its own, so that tracebacks show the notebook's code, not its JSON
        filename = f"{module.__spec__.origin} (as {module.__name__})"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), module.__dict__)


def setup_notebook(folder: Path | None = None, language: str | None = None) -> None:
    """Let `import intro_pytorch.<part>` load the part's notebook from `folder` (default: the
    working directory, where Jupyter and nbgrader run a notebook); speak the course's
    `language` (for the checks here and the grading they start); and give torch one thread,
    several times faster than two for these tiny networks (set before torch is imported)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if language:
        os.environ[ENVIRONMENT] = language
    use(choose())
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _NotebookParts)]
    sys.meta_path.insert(0, _NotebookParts((folder or Path.cwd()).resolve()))
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def _kit_fingerprint() -> str:
    """Hash of the grader, its checks and expected values (or the solutions they come from),
    so that a cached result never outlives any of them."""
    digest = hashlib.sha256()
    for folder in (ENGINE, SOLUTIONS):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".pyc"):
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def _grade(sources: dict[str, str], check_set: str) -> dict[str, dict[str, Any]]:
    """Grade the parts with `python -m autograder grade` once per code; {check id: test}."""
    fingerprint = [_kit_fingerprint(), check_set, current(), sources]
    key = hashlib.sha256(json.dumps(fingerprint).encode())
    cached = CACHE / f"{key.hexdigest()}.json"
    if not cached.is_file():
        with tempfile.TemporaryDirectory(prefix="intro_pytorch-") as folder:
            package = Path(folder) / "submission" / PACKAGE
            package.mkdir(parents=True)
            for module, text in sources.items():
                (package / f"{module}.py").write_text(text, encoding="utf-8")
            results = Path(folder) / "results.json"
            command = [sys.executable, "-m", "autograder", "grade", str(package.parent)]
            command += ["--results", str(results)] + (["--public"] if check_set == "public" else [])
            command += ["--lang", current()]
            done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
            if done.returncode != 0 or not results.is_file():
                output = (done.stderr or done.stdout)[-2000:]
                raise RuntimeError(_("notebook.grader_failed", output=output))
            graded = json.loads(results.read_text(encoding="utf-8"))
        if graded["extra_data"]["check_set"] != check_set:
            raise RuntimeError(_("notebook.not_installed", check_set=_(f"check_set.{check_set}")))
        write_atomic(cached, json.dumps(graded["tests"]))
    return {test["number"]: test for test in json.loads(cached.read_text(encoding="utf-8"))}


def _folders(folder: Path) -> list[Path]:
    """Where the notebooks of this submission are. nbgrader autograde fills
    autograded/<student>/<assignment>/ one notebook at a time: the parts not there yet are
    read from submitted/<student>/<assignment>/ (their code is the same; only the kit's
    cells and the outputs differ)."""
    folders = [folder]
    if autograding() and len(folder.parts) > 3:
        root, step = folder.parents[2], folder.parents[1].name
        if step == "autograded":
            folders.append(root / "submitted" / folder.parent.name / folder.name)
    return folders


def _note_unsaved_changes(function: str, module: str, namespace: dict, sources: dict) -> None:
    try:
        code = inspect.getsource(namespace[function])
    except (KeyError, TypeError, OSError):
        return
    if code not in sources.get(module, ""):
        print(_("notebook.unsaved", function=function))


def autograding() -> bool:
    """True while nbgrader autograde runs this notebook."""
    return os.environ.get("NBGRADER_EXECUTION") == AUTOGRADING


def check(check_id: str, namespace: dict[str, Any], hidden: bool = False) -> None:
    """Grade the saved notebooks of this folder and report check `check_id`: print that it
    passed, or raise AssertionError with its feedback (the test cell then scores 0).

    Every check of one code is graded in one run, in a subprocess, with the kit's isolated
    engine; the results are cached by the code, for the other cells and notebooks.
    `namespace` (the notebook's globals()) shows whether the code run differs from the file.
    """
    task = next((t for p in load_parts() for t in p.tasks if t.id == check_id), None)
    if task is None:
        raise ValueError(_("notebook.no_check", id=repr(check_id)))
    if not hidden and autograding():
        print(_("notebook.graded_by_hidden", id=check_id))
        return
    module = next(p.module for p in load_parts() if task in p.tasks)
    sources = part_sources(*_folders(Path.cwd()))
    _note_unsaved_changes(task.function, module, namespace, sources)
    check_set = "hidden" if hidden else "public"
    test = _grade(sources, check_set)[check_id]
    points = points_text(test["score"], test["max_score"], check_set)
    if test["status"] != "passed":
        heading = _("notebook.failed", id=check_id, points=points, name=test["name"])
        raise AssertionError(f"{heading}\n{test['output']}")
    print(_("notebook.passed", id=check_id, points=points, name=test["name"]))


def points_text(score: float, max_score: float, check_set: str) -> str:
    """ "3/7, public check": a check's points and which set of checks gave them."""
    kind = _(f"notebook.{check_set}_check")
    return _("notebook.points", score=f"{score:g}", max_score=f"{max_score:g}", kind=kind)
