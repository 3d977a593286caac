"""Real time that holds on an ordinary machine (slow): ``swaptwin swap
clock=realtime`` passes at least 19 of 20 runs with a CPU hog on the other
core. The runs go two at a time, so each has the hog and another realtime
swap beside it: a busier host than the claim's, in half the wall time. Each
run's latency budget (twin/session/timing.py) is printed: the controller's
answer time and the plant's step time, p99 and max."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import run_cli

# Realtime swaps beside a CPU hog: nothing else may run beside them.
pytestmark = [pytest.mark.wallclock, pytest.mark.alone]

RUNS = 20
AT_ONCE = 2


@pytest.fixture
def cpu_hog():
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield hog
    finally:
        hog.kill()
        hog.wait()


def _realtime_swap(tmp_path, i: int) -> dict:
    run_dir = tmp_path / f"run{i}"
    run_cli("swap", "clock=realtime", f"seed={i}", f"hydra.run.dir={run_dir}", cwd=tmp_path, timeout_s=400)
    result = json.loads((run_dir / "result.json").read_text())
    t, s = result["timing"], result["session"]
    row = {
        "run": i,
        "pass": result["verdict"]["status"] == "pass",
        "missed": s["missed_periods"],
        "overruns": s["overruns"],
        "answer_p99_ms": t["answer_ms"]["p99"],
        "answer_max_ms": t["answer_ms"]["max"],
        "step_p99_ms": t["step_ms"]["p99"],
        "step_max_ms": t["step_ms"]["max"],
        "why": result["verdict"]["reasons"][:1],
    }
    print(json.dumps(row))
    return row


@pytest.mark.slow
@pytest.mark.timeout(RUNS * 150)  # each realtime car swap takes about 60 s of wall time
def test_realtime_swaps_pass_19_of_20_beside_a_cpu_hog(tmp_path, cpu_hog):
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        rows = list(pool.map(lambda i: _realtime_swap(tmp_path, i), range(RUNS)))
    (tmp_path / "realtime.json").write_text(json.dumps(rows, indent=2))
    assert cpu_hog.poll() is None  # the hog ran throughout
    assert sum(r["pass"] for r in rows) >= RUNS - 1, rows
