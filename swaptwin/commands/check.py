"""``swaptwin check pack=NAME rig=NAME``: the static pre-check, one line per criterion, no simulation.

The criteria are ``twin/precheck.py``'s (every plant's) and the rig family's
own (``twin/rigs/<family>/criteria.py``); they assume our controller's tuning
for the rig family (its align tolerance and overtravels). Writes ``check.json``.
"""

from __future__ import annotations

from swaptwin.commands import EXIT_FAIL, EXIT_PASS, config_error, no_flags

HELP = "static compatibility pre-check, one line per criterion"
parse_flags = no_flags


def precheck(plant, controller=None):
    """The pre-check of a composed plant, with ``controller``'s tuning for its
    rig family (default: ``configs/controller/sequencer.yaml``)."""
    from swaptwin.config import default_controller
    from twin.precheck import check

    controller = controller or default_controller()
    return check(plant, tuning=controller.tuning(plant.rig.family))


def run(cfg, inv) -> int:
    from swaptwin.results.atomic import write_json_atomic
    from twin.precheck import format_report
    from twin.schema import ConfigError

    try:
        swap_cfg = inv.validate(cfg)
    except ConfigError as exc:
        return config_error(exc)
    report = precheck(swap_cfg.plant, swap_cfg.controller)
    print(format_report(report))
    write_json_atomic(inv.out / "check.json", report.to_dict())
    return EXIT_PASS if report.passed else EXIT_FAIL
