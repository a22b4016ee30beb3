"""Hidden checks of part 3: the public checks, on other numbers."""

from autograder.checks.public.test_part3 import *  # noqa: F403
