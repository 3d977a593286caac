"""A characterise sweep: a lock model driven through its inputs beside its analytic law.

Each lock type's module provides ``sweep(cfg) -> Sweep``; ``swaptwin
characterise`` computes the errors and writes the table and the plot. The
laws in a sweep are restated from their sources (``../shared/domain.md``),
not imported from the model, so the comparison is not circular.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.locks.base import LockContext, LockModel


@dataclass
class Sweep:
    """Rows of one sweep and how to plot them: ``curves`` names subsets of rows,
    drawn over column ``x`` as a model and a law line for each force of a panel.

    A row holds the inputs, then each quantity as ``<name>_model_<unit>`` and
    ``<name>_law_<unit>``."""

    inputs: list[str]
    rows: list[dict] = field(default_factory=list)
    x: str = ""
    x_label: str = ""
    curves: dict[str, list[dict]] = field(default_factory=dict)
    # Forces drawn together on one chart; forces of very different size get their own.
    panels: list[tuple[str, ...]] = field(default_factory=lambda: [("holding", "insertion")])


def context(offset_m, *, tool: bool = True) -> LockContext:
    """The context of a lock driven on its own: powered, no carried load."""
    return LockContext(
        offset_m=np.asarray(offset_m, dtype=float), tool_coupled=tool, vehicle_power=True, carried_load_n=0.0
    )


def forces(lock: LockModel) -> dict:
    return {"holding_model_n": lock.holding_force_n(), "insertion_model_n": lock.insertion_force_n()}
