"""What the instructor builds and runs from the kit: the stubs, the student bundle, the
Gradescope zip, the nbgrader course and its grading, and the calibration of the checks.
Nothing here ships to students."""
