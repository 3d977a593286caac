"""The fault campaign: every catalog fault injected as the controller enters
every phase of the swap, one real swap per cell.

The campaign for a rig family is data, ``configs/campaign/<family>.yaml``:
which faults, their retargeting for that rig (``fault.axis=hoist``) and the
delay after entering a phase. Every cell that can run is run: a cell is
excluded only where its fault cannot apply (a clip fault on pinned locks, a
suspension fault on a clamped car: the config's own refusal) and for the
later phases of a static fault (one that shapes the station before the run).
There are no written exclusions: a fault believed harmless is injected and
shown ``absorbed``, with the evidence (``Cell.evidence``).

Each cell ends in one of:

* ``detected``: the controller reached a safe state (safe stop or refusal),
  naming the check that found the fault, with no hazard;
* ``absorbed``: the swap met every criterion despite the fault;
* ``missed``: the swap ended without detecting a fault that made it fail;
* ``hazard``: a hazard monitor fired (the campaign's goal is zero);
* ``not_injected``: the run never reached the fault's trigger;
* ``error``: the run produced no result (a crash: see its plant.log).

A fault whose target this run does not have (a channel of another lock type,
a sensor of the other rig) is refused by the config's own checks, and the
cell is excluded with that message as its reason.

Time to a safe state = plant time at the controller's goodbye (sent once its
drives are at rest) less the fault's activation time.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from omegaconf import OmegaConf

from swaptwin.batch.runner import Job, run_batch
from swaptwin.commands import EXIT_FAIL, EXIT_PASS, config_error, no_flags
from swaptwin.commands.qualify import percentile
from swaptwin.config import CONFIG_DIR, SwapConfig, load
from swaptwin.reports import html
from swaptwin.results.atomic import write_json_atomic, write_text_atomic
from twin.rigs import family
from twin.schema import ConfigError, Problem
from twin.schema.fault import STATIC_KINDS

HELP = "fault x phase campaign: campaign.html, campaign.json"
parse_flags = no_flags
CLASSES = ("detected", "absorbed", "missed", "hazard", "not_injected", "error")
_CSS = {
    "detected": "green",
    "absorbed": "grey",
    "missed": "red",
    "hazard": "red",
    "not_injected": "amber",
    "error": "red",
    "excluded": "grey",
}


@dataclass
class Cell:
    fault: str
    phase: str
    status: str  # one of CLASSES, or "excluded"
    reason: str = ""
    detected_by: str = ""
    time_to_safe_s: float | None = None
    final: dict = field(default_factory=dict)
    hazards: list = field(default_factory=list)
    evidence: dict = field(default_factory=dict)  # what the swap measured with the fault active


def phases(rig_family: str) -> tuple[str, ...]:
    """The phases of the rig family's sequence (the campaign's columns)."""
    return family(rig_family).phases


_SPEC_KEYS = {"delay_s", "faults", "retarget"}


def load_spec(rig_family: str) -> dict:
    path = CONFIG_DIR / "campaign" / f"{family(rig_family).campaign}.yaml"
    spec = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
    problems = [
        Problem(
            str(path),
            key,
            "written exclusions are not accepted: every cell that can run is run, and a fault believed harmless "
            "is shown absorbed"
            if key == "exclusions"
            else f"unknown key; a campaign has {', '.join(sorted(_SPEC_KEYS))}",
        )
        for key in spec
        if key not in _SPEC_KEYS
    ]
    if problems:
        raise ConfigError(problems)
    return spec


def _auto_exclusion(cfg: SwapConfig, fault_name: str, phase: str) -> str | None:
    """Why a cell cannot apply to this run, or None: a fault that shapes the
    station before the run has only the identify cell. (A fault whose target
    the run lacks is refused by the config itself: ``_does_not_fit``.)"""
    f = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "fault" / f"{fault_name}.yaml"))
    if f["kind"] in STATIC_KINDS and phase != "identify":
        return f"a {f['kind']} fault shapes the station before the run: only the identify cell applies"
    return None


def _does_not_fit(name: str, spec: dict, base_overrides: list[str]) -> str | None:
    """The config's own refusal of this fault on this run, or None. A kind no
    part of the station takes (a clip fault on pinned locks) cannot apply; a
    target the station lacks (a sensor of another rig) does not fit: the
    campaign's retargeting is missing."""
    try:
        load([*base_overrides, f"fault={name}", *spec.get("retarget", {}).get(name, [])])
    except ConfigError as exc:
        kinds = [p for p in exc.problems if p.key.endswith(".kind")]
        if kinds and len(kinds) == len(exc.problems):
            return "the fault cannot apply to this station: " + "; ".join(p.message for p in kinds)
        return "the fault does not fit this run: " + "; ".join(p.message for p in exc.problems)
    return None


