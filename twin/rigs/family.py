"""The record a rig family registers: everything the rest of SwapTwin needs to know of it.

A rig family is one package ``twin/rigs/<family>/`` (its schema, its derived
geometry, its station and machines, its pre-check criteria, and its record
``FAMILY = RigFamily(...)``), one line in ``twin/rigs/__init__.py``, its wire
vocabulary ``swapwire/vocab/<family>.py``, its controller sequence
``controllers/sequences/<family>.py`` and its config files. Nothing else
names a rig family.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any


def one_position(plant: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A rig that serves one pack a vehicle: no positions to spread runs over."""
    return ()


def load_object(path: str) -> Any:
    """``"package.module:Name"`` -> the object, imported on first use."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class RigFamily:
    """What the registry knows of a rig family.

    ``schema``: the ``rig`` config dataclass of the family. ``vocabulary``: its
    wire vocabulary (``swapwire.vocab.<family>``): axes, sensors, tools.
    ``station``: import path of its ``Station`` class, loaded only when a
    station is built (it imports pybullet). ``sequence``: import path of the
    controller sequence that drives it; the controller finds it in its own
    registry (it runs without the twin), and the batch tools read its phases
    from here. ``criteria``: its pre-check criteria, ``(name, fn)`` with
    ``fn(CheckContext) -> Criterion``. ``access``: the directions from which its
    tool reaches a pack (``below``, ``above``, ``side``: a pack's ``access``).
    ``pack_forms``, ``vehicle_classes``: the pack forms and vehicle classes it
    serves. ``signals``: the ground-truth
    signals a fault trigger may watch. ``campaign``: the stem of its fault
    campaign in ``configs/campaign/``. ``positions``: for a composed plant, the
    pack positions of its vehicle that a swap on this rig may serve, each
    ``(name, overrides that select it)``; a vehicle with several packs is
    swapped pack by pack, one position a swap, and ``swaptwin qualify``
    spreads its runs over them and judges each. Empty: one pack a vehicle
    (or the config has fixed the position).
    """

    name: str
    schema: type
    vocabulary: ModuleType
    station: str
    sequence: str
    criteria: tuple[tuple[str, Callable[[Any], Any]], ...]
    pack_forms: tuple[str, ...]
    vehicle_classes: tuple[str, ...]
    access: tuple[str, ...] = ()
    signals: tuple[str, ...] = ("rig_load_n",)
    campaign: str = ""
    positions: Callable[[Any], tuple[tuple[str, tuple[str, ...]], ...]] = one_position

    @property
    def axes(self) -> tuple[str, ...]:
        return tuple(self.vocabulary.AXES)

    @property
    def sensor_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.vocabulary.SENSORS)

    def station_class(self) -> type:
        return load_object(self.station)

    def sequence_class(self) -> type:
        return load_object(self.sequence)

    @property
    def phases(self) -> tuple[str, ...]:
        return tuple(self.sequence_class().PHASES)
