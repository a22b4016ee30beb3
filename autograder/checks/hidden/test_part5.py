"""Hidden checks of part 5: the public checks, on harder inputs students never saw."""

from autograder.checks.public.test_part5 import *  # noqa: F403
