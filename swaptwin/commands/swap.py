"""``swaptwin swap [OVERRIDES]``: one swap, the plant and our controller as two processes, started and stopped for you.

Writes ``result.json``, the recording ``swap.mcap`` and its report
``swap.html`` (and the processes' logs, the configs they ran) into the run
directory; prints the phases, the alignment, the locks and the verdict.
While it runs, a progress bar follows the controller's phases. Under ``-m``
every job of the sweep runs in its own directory.

The static pre-check runs first. A pack it refuses is not simulated: the
command prints the failed criteria with their margins, writes ``check.json``
and exits 1. ``force=true`` asks for the what-if anyway (the failed criteria
are printed before the swap's own figures), except where the combination has
no geometry to simulate (a pack the rig cannot reach, of a form it does not
take, in a vehicle it does not serve).
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
            "swaptwin: no result was written (see the logs in the run directory: plant or gateway, controller)",
            file=sys.stderr,
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


def refusal_text(report, *, forced: bool) -> str:
    """The pre-check's verdict on a refused pack: the failed criteria, each with its margin and reason."""
    from twin.precheck import margin_text

    head = (
        f"swaptwin: the static pre-check refuses pack {report.pack} on rig {report.rig} "
        f"(vehicle {report.vehicle}, lock {report.lock})"
    )
    lines = [head]
    for c in report.failed:
        lines.append(f"  {c.name:<20} {margin_text(c):>12}  {c.reason}")
    if report.not_judged:
        lines.append("  nothing was simulated: this combination has no geometry to simulate, even with force=true")
    elif forced:
        lines.append("  force=true: simulating the what-if anyway; its verdict fails on these criteria")
    else:
        lines.append("  nothing was simulated; force=true runs the what-if anyway")
    return "\n".join(lines)


def run(cfg, inv) -> int:
    from swaptwin.commands.check import precheck
    from swaptwin.processes import run_swap
    from swaptwin.results.atomic import write_json_atomic
    from twin.schema import ConfigError

    from twin.rigs import family

    try:
        swap_cfg = inv.validate(cfg)
        _controller_keys_exist(swap_cfg.security)
    except ConfigError as exc:
        return config_error(exc)
    # 1. The static pre-check: a refused pack is not simulated unless force=true asks for the what-if.
    report = precheck(swap_cfg.plant, swap_cfg.controller)
    forced = bool(swap_cfg.resolved.get("force"))
    if not report.passed:
        inv.out.mkdir(parents=True, exist_ok=True)
        write_json_atomic(inv.out / "check.json", report.to_dict())
        print(refusal_text(report, forced=forced), file=sys.stderr if not forced else sys.stdout)
        if not forced or report.not_judged:
            return EXIT_FAIL
    # 2. The swap: plant and controller processes.
    bar, on_event = phase_progress(family(swap_cfg.plant.rig.family).phases)
    try:
        result = run_swap(swap_cfg, inv.out, progress=on_event)
    finally:
        bar.close()
    return report_result(result, inv.out)


def _controller_keys_exist(security) -> None:
    """With security on, our controller needs its key pair and the station's public key."""
    from twin.schema import ConfigError, Problem

    files = security.client_files()
    missing = [
        (key, path)
        for key, path in zip(("security.client_key", "security.station_key"), files or ())
        if not Path(path).is_file()
    ]
    if missing:
        raise ConfigError(
            [
                Problem(
                    path,
                    key,
                    "does not exist: our controller needs it (swaptwin keys makes "
                    "clients/controller.key_secret; or set the key)",
                )
                for key, path in missing
            ]
        )
