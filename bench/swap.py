"""Benchmark one swap: over the wire (two processes, lockstep) against the same
physics stepped in one process without the wire (the floor).

All figures come from one run on one machine, so their ratio means something
even on a shared, noisy machine; absolute times do not travel.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from swaptwin.config import load
from swaptwin.inprocess import run_in_process
from swaptwin.processes import run_swap


def _median_us(values_ms) -> float | None:
    values = [v for v in values_ms if v is not None]
    return round(statistics.median(values) * 1e3, 1) if values else None


def bench_swap(overrides: list[str], *, repeats: int) -> dict:
    cfg = load(overrides)
    wire_runs, floor_runs = [], []
    for _ in range(repeats):
        # Interleave the two so that drifting machine load hits both alike.
        with tempfile.TemporaryDirectory(prefix="swt-bench-") as tmp:
            t0 = time.perf_counter()
            result = run_swap(cfg, Path(tmp))
            total = time.perf_counter() - t0
        if result is None or result["verdict"]["status"] != "pass":
            raise RuntimeError(f"benchmark swap did not pass: {result and result['verdict']}")
        timing = result.get("timing") or {}
        wire_runs.append(
            {
                "session_s": result["wall_time_s"],
                "total_s": total,
                "sim_s": result["sim_time_s"],
                "answer_p50_ms": (timing.get("answer_ms") or {}).get("p50"),
                "step_p50_ms": (timing.get("step_ms") or {}).get("p50"),
            }
        )
        t0 = time.perf_counter()
        run = run_in_process(cfg, keep_events=False)
        floor_runs.append({"session_s": time.perf_counter() - t0, "sim_s": run.sim_time_s})
    sim_s = wire_runs[0]["sim_s"]
    wire_s = statistics.median(r["session_s"] for r in wire_runs)
    floor_s = statistics.median(r["session_s"] for r in floor_runs)
    return {
        "overrides": overrides,
        "repeats": repeats,
        "sim_time_s": sim_s,
        "wire": {
            "session_wall_s": round(wire_s, 3),
            "real_time_factor": round(sim_s / wire_s, 2),
            "total_wall_s": round(statistics.median(r["total_s"] for r in wire_runs), 3),
            "runs_s": [round(r["session_s"], 3) for r in wire_runs],
            # Measured inside the run, so a machine's slow spell between the wire
            # and the floor runs cannot show here: from a frame sent to its command's
            # arrival (the link both ways, the controller's wake-up, decode, decision
            # and encode), and the plant's own work per period.
            "answer_p50_us": _median_us(r["answer_p50_ms"] for r in wire_runs),
            "step_p50_us": _median_us(r["step_p50_ms"] for r in wire_runs),
        },
        "floor": {
            "wall_s": round(floor_s, 3),
            "real_time_factor": round(sim_s / floor_s, 2),
            "runs_s": [round(r["session_s"], 3) for r in floor_runs],
        },
        "wire_over_floor": round(wire_s / floor_s, 3),
        "wire_cost_per_period_us": round((wire_s - floor_s) / (sim_s / cfg.plant.wire.control_period_s) * 1e6, 1),
    }