def plan(cfg: SwapConfig, spec: dict, base_overrides: list[str] | None = None) -> tuple[list[Job], list[Cell]]:
    columns = phases(cfg.plant.rig.family)
    jobs, excluded = [], []
    for name in spec["faults"]:
        misfit = _does_not_fit(name, spec, list(base_overrides or []))
        for phase in columns:
            reason = _auto_exclusion(cfg, name, phase) or misfit
            if reason:
                excluded.append(Cell(name, phase, "excluded", reason=reason))
                continue
            trigger = (
                ["fault.at.t_s=0", "fault.at.phase=null"]
                if phase == "identify"
                else ["fault.at.t_s=null", f"fault.at.phase={phase}", f"fault.at.delay_s={spec['delay_s']}"]
            )
            jobs.append(Job(f"{name}@{phase}", (f"fault={name}", *trigger, *spec.get("retarget", {}).get(name, []))))
    return jobs, excluded


def classify(job: Job, result: dict) -> Cell:
    name, phase = job.id.split("@")
    ctrl, hazards = result.get("controller", {}), result.get("hazards", [])
    faults = result.get("faults", [])
    final = {
        "outcome": ctrl.get("outcome"),
        "phase": ctrl.get("phase"),
        "end": result.get("session", {}).get("end_reason"),
    }
    cell = Cell(
        name,
        phase,
        "",
        reason=ctrl.get("reason", ""),
        detected_by=ctrl.get("detected_by", ""),
        final=final,
        hazards=hazards,
    )
    if "session" not in result:
        cell.status = "error"  # no result.json: the batch's placeholder
        cell.reason = "; ".join(result.get("verdict", {}).get("reasons", [])) or "no result"
    elif hazards:
        cell.status = "hazard"
    elif not faults:
        cell.status = "not_injected"
    elif ctrl.get("outcome") in ("safe_stop", "refused"):
        cell.status = "detected"
        cell.time_to_safe_s = round(result["sim_time_s"] - faults[0]["active_s"], 3)
    elif result.get("verdict", {}).get("status") == "pass":
        cell.status = "absorbed"
        cell.evidence = evidence(result)
    else:
        cell.status = "missed"
    return cell


def evidence(result: dict) -> dict:
    """What a swap with an absorbed fault measured: when the fault acted, and
    every criterion's figure beside its limit."""
    f = result["faults"][0]
    mated = [a for a in result.get("alignment", []) if a["mating"] == "pack_into_vehicle"]
    locks = result.get("locks", [])
    return {
        "fault_active_s": [f["active_s"], f["cleared_s"]],
        "cycle_time_s": result.get("cycle_time_s"),
        "cycle_time_limit_s": result.get("cycle_time_limit_s"),
        "alignment_mm": max((max(abs(a["x_mm"]), abs(a["y_mm"])) for a in mated), default=None),
        "alignment_limit_mm": mated[0]["tolerance_mm"] if mated else None,
        "lock_holding_min_n": min((lk["holding_force_n"] for lk in locks), default=None),
        "lock_required_n": locks[0]["required_force_n"] if locks else None,
        "connector_mated": result.get("connector", {}).get("mated"),
    }


def evidence_text(e: dict) -> str:
    def num(x, fmt):
        return "n/a" if x is None else format(x, fmt)

    return (
        f"cycle {num(e['cycle_time_s'], '.1f')}/{num(e['cycle_time_limit_s'], '.0f')} s, "
        f"alignment {num(e['alignment_mm'], '.2f')}/{num(e['alignment_limit_mm'], 'g')} mm, "
        f"locks >= {num(e['lock_holding_min_n'], '.0f')}/{num(e['lock_required_n'], '.0f')} N, "
        f"connector {'mated' if e['connector_mated'] else 'not mated'}"
    )


def summarize(cells: list[Cell]) -> dict:
    counts = {c: sum(1 for x in cells if x.status == c) for c in (*CLASSES, "excluded")}
    judged = counts["detected"] + counts["missed"]
    times = sorted(x.time_to_safe_s for x in cells if x.time_to_safe_s is not None)
    return {
        "cells": len(cells),
        "counts": counts,
        "detection_rate": round(counts["detected"] / judged, 4) if judged else None,
        "time_to_safe_s": {
            "p99": percentile(times, 0.99),
            "max": times[-1] if times else None,
            "median": percentile(times, 0.5),
        },
        "hazard_count": sum(len(x.hazards) for x in cells),
        "exclusions": [
            {"fault": x.fault, "phase": x.phase, "reason": x.reason} for x in cells if x.status == "excluded"
        ],
    }


