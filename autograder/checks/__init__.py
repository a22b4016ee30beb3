"""The graded checks: `public/` ships to students, `hidden/` stays with the instructors.

The hidden set runs the public checks on inputs students never saw (harder cases, and
seeds salted with a value that only the hidden set holds), plus any checks of its own.
"""
