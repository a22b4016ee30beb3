"""Hidden checks of part 6: the public checks, on harder inputs students never saw."""

from autograder.checks.public.test_part6 import *  # noqa: F403
