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
            "swaptwin: no result was written (see plant.log and controller.log in the run directory)", file=sys.stderr
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
        _controller_keys_exist(swap_cfg.security)
    except ConfigError as exc:
        return config_error(exc)
    return report_result(run_swap(swap_cfg, inv.out), inv.out)


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
