"""Command line of the kit: `python -m autograder <command>`."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import traceback
from pathlib import Path

from autograder.i18n import ENVIRONMENT, LANGUAGES, LanguageError, _, choose, current, use
from autograder.kit import ASSIGNMENTS, SOLUTIONS, SWITCH, load_parts, write_atomic

EXIT_FINISHED, EXIT_GRADER_BROKE, EXIT_BAD_ARGUMENT = 0, 1, 2
INSTRUCTORS = "autograder.course"  # what only the instructor's kit holds


def _assignments(args: argparse.Namespace) -> int:
    from autograder.course.stubs import StubError, stale_assignments, write_assignments

    try:
        if args.check:
            stale = stale_assignments()
            if stale:
                files = ", ".join(stale)
                print(_("cli.stubs_stale", folder=ASSIGNMENTS, files=files), file=sys.stderr)
                return 1
            print(_("cli.stubs_up_to_date"))
            return 0
        changed = write_assignments()
    except StubError as error:
        print(_("cli.stubs_failed", folder=SOLUTIONS, error=error), file=sys.stderr)
        return 1
    print(
        _("cli.stubs_updated", files=", ".join(changed)) if changed else _("cli.stubs_up_to_date")
    )
    return 0


def _cannot_grade(submission: Path) -> bool:
    """Say why `submission` cannot be graded at all (no such folder), if it cannot."""
    from autograder.grading.submission import SubmissionError, find_package_folder

    try:
        find_package_folder(submission)
    except SubmissionError as error:
        print(_("cli.error", error=error), file=sys.stderr)
        return True
    return False


def _grade(args: argparse.Namespace) -> int:
    from autograder.grading.grader import grade
    from autograder.reports.results import write_results
    from autograder.reports.terminal import print_summary

    if _cannot_grade(args.submission):
        return EXIT_BAD_ARGUMENT
    try:
        report = grade(
            args.submission,
            public=args.public,
            part_numbers=set(args.part or []) or None,
            timeout=args.timeout,
            hints=args.hints,
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
    from autograder.grading.watch import watch

    if _cannot_grade(args.submission):
        return EXIT_BAD_ARGUMENT
    try:
        watch(args.submission)
    except KeyboardInterrupt:
        print("\n" + _("cli.stopped"))
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
        not_a_folder = _("cli.not_a_folder", path=args.submissions)
        print(_("cli.error", error=not_a_folder), file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    graded = run_batch(
        args.submissions,
        args.out,
        force=args.force,
        public=args.public,
        jobs=args.jobs,
        timeout=args.timeout,
        hints=args.hints,
    )
    broken = [g for g in graded if g.error or (g.report and g.report.grader_errors)]
    return EXIT_GRADER_BROKE if broken else EXIT_FINISHED


def _release(args: argparse.Namespace) -> int:
    from autograder.course.bundle import ReleaseError, build_bundle
    from autograder.kit import DIST

    try:
        archive = build_bundle(args.dist or DIST)
    except ReleaseError as error:
        print(_("cli.error", error=error), file=sys.stderr)
        return EXIT_GRADER_BROKE
    print(_("cli.released", folder=archive.parent / "student", archive=archive))
    return EXIT_FINISHED


def _gradescope(args: argparse.Namespace) -> int:
    from autograder.course.gradescope import build_zip
    from autograder.kit import DIST

    archive = build_zip(args.dist or DIST, hints=args.hints)
    print(_("cli.gradescope_written", archive=archive, folder=archive.parent / "source"))
    return EXIT_FINISHED


def _build_nbgrader(args: argparse.Namespace) -> int:
    from autograder.course.nbgrader_course import COURSE, CourseError, build_course

    try:
        release = build_course(args.course or COURSE)
    except CourseError as error:
        print(_("cli.error", error=error), file=sys.stderr)
        return EXIT_GRADER_BROKE
    print(_("cli.course_written", course=release.parent.parent, release=release))
    return EXIT_FINISHED


def _grade_nbgrader(args: argparse.Namespace) -> int:
    from autograder.course.nbgrader_grade import CourseDataError, course_language, grade_nbgrader

    if not args.course.is_dir():
        print(_("cli.error", error=_("cli.not_a_folder", path=args.course)), file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    if not args.language_asked:  # the course's own language, as `make nbgrader` built it
        use(course_language(args.course))
        os.environ[ENVIRONMENT] = current()
    broken = 0
    try:
        for graded in grade_nbgrader(
            args.course, args.assignment, args.out, args.timeout, args.hints
        ):
            report = graded.report
            if report is None:
                print(_("cli.nbgrader_not_graded", student=graded.student))
            else:
                values = {
                    "student": graded.student,
                    "score": f"{report.score:g}/{report.max_score:g}",
                    "seconds": f"{report.seconds:.1f}",
                }
                if graded.late_penalty:
                    late = f"{graded.late_penalty:g}"
                    print(_("cli.nbgrader_graded_late", penalty=late, **values))
                else:
                    print(_("cli.nbgrader_graded", **values))
            for notebook in graded.unreadable:
                print("  " + _("cli.nbgrader_unreadable", notebook=notebook))
            for error in report.grader_errors if report else []:
                print("  " + _("cli.nbgrader_grader_error", error=error), file=sys.stderr)
            for problem in graded.problems:
                print(f"  {problem}", file=sys.stderr)
            broken += bool(graded.problems or (report and report.grader_errors))
    except CourseDataError as error:
        print(_("cli.error", error=error), file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    return EXIT_GRADER_BROKE if broken else EXIT_FINISHED


def _write_failure(path: Path, error: Exception) -> None:
    """results.json for a run the grader itself could not finish: score 0 and the reason."""
    import json

    from autograder import __version__

    results = {
        "score": 0,
        "output": _("cli.grader_failed", error=f"{type(error).__name__}: {error}"),
        "tests": [],
        "extra_data": {"kit_version": __version__, "grader_errors": [str(error)]},
    }
    write_atomic(path, json.dumps(results, indent=2))


# argparse's own words that a student can meet, by the message that says them
ARGPARSE_WORDS = {
    "usage: ": "argparse.usage",
    "positional arguments": "argparse.positional",
    "options": "argparse.options",
    "show this help message and exit": "argparse.help",
    "argument %(argument_name)s: %(message)s": "argparse.argument",
    "unrecognized arguments: %s": "argparse.unrecognized",
    "the following arguments are required: %s": "argparse.required",
    "expected one argument": "argparse.expected_one",
    "invalid %(type)s value: %(value)r": "argparse.invalid_value",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.invalid_choice",
    "%(prog)s: error: %(message)s\n": "argparse.error",
}


def _argparse_words(text: str) -> str:
    message_id = ARGPARSE_WORDS.get(text)
    return _(message_id) if message_id else text


argparse._ = _argparse_words  # argparse's words in the language in use


def _hints_option(parser: argparse.ArgumentParser, help_id: str = "cli.help.hints") -> None:
    parser.add_argument(
        "--hints", choices=sorted(SWITCH), type=str.lower, help=_(help_id), metavar="on|off"
    )
    parser.set_defaults(switch_hints=True)


def _part_number(text: str) -> int:
    numbers = [part.number for part in load_parts()]
    if not text.isdigit() or int(text) not in numbers:
        raise argparse.ArgumentTypeError(
            _("cli.not_a_part", text=repr(text), first=numbers[0], last=numbers[-1])
        )
    return int(text)


def _command(commands, name: str, run, **extra) -> argparse.ArgumentParser:  # noqa: ANN001
    """A subcommand with its help from the catalogs and the --lang every command takes."""
    parser = commands.add_parser(name, help=_(f"cli.help.{name.replace('-', '_')}"), **extra)
    parser.add_argument(
        "--lang", choices=LANGUAGES, metavar="|".join(LANGUAGES), help=_("cli.help.lang")
    )
    parser.set_defaults(run=run)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=_("cli.help.kit"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grade = _command(commands, "grade", _grade)
    grade.add_argument("submission", type=Path, help=_("cli.help.submission"))
    grade.add_argument("--results", type=Path, help=_("cli.help.results"))
    grade.add_argument("--public", action="store_true", help=_("cli.help.public"))
    grade.add_argument(
        "--part",
        type=int,
        action="append",
        choices=range(1, 8),
        metavar="N",
        help=_("cli.help.part"),
    )
    grade.add_argument("--timeout", type=float, metavar="SECONDS", help=_("cli.help.timeout"))
    _hints_option(grade)

    check = _command(commands, "check", _check)
    check.add_argument("parts", type=_part_number, nargs="*", metavar="PART")
    check.add_argument("--results", type=Path, help=_("cli.help.check_results"))
    check.set_defaults(hints=None)

    watching = _command(commands, "watch", _watch)
    watching.add_argument(
        "submission", type=Path, nargs="?", default=ASSIGNMENTS.parent, help=_("cli.help.watched")
    )

    demo = _command(commands, "demo", _demo)
    demo.add_argument("part", type=_part_number, metavar="N")
    _command(commands, "plot", _demo).set_defaults(part=7)

    batch = _command(commands, "grade-all", _grade_all)
    batch.add_argument("submissions", type=Path, help=_("cli.help.submissions"))
    batch.add_argument("--out", type=Path, required=True, help=_("cli.help.out"))
    batch.add_argument("--jobs", type=int, help=_("cli.help.jobs"))
    batch.add_argument("--force", action="store_true", help=_("cli.help.force"))
    batch.add_argument("--public", action="store_true", help=_("cli.help.public_only"))
    batch.add_argument("--timeout", type=float, metavar="SECONDS", help=_("cli.help.cap"))
    _hints_option(batch)

    course = _command(commands, "build-nbgrader", _build_nbgrader)
    course.add_argument("--course", type=Path, help=_("cli.help.course_folder"))

    nbgrader = _command(commands, "grade-nbgrader", _grade_nbgrader)
    nbgrader.add_argument("course", type=Path, help=_("cli.help.nbgrader_course"))
    nbgrader.add_argument("assignment", help=_("cli.help.assignment"))
    nbgrader.add_argument("--out", type=Path, help=_("cli.help.nbgrader_out"))
    nbgrader.add_argument("--timeout", type=float, metavar="SECONDS", help=_("cli.help.cap"))
    _hints_option(nbgrader)

    stubs = _command(commands, "assignments", _assignments)
    stubs.add_argument("--check", action="store_true", help=_("cli.help.stubs_check"))

    release = _command(commands, "release", _release)
    release.add_argument("--dist", type=Path, help=_("cli.help.dist"))

    gradescope = _command(commands, "gradescope", _gradescope)
    gradescope.add_argument("--dist", type=Path, help=_("cli.help.dist"))
    _hints_option(gradescope, "cli.help.zip_hints")
    return parser


def _language_asked(argv: list[str]) -> str | None:
    """The value of --lang in the arguments, read before the parser exists (its help is
    written in that language)."""
    for index, argument in enumerate(argv):
        if argument.startswith("--lang="):
            return argument.partition("=")[2]
        if argument == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
    return None


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends the grader as Ctrl-C does: what it changed while running is undone."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    asked = _language_asked(argv) or os.environ.get(ENVIRONMENT)
    try:
        language = choose(_language_asked(argv))
    except LanguageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    use(language)
    # what this command starts (the grader's checks in a notebook, the demos) speaks it too
    os.environ[ENVIRONMENT] = language
    args = build_parser().parse_args(argv)
    args.language_asked = asked
    if getattr(args, "switch_hints", False):
        args.hints = None if args.hints is None else SWITCH[args.hints]
    signal.signal(signal.SIGTERM, _terminated)
    try:
        return args.run(args)
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith(INSTRUCTORS):
            raise
        print(
            _("cli.error", error=_("cli.instructors_only", command=args.command)), file=sys.stderr
        )
        return EXIT_BAD_ARGUMENT
