"""Benchmark the real-station path: one swap through the OPC UA gateway and the
emulated PLC (three processes, lockstep) against the same swap served directly
(two processes), interleaved in one run.

Figures: the real-time factor of each, and the wall time the gateway adds per
control period (the session's wall time difference over its periods): the
OPC UA write, ``Step`` and read of every period, the second hop, the ground
truth relayed from the PLC's observer. Beside them: the plant's step per
period (``timing.step_ms``: the twin's physics directly, the gateway's whole
OPC UA period through it), the values the OPC UA link carries each period
(command and frame tags), and the emulated PLC's scan times (its plc.log).
Ratios within one run; absolute times do not travel between machines.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from pathlib import Path

from swaptwin.config import load
from swaptwin.processes import run_swap


def _scan_times(plc_log: Path) -> dict | None:
    """The emulated PLC's last logged scan times (gateways/opcua/plc.py logs them at a reset and at its stop)."""
    if not plc_log.exists():
        return None
    lines = [ln for ln in plc_log.read_text().splitlines() if " scan times " in ln]
    return json.loads(lines[-1].split(" scan times ", 1)[1]) if lines else None


def values_per_period(cfg) -> dict:
    """How many tag values a control period writes (command) and reads (frame) through the tag map."""
    from gateways.opcua.generate import default_description
    from gateways.opcua.image import CommandImage, FrameImage
    from gateways.opcua.tagmap import load_tagmap

    d, tagmap = default_description(cfg.plant.rig.family), load_tagmap(cfg.gateway.tagmap)
    return {"command": len(CommandImage(tagmap, d).slots), "frame": len(FrameImage(tagmap, d).slots)}


def _session(cfg) -> dict:
    with tempfile.TemporaryDirectory(prefix="swt-bench-") as tmp:
        result = run_swap(cfg, Path(tmp))
        scans = _scan_times(Path(tmp) / "plc.log")
    if result is None or result["verdict"]["status"] != "pass":
        raise RuntimeError(f"benchmark swap did not pass: {result and result['verdict']}")
    mating = next((a for a in result["alignment"] if a["mating"] == "pack_into_vehicle"), {})
    return {
        "wall_s": result["wall_time_s"],
        "sim_s": result["sim_time_s"],
        "periods": result["session"]["periods"],
        "verdict": result["verdict"]["status"],
        "cycle_time_s": result["cycle_time_s"],
        "mating_mm": [mating.get("x_mm"), mating.get("y_mm")],
        "step_ms": (result.get("timing") or {}).get("step_ms"),
        "plc_scans": scans,
    }


def _figures(runs: list[dict], sim_s: float, wall_s: float) -> dict:
    return {
        "session_wall_s": round(wall_s, 3),
        "real_time_factor": round(sim_s / wall_s, 2),
        "runs_s": [r["wall_s"] for r in runs],
        "verdict": runs[0]["verdict"],
        "cycle_time_s": runs[0]["cycle_time_s"],
        "mating_mm": runs[0]["mating_mm"],
        "step_ms": runs[0]["step_ms"],
        "plc_scans": runs[0]["plc_scans"],
    }


def bench_gateway(overrides: list[str], *, repeats: int, gateway_overrides: list[str] | None = None) -> dict:
    """``gateway_overrides`` apply to the run through the gateway only (gateway.request_timeout_s=5 on a host
    so loaded that one OPC UA request can wait more than the default 2 s)."""
    direct_cfg, gateway_cfg = load(overrides), load([*overrides, "gateway=opcua", *(gateway_overrides or [])])
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
        "gateway_overrides": gateway_overrides or [],
        "repeats": repeats,
        "sim_time_s": sim_s,
        "periods": periods,
        "direct": _figures(direct, sim_s, direct_s),
        "gateway": _figures(through, sim_s, gateway_s),
        "gateway_over_direct": round(gateway_s / direct_s, 3),
        "added_per_period_ms": round((gateway_s - direct_s) / periods * 1e3, 3),
        "same_periods": all(r["periods"] == periods for r in direct + through),
        "values_per_period": values_per_period(gateway_cfg),
    }
