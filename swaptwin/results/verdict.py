"""The verdict on one swap, computed from the observer channel only.

``Recorder`` is an observer sink: it sees exactly the messages a remote
subscriber of the plant's PUB socket would see (session, event and truth
topics), so the same verdict could be computed on another machine.

Criteria (limits from the ``acceptance`` config and the vehicle):

* the controller finished the swap (``bye`` with outcome ``done``);
* cycle time within the vehicle's limit (GB/T 29772-2024 s8.5.1: 300 s car);
* alignment of the installed pack at mating within +-interface tolerance
  (QC/T 1204.4-2024 s4.1: +-2 mm) and the yaw tolerance;
* every lock engaged, each holding at least mass x (shock + static) g x SF / locks,
  from the lock model's own law;
* the connector mated at the end;
* no hazard.
"""

from __future__ import annotations

from typing import Any

from twin.session.observer import TOPIC_EVENT, TOPIC_SESSION, TOPIC_TRUTH

RESULT_SCHEMA_VERSION = 1
# Fields that depend on the host, not on the simulation: excluded when
# comparing two runs for determinism. (A recording holds wall times, so its
# size varies; the recorder's and the report's own costs are timings.)
TIMING_FIELDS = ("wall_time_s", "real_time_factor", "recording", "report")
# Phase names a controller reports after the sequence: not part of the phase table.
TERMINAL_PHASES = frozenset({"done"})


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
        self.phases: list[dict] = []
        self.matings: list[dict] = []
        self.docks: list[dict] = []
        self.first_contacts: list[dict] = []
        self.hazards: list[dict] = []
        self.lock_events: list[dict] = []
        self.faults: list[dict] = []
        self.last_truth: dict | None = None
        self.peak_connector_force_n = 0.0
        self.peak_contact_n: dict[str, float] = {}
        self.session_start: dict | None = None
        self.session_end: dict | None = None

    # -- the sink -------------------------------------------------------------------
    def __call__(self, topic: str, body: dict) -> None:  # noqa: C901 (split in the redesign)
        if topic == TOPIC_TRUTH:
            self.last_truth = body
            self.peak_connector_force_n = max(self.peak_connector_force_n, body["connector"]["peak_force_n"])
            for kind, f in body.get("contact_n", {}).items():
                self.peak_contact_n[kind] = max(self.peak_contact_n.get(kind, 0.0), f)
        elif topic == TOPIC_EVENT:
            kind = body.get("event")
            if kind == "phase":
                self.phases.append({"name": body["phase"], "start_s": body["t_s"]})
            elif kind == "mating":
                self.matings.append(body)
            elif kind == "dock":
                self.docks.append(body)
            elif kind == "first_contact":
                self.first_contacts.append(body)
            elif kind == "hazard":
                self.hazards.append(body)
            elif kind == "lock":
                self.lock_events.append(body)
            elif kind == "fault":
                if body["active"]:
                    self.faults.append(
                        {"name": body["name"], "kind": body["kind"], "active_s": body["t_s"], "cleared_s": None}
                    )
                else:
                    for f in self.faults:
                        if f["name"] == body["name"] and f["cleared_s"] is None:
                            f["cleared_s"] = body["t_s"]
        elif topic == TOPIC_SESSION:
            if body.get("event") == "start":
                self.session_start = body
            elif body.get("event") == "end":
                self.session_end = body

    # -- the result -------------------------------------------------------------------
    def result(self) -> dict[str, Any]:  # noqa: C901 (split in the redesign)
        acc = self.acceptance
        end = self.session_end or {}
        controller = end.get("controller") or {}
        sim_time_s = end.get("sim_time_s", 0.0)
        wall_time_s = end.get("wall_time_s", 0.0)
        reasons: list[str] = []

        # 1. How the session ended.
        if end.get("end_reason") != "bye":
            reasons.append(f"session ended by {end.get('end_reason') or 'nothing (no session)'}, not by the controller")
        if controller.get("outcome") != "done":
            reasons.append(
                f"controller outcome {controller.get('outcome')!r} in phase {controller.get('phase')!r}: "
                f"{controller.get('reason', '')}"
            )

        # 2. Phases and cycle time (plant time, from the controller's reported phases).
        phases = []
        for i, p in enumerate(self.phases):
            if p["name"] in TERMINAL_PHASES:
                continue
            stop = self.phases[i + 1]["start_s"] if i + 1 < len(self.phases) else sim_time_s
            phases.append(
                {"name": p["name"], "start_s": round(p["start_s"], 6), "duration_s": round(stop - p["start_s"], 6)}
            )
        start_s = self.phases[0]["start_s"] if self.phases else 0.0
        done_s = next((p["start_s"] for p in self.phases if p["name"] == "done"), None)
        cycle_time_s = (
            round(done_s - start_s, 6) if done_s is not None and controller.get("outcome") == "done" else None
        )
        limit_s = self.vehicle.swap_time_limit_s
        if cycle_time_s is not None and cycle_time_s > limit_s:
            reasons.append(f"cycle time {cycle_time_s:.1f} s exceeds {limit_s:.0f} s")

        # 3. Alignment at each mating of a pack into the vehicle.
        alignment = []
        tol_mm, tol_deg = acc.interface_tolerance_mm, acc.interface_tolerance_deg
        for m in self.matings:
            ok = abs(m["x_mm"]) <= tol_mm and abs(m["y_mm"]) <= tol_mm and abs(m["yaw_deg"]) <= tol_deg
            alignment.append(
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
                    f"yaw={m['yaw_deg']:+.3f} deg (limit +-{tol_mm} mm, +-{tol_deg} deg)"
                )
        for d in self.docks:
            alignment.append(
                {
                    "mating": "tool_to_pack",
                    "pack": d["pack"],
                    "t_s": round(d["t_s"], 6),
                    "x_mm": round(d["x_mm"], 4),
                    "y_mm": round(d["y_mm"], 4),
                    "yaw_deg": round(d["yaw_deg"], 5),
                }
            )
        for c in self.first_contacts:
            alignment.append(
                {
                    "mating": f"first_contact_{c['with']}",
                    "pack": c["pack"],
                    "t_s": round(c["t_s"], 6),
                    "x_mm": round(c["x_mm"], 4),
                    "y_mm": round(c["y_mm"], 4),
                    "yaw_deg": round(c["yaw_deg"], 5),
                }
            )
        if not any(m["pack"] == self.installed_role for m in self.matings):
            reasons.append(f"the {self.installed_role} pack never mated with the vehicle")

        # 4. Locks, from their models' own laws (final state).
        n_locks = len(self.pack.locks.positions_mm)
        required = acc.required_force_n(mass_kg=self.pack.mass_kg, lock_count=n_locks, gravity_m_s2=self.g)
        locks = []
        for lk in (self.last_truth or {}).get("locks", []):
            locks.append(
                {
                    "id": lk["id"],
                    "type": lk["type"],
                    "engaged": lk["engaged"],
                    "holding_force_n": round(lk["holding_force_n"], 3),
                    "required_force_n": round(required, 3),
                    "engaging_force_n": round(lk.get("engaging_force_n", 0.0), 3),
                }
            )
            if not lk["engaged"]:
                reasons.append(f"lock {lk['id']} is not engaged at the end")
            elif lk["holding_force_n"] < required:
                reasons.append(
                    f"lock {lk['id']} holds {lk['holding_force_n']:.0f} N, below the required {required:.0f} N"
                )
        connector = (self.last_truth or {}).get("connector", {})
        if not connector.get("mated"):
            reasons.append("connector not mated at the end")

        # 5. Hazards.
        for h in self.hazards:
            reasons.append(f"hazard {h['kind']} at {h['t_s']:.2f} s: {h['detail']}")

        return {
            "schema_version": RESULT_SCHEMA_VERSION,
            "verdict": {"status": "fail" if reasons else "pass", "reasons": reasons},
            "cycle_time_s": cycle_time_s,
            "cycle_time_limit_s": limit_s,
            "phases": phases,
            "alignment": alignment,
            "locks": locks,
            "connector": {"mated": connector.get("mated"), "peak_force_n": round(self.peak_connector_force_n, 3)},
            # pybullet's contact solver, sampled every physics step: how hard packs were set down or struck
            "contacts": {"peak_n": {k: round(v, 1) for k, v in sorted(self.peak_contact_n.items())}},
            "hazards": self.hazards,
            "faults": self.faults,
            "controller": controller,
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
                    "errors",
                    "link",
                    "trace",
                )
            },
            "seed": self.seed,
            "sim_time_s": round(sim_time_s, 6),
            "wall_time_s": round(wall_time_s, 3),
            "real_time_factor": round(sim_time_s / wall_time_s, 3) if wall_time_s > 0 else None,
            "config": self.resolved,
        }
