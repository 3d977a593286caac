"""The verdict on one swap, computed from the observer channel only.

``Recorder`` is an observer sink: it sees exactly the messages a remote
subscriber of the plant's PUB socket would see (session, event and truth
topics), so the same verdict could be computed on another machine.

Criteria (limits from the ``acceptance`` config and the vehicle), each a
function below that adds its reasons:

* ``ending``: the session ended by the controller's ``bye``, with outcome ``done``;
* ``cycle``: a *measured* cycle time within the vehicle's limit (GB/T
  29772-2024 s8.5.1: 300 s car, 360 s truck): from the first phase the
  controller reported to its final phase, the last of those its ``hello``
  declared. A controller that declared no phases, or never reached its final
  phase, has no measured cycle time and fails;
* ``alignment``: the installed pack at mating within +-interface tolerance
  (QC/T 1204.4-2024 s4.1: +-2 mm) and the yaw tolerance;
* ``locks``: every lock engaged, each holding at least mass x (shock + static)
  g x SF / locks, from the lock model's own law;
* ``connector``: mated at the end;
* ``hazards``: none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twin.session.observer import TOPIC_EVENT, TOPIC_SESSION, TOPIC_TRUTH

RESULT_SCHEMA_VERSION = 1
# Fields that depend on the host, not on the simulation: excluded when
# comparing two runs for determinism. (A recording holds wall times, so its
# size varies; the recorder's and the report's own costs are timings.)
TIMING_FIELDS = ("wall_time_s", "real_time_factor", "timing", "recording", "report")
# The event lists a recorder keeps, by the observer event that fills each.
_KEPT = {
    "mating": "matings",
    "dock": "docks",
    "first_contact": "first_contacts",
    "hazard": "hazards",
    "lock": "lock_events",
}


@dataclass
class Observed:
    """What a session's observer stream said, as the criteria read it."""

    phases: list[dict] = field(default_factory=list)  # {name, start_s}, as the controller reported them
    declared: list[str] = field(default_factory=list)  # the phases the controller's hello declared
    matings: list[dict] = field(default_factory=list)
    docks: list[dict] = field(default_factory=list)
    first_contacts: list[dict] = field(default_factory=list)
    hazards: list[dict] = field(default_factory=list)
    lock_events: list[dict] = field(default_factory=list)
    faults: list[dict] = field(default_factory=list)
    last_truth: dict | None = None
    peak_connector_force_n: float = 0.0
    peak_contact_n: dict[str, float] = field(default_factory=dict)
    session_start: dict | None = None
    session_end: dict | None = None

    @property
    def end(self) -> dict:
        return self.session_end or {}

    @property
    def controller(self) -> dict:
        return self.end.get("controller") or {}


