"""Hidden checks of part 1: the public checks, on other numbers."""

from autograder.checks.public.test_part1 import *  # noqa: F403
