"""Hidden checks of part 5: the public checks, on other numbers."""

from autograder.checks.public.test_part5 import *  # noqa: F403
