"""Benchmark the recording: one swap over the wire with ``swap.mcap`` on against off, and the pictures.

The two are interleaved so that drifting machine load hits both alike; the
figure that travels is the ratio of session wall times within one run. The
budget (issue 13): recording adds at most 10 % to a swap's wall time, and a
default car swap's recording is at most 5 MB. Rendering runs only when asked
for or for failing runs; its cost is measured here on the recording made.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from swaptwin.config import load
from swaptwin.processes import run_swap


def bench_record(overrides: list[str], *, repeats: int) -> dict:
    on, off = (
        load([*overrides, "record.enabled=true", "record.render=never"]),
        load([*overrides, "record.enabled=false"]),
    )
    runs: dict[str, list[dict]] = {"off": [], "on": []}
    size_b, counts, render = 0, {}, {}
    for i in range(repeats):
        for name, cfg in (("off", off), ("on", on)) if i % 2 == 0 else (("on", on), ("off", off)):
            with tempfile.TemporaryDirectory(prefix="swt-bench-") as tmp:
                t0 = time.perf_counter()
                result = run_swap(cfg, Path(tmp))
                total = time.perf_counter() - t0
                if result is None or result["verdict"]["status"] != "pass":
                    raise RuntimeError(f"benchmark swap did not pass: {result and result['verdict']}")
                row = {"session_s": result["wall_time_s"], "total_s": total}
                if name == "on":
                    row["recorder_s"] = result["recording"]["record_s"]
                    size_b, counts = result["recording"]["bytes"], result["recording"]["messages"]
                    if not render:
                        render = _render(Path(tmp) / result["recording"]["file"], cfg.record.gif_frames)
                runs[name].append(row)
    med = {k: statistics.median(r["session_s"] for r in v) for k, v in runs.items()}
    return {
        "overrides": overrides,
        "repeats": repeats,
        "session_wall_s": {k: round(v, 3) for k, v in med.items()},
        "on_over_off": round(med["on"] / med["off"], 3),
        "recorder_s": round(statistics.median(r["recorder_s"] for r in runs["on"]), 3),
        "total_wall_s": {k: round(statistics.median(r["total_s"] for r in v), 3) for k, v in runs.items()},
        "runs_s": {k: [round(r["session_s"], 3) for r in v] for k, v in runs.items()},
        "recording_mb": round(size_b / 1e6, 3),
        "messages": sum(counts.values()),
        "render": render,
    }


def _render(path: Path, gif_frames: int) -> dict:
    """What the pictures of a swap cost: a keyframe per phase, the failure still, the GIF."""
    from swaptwin.reports.render import render_recording
    from swaptwin.reports.swap import SwapData

    data = SwapData(path)
    keyframes = [(n, t) for n, t in data.phases if n != "done"] + [("end", data.end_s)]
    t0 = time.perf_counter()
    p = render_recording(path, keyframes=keyframes, gif_frames=gif_frames, failure=("end", data.end_s))
    wall = time.perf_counter() - t0
    return {
        "pictures": p.frames_rendered,
        "render_s": round(wall, 3),
        "ms_per_picture": round(1e3 * wall / max(p.frames_rendered, 1), 1),
        "gif_kb": round(len(p.gif or b"") / 1e3, 1),
    }