def run_campaign(cfg: SwapConfig, out_dir: Path, *, base_overrides: list[str], n_jobs: int | None) -> dict:
    spec = load_spec(cfg.plant.rig.family)
    jobs, excluded = plan(cfg, spec, base_overrides)
    results = run_batch(jobs, out_dir, base_overrides=base_overrides, n_jobs=n_jobs, label="campaign")
    cells = excluded + [classify(job, results[job.id]) for job in jobs]
    order = {(f, p): i for i, (f, p) in enumerate((f, p) for f in spec["faults"] for p in phases(cfg.plant.rig.family))}
    cells.sort(key=lambda c: order[(c.fault, c.phase)])
    report = {
        "rig": cfg.plant.rig.name,
        "rig_family": cfg.plant.rig.family,
        "pack": cfg.plant.pack.family_id,
        "lock": cfg.plant.lock.type,
        "base_overrides": base_overrides,
        "summary": summarize(cells),
        "cells": [c.__dict__ for c in cells],
    }
    write_json_atomic(out_dir / "campaign.json", report)
    write_text_atomic(out_dir / "campaign.html", render_html(report, spec, phases(cfg.plant.rig.family)))
    return report


def render_html(report: dict, spec: dict, phases: tuple[str, ...]) -> str:
    s = report["summary"]
    by = {(c["fault"], c["phase"]): c for c in report["cells"]}
    grid_rows, grid_cls = [], []
    for f in spec["faults"]:
        row, cls = [f], [""]
        for p in phases:
            c = by[(f, p)]
            text = {
                "detected": f"{c['detected_by']} {c['time_to_safe_s']:.1f}s"
                if c["time_to_safe_s"] is not None
                else c["detected_by"]
            }.get(c["status"], c["status"])
            row.append(text)
            cls.append(_CSS[c["status"]])
        grid_rows.append(row)
        grid_cls.append(cls)
    t = s["time_to_safe_s"]
    summary = html.table(
        [
            "cells",
            "detected",
            "absorbed",
            "missed",
            "hazards",
            "not injected",
            "errors",
            "excluded",
            "detection rate",
            "time to safe state p99 s",
            "max s",
        ],
        [
            [
                s["cells"],
                s["counts"]["detected"],
                s["counts"]["absorbed"],
                s["counts"]["missed"],
                s["hazard_count"],
                s["counts"]["not_injected"],
                s["counts"]["error"],
                s["counts"]["excluded"],
                s["detection_rate"],
                t["p99"],
                t["max"],
            ]
        ],
    )
    details = html.table(
        ["fault", "phase", "status", "detected by", "time to safe s", "final state", "reason or evidence", "hazards"],
        [
            [
                c["fault"],
                c["phase"],
                c["status"],
                c["detected_by"],
                c["time_to_safe_s"],
                f"{c['final'].get('outcome')} in {c['final'].get('phase')}" if c["final"] else "",
                evidence_text(c["evidence"]) if c["evidence"] else c["reason"],
                "; ".join(h["kind"] for h in c["hazards"]),
            ]
            for c in report["cells"]
            if c["status"] != "excluded"
        ],
    )
    excl = html.table(
        ["fault", "phase", "why excluded"], [[e["fault"], e["phase"], e["reason"]] for e in s["exclusions"]]
    )
    return html.page(
        f"Fault campaign: {report['rig']} / {report['pack']} / {report['lock']}",
        [
            html.section(
                "Summary",
                summary,
                html.paragraph(
                    "Detection rate = detected / (detected + missed). Absorbed cells met every criterion despite the "
                    "fault.",
                    "small",
                ),
            ),
            html.section("Fault x phase", html.table(["fault", *phases], grid_rows, classes=grid_cls, table_id="grid")),
            html.section("Cells", details),
            html.section("Exclusions", excl),
        ],
    )


def run(cfg, inv) -> int:
    try:
        swap_cfg = inv.validate(cfg)
    except ConfigError as exc:
        return config_error(exc)
    overrides = [o for o in inv.batch_overrides() if not o.startswith("fault")]
    try:
        report = run_campaign(swap_cfg, inv.out, base_overrides=overrides, n_jobs=cfg.n_jobs)
    except KeyboardInterrupt:
        print(
            "swaptwin: campaign interrupted; run the same command with the same hydra.run.dir to resume",
            file=sys.stderr,
        )
        raise
    s = report["summary"]
    c = s["counts"]
    print(
        f"campaign: {s['cells']} cells: {c['detected']} detected, {c['absorbed']} absorbed, {c['missed']} missed, "
        f"{s['hazard_count']} hazards, {c['not_injected']} not injected, {c['error']} errors, {c['excluded']} excluded"
    )
    t = s["time_to_safe_s"]
    print(f"detection rate {s['detection_rate']}, time to safe state p99 {t['p99']} s, max {t['max']} s")
    print(f"report: {inv.out / 'campaign.html'}")
    return EXIT_PASS if s["hazard_count"] == 0 and c["missed"] == 0 and c["error"] == 0 else EXIT_FAIL
