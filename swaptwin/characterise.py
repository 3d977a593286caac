"""``swaptwin characterise lock=<name> [hydra.run.dir=DIR]``: a lock model's force envelope against its law.

``characterise(lock_cfg, out_dir)`` sweeps the lock's input through the
*model* (its own state integration, engagement logic and sensors, driven the
way a station drives it) and evaluates the analytic law at the same points.
The laws are restated here from their sources (``../shared/domain.md``),
not imported from the model modules, so the comparison is not circular.

Inputs swept: hydraulic pin, supply pressure 0..max; em latch, coil current
and air gap; mechanical clip, spring preload, ramp angle and the lug's travel;
twist-lock, turn angle, seating and the head's offset in the aperture.

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
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from controllers import wire
from swaptwin.atomic import write_json_atomic, write_text_atomic
from swaptwin.plots import PALETTE, Series, line_chart, stack
from twin.locks import LOCK_MODELS
from twin.locks.base import LockContext

MM = 1e-3
MPA = 1e6
# The acceptance on every lock model's force envelope.
TOLERANCE = 0.05


@dataclass
class Sweep:
    """Rows of one sweep and how to plot them: ``curves`` names subsets of rows,
    drawn over column ``x`` as a model and a law line for each force of a panel."""

    inputs: list[str]
    rows: list[dict] = field(default_factory=list)
    x: str = ""
    x_label: str = ""
    curves: dict[str, list[dict]] = field(default_factory=dict)
    # Forces drawn together on one chart; forces of very different size get their own.
    panels: list[tuple[str, ...]] = field(default_factory=lambda: [("holding", "insertion")])


def _ctx(offset_m, *, tool: bool = True) -> LockContext:
    return LockContext(
        offset_m=np.asarray(offset_m, dtype=float), tool_coupled=tool, vehicle_power=True, carried_load_n=0.0
    )


def _forces(lock) -> dict:
    return {"holding_model_n": lock.holding_force_n(), "insertion_model_n": lock.insertion_force_n()}


# -- hydraulic pin: F = p A keeps the pin out; the seated pin holds its shear capacity ------
def _hydraulic_pin(cfg) -> Sweep:
    area_m2 = math.pi * (cfg.bore_mm * MM) ** 2 / 4
    capacity_n = cfg.shear_allowable_mpa * MPA * cfg.shear_planes * math.pi * (cfg.pin_diameter_mm * MM) ** 2 / 4
    settle_s = 20 * cfg.pressure_tau_s + cfg.stroke_mm / cfg.extend_speed_mm_s  # exp(-20): settled
    dt = settle_s / 200
    s = Sweep(
        inputs=["pressure_mpa"], x="pressure_mpa", x_label="supply pressure [MPa]", panels=[("holding", "engaging")]
    )
    for p in np.linspace(0.0, cfg.max_pressure_mpa, 26):
        lock = LOCK_MODELS[cfg.type](dataclasses.replace(cfg, supply_pressure_mpa=float(p)), engaged=False)
        lock.command(wire.LOCK_ENGAGE)
        for _ in range(200):
            lock.update(dt, _ctx(np.zeros(3)))
        push_n = p * MPA * area_m2
        s.rows.append(
            {
                "pressure_mpa": float(p),
                **_forces(lock),
                "holding_law_n": capacity_n if push_n > cfg.return_spring_n else 0.0,
                "insertion_law_n": 0.0,
                "engaging_model_n": lock.truth()["engaging_force_n"],
                "engaging_law_n": push_n,
            }
        )
    s.curves = {"": s.rows}
    return s


# -- em latch: F = F0 (i / i_rated) / (1 + g / g0)^2, first-order current rise --------------
def _em_latch(cfg) -> Sweep:
    s = Sweep(inputs=["current_fraction", "gap_mm", "air_gap_mm"], x="air_gap_mm", x_label="air gap [mm]")
    gaps_mm = sorted({*np.round(np.linspace(0.0, cfg.attraction_range_mm + 1.0, 49), 6), 0.5 - cfg.residual_gap_mm})
    for fraction in (0.25, 0.5, 0.75, 1.0):
        curve = []
        for gap_mm in gaps_mm:
            # Drive the coil from rest for the time the law says reaches this current.
            lock = LOCK_MODELS[cfg.type](cfg, engaged=fraction == 1.0)
            lock.command(wire.LOCK_ENGAGE)
            drive_s = 0.0 if fraction == 1.0 else -cfg.coil_tau_s * math.log(1.0 - fraction)
            lock.update(drive_s, _ctx([0.0, 0.0, -gap_mm * MM]))
            air_mm = float(gap_mm) + cfg.residual_gap_mm
            pull_n = cfg.rated_pull_n * fraction / (1.0 + air_mm / cfg.gap_scale_mm) ** 2
            on = air_mm <= cfg.gap_closed_mm
            row = {
                "current_fraction": fraction,
                "gap_mm": float(gap_mm),
                "air_gap_mm": air_mm,
                **_forces(lock),
                "holding_law_n": pull_n if on else 0.0,
                "insertion_law_n": pull_n if not on and air_mm <= cfg.attraction_range_mm else 0.0,
                "current_model_a": lock.truth()["current_a"],
                "current_law_a": fraction * cfg.rated_current_a,
            }
            s.rows.append(row)
            curve.append(row)
        if fraction in (0.5, 1.0):
            s.curves[f"i = {fraction:.0%}"] = curve
    return s


# -- mechanical clip: W = P (mu + tan a) / (1 - mu tan a) on the ramp; capacity once snapped --
def _mech_clip(cfg) -> Sweep:
    s = Sweep(
        inputs=["spring_preload_n", "ramp_angle_deg", "lug_z_mm"],
        x="lug_z_mm",
        x_label="lug height relative to its seat [mm]",
        panels=[("holding",), ("insertion",)],
    )
    for preload_n in (100.0, 200.0, 300.0):
        for angle_deg in (30.0, 35.0, 40.0, 45.0):
            c = dataclasses.replace(cfg, spring_preload_n=preload_n, ramp_angle_deg=angle_deg)
            tan_a = math.tan(math.radians(angle_deg))
            z_top = -c.latch_play_mm
            z_foot = z_top - c.pawl_stroke_mm / tan_a
            lock = LOCK_MODELS[c.type](c, engaged=False)
            curve = []
            for z_mm in np.linspace(z_foot - 2.0, 1.0, 61):  # the pack rises through the ramp to its seat
                lock.update(0.01, _ctx([0.0, 0.0, z_mm * MM], tool=False))
                on_ramp = z_foot < z_mm < z_top
                p_n = c.spring_factor * (preload_n + c.spring_rate_n_per_mm * (z_mm - z_foot) * tan_a)
                mu = c.friction_coefficient
                row = {
                    "spring_preload_n": preload_n,
                    "ramp_angle_deg": angle_deg,
                    "lug_z_mm": float(z_mm),
                    **_forces(lock),
                    "holding_law_n": c.retention_capacity_n if z_mm >= z_top else 0.0,
                    "insertion_law_n": -p_n * (mu + tan_a) / (1.0 - mu * tan_a) if on_ramp else 0.0,
                }
                s.rows.append(row)
                curve.append(row)
            if preload_n == cfg.spring_preload_n and angle_deg in (30.0, 45.0):
                s.curves[f"{angle_deg:.0f} deg"] = curve
    return s


# -- twist-lock: holds its capacity only when seated and turned; enters within the clearance --
def _twist_lock(cfg) -> Sweep:
    s = Sweep(
        inputs=["commanded_deg", "dx_mm", "dy_mm", "z_mm"],
        x="commanded_deg",
        x_label="commanded turn [deg]",
        panels=[("holding",)],
    )
    clear_x = (cfg.aperture_length_mm - cfg.head_length_mm) / 2
    clear_y = (cfg.aperture_width_mm - cfg.head_width_mm) / 2
    # Angles straddle the locked threshold rather than sit on it (a step law).
    angles = [
        *np.arange(0.0, cfg.locked_min_deg - 1.0, 5.0),
        cfg.locked_min_deg - 1.0,
        cfg.locked_min_deg + 1.0,
        cfg.turn_deg,
        cfg.turn_deg + 10.0,
    ]
    offsets = [
        (0.0, 0.0, 0.0),
        (0.0, 0.0, -2 * cfg.seat_tolerance_mm),
        (clear_x * 0.9, 0.0, 0.0),
        (clear_x * 1.1, 0.0, 0.0),
        (0.0, clear_y * 0.9, 0.0),
        (0.0, clear_y * 1.1, 0.0),
    ]
    for dx, dy, z in offsets:
        curve = []
        for commanded in angles:
            lock = LOCK_MODELS[cfg.type](cfg, engaged=False)
            lock.command(wire.LOCK_ENGAGE)
            lock.update(commanded / cfg.turn_speed_deg_s, _ctx([dx * MM, dy * MM, z * MM]))
            seated = abs(dx) <= clear_x and abs(dy) <= clear_y and abs(z) <= cfg.seat_tolerance_mm
            angle = min(commanded, cfg.turn_deg) if seated else 0.0
            row = {
                "commanded_deg": float(commanded),
                "dx_mm": dx,
                "dy_mm": dy,
                "z_mm": z,
                **_forces(lock),
                "holding_law_n": cfg.rated_capacity_n if seated and angle >= cfg.locked_min_deg else 0.0,
                "insertion_law_n": 0.0,
                "angle_model_deg": lock.angle_deg,
                "angle_law_deg": angle,
            }
            s.rows.append(row)
            curve.append(row)
        if dx == dy == 0.0:
            s.curves["seated" if z == 0.0 else "not seated"] = curve
    return s


SWEEPS = {"hydraulic_pin": _hydraulic_pin, "em_latch": _em_latch, "mech_clip": _mech_clip, "twist_lock": _twist_lock}


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


def _svg(sweep: Sweep, lock_type: str, max_error: float) -> str:
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
        title = f"{lock_type}: {' / '.join(forces)} force, model vs law (max error {max_error:.1e})"
        charts.append(line_chart(series, x_label=sweep.x_label, y_label="force [N]", title=title))
    return stack(charts)


def characterise(lock_cfg, out_dir: Path) -> dict:
    """Sweep ``lock_cfg``'s model against its law; write the CSV, JSON and SVG into
    ``out_dir``; return the summary. ``lock_cfg`` is a validated lock config, e.g.
    ``swaptwin.config.load(["lock=em_latch"]).plant.lock``."""
    out_dir = Path(out_dir)
    lock_type = lock_cfg.type
    # 1. Sweep the model and the law over the lock's inputs.
    sweep = SWEEPS[lock_type](lock_cfg)
    _with_errors(sweep.rows)
    worst = max(sweep.rows, key=lambda r: r["relative_error"])
    max_error = float(worst["relative_error"])
    # 2. Write the table, the plot and the summary, each atomically.
    stem = f"characterise_{lock_type}"
    files = {"csv": f"{stem}.csv", "svg": f"{stem}.svg", "json": f"{stem}.json"}
    write_text_atomic(out_dir / files["csv"], _csv(sweep.rows))
    write_text_atomic(out_dir / files["svg"], _svg(sweep, lock_type, max_error))
    summary = {
        "lock_type": lock_type,
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
