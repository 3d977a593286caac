"""Physics levers of issue 15, measured: the in-process swap (the floor, no wire)
under each lever against the default, side by side, per rig family.

A lever that the config has (``physics.step_s``, ``physics.solver_iterations``)
is an override; the two it does not have are set on the world after the
station is built (its settling ran with the default): pyramid friction
(``enableConeFriction=0``) and packs allowed to sleep. A lever earns a config
field, and a bless of the regression baselines, only once it is worth taking;
docs/physics.md says which were and why.

Figures: every lever's swap runs side by side in this one process, each on
its own pybullet client, stepped in turn one control period at a time, so a
slow spell of the machine hits them all alike (run one after another, the
same swap's time swung 2x here). Each lever's seconds are those spent in its
own periods, median of ``repeats``, with its ratio to the default; and how
far the lever moves what the verdict is made of: the outcome, the cycle time, and the
largest shift of any docking, first-contact or mating offset (mm) against the
default run. ``swaptwin regress`` with the lever's overrides is the judge of
a lever; this says whether one is worth a regress run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pybullet as pb

from swaptwin.config import load
from swaptwin.inprocess import drive
from twin.rigs import make_station

_OFFSET_EVENTS = ("dock", "first_contact", "mating")
_OFFSET_KEYS = ("x_mm", "y_mm", "z_mm")


def _pyramid_friction(station) -> None:
    pb.setPhysicsEngineParameter(enableConeFriction=0, physicsClientId=station.world.cid)


def _packs_sleep(station) -> None:
    for pack in station.packs:
        pb.changeDynamics(
            pack.body, -1, activationState=pb.ACTIVATION_STATE_ENABLE_SLEEPING, physicsClientId=station.world.cid
        )


def _all_tweaks(station) -> None:
    _pyramid_friction(station)
    _packs_sleep(station)


# name -> (config overrides, what to do to the built station)
LEVERS: dict[str, tuple[list[str], Callable | None]] = {
    "default": ([], None),
    "200 Hz": (["physics.step_s=0.005"], None),
    "solver 20 iterations": (["physics.solver_iterations=20"], None),
    "pyramid friction": ([], _pyramid_friction),
    "packs sleep": ([], _packs_sleep),
    "all four": (["physics.step_s=0.005", "physics.solver_iterations=20"], _all_tweaks),
}
RIGS = {"car": [], "truck": ["rig=overhead"]}


class _Swap:
    """One lever's in-process swap, advanced a control period at a time."""

    def __init__(self, overrides: list[str], tweak: Callable | None):
        cfg = load([*overrides, "record.enabled=false"])
        self.limit_s = cfg.plant.scenario.max_sim_time_s
        self.station = make_station(cfg.plant)
        if tweak is not None:
            tweak(self.station)
        self.periods = drive(self.station, cfg.controller)
        self.wall_s = 0.0
        self.events: list[dict] = []
        self.outcome = None
        self.running = True

    def period(self) -> None:
        t0 = time.perf_counter()
        try:
            self.outcome = next(self.periods).outcome
        except StopIteration:
            self.running = False
        self.wall_s += time.perf_counter() - t0
        self.events += self.station.take_events()
        if self.outcome is not None or self.station.time_s >= self.limit_s - 1e-9:
            self.running = False

    def result(self) -> dict:
        self.station.close()
        return {
            "wall_s": self.wall_s,
            "sim_s": self.station.time_s,
            "outcome": self.outcome.outcome if self.outcome else None,
            "cycle_s": self.outcome.t_s if self.outcome else None,
            "offsets": {
                (e["event"], e.get("pack"), e.get("with"), k): e[k]
                for e in self.events
                if e.get("event") in _OFFSET_EVENTS
                for k in _OFFSET_KEYS
                if isinstance(e.get(k), float)
            },
        }


def _side_by_side(rig: str, levers: list[str]) -> dict[str, dict]:
    """Every lever's swap in this one process, each its own pybullet client,
    stepped in turn one control period at a time: a slow spell of a shared
    machine (this one's speed swings 2x within minutes) hits them all alike."""
    swaps = {name: _Swap([*RIGS[rig], *LEVERS[name][0]], LEVERS[name][1]) for name in levers}
    while any(s.running for s in swaps.values()):
        for s in swaps.values():
            if s.running:
                s.period()
    return {name: s.result() for name, s in swaps.items()}


def _shift(run: dict, ref: dict) -> dict:
    """How far a lever's run moved from the default's."""
    mine, theirs = run["offsets"], ref["offsets"]
    shifts = [abs(mine[k] - theirs[k]) for k in mine.keys() & theirs.keys()]
    cycle = None if None in (run["cycle_s"], ref["cycle_s"]) else round(run["cycle_s"] - ref["cycle_s"], 3)

    def events(keys) -> list[str]:
        return sorted({"/".join(str(p) for p in k[:3] if p is not None) for k in keys})

    return {
        "same_outcome": run["outcome"] == ref["outcome"],
        "cycle_shift_s": cycle,
        "max_offset_shift_mm": round(max(shifts), 3) if shifts else None,
        # An event the default saw and the lever did not (or the reverse): a KPI gone, which regress fails.
        "offsets_missing": events(theirs.keys() - mine.keys()),
        "offsets_new": events(mine.keys() - theirs.keys()),
    }


def bench_physics(*, repeats: int, rigs: list[str] | None = None, levers: list[str] | None = None) -> dict:
    rigs = rigs or list(RIGS)
    levers = levers or list(LEVERS)
    if "default" not in levers:
        levers = ["default", *levers]
    out: dict = {"repeats": repeats, "rigs": {}}
    for rig in rigs:
        runs: dict[str, list[dict]] = {name: [] for name in levers}
        for _ in range(repeats):
            for name, run in _side_by_side(rig, levers).items():
                runs[name].append(run)
        ref_wall = statistics.median(r["wall_s"] for r in runs["default"])
        ref = runs["default"][0]
        rows = {}
        for name in levers:
            wall = statistics.median(r["wall_s"] for r in runs[name])
            rows[name] = {
                "wall_s": round(wall, 3),
                "runs_wall_s": [round(r["wall_s"], 3) for r in runs[name]],
                "speed_over_default": round(ref_wall / wall, 3),
                "real_time_factor": round(runs[name][0]["sim_s"] / wall, 2),
                "outcome": runs[name][0]["outcome"],
                "cycle_s": runs[name][0]["cycle_s"],
                **_shift(runs[name][0], ref),
            }
        out["rigs"][rig] = rows
    return out


def print_physics(r: dict) -> None:
    for rig, rows in r["rigs"].items():
        print(f"physics {rig} (s in its own periods, median of {r['repeats']}):")
        for name, row in rows.items():
            missing = f" | KPIs gone: {', '.join(row['offsets_missing'])}" if row["offsets_missing"] else ""
            print(
                f"  {name:22s} {row['wall_s']:6.2f} s  x{row['speed_over_default']:.2f} "
                f"({row['real_time_factor']:.1f}x real time) | {row['outcome']} "
                f"cycle {row['cycle_s']} s (shift {row['cycle_shift_s']}) | largest offset shift "
                f"{row['max_offset_shift_mm']} mm{missing}"
            )
