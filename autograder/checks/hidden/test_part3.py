"""Hidden checks of part 3: the public checks, on harder inputs students never saw."""

from autograder.checks.public.test_part3 import *  # noqa: F403
