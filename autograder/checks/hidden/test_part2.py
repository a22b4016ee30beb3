"""Hidden checks of part 2: the public checks, on other numbers."""

from autograder.checks.public.test_part2 import *  # noqa: F403
