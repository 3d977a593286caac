"""Engine and wire timing: the ``physics`` and ``wire`` sections of the config."""

from __future__ import annotations

from dataclasses import dataclass

from twin.schema._fields import q


@dataclass(frozen=True)
class Physics:
    """pybullet engine parameters. All are set explicitly on every world, because
    they survive ``resetSimulation`` and ``contactBreakingThreshold`` even leaks
    into new DIRECT clients in the same process (shared/measured.md, pitfall 3)."""

    # 250 Hz: measured.md found 240 Hz and 1 kHz give the same pin-insertion
    # verdicts at about the same cost per step, i.e. ~4x less physics per second.
    step_s: float = q(lo=1e-4, hi=0.02, unit="s", doc="physics time step")
    solver_iterations: int = q(lo=1, hi=500, doc="ceiling; the solver stops early at the residual threshold")
    solver_residual_threshold: float = q(lo=0.0, hi=1e-2, doc="pybullet default 1e-7")
    contact_breaking_threshold_mm: float = q(lo=0.1, hi=20.0, unit="mm", doc="1 mm: -14 % cost, identical outcomes (measured.md)")
    erp: float = q(lo=0.0, hi=1.0, doc="joint error reduction")
    contact_erp: float = q(lo=0.0, hi=1.0)
    friction_erp: float = q(lo=0.0, hi=1.0)
    gravity_m_s2: float = q(lo=0.0, hi=20.0, unit="m/s^2")
    settle_s: float = q(lo=0.0, hi=10.0, unit="s", doc="physics run before plant time zero, everything holding")


@dataclass(frozen=True)
class Wire:
    """Timing of the station link. The protocol itself is ``controllers.wire``."""

    control_period_s: float = q(lo=1e-3, hi=0.5, unit="s", doc="frame period; a whole multiple of physics.step_s")
    command_timeout_periods: int = q(lo=1, hi=1000, doc="drives stop after this many periods without a valid command")
    link_timeout_s: float = q(lo=0.01, hi=600.0, unit="s", doc="lockstep: wall time to wait for a command before the period counts as missed")
    session_timeout_s: float = q(lo=0.1, hi=86400.0, unit="s", doc="wall time without any message before the plant ends the session")
    hello_timeout_s: float = q(lo=0.1, hi=86400.0, unit="s", doc="wall time the plant waits for a controller's hello")
    publish_truth_every_periods: int = q(lo=1, hi=1000, doc="ground-truth sample rate on the observer channel")


def substeps(physics: Physics, wire: Wire) -> int:
    """Physics steps per control period; refuses a period that is not a whole
    multiple of the step (as dm_control's composer does)."""
    n = wire.control_period_s / physics.step_s
    k = round(n)
    if k < 1 or abs(n - k) > 1e-9 * max(1.0, n):
        raise ValueError(
            f"wire.control_period_s={wire.control_period_s} must be a whole multiple of physics.step_s={physics.step_s} (ratio {n:.6g})"
        )
    return k
