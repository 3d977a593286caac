"""``swaptwin characterise lock=<name> [hydra.run.dir=DIR]``: a lock model's force envelope against its law.

``characterise(lock_cfg, out_dir)`` runs the lock type's sweep (its record's
``sweep``, in its module under ``twin/locks/``): the *model* (its own state
integration, engagement logic and sensors, driven the way a station drives
it) beside the analytic law at the same points. Each sweep restates its law
from its sources (``../shared/domain.md``), not from the model, so the
comparison is not circular.

Inputs swept: hydraulic pin, supply pressure 0..max; em latch, coil current
and air gap; mechanical clip, spring preload, ramp angle and the lug's travel;
twist-lock, turn angle, seating and the head's offset in the aperture; a new
lock type, whatever its sweep says.

Written atomically into ``out_dir``:

* ``characterise_<type>.csv``: one row per sample: the inputs, then each
  quantity as ``<name>_model`` and ``<name>_law``, then ``relative_error``.
* ``characterise_<type>.json``: the summary (also returned): rows, the
  maximum relative error, where it occurs, and the file names.
* ``characterise_<type>.svg``: holding and insertion force against the law
  over the main input.

Relative error of a quantity: |model - law| / |law|, or / the quantity's
full scale over the sweep where the law is zero (a step law such as a
seated lock's capacity is then compared on its own scale).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

from swaptwin.reports.plots import PALETTE, Series, line_chart, stack
from swaptwin.results.atomic import write_json_atomic, write_text_atomic
from twin.locks import lock_type
from twin.locks.sweep import Sweep

# The acceptance on every lock model's force envelope: within 5 % of its law.
TOLERANCE = 0.05


def _pairs(row: dict) -> list[str]:
    """Quantities compared in a row: each ``<name>_model_<unit>`` with its ``<name>_law_<unit>``."""
    return [k for k in row if "_model_" in k and k.replace("_model_", "_law_") in row]


def _with_errors(rows: list[dict]) -> None:
    """Add each row's worst relative error over its quantities (see the module doc)."""
    keys = _pairs(rows[0])
    full_scale = {k: max((abs(r[k.replace("_model_", "_law_")]) for r in rows), default=0.0) or 1.0 for k in keys}
    for r in rows:
        errs = []
        for k in keys:
            law = r[k.replace("_model_", "_law_")]
            errs.append(abs(r[k] - law) / (abs(law) if law != 0.0 else full_scale[k]))
        r["relative_error"] = max(errs)


def _csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows({k: (f"{v:.9g}" if isinstance(v, float) else v) for k, v in r.items()} for r in rows)
    return buf.getvalue()


def _svg(sweep: Sweep, type_name: str, max_error: float) -> str:
    """One chart per panel; in each, a model line and a dashed law line (same colour) per curve and force."""
    charts = []
    for forces in sweep.panels:
        series = []
        for name, rows in sweep.curves.items():
            xs = [r[sweep.x] for r in rows]
            for force in forces:
                color = PALETTE[len(series) // 2 % len(PALETTE)]
                label = f"{force} {name}".strip()
                series.append(Series(f"{label}, model", xs, [r[f"{force}_model_n"] for r in rows], color=color))
                series.append(
                    Series(
                        f"{label}, law", xs, [r[f"{force}_law_n"] for r in rows], dashed=True, markers=True, color=color
                    )
                )
        title = f"{type_name}: {' / '.join(forces)} force, model vs law (max error {max_error:.1e})"
        charts.append(line_chart(series, x_label=sweep.x_label, y_label="force [N]", title=title))
    return stack(charts)


def characterise(lock_cfg, out_dir: Path) -> dict:
    """Sweep ``lock_cfg``'s model against its law; write the CSV, JSON and SVG into
    ``out_dir``; return the summary. ``lock_cfg`` is a validated lock config, e.g.
    ``swaptwin.config.load(["lock=em_latch"]).plant.lock``."""
    out_dir = Path(out_dir)
    type_name = lock_cfg.type
    # 1. Sweep the model and the law over the lock's inputs.
    sweep = lock_type(type_name).sweep(lock_cfg)
    _with_errors(sweep.rows)
    worst = max(sweep.rows, key=lambda r: r["relative_error"])
    max_error = float(worst["relative_error"])
    # 2. Write the table, the plot and the summary, each atomically.
    stem = f"characterise_{type_name}"
    files = {"csv": f"{stem}.csv", "svg": f"{stem}.svg", "json": f"{stem}.json"}
    write_text_atomic(out_dir / files["csv"], _csv(sweep.rows))
    write_text_atomic(out_dir / files["svg"], _svg(sweep, type_name, max_error))
    summary = {
        "lock_type": type_name,
        "config": dataclasses.asdict(lock_cfg),
        "inputs": sweep.inputs,
        "quantities": [k.replace("_model", "") for k in _pairs(sweep.rows[0])],
        "rows": len(sweep.rows),
        "max_relative_error": max_error,
        "worst_row": {k: worst[k] for k in sweep.inputs},
        "tolerance": TOLERANCE,
        "within_tolerance": max_error <= TOLERANCE,
        "files": files,
    }
    write_json_atomic(out_dir / files["json"], summary)
    return summary


HELP = "sweep a lock model against its analytic law: table and plot"


def parse_flags(argv: list[str]):
    return None, argv


def run(cfg, inv) -> int:
    from swaptwin.commands import EXIT_FAIL, EXIT_PASS, config_error
    from twin.schema import ConfigError

    try:
        swap_cfg = inv.validate(cfg)
    except ConfigError as exc:
        return config_error(exc)
    summary = characterise(swap_cfg.plant.lock, inv.out)
    print(f"{summary['lock_type']}: max relative error against the analytic law {summary['max_relative_error']:.2e}")
    print(f"table, plot and summary in {inv.out}")
    return EXIT_PASS if summary["within_tolerance"] else EXIT_FAIL
