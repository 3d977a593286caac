"""``swaptwin swap [OVERRIDES]``: one swap, the plant and our controller as two processes, started and stopped for you.

Writes ``result.json`` (and the processes' logs, the configs they ran) into the
run directory; prints the phases, the alignment, the locks and the verdict.
Under ``-m`` every job of the sweep runs in its own directory.
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
    return EXIT_PASS if result["verdict"]["status"] == "pass" else EXIT_FAIL


def run(cfg, inv) -> int:
    from swaptwin.processes import run_swap
    from twin.schema import ConfigError

    try:
        swap_cfg = inv.validate(cfg)
    except ConfigError as exc:
        return config_error(exc)
    return report_result(run_swap(swap_cfg, inv.out), inv.out)
