"""Command line of the kit: `python -m autograder <command>`."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import traceback
from pathlib import Path

from autograder.kit import ASSIGNMENTS, SOLUTIONS, load_parts, write_atomic

EXIT_FINISHED, EXIT_GRADER_BROKE, EXIT_BAD_ARGUMENT = 0, 1, 2
INSTRUCTORS = "autograder.course"  # what only the instructor's kit holds
STOPPED = "\nStopped: nothing is left running."


def _assignments(args: argparse.Namespace) -> int:
    from autograder.course.stubs import StubError, stale_assignments, write_assignments

    try:
        if args.check:
            stale = stale_assignments()
            if stale:
                print(
                    f"out of date in {ASSIGNMENTS}: {', '.join(stale)}\n"
                    "run `make assignments` and commit the result",
                    file=sys.stderr,
                )
                return 1
            print("assignments are up to date")
            return 0
        changed = write_assignments()
    except StubError as error:
        print(f"cannot make stubs from {SOLUTIONS}: {error}", file=sys.stderr)
        return 1
    print(f"updated: {', '.join(changed)}" if changed else "assignments are up to date")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from autograder.grading.grader import grade
    from autograder.grading.submission import SubmissionError, find_package_folder
    from autograder.reports.results import write_results
    from autograder.reports.terminal import print_summary

    try:
        find_package_folder(args.submission)
    except SubmissionError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    try:
        report = grade(
            args.submission,
            public=args.public,
            part_numbers=set(args.part or []) or None,
            timeout=args.timeout,
        )
    except Exception as error:  # noqa: BLE001 - a broken grader still leaves a result
        traceback.print_exc()
        if args.results:
            _write_failure(args.results, error)
        return EXIT_GRADER_BROKE
    if args.results:
        write_results(args.results, report)
    print_summary(report)
    return EXIT_GRADER_BROKE if report.grader_errors else EXIT_FINISHED


def _check(args: argparse.Namespace) -> int:
    """The public checks of the student's own work in assignments/."""
    args.submission, args.public, args.timeout = ASSIGNMENTS.parent, True, None
    args.part = args.parts
    return _grade(args)


def _watch(args: argparse.Namespace) -> int:
    from autograder.grading.submission import SubmissionError, find_package_folder
    from autograder.grading.watch import watch

    try:
        find_package_folder(args.submission)
    except SubmissionError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    try:
        watch(args.submission)
    except KeyboardInterrupt:
        print(STOPPED)
    return EXIT_FINISHED


