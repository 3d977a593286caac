"""The wire is the boundary: controllers/ never imports the twin or pybullet."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CONTROLLERS = Path(__file__).resolve().parents[2] / "controllers"
FORBIDDEN = ("twin", "pybullet", "pybullet_utils", "swaptwin")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_controller_module_imports_the_twin_or_pybullet():
    files = sorted(CONTROLLERS.rglob("*.py"))
    assert files, "no controller sources found"
    leaks = {str(f.relative_to(CONTROLLERS)): sorted(_imports(f) & set(FORBIDDEN)) for f in files}
    assert not {k: v for k, v in leaks.items() if v}


def test_running_the_controller_loads_neither_twin_nor_pybullet():
    """Import every controller module in a fresh interpreter and look at sys.modules."""
    mods = [f"controllers.{p.stem}" for p in CONTROLLERS.glob("*.py") if p.stem != "__init__"]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in mods)
        + f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\nprint(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_controllers_never_subscribe_to_the_observer_channel():
    for f in CONTROLLERS.rglob("*.py"):
        text = f.read_text()
        assert "zmq.SUB" not in text and "SUBSCRIBE" not in text, f"{f.name} subscribes to something"
