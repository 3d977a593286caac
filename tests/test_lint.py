"""The code base passes its linter (pyproject.toml [tool.ruff]): no undefined
names, unused imports or likely bugs slip in between reviews."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed: pip install -e '.[dev]'")
    proc = subprocess.run(
        [
            ruff,
            "check",
            "--output-format",
            "concise",
            "twin",
            "swaptwin",
            "swapwire",
            "controllers",
            "gateways",
            "bench",
            "tests",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
