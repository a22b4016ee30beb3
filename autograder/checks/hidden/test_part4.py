"""Hidden checks of part 4: the public checks, on harder inputs students never saw."""

from autograder.checks.public.test_part4 import *  # noqa: F403
