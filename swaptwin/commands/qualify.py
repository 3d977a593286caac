"""Monte Carlo qualification of a pack family on a rig: ``swaptwin qualify``.

Runs ``n`` real swaps (plant and controller processes over ZeroMQ), each with
parameters drawn from ``configs/qualification/default.yaml`` by a generator
seeded by (seed, run index): parking offset and yaw, the charged pack's
manufacturing deviations within its tolerances, sensor noise, friction and
the lock's strength. Every run's overrides are kept, so any run replays
exactly with ``swaptwin swap`` and the same overrides.

The static pre-check runs first: a pack that fails it is never simulated.

Outputs: ``report.json``, ``report.html`` (``swaptwin.qualify_report``) and
``junit.xml`` with one test case per criterion. Criteria:

* alignment at mating: p99 of |x| and |y| within the interface tolerance (+-2 mm);
* holding force: per lock, the minimum over runs at least the required retention;
* cycle time: p95 within the vehicle class's limit (300 s car, 360 s truck);
* connector: the peak mating force within the connector's force limit;
* hazards: none in any run;
* pass rate: every run's own verdict, with its Wilson interval.
"""

from __future__ import annotations

import math
import shlex
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

from swaptwin.results.atomic import write_json_atomic, write_text_atomic
from swaptwin.batch.runner import Job, run_batch
from swaptwin.commands.check import precheck
from swaptwin.config import CONFIG_DIR, SwapConfig
from swaptwin.reports.junit import Case
from swaptwin.reports.junit import junit_xml as write_junit
from twin.locks import lock_type
from twin.rigs import family


def load_spec() -> dict:
    return OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "qualification" / "default.yaml"), resolve=True)


def _f(x: float) -> str:
    return f"{x:.4f}"


def _in_zone(rng: np.random.Generator, radius_mm: float) -> np.ndarray:
    """A feature's deviation, uniform over its true-position zone: a disc of
    the tolerance's radius (the reading ``swaptwin check`` takes of QC/T
    1204.4's +-2 mm)."""
    r = radius_mm * math.sqrt(rng.uniform())
    a = rng.uniform(0.0, 2.0 * math.pi)
    return np.array([r * math.cos(a), r * math.sin(a)])


def sample_overrides(cfg: SwapConfig, spec: dict, *, seed: int, index: int) -> list[str]:
    """The overrides of run ``index``: a pure function of (seed, index) and the config."""
    p = cfg.plant
    rng = np.random.default_rng([seed, index])
    park = spec["parking"][p.vehicle.vehicle_class]
    dx, dy = rng.uniform(-park["offset_mm"], park["offset_mm"], size=2)
    yaw = rng.uniform(-park["yaw_deg"], park["yaw_deg"])
    tol = p.pack.tolerances
    dl, dw, dh = (rng.uniform(-t, t) for t in (tol.length_mm, tol.width_mm, tol.height_mm))
    dm = rng.uniform(-tol.mass_kg, tol.mass_kg)
    ci = tol.interface_position_mm
    conn = _in_zone(rng, ci)
    locks = np.array([_in_zone(rng, ci) for _ in p.pack.locks.positions_mm])
    noise, friction, strength = (
        rng.uniform(*spec[k]) for k in ("sensor_noise_scale", "friction_scale", "lock_strength_scale")
    )
    field = lock_type(p.lock.type).strength_key
    lock_list = "[" + ",".join(f"[{_f(a)},{_f(b)}]" for a, b in locks) + "]"
    park_x, park_y = p.scenario.parking_offset_mm
    return [
        f"seed={(seed * 1_000_003 + index) % 2**32}",
        f"scenario.parking_offset_mm=[{_f(park_x + dx)},{_f(park_y + dy)}]",
        f"scenario.parking_yaw_deg={_f(p.scenario.parking_yaw_deg + yaw)}",
        f"scenario.charged_pack_deviation.length_mm={_f(dl)}",
        f"scenario.charged_pack_deviation.width_mm={_f(dw)}",
        f"scenario.charged_pack_deviation.height_mm={_f(dh)}",
        f"scenario.charged_pack_deviation.mass_kg={_f(dm)}",
        f"scenario.charged_pack_deviation.connector_mm=[{_f(conn[0])},{_f(conn[1])}]",
        f"scenario.charged_pack_deviation.lock_mm={lock_list}",
        f"rig.vision.noise_mm={_f(p.rig.vision.noise_mm * noise)}",
        f"rig.load_cell.noise_n={_f(p.rig.load_cell.noise_n * noise)}",
        f"pack.friction={_f(p.pack.friction * friction)}",
        f"lock.{field}={_f(getattr(p.lock, field) * strength)}",
    ]


