"""Hidden checks of part 6: the public checks, on other numbers."""

from autograder.checks.public.test_part6 import *  # noqa: F403
