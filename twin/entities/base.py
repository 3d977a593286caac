"""The lifecycle every entity of a station follows (as dm_control's composer has it).

A station composes entities (a vehicle, packs, storage, a servo rig and its
drives, the pack-to-vehicle interface, sensors, hazard monitors) and drives
them through one lifecycle:

1. build: an entity is constructed in a world, which loads its bodies at the
   scenario's start state (a parked car, a pack in its slot). Every session
   starts from a world that was reset (``World.reset``) and is built again,
   so every session begins exactly as a fresh plant would
   (``Station.initialize_session``).
2. ``initialize_session()``: once all entities are built, its own state that
   depends on the others or on the built world (a drive's position, a
   filter's initial value) is set to the scenario's start.
3. ``before_period(t_s, dt)``: once per control period, before the physics
   (a drifting encoder walks on).
4. ``before_step(dt)`` and ``after_step(dt)``: every physics step, before and
   after pybullet steps (motors, springs and model forces before; sampling
   after).
5. ``after_period(t_s, dt)``: once per control period, after the physics
   (models that run at the control rate, sensors).

Queries (poses, readings, ``truth``) never change state.

Faults: an entity names the fault kinds it is the target of
(``fault_kinds``) and applies them through ``apply_fault``: nothing writes
into another object's attributes.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Entity:
    fault_kinds: ClassVar[frozenset[str]] = frozenset()

    def initialize_session(self) -> None:
        """Back to the scenario's start state."""

    def before_period(self, t_s: float, dt: float) -> None:
        """Once per control period, before the physics."""

    def before_step(self, dt: float) -> None:
        """Every physics step, before pybullet steps."""

    def after_step(self, dt: float) -> None:
        """Every physics step, after pybullet stepped."""

    def after_period(self, t_s: float, dt: float) -> None:
        """Once per control period, after the physics."""

    def apply_fault(self, fault: Any, *, active: bool) -> None:
        """Start (``active``) or end a fault of one of ``fault_kinds``."""
        raise KeyError(f"{type(self).__name__} takes no {fault.kind} fault")
