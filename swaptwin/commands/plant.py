"""``swaptwin plant [sessions=N] [OVERRIDES]``: serve the twin on ``endpoint`` to any controller, session after session.

The world is reset between sessions, so each starts as on a fresh plant.
``sessions=N`` serves N sessions and exits; the default serves until
interrupted. Each session writes ``sessions/<n>/result.json`` under the run
directory, and its recording ``swap.mcap`` and report ``swap.html`` unless
``record.enabled=false``.
"""

from __future__ import annotations

from swaptwin.commands import EXIT_FAIL, EXIT_INTERRUPTED, config_error, no_flags

HELP = "serve the twin on endpoint, session after session (sessions=N)"
parse_flags = no_flags


def run(cfg, inv) -> int:
    from twin.schema import ConfigError

    try:
        swap_cfg = inv.validate(cfg)
    except ConfigError as exc:
        return config_error(exc)
    return serve_sessions(swap_cfg, inv, record=swap_cfg.record.policy(batch=False))


def serve_sessions(swap_cfg, inv, **serve_kwargs) -> int:
    """Serve ``swap_cfg.sessions`` sessions on its endpoints, each reported and written to
    ``sessions/<n>/``; the exit code of the worst (``serve_kwargs``: ``serve_plant``'s)."""
    from swaptwin.commands.swap import report_result
    from swaptwin.plant_server import serve_plant
    from twin.schema import ConfigError

    try:
        results, interrupted = serve_plant(
            swap_cfg,
            endpoint=swap_cfg.endpoint,
            observer_endpoint=swap_cfg.observer_endpoint,
            out_dir=inv.out,
            sessions=swap_cfg.sessions,
            per_session_dirs=True,
            **serve_kwargs,
        )
    except ConfigError as exc:  # the wire's security: an exposed endpoint without CURVE keys
        return config_error(exc)
    codes = [report_result(r, inv.out / "sessions" / str(i + 1)) for i, r in enumerate(results)]
    if interrupted:
        return EXIT_INTERRUPTED
    return max(codes, default=EXIT_FAIL)
