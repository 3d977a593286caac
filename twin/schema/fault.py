"""Fault schema: the ``fault`` config group (faults injected into a run)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from twin.schema._fields import q


@dataclass(frozen=True)
class FaultSet:
    name: str = q()
    faults: list[Any] = q(doc="fault entries; the catalog and its triggers arrive with the fault issue")

    def check(self):
        return [("faults", "fault injection is not implemented yet; use fault=none")] if self.faults else []
