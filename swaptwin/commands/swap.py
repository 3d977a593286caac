"""``swaptwin swap [OVERRIDES]``: one swap, the plant and our controller as two processes, started and stopped for you.

Writes ``result.json``, the recording ``swap.mcap`` and its report
``swap.html`` (and the processes' logs, the configs they ran) into the run
directory; prints the phases, the alignment, the locks and the verdict.
While it runs, a progress bar follows the controller's phases. Under ``-m``
every job of the sweep runs in its own directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

from swaptwin.commands import EXIT_FAIL, EXIT_PASS, config_error, no_flags

HELP = "one swap, plant and controller as two processes"
parse_flags = no_flags


def report_result(result: dict | None, out_dir: Path) -> int:
    """Print a swap's summary; its exit code."""
    from swaptwin.reports.console import swap_table

    if result is None:
        print(
            "swaptwin: no result was written (see plant.log and controller.log in the run directory)", file=sys.stderr
        )
        return EXIT_FAIL
    print(swap_table(result))
    print(f"\nresult: {out_dir / 'result.json'}")
    if "recording" in result:
        print(f"recording: {out_dir / result['recording']['file']} (swaptwin replay, or open it in Foxglove)")
    if "report" in result:
        print(f"report: {out_dir / result['report']['html']}")
    return EXIT_PASS if result["verdict"]["status"] == "pass" else EXIT_FAIL


def phase_progress(phases: tuple[str, ...]):
    """A progress bar over the sequence's phases, and the observer-event callback that moves it."""
    from swaptwin.batch.progress import Progress

    bar = Progress(len(phases), "swap", unit="phase")
    seen: list[str] = []

    def on_event(ev: dict) -> None:
        phase = ev.get("phase")
        if ev.get("event") != "phase" or phase in seen or (phase not in phases and not seen):
            return
        if seen:
            bar.step(f"{seen[-1]} done at {ev.get('t_s', 0.0):.1f} s plant")
        seen.append(phase)
        if phase in phases:
            bar.note(f"{phase} from {ev.get('t_s', 0.0):.1f} s plant")

    return bar, on_event


def run(cfg, inv) -> int:
    from swaptwin.processes import run_swap
    from twin.schema import ConfigError

    from twin.rigs import family

    try:
        swap_cfg = inv.validate(cfg)
    except ConfigError as exc:
        return config_error(exc)
    bar, on_event = phase_progress(family(swap_cfg.plant.rig.family).phases)
    try:
        result = run_swap(swap_cfg, inv.out, progress=on_event)
    finally:
        bar.close()
    return report_result(result, inv.out)
