"""``swaptwin``: the command line.

    swaptwin swap [OVERRIDES]        the default swap: plant and controller as two processes
    swaptwin plant [OVERRIDES]       serve the twin on ``endpoint`` and wait for any controller
    swaptwin controller [OVERRIDES]  run our controller against ``endpoint`` (twin or station gateway)
    swaptwin characterise lock=NAME  sweep a lock model against its analytic law: table and plot
    swaptwin check pack=NAME rig=NAME  static compatibility pre-check, one line per criterion

Every parameter is a Hydra override (``key=value``); ``--cfg job`` prints the
composed config, ``hydra.run.dir=DIR`` chooses the output directory.
Exit codes: 0 pass, 1 fail, 2 bad configuration or usage, 130 interrupted.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from swaptwin.config import CONFIG_DIR, GROUPS, PRIMARY
from swaptwin.orchestrate import restore_interrupts

log = logging.getLogger("swaptwin")
EXIT_PASS, EXIT_FAIL, EXIT_CONFIG, EXIT_INTERRUPTED = 0, 1, 2, 130


def _validated(cfg):
    """Validate the composed config, or print every problem and exit 2."""
    from hydra.core.hydra_config import HydraConfig

    from swaptwin.config import validate
    from twin.schema import ConfigError

    hc = HydraConfig.get()
    choices = {k: v for k, v in hc.runtime.choices.items() if k in GROUPS}
    try:
        return validate(cfg, choices=choices, overrides=list(hc.overrides.task))
    except ConfigError as exc:
        print(f"swaptwin: {exc}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)


def _output_dir() -> Path:
    from hydra.core.hydra_config import HydraConfig

    return Path(HydraConfig.get().runtime.output_dir)


def _finish(result: dict | None) -> None:
    from swaptwin.report import swap_table

    if result is None:
        print("swaptwin: no result was written (see plant.log and controller.log in the run directory)", file=sys.stderr)
        sys.exit(EXIT_FAIL)
    print(swap_table(result))
    print(f"\nresult: {_output_dir() / 'result.json'}")
    sys.exit(EXIT_PASS if result["verdict"]["status"] == "pass" else EXIT_FAIL)


def task_swap(cfg) -> None:
    from swaptwin.orchestrate import run_swap

    swap_cfg = _validated(cfg)
    try:
        result = run_swap(swap_cfg, _output_dir())
    except KeyboardInterrupt:
        print("swaptwin: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    _finish(result)


def task_plant(cfg) -> None:
    from swaptwin.plant_process import serve_plant

    swap_cfg = _validated(cfg)
    result = serve_plant(swap_cfg, endpoint=swap_cfg.endpoint, observer_endpoint=swap_cfg.observer_endpoint, out_dir=_output_dir())
    _finish(result)


def task_controller(cfg) -> None:
    from controllers import wire
    from controllers.run import run_controller

    swap_cfg = _validated(cfg)
    try:
        outcome = run_controller(swap_cfg.controller, swap_cfg.endpoint)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    print(f"controller: {outcome.outcome} in phase {outcome.phase} at t={outcome.t_s:.2f} s: {outcome.reason}")
    sys.exit(EXIT_PASS if outcome.outcome == wire.OUTCOME_DONE else EXIT_FAIL)


def task_characterise(cfg) -> None:
    from swaptwin.characterise import characterise

    swap_cfg = _validated(cfg)
    summary = characterise(swap_cfg.plant.lock, _output_dir())
    print(f"{summary['lock_type']}: max relative error against the analytic law {summary['max_relative_error']:.2e}")
    print(f"table, plot and summary in {_output_dir()}")
    sys.exit(EXIT_PASS if summary["within_tolerance"] else EXIT_FAIL)


def task_check(cfg) -> None:
    from swaptwin.atomic import write_json_atomic
    from swaptwin.compat import check, format_report

    swap_cfg = _validated(cfg)
    report = check(swap_cfg.plant, controller=swap_cfg.controller)
    print(format_report(report))
    write_json_atomic(_output_dir() / "check.json", report.to_dict())
    sys.exit(EXIT_PASS if report.passed else EXIT_FAIL)


TASKS = {"swap": task_swap, "plant": task_plant, "controller": task_controller, "characterise": task_characterise, "check": task_check}


def main(argv: list[str] | None = None) -> None:
    restore_interrupts()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        sys.exit(EXIT_PASS if argv else EXIT_CONFIG)
    name, rest = argv[0], argv[1:]
    if name not in TASKS:
        print(f"swaptwin: unknown command {name!r}; commands: {', '.join(TASKS)}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    import hydra

    sys.argv = [f"swaptwin-{name}", *rest]
    app = hydra.main(config_path=str(CONFIG_DIR), config_name=PRIMARY, version_base="1.3")(TASKS[name])
    app()


if __name__ == "__main__":
    main()
