"""The wire package and the controller pass their type checker (pyproject.toml [tool.mypy]):
a controller bug such as a taught position read the wrong way is found before a swap."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def test_mypy_finds_nothing_in_the_wire_package_and_the_controller():
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")
    if mypy is None:
        pytest.fail("mypy is not installed: pip install -e '.[dev]'")
    proc = subprocess.run([mypy, "--no-error-summary"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