class Recorder:
    def __init__(
        self,
        *,
        resolved_config: dict,
        seed: int,
        acceptance,
        vehicle,
        pack,
        gravity_m_s2: float,
        installed_role: str = "charged",
    ):
        self.resolved = resolved_config
        self.seed = seed
        self.acceptance = acceptance
        self.vehicle = vehicle
        self.pack = pack
        self.g = gravity_m_s2
        self.installed_role = installed_role
        self.seen = Observed()

    # -- the sink -------------------------------------------------------------------
    def __call__(self, topic: str, body: dict) -> None:
        seen = self.seen
        if topic == TOPIC_TRUTH:
            seen.last_truth = body
            seen.peak_connector_force_n = max(seen.peak_connector_force_n, body["connector"]["peak_force_n"])
            for kind, f in body.get("contact_n", {}).items():
                seen.peak_contact_n[kind] = max(seen.peak_contact_n.get(kind, 0.0), f)
        elif topic == TOPIC_EVENT:
            self._event(body)
        elif topic == TOPIC_SESSION:
            if body.get("event") == "start":
                seen.session_start = body
                seen.declared = list(body.get("phases") or [])
            elif body.get("event") == "end":
                seen.session_end = body

    def _event(self, body: dict) -> None:
        kind, seen = body.get("event"), self.seen
        if kind == "phase":
            seen.phases.append({"name": body["phase"], "start_s": body["t_s"]})
        elif kind in _KEPT:
            getattr(seen, _KEPT[kind]).append(body)
        elif kind == "fault":
            if body["active"]:
                seen.faults.append(
                    {"name": body["name"], "kind": body["kind"], "active_s": body["t_s"], "cleared_s": None}
                )
            else:
                for f in seen.faults:
                    if f["name"] == body["name"] and f["cleared_s"] is None:
                        f["cleared_s"] = body["t_s"]

    # -- the result -------------------------------------------------------------------
    def result(self) -> dict[str, Any]:
        seen, end = self.seen, self.seen.end
        sim_time_s, wall_time_s = end.get("sim_time_s", 0.0), end.get("wall_time_s", 0.0)
        reasons: list[str] = []
        ending(seen, reasons)
        phases, cycle_time_s = cycle(seen, reasons, limit_s=self.vehicle.swap_time_limit_s, sim_time_s=sim_time_s)
        align = alignment(seen, reasons, self.acceptance, installed_role=self.installed_role)
        required = self.acceptance.required_force_n(
            mass_kg=self.pack.mass_kg, lock_count=len(self.pack.locks.positions_mm), gravity_m_s2=self.g
        )
        lock_rows = locks(seen, reasons, required_n=required)
        mated = connector(seen, reasons)
        hazards(seen, reasons)
        return {
            "schema_version": RESULT_SCHEMA_VERSION,
            "verdict": {"status": "fail" if reasons else "pass", "reasons": reasons},
            "cycle_time_s": cycle_time_s,
            "cycle_time_limit_s": self.vehicle.swap_time_limit_s,
            "phases": phases,
            "alignment": align,
            "locks": lock_rows,
            "connector": {"mated": mated, "peak_force_n": round(seen.peak_connector_force_n, 3)},
            # pybullet's contact solver, sampled every physics step: how hard packs were set down or struck
            "contacts": {"peak_n": {k: round(v, 1) for k, v in sorted(seen.peak_contact_n.items())}},
            "hazards": seen.hazards,
            "faults": seen.faults,
            "controller": seen.controller,
            "session": {
                k: end.get(k)
                for k in (
                    "end_reason",
                    "client",
                    "periods",
                    "missed_periods",
                    "duplicate_commands",
                    "stale_commands",
                    "rejected_messages",
                    "overruns",
                    "takeovers",
                    "strangers_answered",
                    "strangers_ignored",
                    "errors",
                    "station_error",
                    "sink_failures",
                    "lifecycle",
                    "link",
                    "trace",
                )
            },  # fmt: skip
            "seed": self.seed,
            "sim_time_s": round(sim_time_s, 6),
            "wall_time_s": round(wall_time_s, 3),
            "real_time_factor": round(sim_time_s / wall_time_s, 3) if wall_time_s > 0 else None,
            "timing": end.get("timing"),  # the latency budget, measured (twin/session/timing.py)
            "config": self.resolved,
        }


# -- the criteria: each reads what was observed and adds its reasons ----------------------------
def ending(seen: Observed, reasons: list[str]) -> None:
    """The session ended by the controller's bye, with outcome done."""
    end, controller = seen.end, seen.controller
    if end.get("end_reason") == "station_error":
        reasons.append(f"the station failed: {end.get('station_error')}")
    elif end.get("end_reason") != "bye":
        reasons.append(f"session ended by {end.get('end_reason') or 'nothing (no session)'}, not by the controller")
    if controller.get("outcome") != "done":
        reasons.append(
            f"controller outcome {controller.get('outcome')!r} in phase {controller.get('phase')!r}: "
            f"{controller.get('reason', '')}"
        )


