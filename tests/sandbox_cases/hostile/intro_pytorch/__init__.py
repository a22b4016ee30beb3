"""A submission whose functions attack the sandbox."""
