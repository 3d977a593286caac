"""``swaptwin controller endpoint=tcp://HOST:PORT``: our controller against any plant that speaks the protocol.

The twin (``swaptwin plant``), or a real station's gateway. Prints the outcome.
"""

from __future__ import annotations

from swaptwin.commands import EXIT_FAIL, EXIT_PASS, config_error, no_flags

HELP = "run our controller against endpoint (twin or station gateway)"
parse_flags = no_flags


def client_security(endpoint: str, security):
    """A client's CURVE keys, or None on loopback and ipc without keys; refuses
    an endpoint other machines can reach without them."""
    from swapwire.security import ClientSecurity, SecurityError, is_local
    from twin.schema import ConfigError, Problem

    files = security.client_files()
    if files is None:
        if not is_local(endpoint):
            why = f"{endpoint} is reachable from other machines: give security.client_key and security.station_key"
            raise ConfigError([Problem("the controller's start", "security.client_key", why)])
        return None
    try:
        return ClientSecurity(*files)
    except SecurityError as exc:
        raise ConfigError([Problem(files[0], "security.client_key", str(exc))]) from None


def run(cfg, inv) -> int:
    import swapwire as wire
    from controllers.run import run_controller
    from twin.schema import ConfigError

    try:
        swap_cfg = inv.validate(cfg)
    except ConfigError as exc:
        return config_error(exc)
    try:
        security = client_security(swap_cfg.endpoint, swap_cfg.security)
    except ConfigError as exc:
        return config_error(exc)
    outcome = run_controller(swap_cfg.controller, swap_cfg.endpoint, security=security)
    print(f"controller: {outcome.outcome} in phase {outcome.phase} at t={outcome.t_s:.2f} s: {outcome.reason}")
    return EXIT_PASS if outcome.outcome == wire.OUTCOME_DONE else EXIT_FAIL