def cycle(seen: Observed, reasons: list[str], *, limit_s: float, sim_time_s: float) -> tuple[list[dict], float | None]:
    """The phase table and the measured cycle time (None when it cannot be measured)."""
    final = seen.declared[-1] if seen.declared else None
    phases = []
    for i, p in enumerate(seen.phases):
        if p["name"] == final:
            continue
        stop = seen.phases[i + 1]["start_s"] if i + 1 < len(seen.phases) else sim_time_s
        phases.append(
            {"name": p["name"], "start_s": round(p["start_s"], 6), "duration_s": round(stop - p["start_s"], 6)}
        )
    if final is None:
        reasons.append("the controller declared no phases in its hello: the cycle time cannot be measured")
        return phases, None
    start_s = seen.phases[0]["start_s"] if seen.phases else 0.0
    final_s = next((p["start_s"] for p in seen.phases if p["name"] == final), None)
    if final_s is None:
        reasons.append(f"the controller never reached its final phase {final!r}: no measured cycle time")
        return phases, None
    if seen.controller.get("outcome") != "done":
        return phases, None  # an unfinished swap has no cycle time (the ending says why)
    cycle_time_s = round(final_s - start_s, 6)
    if cycle_time_s > limit_s:
        reasons.append(f"cycle time {cycle_time_s:.1f} s exceeds {limit_s:.0f} s")
    return phases, cycle_time_s


def alignment(seen: Observed, reasons: list[str], acc, *, installed_role: str) -> list[dict]:
    """Each mating of a pack into the vehicle within tolerance; dockings and first contacts as measured."""
    rows = []
    tol_mm, tol_deg = acc.interface_tolerance_mm, acc.interface_tolerance_deg
    for m in seen.matings:
        ok = abs(m["x_mm"]) <= tol_mm and abs(m["y_mm"]) <= tol_mm and abs(m["yaw_deg"]) <= tol_deg
        rows.append(
            {
                "mating": "pack_into_vehicle",
                "pack": m["pack"],
                "t_s": round(m["t_s"], 6),
                "x_mm": round(m["x_mm"], 4),
                "y_mm": round(m["y_mm"], 4),
                "z_mm": round(m["z_mm"], 4),
                "yaw_deg": round(m["yaw_deg"], 5),
                "tolerance_mm": tol_mm,
                "tolerance_deg": tol_deg,
                "within": ok,
            }
        )
        if not ok:
            reasons.append(
                f"{m['pack']} pack mated off by x={m['x_mm']:+.2f} mm, y={m['y_mm']:+.2f} mm, "
                f"yaw={m['yaw_deg']:+.3f} deg "
                f"(limit +-{tol_mm} mm, +-{tol_deg} deg)"
            )
    for name, events in (
        ("tool_to_pack", seen.docks),
        *((f"first_contact_{c['with']}", [c]) for c in seen.first_contacts),
    ):
        for d in events:
            rows.append(
                {
                    "mating": name,
                    "pack": d["pack"],
                    "t_s": round(d["t_s"], 6),
                    "x_mm": round(d["x_mm"], 4),
                    "y_mm": round(d["y_mm"], 4),
                    "yaw_deg": round(d["yaw_deg"], 5),
                }
            )
    if not any(m["pack"] == installed_role for m in seen.matings):
        reasons.append(f"the {installed_role} pack never mated with the vehicle")
    return rows


def locks(seen: Observed, reasons: list[str], *, required_n: float) -> list[dict]:
    """Every lock engaged at the end, holding at least the required retention (its model's own law)."""
    rows = []
    reported = (seen.last_truth or {}).get("locks", [])
    if not reported:
        reasons.append("no lock was reported at the end")
    for lk in reported:
        rows.append(
            {
                "id": lk["id"],
                "type": lk["type"],
                "engaged": lk["engaged"],
                "holding_force_n": round(lk["holding_force_n"], 3),
                "required_force_n": round(required_n, 3),
                "engaging_force_n": round(lk.get("engaging_force_n", 0.0), 3),
            }
        )
        if not lk["engaged"]:
            reasons.append(f"lock {lk['id']} is not engaged at the end")
        elif lk["holding_force_n"] < required_n:
            reasons.append(
                f"lock {lk['id']} holds {lk['holding_force_n']:.0f} N, below the required {required_n:.0f} N"
            )
    return rows


def connector(seen: Observed, reasons: list[str]) -> bool | None:
    mated = (seen.last_truth or {}).get("connector", {}).get("mated")
    if not mated:
        reasons.append("connector not mated at the end")
    return mated


def hazards(seen: Observed, reasons: list[str]) -> None:
    for h in seen.hazards:
        reasons.append(f"hazard {h['kind']} at {h['t_s']:.2f} s: {h['detail']}")