def positions(cfg: SwapConfig) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The vehicle's pack positions this rig swaps one a swap (``RigFamily.positions``); empty: one pack."""
    return family(cfg.plant.rig.family).positions(cfg.plant)


def qualification_jobs(cfg: SwapConfig, spec: dict, n: int) -> list[Job]:
    """Run ``i``'s overrides: its sample, and on a vehicle with several packs its position
    (run ``i`` swaps position ``i mod m``: every position is judged once ``n >= m``)."""
    where = positions(cfg)
    jobs = []
    for i in range(n):
        extra = where[i % len(where)][1] if where else ()
        jobs.append(Job(f"{i:04d}", (*sample_overrides(cfg, spec, seed=cfg.plant.seed, index=i), *extra)))
    return jobs


def wilson_interval(passes: int, n: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion."""
    if n == 0:
        return 0.0, 1.0
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2.0))
    p = passes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (no interpolation: a value some run produced)."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def summarize(
    cfg: SwapConfig,
    jobs: list[Job],
    results: dict[str, dict],
    *,
    base_overrides: list[str],
    confidence: float,
    out_dir: Path | None = None,
) -> dict:
    """The qualification report. ``out_dir``: where the report and its ``runs/`` are
    (failing runs then name their recording, report and picture, relative to it)."""
    from swaptwin.reports.runs import artifacts

    p = cfg.plant
    where = positions(cfg)
    position_of = {o: name for name, overrides in where for o in overrides}
    runs = []
    for job in jobs:
        r = results[job.id]
        install = next((a for a in r.get("alignment", []) if a.get("mating") == "pack_into_vehicle"), None)
        failed = r["verdict"]["status"] != "pass"
        runs.append(
            {
                "id": job.id,
                "seed": next(int(o.split("=", 1)[1]) for o in job.overrides if o.startswith("seed=")),
                "verdict": r["verdict"]["status"],
                "reasons": r["verdict"]["reasons"],
                "cycle_time_s": r.get("cycle_time_s"),
                "alignment": {k: install[k] for k in ("x_mm", "y_mm", "yaw_deg")} if install else None,
                "locks": [
                    {
                        "id": lk["id"],
                        "holding_force_n": lk["holding_force_n"],
                        "required_force_n": lk["required_force_n"],
                    }
                    for lk in r.get("locks", [])
                ],
                "connector_peak_n": r.get("connector", {}).get("peak_force_n"),
                "hazards": r.get("hazards", []),
                "phases": r.get("phases", []),
                "replay": "swaptwin swap " + " ".join(shlex.quote(o) for o in [*base_overrides, *job.overrides]),
            }
        )
        if where:
            runs[-1]["position"] = next((position_of[o] for o in job.overrides if o in position_of), None)
        if failed and out_dir is not None:
            runs[-1]["artifacts"] = artifacts(r, out_dir / "runs" / job.id, out_dir)
    n = len(runs)
    passes = sum(1 for r in runs if r["verdict"] == "pass")
    lo, hi = wilson_interval(passes, n, confidence)
    acc = p.acceptance
    xs = [abs(r["alignment"]["x_mm"]) for r in runs if r["alignment"]]
    ys = [abs(r["alignment"]["y_mm"]) for r in runs if r["alignment"]]
    criteria = []
    p99x, p99y = percentile(xs, 0.99), percentile(ys, 0.99)
    worst = max(p99x or 0.0, p99y or 0.0) if xs else None
    mated = len(xs)
    criteria.append(
        _criterion(
            "alignment",
            f"p99 of |x| and |y| at mating within +-{acc.interface_tolerance_mm} mm ({mated} of {n} runs mated)",
            value=worst,
            limit=acc.interface_tolerance_mm,
            unit="mm",
            margin=None if worst is None else acc.interface_tolerance_mm - worst,
            passed=worst is not None and mated == n and worst <= acc.interface_tolerance_mm,
            detail={"p99_abs_x_mm": p99x, "p99_abs_y_mm": p99y},
        )
    )
    n_locks = len(p.pack.locks.positions_mm)
    required = acc.required_force_n(mass_kg=p.pack.mass_kg, lock_count=n_locks, gravity_m_s2=p.physics.gravity_m_s2)
    per_lock = {}
    for r in runs:
        for lk in r["locks"]:
            per_lock[lk["id"]] = min(per_lock.get(lk["id"], math.inf), lk["holding_force_n"])
    min_hold = min(per_lock.values()) if per_lock else None
    criteria.append(
        _criterion(
            "holding_force",
            f"each lock's minimum holding force over the runs against mass x "
            f"{acc.retention_shock_g + acc.retention_static_g:g} g / {n_locks} locks",
            value=min_hold,
            limit=required,
            unit="N",
            margin=None if min_hold is None else min_hold - required,
            passed=min_hold is not None and min_hold >= required,
            detail={"min_per_lock_n": {k: round(v, 1) for k, v in sorted(per_lock.items())}},
        )
    )
    cycles = [r["cycle_time_s"] for r in runs if r["cycle_time_s"] is not None]
    p95 = percentile(cycles, 0.95)
    limit_s = p.vehicle.swap_time_limit_s
    criteria.append(
        _criterion(
            "cycle_time",
            f"p95 of the cycle time within {limit_s:g} s ({len(cycles)} of {n} runs completed)",
            value=p95,
            limit=limit_s,
            unit="s",
            margin=None if p95 is None else limit_s - p95,
            passed=p95 is not None and len(cycles) == n and p95 <= limit_s,
            detail={"median_s": percentile(cycles, 0.5), "max_s": max(cycles) if cycles else None},
        )
    )
    peaks = [r["connector_peak_n"] for r in runs if r["connector_peak_n"] is not None]
    peak = max(peaks) if peaks else None
    cmax = p.pack.connector.max_force_n
    criteria.append(
        _criterion(
            "connector_force",
            f"peak connector mating force within its {cmax:g} N limit",
            value=peak,
            limit=cmax,
            unit="N",
            margin=None if peak is None else cmax - peak,
            passed=peak is not None and peak <= cmax,
            detail={"nominal_mating_n": p.pack.connector.mating_force_n},
        )
    )
    hazards = sum(len(r["hazards"]) for r in runs)
    criteria.append(
        _criterion(
            "hazards",
            "no hazard in any run",
            value=hazards,
            limit=0,
            unit="",
            margin=-hazards,
            passed=hazards == 0,
            detail={},
        )
    )
    by_position = _by_position(where, runs, acc.interface_tolerance_mm)
    if len(where) > 1:
        judged = [b for b in by_position if b["runs"]]
        good = sum(1 for b in by_position if b["passed"])
        criteria.append(
            _criterion(
                "each_position",
                f"the vehicle's {len(where)} pack positions, swapped one a swap: each run at least once, "
                f"every run of each passing ({len(judged)} of {len(where)} run)",
                value=good,
                limit=len(where),
                unit="positions",
                margin=good - len(where),
                passed=good == len(where),
                detail={b["position"]: b["passes"] for b in by_position},
            )
        )
    criteria.append(
        _criterion(
            "pass_rate",
            f"every run passes its own verdict ({passes} of {n}; {confidence:.0%} Wilson interval [{lo:.3f}, "
            f"{hi:.3f}])",
            value=passes / n if n else None,
            limit=1.0,
            unit="",
            margin=None,
            passed=passes == n,
            detail={"ci_low": lo, "ci_high": hi},
        )
    )
    return {
        "pack": p.pack.family_id,
        "rig": p.rig.name,
        "rig_family": p.rig.family,
        "lock": p.lock.type,
        "vehicle": p.vehicle.model,
        "n": n,
        "seed": p.seed,
        "base_overrides": base_overrides,
        "pass_rate": {
            "passes": passes,
            "n": n,
            "value": passes / n if n else None,
            "ci_low": lo,
            "ci_high": hi,
            "confidence": confidence,
            "method": "Wilson score",
        },
        "required_force_n": required,
        "interface_tolerance_mm": acc.interface_tolerance_mm,
        "cycle_time_limit_s": limit_s,
        "criteria": criteria,
        "passed": all(c["passed"] for c in criteria),
        "positions": by_position,
        "runs": runs,
        "failing": [r for r in runs if r["verdict"] != "pass"],
    }


def _by_position(where, runs: list[dict], tolerance_mm: float) -> list[dict]:
    """Each pack position's runs: how many, how many passed, its worst alignment and its cycle times."""
    rows = []
    for name, _ in where:
        mine = [r for r in runs if r.get("position") == name]
        aligned = [max(abs(r["alignment"]["x_mm"]), abs(r["alignment"]["y_mm"])) for r in mine if r["alignment"]]
        cycles = [r["cycle_time_s"] for r in mine if r["cycle_time_s"] is not None]
        passes = sum(1 for r in mine if r["verdict"] == "pass")
        rows.append(
            {
                "position": name,
                "runs": len(mine),
                "passes": passes,
                "passed": bool(mine) and passes == len(mine),
                "worst_alignment_mm": round(max(aligned), 3) if aligned else None,
                "alignment_tolerance_mm": tolerance_mm,
                "cycle_time_s": {"median": percentile(cycles, 0.5), "max": max(cycles) if cycles else None},
            }
        )
    return rows


def _criterion(name, description, *, value, limit, unit, margin, passed, detail) -> dict:
    r = lambda v: round(v, 4) if isinstance(v, float) else v  # noqa: E731
    return {
        "name": name,
        "description": description,
        "value": r(value),
        "limit": r(limit),
        "unit": unit,
        "margin": r(margin),
        "passed": bool(passed),
        "detail": detail,
    }


def junit_xml(report: dict) -> str:
    cases = [
        Case(
            classname=f"qualify.{report['pack']}.{report['rig']}",
            name=c["name"],
            failure=None if c["passed"] else c["description"],
            text=f"value {c['value']} {c['unit']}, limit {c['limit']} {c['unit']}, margin {c['margin']}",
        )
        for c in report["criteria"]
    ]
    return write_junit(f"qualify {report['pack']} on {report['rig']}", cases)


def pack_file(cfg: SwapConfig) -> dict:
    """Which pack file was judged: its path and the SHA-256 of its bytes (``swaptwin.config.pack_file``)."""
    from swaptwin.config import pack_file as read

    return cfg.resolved.get("pack_file") or read(cfg.files.get("pack"))


def run_qualification(cfg: SwapConfig, out_dir: Path, *, base_overrides: list[str], n: int, n_jobs: int | None) -> dict:
    from swaptwin.reports.qualify import render_html

    spec = load_spec()
    pre = precheck(cfg.plant, cfg.controller)
    if not pre.passed:
        report = {
            "pack": cfg.plant.pack.family_id,
            "rig": cfg.plant.rig.name,
            "lock": cfg.plant.lock.type,
            "vehicle": cfg.plant.vehicle.model,
            "seed": cfg.plant.seed,
            "n": 0,
            "passed": False,
            "precheck": pre.to_dict(),
            "criteria": [
                _criterion(
                    "precheck",
                    f"static pre-check: fails on {', '.join(c.name for c in pre.failed)}",
                    value=None,
                    limit=None,
                    unit="",
                    margin=None,
                    passed=False,
                    detail={},
                )
            ],
            "runs": [],
            "failing": [],
            "base_overrides": base_overrides,
        }
    else:
        jobs = qualification_jobs(cfg, spec, n)
        results = run_batch(jobs, out_dir, base_overrides=base_overrides, n_jobs=n_jobs, label="qualify")
        report = summarize(
            cfg, jobs, results, base_overrides=base_overrides, confidence=spec["confidence"], out_dir=out_dir
        )
        report["precheck"] = pre.to_dict()
    report["pack_file"] = pack_file(cfg)
    write_json_atomic(out_dir / "report.json", report)
    write_text_atomic(out_dir / "junit.xml", junit_xml(report))
    write_text_atomic(out_dir / "report.html", render_html(report, report_dir=out_dir))
    return report


def _figure(c: dict) -> str:
    """A criterion's figures in words: its value, limit and margin with their unit."""
    if c["value"] is None:
        return "no value"
    u = f" {c['unit']}" if c["unit"] else ""
    text = f"{c['value']:g}{u}" if isinstance(c["value"], (int, float)) else str(c["value"])
    if c["limit"] is not None:
        text += f" (limit {c['limit']:g}{u}"
        text += f", margin {c['margin']:+g}{u})" if c["margin"] is not None else ")"
    return text


def console_text(report: dict) -> str:
    """What ``swaptwin qualify`` prints: the verdict, the pack file judged, each criterion with its figures."""
    lines = [f"qualification of {report['pack']} on {report['rig']}: {'PASS' if report['passed'] else 'FAIL'}"]
    pf = report.get("pack_file") or {}
    if pf.get("path"):
        lines.append(f"  pack file {pf['path']} (sha256 {pf['sha256'][:16]})")
    lines.append(
        f"  vehicle {report.get('vehicle')}, lock {report.get('lock')}, seed {report.get('seed')}, n {report['n']}"
    )
    pr = report.get("pass_rate")
    if pr:
        lines.append(
            f"  pass rate {pr['passes']}/{pr['n']} ({pr['confidence']:.0%} interval [{pr['ci_low']:.3f}, "
            f"{pr['ci_high']:.3f}])"
        )
    for c in report["criteria"]:
        lines.append(f"  {'pass' if c['passed'] else 'FAIL':4s} {c['name']:16s} {_figure(c):40s} {c['description']}")
    for b in report.get("positions", []):
        worst = "-" if b["worst_alignment_mm"] is None else f"{b['worst_alignment_mm']:.2f} mm"
        longest = b["cycle_time_s"]["max"]
        lines.append(
            f"  position {b['position']:6s} {b['passes']}/{b['runs']} passed, worst alignment {worst}, "
            f"longest cycle {'-' if longest is None else f'{longest:.1f} s'}"
        )
    return "\n".join(lines)


HELP = "Monte Carlo qualification: report.html, report.json, junit.xml"


def parse_flags(argv: list[str]):
    return None, argv


def run(cfg, inv) -> int:
    import sys

    from swaptwin.commands import EXIT_FAIL, EXIT_PASS, config_error
    from twin.schema import ConfigError

    try:
        swap_cfg = inv.validate(cfg)
    except ConfigError as exc:
        return config_error(exc)
    try:
        report = run_qualification(swap_cfg, inv.out, base_overrides=inv.batch_overrides(), n=cfg.n, n_jobs=cfg.n_jobs)
    except KeyboardInterrupt:
        print(
            "swaptwin: qualification interrupted; run the same command with the same hydra.run.dir to resume",
            file=sys.stderr,
        )
        raise
    print(console_text(report))
    print(f"report: {inv.out / 'report.html'}")
    return EXIT_PASS if report["passed"] else EXIT_FAIL