def _demo(args: argparse.Namespace) -> int:
    """Run a part of the student's own package as a program, in a Python of its own."""
    module = next(part.module for part in load_parts() if part.number == args.part)
    path = os.pathsep.join(filter(None, [str(ASSIGNMENTS.parent), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "MPLBACKEND": "Agg"}
    try:
        return subprocess.run(
            [sys.executable, "-m", f"{ASSIGNMENTS.name}.{module}"], env=env
        ).returncode
    except KeyboardInterrupt:
        return 130


def _grade_all(args: argparse.Namespace) -> int:
    from autograder.grading.batch import run_batch

    if not args.submissions.is_dir():
        print(f"error: {args.submissions} is not a folder", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    graded = run_batch(
        args.submissions,
        args.out,
        force=args.force,
        public=args.public,
        jobs=args.jobs,
        timeout=args.timeout,
    )
    broken = [g for g in graded if g.error or (g.report and g.report.grader_errors)]
    return EXIT_GRADER_BROKE if broken else EXIT_FINISHED


def _release(args: argparse.Namespace) -> int:
    from autograder.course.bundle import ReleaseError, build_bundle
    from autograder.kit import DIST

    try:
        archive = build_bundle(args.dist or DIST)
    except ReleaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_GRADER_BROKE
    print(f"student bundle in {archive.parent / 'student'} and {archive}")
    return EXIT_FINISHED


def _gradescope(args: argparse.Namespace) -> int:
    from autograder.course.gradescope import build_zip
    from autograder.kit import DIST

    archive = build_zip(args.dist or DIST)
    print(f"Gradescope autograder in {archive} (its content in {archive.parent / 'source'})")
    return EXIT_FINISHED


def _build_nbgrader(args: argparse.Namespace) -> int:
    from autograder.course.nbgrader_course import COURSE, CourseError, build_course

    try:
        release = build_course(args.course or COURSE)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_GRADER_BROKE
    print(f"nbgrader course in {release.parent.parent}; student notebooks in {release}")
    return EXIT_FINISHED


def _grade_nbgrader(args: argparse.Namespace) -> int:
    from autograder.course.nbgrader_grade import CourseDataError, grade_nbgrader

    if not args.course.is_dir():
        print(f"error: {args.course} is not a folder", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    broken = 0
    try:
        for graded in grade_nbgrader(args.course, args.assignment, args.out, args.timeout):
            report = graded.report
            if report is None:
                print(f"{graded.student}: not graded")
            else:
                late = f", late penalty {graded.late_penalty:g}" if graded.late_penalty else ""
                print(
                    f"{graded.student}: {report.score:g}/{report.max_score:g}{late} "
                    f"in {report.seconds:.1f} s"
                )
            for notebook in graded.unreadable:
                print(f"  {notebook} is not a readable notebook: its checks score 0")
            for error in report.grader_errors if report else []:
                print(f"  grader error, not recorded in the gradebook: {error}", file=sys.stderr)
            for problem in graded.problems:
                print(f"  {problem}", file=sys.stderr)
            broken += bool(graded.problems or (report and report.grader_errors))
    except CourseDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    return EXIT_GRADER_BROKE if broken else EXIT_FINISHED


def _write_failure(path: Path, error: Exception) -> None:
    """results.json for a run the grader itself could not finish: score 0 and the reason."""
    import json

    from autograder import __version__

    results = {
        "score": 0,
        "output": f"The grader failed before it could finish ({type(error).__name__}: {error}). "
        "This is not your fault: please tell your instructor.",
        "tests": [],
        "extra_data": {"kit_version": __version__, "grader_errors": [str(error)]},
    }
    write_atomic(path, json.dumps(results, indent=2))


def _part_number(text: str) -> int:
    numbers = [part.number for part in load_parts()]
    if not text.isdigit() or int(text) not in numbers:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a part: use {numbers[0]} to {numbers[-1]}"
        )
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grade = commands.add_parser("grade", help="grade one submission")
    grade.add_argument(
        "submission",
        type=Path,
        help="a folder holding intro_pytorch/, the package folder itself, or its part files",
    )
    grade.add_argument("--results", type=Path, help="write Gradescope's results.json here")
    grade.add_argument(
        "--public", action="store_true", help="run the public checks (those students have)"
    )
    grade.add_argument(
        "--part",
        type=int,
        action="append",
        choices=range(1, 8),
        metavar="N",
        help="grade only part N (repeatable)",
    )
    grade.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="at most this many seconds for each probe (each check sets its own otherwise)",
    )
    grade.set_defaults(run=_grade)

    check = commands.add_parser(
        "check", help="run the public checks on your work in assignments/ (all parts, or PART)"
    )
    check.add_argument("parts", type=_part_number, nargs="*", metavar="PART")
    check.add_argument("--results", type=Path, help="also write the results to this file")
    check.set_defaults(run=_check)

    watching = commands.add_parser(
        "watch", help="check every part, then each part again whenever you save its file"
    )
    watching.add_argument(
        "submission", type=Path, nargs="?", default=ASSIGNMENTS.parent, help="default: assignments"
    )
    watching.set_defaults(run=_watch)

    demo = commands.add_parser("demo", help="run part N of your work as a program (its demo)")
    demo.add_argument("part", type=_part_number, metavar="N")
    demo.set_defaults(run=_demo)

    plot = commands.add_parser(
        "plot", help="train your network and save its decision boundary to boundary.png"
    )
    plot.set_defaults(run=_demo, part=7)

    batch = commands.add_parser(
        "grade-all", help="grade every subfolder of SUBMISSIONS (one per student)"
    )
    batch.add_argument("submissions", type=Path, help="a folder with one subfolder per student")
    batch.add_argument("--out", type=Path, required=True, help="where the reports go")
    batch.add_argument("--jobs", type=int, help="probes run at once (default: all cores)")
    batch.add_argument("--force", action="store_true", help="grade students graded before too")
    batch.add_argument("--public", action="store_true", help="run the public checks only")
    batch.add_argument("--timeout", type=float, metavar="SECONDS", help="cap on each probe")
    batch.set_defaults(run=_grade_all)

    course = commands.add_parser(
        "build-nbgrader", help="build the nbgrader course and release it with nbgrader"
    )
    course.add_argument("--course", type=Path, help="the course folder (default: build/nbgrader)")
    course.set_defaults(run=_build_nbgrader)

    nbgrader = commands.add_parser(
        "grade-nbgrader",
        help="grade an nbgrader course's submitted notebooks, isolated, into its gradebook "
        "and autograded/ (as nbgrader autograde, without a kernel)",
    )
    nbgrader.add_argument("course", type=Path, help="the nbgrader course folder")
    nbgrader.add_argument("assignment", help="the assignment, e.g. intro_pytorch")
    nbgrader.add_argument("--out", type=Path, help="also write OUT/<student>/results.json")
    nbgrader.add_argument("--timeout", type=float, metavar="SECONDS", help="cap on each probe")
    nbgrader.set_defaults(run=_grade_nbgrader)

    stubs = commands.add_parser(
        "assignments", help="generate the student stubs in assignments/ from solutions/"
    )
    stubs.add_argument(
        "--check", action="store_true", help="only report stubs that are out of date (exit 1)"
    )
    stubs.set_defaults(run=_assignments)

    release = commands.add_parser(
        "release", help="write the student bundle: dist/student/ and its zip (public checks only)"
    )
    release.add_argument("--dist", type=Path, help="the output folder (default: dist)")
    release.set_defaults(run=_release)

    gradescope = commands.add_parser(
        "gradescope", help="write Gradescope's dist/gradescope/autograder.zip"
    )
    gradescope.add_argument("--dist", type=Path, help="the output folder (default: dist)")
    gradescope.set_defaults(run=_gradescope)
    return parser


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends the grader as Ctrl-C does: what it changed while running is undone."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        return args.run(args)
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith(INSTRUCTORS):
            raise
        print(
            f"error: `{args.command}` is for the instructor's kit, not this copy", file=sys.stderr
        )
        return EXIT_BAD_ARGUMENT
