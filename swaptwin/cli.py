"""``swaptwin``: the command line. It parses and dispatches; each command lives in ``swaptwin/commands/``.

    swaptwin swap [OVERRIDES]        the default swap: plant and controller as two processes
    swaptwin plant [OVERRIDES]       serve the twin on ``endpoint``, session after session (sessions=N)
    swaptwin controller [OVERRIDES]  run our controller against ``endpoint`` (twin or station gateway)
    swaptwin plc [OVERRIDES]         the emulated station PLC: OPC UA on ``gateway.plc_endpoint``, its I/O the twin
    swaptwin gateway [OVERRIDES]     serve ``endpoint`` in front of a station PLC through the tag map (sessions=N)
    swaptwin characterise lock=NAME  sweep a lock model against its analytic law: table and plot
    swaptwin check pack=NAME rig=NAME  static compatibility pre-check, one line per criterion
    swaptwin campaign [rig=..] [pack=..] [n_jobs=N]  fault x phase campaign: campaign.html, campaign.json
    swaptwin qualify pack=NAME rig=NAME n=100 [n_jobs=N]  Monte Carlo qualification: report.html, report.json, junit.xml
    swaptwin matrix [matrix_runs=3]  every pack x rig x lock type: matrix.html, matrix.json
    swaptwin regress [--only A,B] [--bless REASON] [OVERRIDES]
                                     regression suite of ci/ against its baselines: junit.xml, regress.html
    swaptwin replay FILE.mcap [--controller]
                                     re-drive a fresh plant with a recording's commands and prove it identical;
                                     --controller: today's controller on the recorded frames

Every parameter is a Hydra override (``key=value``); ``--cfg job`` prints the
composed config, ``hydra.run.dir=DIR`` chooses the output directory,
``--config-dir DIR`` adds a folder of your own config files, ``-m`` sweeps
(each job in its own directory; ``hydra/launcher=joblib`` runs the jobs in
parallel, with the ``sweep`` extra).
Exit codes: 0 pass, 1 fail, 2 bad configuration or usage, 130 interrupted.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

from swaptwin.commands import COMMANDS, EXIT_CONFIG, EXIT_FAIL, EXIT_INTERRUPTED, EXIT_PASS, Invocation
from swaptwin.config import CONFIG_DIR, PRIMARY
from swaptwin.processes import restore_interrupts


def _run_hydra(name: str, argv: list[str]) -> int:
    """Compose the config with Hydra's own argument parser (overrides,
    ``--cfg``, ``-m``, ``--config-dir``...) and run the command once per job.
    Returns the worst exit code of the jobs."""
    from hydra._internal.utils import _run_hydra as run_hydra
    from hydra._internal.utils import get_args_parser
    from hydra.core.hydra_config import HydraConfig

    command = COMMANDS[name]
    flags, rest = command.parse_flags(argv)
    codes: list[int] = []
    here = os.getpid()

    def task(cfg) -> int:  # Hydra calls this once per job (several under -m), maybe in another process
        hc = HydraConfig.get()
        inv = Invocation(
            command=name,
            output_dir=hc.runtime.output_dir,
            overrides=list(hc.overrides.task),
            choices=dict(hc.runtime.choices),
            config_sources=[s["path"] for s in hc.runtime.config_sources if s["schema"] == "file"],
            flags=flags,
        )
        code = command.run(cfg, inv)
        if os.getpid() == here:
            codes.append(code)
        else:
            _keep_code(code)
        return code

    parser = get_args_parser()
    args = parser.parse_args(rest)
    # Under -m, a launcher may run the jobs in other processes (joblib's workers), whose return
    # values Hydra's entry point does not hand back: each leaves its exit code in a directory.
    codes_dir = Path(tempfile.mkdtemp(prefix="swaptwin-codes-")) if args.multirun else None
    if codes_dir is not None:
        os.environ[_CODES_ENV] = str(codes_dir)
    hydra_exit = None
    try:
        run_hydra(args=args, args_parser=parser, task_function=task, config_path=str(CONFIG_DIR), config_name=PRIMARY)
    except SystemExit as exc:
        hydra_exit = exc.code
    finally:
        if codes_dir is not None:
            os.environ.pop(_CODES_ENV, None)
            codes += _codes(codes_dir)
    if hydra_exit not in (0, None):
        # Hydra exits 1 when it cannot compose the config (an unknown key, a
        # bad override, a missing group option): a configuration error.
        if not codes:
            return EXIT_CONFIG
        return int(hydra_exit) if isinstance(hydra_exit, int) else EXIT_FAIL
    return max(codes, default=EXIT_PASS)


_CODES_ENV = "SWAPTWIN_JOB_CODES"


def _keep_code(code: int) -> None:
    """A job's exit code, as a file of the invocation's codes directory (the one atomic writer:
    its partial files start with a dot, which ``_codes`` skips)."""
    from swaptwin.results.atomic import write_text_atomic

    write_text_atomic(Path(os.environ[_CODES_ENV]) / uuid.uuid4().hex, str(int(code)))


def _codes(codes_dir: Path) -> list[int]:
    """The jobs' exit codes; the directory is gone afterwards."""
    try:
        return [int(f.read_text()) for f in codes_dir.iterdir() if not f.name.startswith(".")]
    finally:
        shutil.rmtree(codes_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    restore_interrupts()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        sys.exit(EXIT_PASS if argv else EXIT_CONFIG)
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"swaptwin: unknown command {name!r}; commands: {', '.join(COMMANDS)}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    try:
        sys.exit(_run_hydra(name, rest))
    except KeyboardInterrupt:
        print("swaptwin: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
