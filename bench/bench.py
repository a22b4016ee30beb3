"""Grading speed, measured in one run against the floor `python -c "import torch"` and
against `nbgrader autograde` on the same submissions as notebooks.

Every command runs as a new process, as a user would run it, `--repeat` times, interleaved
so that a noisy moment of the machine hits every measurement alike; medians are reported.
The expected values are computed before the timed runs (as a Gradescope setup.sh does).
A `watch` process is timed apart: from saving a part file to the end of its check, for every
part in turn, in the default sandbox mode and in mode portable. Writes build/bench.json and
build/bench.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NBGRADER_REPEAT = 2  # nbgrader autograde takes half a minute per submission: fewer runs
WATCH_PAUSE = 2.0  # seconds between two saves in the watch measurement, as a student types
PORTABLE = {"AUTOGRADER_SANDBOX": "portable"}
ENDLESS_TRAIN = "def train(*args, **kwargs):\n    while True:\n        pass\n"
sys.path.insert(0, str(ROOT / "tests"))


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    """Wall time of a command run to completion (its output discarded)."""
    started = time.perf_counter()
    subprocess.run(
        command,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})},
    )
    return time.perf_counter() - started


def watch_rechecks(folder: Path, rounds: int, env: dict[str, str] | None = None) -> list[float]:
    """Seconds from saving a part file to the end of its check in one `watch` process, for
    every part in turn, `rounds` times."""
    from autograder.kit import load_parts

    proc = subprocess.Popen(
        [PYTHON, "-u", "-m", "autograder", "watch", str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "200", **(env or {})},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

    def wait_for(text: str) -> None:
        while text not in lines.get(timeout=120):
            pass

    samples = []
    try:
        wait_for("Watching")
        for _ in range(rounds):
            for part in load_parts():
                time.sleep(WATCH_PAUSE)
                path = folder / "intro_pytorch" / part.filename
                path.write_text(path.read_text() + "\n")
                saved = time.perf_counter()
                wait_for("tasks done.")
                samples.append(time.perf_counter() - saved)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    return samples


def make_submissions(folder: Path, count: int) -> Path:
    """`count` students: the reference and mutants of the corpus, in turn."""
    from corpus import MUTANTS
    from grading_helpers import make_submission
    from test_corpus import mutate

    for index in range(count):
        if index % 2 == 0:
            make_submission(folder / f"student{index:03d}")
        else:
            mutant = MUTANTS[(index // 2) % len(MUTANTS)]
            make_submission(folder / f"student{index:03d}", replace={mutant.module: mutate(mutant)})
    return folder


def nbgrader_autograde(scratch: Path, students: int) -> float:
    """Seconds of one `nbgrader autograde` run over `students` submitted notebook sets (the
    reference and mutants), in a course that `make nbgrader` would build. The checks' cache
    starts empty, as on a grading machine."""
    from corpus import MUTANTS
    from test_corpus import mutate
    from test_nbgrader import submit

    from autograder.course.nbgrader_course import ASSIGNMENT, build_course, nbgrader
    from autograder.kit import load_parts

    course = scratch / "course"
    if not course.exists():
        build_course(course)
    texts = {
        part.module: (ROOT / "solutions" / "intro_pytorch" / part.filename).read_text()
        for part in load_parts()
    }
    run = scratch / f"run{len(list(scratch.glob('run*')))}"
    shutil.copytree(course, run)
    names = [f"student{index}" for index in range(students)]
    for index, name in enumerate(names):
        changed = dict(texts)
        if index:
            mutant = MUTANTS[index % len(MUTANTS)]
            changed[mutant.module] = mutate(mutant)
        submit(run, name, changed)
    (run / "students.csv").write_text("\n".join(["id,first_name", *(f"{n},{n}" for n in names)]))
    nbgrader(run, "db", "student", "import", "students.csv")
    os.environ["XDG_CACHE_HOME"] = str(run / "cache")
    started = time.perf_counter()
    nbgrader(run, "autograde", ASSIGNMENT)
    return time.perf_counter() - started


def measure(repeat: int, batch: tuple[int, int], students: int) -> dict[str, object]:
    from grading_helpers import make_submission

    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        small, large = (make_submissions(scratch / f"s{n}", n) for n in batch)
        endless = make_submission(scratch / "endless", append={"part5_training": ENDLESS_TRAIN})
        grade = [
            PYTHON,
            "-m",
            "autograder",
            "grade",
            "solutions",
            "--results",
            str(scratch / "r.json"),
        ]
        check = [PYTHON, "-m", "autograder", "grade", "solutions", "--public"]
        commands: dict[str, Callable[[], float]] = {
            "import torch": lambda: timed([PYTHON, "-c", "import torch"]),
            "check, all parts": lambda: timed(check),
            "check, all parts, portable": lambda: timed(check, PORTABLE),
            "grade, parts 1-2": lambda: timed([*grade, "--part", "1", "--part", "2"]),
            "grade, all parts": lambda: timed(grade),
            "grade, endless train()": lambda: timed([*grade[:4], str(endless)]),
        }
        for name, folder in ((f"grade-all, {batch[0]}", small), (f"grade-all, {batch[1]}", large)):
            commands[name] = lambda folder=folder: timed(
                [
                    PYTHON,
                    "-m",
                    "autograder",
                    "grade-all",
                    str(folder),
                    "--force",
                    "--out",
                    str(scratch / "out"),
                ]
            )
        timed(grade)  # expected values computed and cached before the timed runs
        timed(check)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        nbgrader_runs = []
        for index in range(repeat):
            for name, run in commands.items():
                samples[name].append(run())
            if students and index < NBGRADER_REPEAT:
                nbgrader_runs.append(nbgrader_autograde(scratch / "nbgrader", students))
        watch = {
            "watch re-check": watch_rechecks(make_submission(scratch / "w1"), repeat),
            "watch re-check, portable": watch_rechecks(
                make_submission(scratch / "w2"), repeat, PORTABLE
            ),
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    median = {name: statistics.median(values) for name, values in samples.items()}
    median.update({name: statistics.median(values) for name, values in watch.items()})
    floor = median["import torch"]
    marginal = (median[f"grade-all, {batch[1]}"] - median[f"grade-all, {batch[0]}"]) / (
        batch[1] - batch[0]
    )
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "repeat": repeat,
        "samples": {**samples, **watch},
        "median_seconds": median,
        "watch_slowest_seconds": {name: max(values) for name, values in watch.items()},
        "grade_all_marginal_seconds": marginal,
        "ratios": {
            "check / import torch": median["check, all parts"] / floor,
            "check, portable / import torch": median["check, all parts, portable"] / floor,
            "watch re-check / import torch": median["watch re-check"] / floor,
            "watch re-check, portable / import torch": median["watch re-check, portable"] / floor,
            "grade of an endless train() / grade": median["grade, endless train()"]
            / median["grade, all parts"],
            "grade parts 1-2 / import torch": median["grade, parts 1-2"] / floor,
            "grade / import torch": median["grade, all parts"] / floor,
            "grade-all marginal / import torch": marginal / floor,
        },
    }
    if nbgrader_runs:
        per_submission = statistics.median(nbgrader_runs) / students
        results["nbgrader"] = {
            "students": students,
            "runs_seconds": nbgrader_runs,
            "per_submission_seconds": per_submission,
            "per_notebook_seconds": per_submission / 7,
        }
        results["ratios"]["nbgrader autograde per notebook / grade-all marginal"] = (
            per_submission / 7 / marginal
        )
        results["ratios"]["nbgrader autograde per submission / grade-all marginal"] = (
            per_submission / marginal
        )
        results["ratios"]["nbgrader autograde per submission / grade"] = (
            per_submission / median["grade, all parts"]
        )
    return results


def plot(results: dict[str, object], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    median = dict(results["median_seconds"])
    median["grade-all, per extra submission"] = results["grade_all_marginal_seconds"]
    if "nbgrader" in results:
        median["nbgrader autograde, per submission"] = results["nbgrader"]["per_submission_seconds"]
    names = list(median)
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(names) + 1.2))
    ax.barh(names, [median[n] for n in names], color="tab:blue")
    ax.axvline(median["import torch"], color="tab:red", linestyle="--", label="import torch")
    ax.invert_yaxis()
    ax.set_xlabel("seconds (median)")
    ax.set_title(f"Grading time, {results['machine']}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, nargs=2, default=(2, 10), metavar=("SMALL", "LARGE"))
    parser.add_argument(
        "--nbgrader-students", type=int, default=3, help="submissions per nbgrader run (0: skip)"
    )
    args = parser.parse_args(argv)
    results = measure(args.repeat, tuple(args.batch), args.nbgrader_students)
    out = ROOT / "build"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2))
    plot(results, out / "bench.png")
    width = max(len(name) for name in results["median_seconds"]) + len(", slowest")
    for name, seconds in results["median_seconds"].items():
        print(f"{name:<{width}}  {seconds:6.2f} s")
    marginal = results["grade_all_marginal_seconds"]
    print(f"{'grade-all per extra submission':<{width}}  {marginal:6.2f} s")
    for name, seconds in results["watch_slowest_seconds"].items():
        print(f"{name + ', slowest':<{width}}  {seconds:6.2f} s")
    if "nbgrader" in results:
        nb = results["nbgrader"]
        print(
            f"nbgrader autograde: {nb['per_submission_seconds']:.1f} s per submission, "
            f"{nb['per_notebook_seconds']:.1f} s per notebook ({nb['students']} submissions)"
        )
    for name, ratio in results["ratios"].items():
        print(f"{name}: {ratio:.2f}")
    print(f"machine: {results['machine']}; medians of {args.repeat} runs; build/bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
