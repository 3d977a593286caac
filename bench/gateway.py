"""Benchmark the real-station path: one swap through the OPC UA gateway and the
emulated PLC (three processes, lockstep) against the same swap served directly
(two processes), interleaved in one run.

Figures: the real-time factor of each, and the wall time the gateway adds per
control period (the session's wall time difference over its periods): the
OPC UA write, ``Step`` and read of every period, the second hop, the ground
truth relayed from the PLC's observer. Ratios within one run; absolute times do
not travel between machines.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from swaptwin.config import load
from swaptwin.processes import run_swap


def _session(cfg) -> dict:
    with tempfile.TemporaryDirectory(prefix="swt-bench-") as tmp:
        result = run_swap(cfg, Path(tmp))
    if result is None or result["verdict"]["status"] != "pass":
        raise RuntimeError(f"benchmark swap did not pass: {result and result['verdict']}")
    return {"wall_s": result["wall_time_s"], "sim_s": result["sim_time_s"], "periods": result["session"]["periods"]}


def bench_gateway(overrides: list[str], *, repeats: int) -> dict:
    direct_cfg, gateway_cfg = load(overrides), load([*overrides, "gateway=opcua"])
    direct, through = [], []
    for _ in range(repeats):
        # Interleaved, so that drifting machine load hits both alike.
        direct.append(_session(direct_cfg))
        through.append(_session(gateway_cfg))
    sim_s, periods = direct[0]["sim_s"], direct[0]["periods"]
    direct_s = statistics.median(r["wall_s"] for r in direct)
    gateway_s = statistics.median(r["wall_s"] for r in through)
    return {
        "overrides": overrides,
        "repeats": repeats,
        "sim_time_s": sim_s,
        "periods": periods,
        "direct": {
            "session_wall_s": round(direct_s, 3),
            "real_time_factor": round(sim_s / direct_s, 2),
            "runs_s": [r["wall_s"] for r in direct],
        },
        "gateway": {
            "session_wall_s": round(gateway_s, 3),
            "real_time_factor": round(sim_s / gateway_s, 2),
            "runs_s": [r["wall_s"] for r in through],
        },
        "gateway_over_direct": round(gateway_s / direct_s, 3),
        "added_per_period_ms": round((gateway_s - direct_s) / periods * 1e3, 3),
        "same_periods": all(r["periods"] == periods for r in direct + through),
    }
