"""Hidden checks of part 1: the public checks, on harder inputs students never saw."""

from autograder.checks.public.test_part1 import *  # noqa: F403
