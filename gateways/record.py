"""The record a gateway registers: everything the rest of SwapTwin needs to know of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from twin.schema import q


@dataclass(frozen=True)
class NoGateway:
    """``gateway=none``: the controller talks to the twin itself."""

    kind: Literal["none"] = q("none")


@dataclass(frozen=True)
class Gateway:
    """What the registry knows of a gateway.

    ``schema``: its ``gateway`` config dataclass. ``problems(swap_config)``:
    what is wrong with the rest of its configuration: ``twin.schema.Problem``s
    naming their own files (its tag map), and ``(key, message)`` pairs of
    config keys, which the caller attributes to the file or override that set
    them. ``server``: the module
    run in the plant's place (``--config C --out D --endpoint E --observer O
    --station URL [--station-observer O2]``): it serves the wire and writes
    ``result.json``. ``stand_in``: the module of the emulated station PLC
    (``--config C --endpoint URL --observer O2 --ready-file F``; it writes
    ``{"endpoint": ...}`` to F once it serves), which ``swaptwin swap`` starts
    first, on ``stand_in_endpoint`` (a free loopback port).
    ``relays_truth(swap_config)``: whether the server takes the stand-in's
    ground truth (a config may ask it to serve as it would a real PLC)."""

    name: str
    schema: type
    problems: Callable[[Any], list[Any]]
    server: str
    stand_in: str
    stand_in_endpoint: str
    relays_truth: Callable[[Any], bool]
