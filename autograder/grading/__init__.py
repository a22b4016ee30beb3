"""The trusted side of grading: the grader, the pytest plugin that runs the checks, the
comparisons, the probe runner, the reference's expected values, submission staging and
batch grading. Nothing here imports submission code."""
