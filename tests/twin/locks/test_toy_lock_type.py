"""A lock type is one module and a registry line: a toy lock type, registered
from the test suite alone, runs through the config's validation, the static
pre-check and the characterise sweep like the shipped ones."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import pytest

from swapwire import LOCK_ENGAGE, LOCK_RELEASE
from swaptwin.commands.characterise import characterise
from swaptwin.commands.check import precheck
from swaptwin.config import load
from twin import locks
from twin.locks.base import LockContext, LockModel, LockType
from twin.locks.sweep import Sweep, context, forces
from twin.schema._fields import q

MM = 1e-3


@dataclass(frozen=True)
class ToyBolt:
    """A bolt that holds its rated load once turned in, if its hole is within the clearance."""

    type: Literal["toy_bolt"] = q()
    rated_n: float = q(lo=1.0, hi=1e6, unit="N")
    clearance_mm: float = q(lo=0.1, hi=20.0, unit="mm")
    turn_time_s: float = q(lo=0.01, hi=10.0, unit="s")


class ToyBoltLock(LockModel):
    lock_type = "toy_bolt"
    channels = ("tight",)
    engaged_when = {"tight": True}
    released_when = {"tight": False}

    def __init__(self, cfg: ToyBolt, *, engaged: bool):
        super().__init__()
        self.cfg, self.turned_s, self.action, self.fits = cfg, cfg.turn_time_s if engaged else 0.0, "hold", engaged

    def _update(self, dt: float, ctx: LockContext) -> None:
        self.fits = (
            abs(float(ctx.offset_m[0])) <= self.cfg.clearance_mm * MM
            and abs(float(ctx.offset_m[1])) <= self.cfg.clearance_mm * MM
        )
        if ctx.tool_coupled and self.action == LOCK_ENGAGE and self.fits:
            self.turned_s = min(self.turned_s + dt, self.cfg.turn_time_s)
        elif ctx.tool_coupled and self.action == LOCK_RELEASE:
            self.turned_s = max(self.turned_s - dt, 0.0)

    @property
    def engaged(self) -> bool:
        return self.fits and self.turned_s >= self.cfg.turn_time_s

    @property
    def nominal_engage_time_s(self) -> float:
        return self.cfg.turn_time_s

    def holding_force_n(self) -> float:
        return self.cfg.rated_n if self.engaged else 0.0

    def sensors(self):
        return {"tight": (self.engaged, self.engaged)}

    def truth(self) -> dict:
        return {"type": self.lock_type, "engaged": self.engaged, "holding_force_n": self.holding_force_n()}


def toy_sweep(cfg: ToyBolt) -> Sweep:
    s = Sweep(inputs=["dx_mm"], x="dx_mm", x_label="hole offset [mm]")
    for dx in (0.0, 0.5 * cfg.clearance_mm, 2.0 * cfg.clearance_mm):
        lock = ToyBoltLock(cfg, engaged=False)
        lock.command(LOCK_ENGAGE)
        lock.update(cfg.turn_time_s, context([dx * MM, 0.0, 0.0]))
        row = {
            "dx_mm": dx,
            **forces(lock),
            "holding_law_n": cfg.rated_n if dx <= cfg.clearance_mm else 0.0,
            "insertion_law_n": 0.0,
        }
        s.rows.append(row)
    s.curves = {"": s.rows}
    return s


TOY = LockType(name="toy_bolt", schema=ToyBolt, model=ToyBoltLock, sweep=toy_sweep, strength_key="rated_n")


@pytest.fixture
def toy_registered(tmp_path):
    locks.register(TOY)
    (tmp_path / "lock").mkdir()
    (tmp_path / "lock" / "toy_bolt.yaml").write_text(
        "type: toy_bolt\nrated_n: 20000\nclearance_mm: 3\nturn_time_s: 0.5\n"
    )
    yield tmp_path
    locks.LOCK_TYPES.pop(TOY.name, None)


def test_a_toy_lock_type_registered_from_a_test_runs_through_the_static_check(toy_registered):
    cfg = load(
        [f"hydra.searchpath=[file://{toy_registered}]", "lock=toy_bolt", "rig.lock_types=[hydraulic_pin,toy_bolt]"]
    )
    assert isinstance(cfg.plant.lock, ToyBolt)
    report = precheck(cfg.plant, cfg.controller)
    capture = report.criterion("lock_capture")
    # Capture is the model's own clearance (3 mm), less the 2 mm interface + 0.3 mm align position error.
    assert capture.passed and capture.margin == pytest.approx(3.0 - 2.3, abs=0.06)
    holding = report.criterion("lock_holding")
    assert holding.margin == pytest.approx(
        (
            20000
            - cfg.plant.acceptance.required_force_n(
                mass_kg=cfg.plant.pack.mass_kg + cfg.plant.pack.tolerances.mass_kg, lock_count=4, gravity_m_s2=9.81
            )
        )
        / 1e3,
        rel=1e-6,
    )
    assert report.criterion("lock_type").passed


def test_a_toy_lock_type_runs_through_the_characterise_sweep(toy_registered, tmp_path):
    cfg = load([f"hydra.searchpath=[file://{toy_registered}]", "lock=toy_bolt"]).plant.lock
    summary = characterise(cfg, tmp_path / "out")
    assert summary["lock_type"] == "toy_bolt" and summary["rows"] == 3 and summary["within_tolerance"]
    # A toy model that drifts from its law is caught by the same sweep.
    broken = dataclasses.replace(TOY, sweep=lambda c: _drifted(toy_sweep(c)))
    locks.LOCK_TYPES["toy_bolt"] = broken
    assert not characterise(cfg, tmp_path / "out2")["within_tolerance"]


def _drifted(s: Sweep) -> Sweep:
    for r in s.rows:
        r["holding_model_n"] *= 1.2
    return s


def test_an_unregistered_lock_type_is_refused_at_load_naming_the_registry(tmp_path):
    (tmp_path / "lock").mkdir()
    (tmp_path / "lock" / "toy_bolt.yaml").write_text("type: toy_bolt\nrated_n: 20000\n")
    from twin.schema import ConfigError

    with pytest.raises(ConfigError, match="'toy_bolt' is not known; choose one of"):
        load([f"hydra.searchpath=[file://{tmp_path}]", "lock=toy_bolt"])
