"""A link cut in each phase of each rig's swap ends in a safe stop with no
hazard: the drives stop on their own watchdog, our controller's wall-clock
link watchdog gives up, and the twin's monitors see nothing fall or collide.
Real processes and real ZeroMQ; the cut is the plant's link impairment."""

from __future__ import annotations

import json

import pytest

from controllers.sequences.overhead import PHASES as OVERHEAD_PHASES
from controllers.sequences.under_chassis import PHASES as UNDER_CHASSIS_PHASES
from tests.conftest import run_cli

pytestmark = pytest.mark.wallclock  # the controller's link watchdog and the plant's session timeout, in wall time

CASES = [("under_chassis", p) for p in UNDER_CHASSIS_PHASES] + [("overhead", p) for p in OVERHEAD_PHASES]


@pytest.mark.slow
@pytest.mark.parametrize("rig, phase", CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_a_cut_in_any_phase_ends_in_a_safe_stop_with_no_hazard(tmp_path, rig, phase):
    out = tmp_path / "run"
    proc = run_cli(
        "swap",
        f"hydra.run.dir={out}",
        f"rig={rig}",
        f"wire.impairments.cut.at={{phase: {phase}, delay_s: 0.0}}",
        "wire.session_timeout_s=4",
        "controller.link_timeout_s=2.0",
        cwd=tmp_path,
    )
    result = json.loads((out / "result.json").read_text())
    outcome = json.loads((out / "controller.log").read_text().strip().splitlines()[-1])
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert result["hazards"] == []
    # The wall-clock link watchdog is 2 s, well above a loaded host's longest pause between frames.
    assert result["session"]["end_reason"] == "link_lost" and result["session"]["link"]["cut_periods"] > 0, outcome
    # The phase the controller was in when it gave up: the cut's, or the next
    # one if the cut phase could finish on the frames already delivered (identify).
    phases = list(UNDER_CHASSIS_PHASES if rig == "under_chassis" else OVERHEAD_PHASES)
    assert outcome["outcome"] == "safe_stop" and phases.index(outcome["phase"]) - phases.index(phase) in (0, 1), outcome
    assert outcome["reason"].startswith("link lost")
