"""Command line of the kit: `python -m autograder <command>`."""

from __future__ import annotations

import argparse
import sys

from .stubs import ASSIGNMENTS, SOLUTIONS, StubError, stale_assignments, write_assignments


def _assignments(args: argparse.Namespace) -> int:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    stubs = commands.add_parser(
        "assignments", help="generate the student stubs in assignments/ from solutions/"
    )
    stubs.add_argument(
        "--check", action="store_true", help="only report stubs that are out of date (exit 1)"
    )
    stubs.set_defaults(run=_assignments)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)
