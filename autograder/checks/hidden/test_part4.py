"""Hidden checks of part 4: the public checks, on other numbers."""

from autograder.checks.public.test_part4 import *  # noqa: F403
