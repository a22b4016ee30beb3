"""The kit installs cleanly: setuptools reads pyproject.toml without a deprecation warning."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import KIT_ROOT

APPLY = """
from setuptools.config import pyprojecttoml
from setuptools.dist import Distribution

pyprojecttoml.apply_configuration(Distribution(), "pyproject.toml")
"""


def test_pyproject_builds_without_deprecation_warnings() -> None:
    pytest.importorskip("setuptools", minversion="77")  # what build-system.requires asks for
    completed = subprocess.run(
        [sys.executable, "-W", "error", "-c", APPLY], capture_output=True, text=True, cwd=KIT_ROOT
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
