"""Hidden checks of part 7: the public checks, on harder inputs students never saw."""

from autograder.checks.public.test_part7 import *  # noqa: F403
