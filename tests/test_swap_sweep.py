"""Slow: the car swap across the parking envelope the shuttle is meant to absorb."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

# Car parking error +-20 mm, +-1 deg (D, domain.md), and a little beyond.
POSES = [
    ("[0,0]", 0.0, 0),
    ("[20,20]", 1.0, 1),
    ("[-20,-20]", -1.0, 2),
    ("[35,-40]", 0.5, 3),
    ("[-30,45]", -1.5, 4),
]


@pytest.mark.slow
@pytest.mark.parametrize("offset, yaw_deg, seed", POSES)
def test_swap_passes_across_the_parking_envelope(tmp_path, offset, yaw_deg, seed):
    run_dir = tmp_path / "run"
    proc = run_cli(
        "swap",
        f"hydra.run.dir={run_dir}",
        f"scenario.parking_offset_mm={offset}",
        f"scenario.parking_yaw_deg={yaw_deg}",
        f"seed={seed}",
        cwd=tmp_path,
    )
    result = json.loads((run_dir / "result.json").read_text())
    assert proc.returncode == 0, result["verdict"]
    install = next(a for a in result["alignment"] if a["mating"] == "pack_into_vehicle")
    assert abs(install["x_mm"]) <= 2.0 and abs(install["y_mm"]) <= 2.0
