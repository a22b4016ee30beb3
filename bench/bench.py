"""Grading speed, measured in one run against the floor `python -c "import torch"`.

Every command runs as a new process, as a user would run it, `--repeat` times, interleaved
so that a noisy moment of the machine hits every measurement alike; medians are reported.
The expected values are computed before the timed runs (as a Gradescope setup.sh does).
Writes build/bench.json and build/bench.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT / "tests"))


def timed(command: list[str]) -> float:
    """Wall time of a command run to completion (its output discarded)."""
    started = time.perf_counter()
    subprocess.run(
        command,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    return time.perf_counter() - started


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


def measure(repeat: int, batch: tuple[int, int]) -> dict[str, object]:
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        small, large = (make_submissions(scratch / f"s{n}", n) for n in batch)
        grade = [
            PYTHON,
            "-m",
            "autograder",
            "grade",
            "solutions",
            "--results",
            str(scratch / "r.json"),
        ]
        commands: dict[str, Callable[[], float]] = {
            "import torch": lambda: timed([PYTHON, "-c", "import torch"]),
            "grade, parts 1-2": lambda: timed([*grade, "--part", "1", "--part", "2"]),
            "grade, all parts": lambda: timed(grade),
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
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, run in commands.items():
                samples[name].append(run())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    median = {name: statistics.median(values) for name, values in samples.items()}
    floor = median["import torch"]
    marginal = (median[f"grade-all, {batch[1]}"] - median[f"grade-all, {batch[0]}"]) / (
        batch[1] - batch[0]
    )
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "repeat": repeat,
        "samples": samples,
        "median_seconds": median,
        "grade_all_marginal_seconds": marginal,
        "ratios": {
            "grade parts 1-2 / import torch": median["grade, parts 1-2"] / floor,
            "grade / import torch": median["grade, all parts"] / floor,
            "grade-all marginal / import torch": marginal / floor,
        },
    }


def plot(results: dict[str, object], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    median = dict(results["median_seconds"])
    median["grade-all, per extra submission"] = results["grade_all_marginal_seconds"]
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
    args = parser.parse_args(argv)
    results = measure(args.repeat, tuple(args.batch))
    out = ROOT / "build"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2))
    plot(results, out / "bench.png")
    width = max(len(name) for name in results["median_seconds"])
    for name, seconds in results["median_seconds"].items():
        print(f"{name:<{width}}  {seconds:6.2f} s")
    marginal = results["grade_all_marginal_seconds"]
    print(f"{'grade-all per extra submission':<{width}}  {marginal:6.2f} s")
    for name, ratio in results["ratios"].items():
        print(f"{name}: {ratio:.2f}")
    print(f"machine: {results['machine']}; medians of {args.repeat} runs; build/bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
