"""``swaptwin``: the command line.

    swaptwin swap [OVERRIDES]        the default swap: plant and controller as two processes
    swaptwin plant [OVERRIDES]       serve the twin on ``endpoint`` and wait for any controller
    swaptwin controller [OVERRIDES]  run our controller against ``endpoint`` (twin or station gateway)
    swaptwin characterise lock=NAME  sweep a lock model against its analytic law: table and plot
    swaptwin check pack=NAME rig=NAME  static compatibility pre-check, one line per criterion
    swaptwin campaign [rig=..] [pack=..] [n_jobs=N]  fault x phase campaign: campaign.html, campaign.json
    swaptwin qualify pack=NAME rig=NAME n=100 [n_jobs=N]  Monte Carlo qualification: report.html, report.json, junit.xml
    swaptwin matrix [matrix_runs=3]  every pack x rig x lock type: matrix.html, matrix.json
    swaptwin regress [--only A,B] [--bless REASON] [OVERRIDES]
                                     regression suite of ci/ against its baselines: junit.xml, regress.html

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
        print(
            "swaptwin: no result was written (see plant.log and controller.log in the run directory)", file=sys.stderr
        )
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
    result = serve_plant(
        swap_cfg, endpoint=swap_cfg.endpoint, observer_endpoint=swap_cfg.observer_endpoint, out_dir=_output_dir()
    )
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


def task_campaign(cfg) -> None:
    from swaptwin.campaign import run_campaign

    swap_cfg = _validated(cfg)
    overrides = [o for o in _batch_overrides() if not o.startswith("fault")]
    try:
        report = run_campaign(swap_cfg, _output_dir(), base_overrides=overrides, n_jobs=cfg.n_jobs)
    except KeyboardInterrupt:
        print(
            "swaptwin: campaign interrupted; run the same command with the same hydra.run.dir to resume",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERRUPTED)
    s = report["summary"]
    c = s["counts"]
    print(
        f"campaign: {s['cells']} cells: {c['detected']} detected, {c['absorbed']} absorbed, {c['missed']} missed, "
        f"{s['hazard_count']} hazards, {c['not_injected']} not injected, {c['error']} errors, {c['excluded']} excluded"
    )
    t = s["time_to_safe_s"]
    print(f"detection rate {s['detection_rate']}, time to safe state p99 {t['p99']} s, max {t['max']} s")
    print(f"report: {_output_dir() / 'campaign.html'}")
    sys.exit(EXIT_PASS if s["hazard_count"] == 0 and c["missed"] == 0 and c["error"] == 0 else EXIT_FAIL)


def _batch_overrides() -> list[str]:
    """The user's overrides that shape each swap of a batch (not the batch's own)."""
    from hydra.core.hydra_config import HydraConfig

    return [o for o in HydraConfig.get().overrides.task if not o.startswith(("hydra.", "n_jobs=", "n="))]


def task_qualify(cfg) -> None:
    from swaptwin.qualify import run_qualification

    swap_cfg = _validated(cfg)
    try:
        report = run_qualification(
            swap_cfg, _output_dir(), base_overrides=_batch_overrides(), n=cfg.n, n_jobs=cfg.n_jobs
        )
    except KeyboardInterrupt:
        print(
            "swaptwin: qualification interrupted; run the same command with the same hydra.run.dir to resume",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERRUPTED)
    print(f"qualification of {report['pack']} on {report['rig']}: {'PASS' if report['passed'] else 'FAIL'}")
    pr = report.get("pass_rate")
    if pr:
        print(
            f"  pass rate {pr['passes']}/{pr['n']} ({pr['confidence']:.0%} interval [{pr['ci_low']:.3f}, "
            f"{pr['ci_high']:.3f}])"
        )
    for c in report["criteria"]:
        print(f"  {'pass' if c['passed'] else 'FAIL':4s} {c['name']:16s} {c['description']}")
    print(f"report: {_output_dir() / 'report.html'}")
    sys.exit(EXIT_PASS if report["passed"] else EXIT_FAIL)


def task_matrix(cfg) -> None:
    from swaptwin.matrix import run_matrix

    _validated(cfg)  # bad values (matrix_runs=0, a typo) exit 2 before any cell
    base = [o for o in _batch_overrides() if not o.startswith(("rig=", "pack=", "lock=", "matrix_runs="))]
    try:
        result = run_matrix(_output_dir(), runs=cfg.matrix_runs, n_jobs=cfg.n_jobs, base_overrides=base)
    except KeyboardInterrupt:
        print(
            "swaptwin: matrix interrupted; run the same command with the same hydra.run.dir to resume", file=sys.stderr
        )
        sys.exit(EXIT_INTERRUPTED)
    counts = {c: sum(1 for x in result["cells"] if x["colour"] == c) for c in ("green", "amber", "red")}
    print(
        f"matrix: {len(result['cells'])} cells: {counts['green']} green, {counts['amber']} amber, {counts['red']} red"
    )
    print(f"report: {_output_dir() / 'matrix.html'}")
    sys.exit(EXIT_PASS)


# regress's own flags, taken off the command line before Hydra sees it.
_REGRESS_FLAGS: dict = {}


def _regress_flags(argv: list[str]) -> list[str]:
    import argparse

    from swaptwin.regress import BASELINES, SUITE, TOLERANCES

    ap = argparse.ArgumentParser(prog="swaptwin regress", add_help=False)
    ap.add_argument(
        "--bless", metavar="REASON", help="rewrite the baselines that differ, recording REASON in the history"
    )
    ap.add_argument("--only", metavar="A,B", help="run only these scenarios of the suite")
    ap.add_argument("--suite", type=Path, default=SUITE)
    ap.add_argument("--baselines", type=Path, default=BASELINES)
    ap.add_argument("--tolerances", type=Path, default=TOLERANCES)
    args, rest = ap.parse_known_args(argv)
    _REGRESS_FLAGS.update(vars(args))
    return rest


def task_regress(cfg) -> None:
    from swaptwin.regress import SuiteError, bless, run_regression, text_table

    _validated(cfg)
    f = _REGRESS_FLAGS
    only = [x for x in (f.get("only") or "").split(",") if x]
    try:
        reports = run_regression(
            _output_dir(),
            suite=f["suite"],
            baselines=f["baselines"],
            tolerances=f["tolerances"],
            only=only,
            extra=_batch_overrides(),
            n_jobs=cfg.n_jobs,
        )
        print(text_table(reports), end="")
        if f.get("bless") is not None:
            entry = bless(reports, f["bless"], baselines=f["baselines"])
            changed = entry["scenarios"]
            print(
                f"blessed {len(changed)} baseline(s): {', '.join(changed) or 'none changed'} (history: "
                f"{f['baselines'] / 'HISTORY.jsonl'})"
            )
            sys.exit(EXIT_PASS)
    except SuiteError as exc:
        print(f"swaptwin: {exc}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    except KeyboardInterrupt:
        print(
            "swaptwin: regress interrupted; run the same command with the same hydra.run.dir to resume", file=sys.stderr
        )
        sys.exit(EXIT_INTERRUPTED)
    print(f"report: {_output_dir() / 'regress.html'}, junit: {_output_dir() / 'junit.xml'}")
    sys.exit(EXIT_PASS if all(r.status == "pass" for r in reports) else EXIT_FAIL)


TASKS = {
    "regress": task_regress,
    "matrix": task_matrix,
    "qualify": task_qualify,
    "campaign": task_campaign,
    "swap": task_swap,
    "plant": task_plant,
    "controller": task_controller,
    "characterise": task_characterise,
    "check": task_check,
}


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
    if name == "regress":
        rest = _regress_flags(rest)
    import functools

    import hydra

    started = []

    @functools.wraps(TASKS[name])
    def task(cfg) -> None:
        started.append(True)
        TASKS[name](cfg)

    sys.argv = [f"swaptwin-{name}", *rest]
    app = hydra.main(config_path=str(CONFIG_DIR), config_name=PRIMARY, version_base="1.3")(task)
    try:
        app()
    except SystemExit as exc:
        # Hydra exits 1 when it cannot compose the config (an unknown key, a bad
        # override): that is a configuration error, exit 2 like every other.
        if not started and exc.code not in (0, None):
            sys.exit(EXIT_CONFIG)
        raise


if __name__ == "__main__":
    main()
