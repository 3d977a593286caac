"""``swaptwin controller endpoint=tcp://HOST:PORT``: our controller against any plant that speaks the protocol.

The twin (``swaptwin plant``), or a real station's gateway. Prints the outcome.
"""

from __future__ import annotations

from swaptwin.commands import EXIT_FAIL, EXIT_PASS, config_error, no_flags

HELP = "run our controller against endpoint (twin or station gateway)"
parse_flags = no_flags


def run(cfg, inv) -> int:
    import swapwire as wire
    from controllers.run import run_controller
    from twin.schema import ConfigError

    try:
        swap_cfg = inv.validate(cfg)
    except ConfigError as exc:
        return config_error(exc)
    outcome = run_controller(swap_cfg.controller, swap_cfg.endpoint)
    print(f"controller: {outcome.outcome} in phase {outcome.phase} at t={outcome.t_s:.2f} s: {outcome.reason}")
    return EXIT_PASS if outcome.outcome == wire.OUTCOME_DONE else EXIT_FAIL
