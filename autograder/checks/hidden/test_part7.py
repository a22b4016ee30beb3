"""Hidden checks of part 7: the public checks, on other numbers."""

from autograder.checks.public.test_part7 import *  # noqa: F403
