"""Engine and wire timing: the ``physics`` and ``wire`` sections of the config."""

from __future__ import annotations

from dataclasses import dataclass, fields

from swapwire.station import SessionInfo
from twin.schema._fields import q
from twin.schema.fault import Trigger


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
    contact_breaking_threshold_mm: float = q(
        lo=0.1, hi=20.0, unit="mm", doc="1 mm: -14 % cost, identical outcomes (measured.md)"
    )
    erp: float = q(lo=0.0, hi=1.0, doc="joint error reduction")
    contact_erp: float = q(lo=0.0, hi=1.0)
    friction_erp: float = q(lo=0.0, hi=1.0)
    gravity_m_s2: float = q(lo=0.0, hi=20.0, unit="m/s^2")
    settle_s: float = q(lo=0.0, hi=10.0, unit="s", doc="physics run before plant time zero, everything holding")


@dataclass(frozen=True)
class ChannelErrors:
    """Errors of one direction of the command link, from IEC 61784-3's list of
    communication errors. Each rate is a probability per message, drawn
    independently; all are off by default. ``twin/impairments.py`` applies them."""

    loss_rate: float = q(0.0, lo=0.0, hi=1.0, unit="1/message", doc="the message never arrives (loss)")
    duplicate_rate: float = q(0.0, lo=0.0, hi=1.0, unit="1/message", doc="the message arrives twice (repetition)")
    corrupt_rate: float = q(
        0.0, lo=0.0, hi=1.0, unit="1/message", doc="bytes flipped: the receiver cannot decode it (corruption)"
    )
    delay_rate: float = q(0.0, lo=0.0, hi=1.0, unit="1/message", doc="the message arrives late (delay)")
    delay_periods: int = q(
        1,
        lo=1,
        hi=1000,
        unit="periods",
        doc="a late message arrives 1..delay_periods control periods late, uniformly (jitter)",
    )
    reorder_rate: float = q(
        0.0, lo=0.0, hi=1.0, unit="1/message", doc="the message arrives after the next one (wrong order)"
    )


@dataclass(frozen=True)
class LinkCut:
    """The link cut mid-run: nothing passes either way for ``duration_s`` of plant
    time, or for good. Plant time runs on at one period per period of wall time."""

    at: Trigger | None = q(None, doc="plant time t_s, or entering a controller phase (with delay_s); none: no cut")
    duration_s: float | None = q(None, lo=0.0, hi=1e6, unit="s", doc="plant time the cut lasts; none: for good")

    def check(self):
        if self.at is not None and self.at.signal is not None:
            return [
                (
                    "at.signal",
                    "a link cut fires on plant time (t_s) or a controller phase, not on a ground-truth signal",
                )
            ]
        return []


@dataclass(frozen=True)
class Impairments:
    """Link impairments on the command link, per direction, and a cut. Draws come
    from the run's seed, so a lockstep run stays bit-reproducible."""

    commands: ChannelErrors = q(factory=ChannelErrors, doc="controller -> plant: commands only (hello and bye pass)")
    frames: ChannelErrors = q(factory=ChannelErrors, doc="plant -> controller: frames only")
    cut: LinkCut = q(factory=LinkCut)

    @property
    def active(self) -> bool:
        rates = [
            getattr(d, f.name) for d in (self.commands, self.frames) for f in fields(d) if f.name.endswith("_rate")
        ]
        return any(r > 0 for r in rates) or self.cut.at is not None


@dataclass(frozen=True, kw_only=True)
class Wire:
    """Timing of the station link. The protocol itself is ``swapwire``."""

    control_period_s: float = q(lo=1e-3, hi=0.5, unit="s", doc="frame period; a whole multiple of physics.step_s")
    command_timeout_periods: int = q(lo=1, hi=1000, doc="drives stop after this many periods without a valid command")
    link_timeout_s: float = q(
        lo=0.01, hi=600.0, unit="s", doc="lockstep: wall time to wait for a command before the period counts as missed"
    )
    session_timeout_s: float = q(
        lo=0.1, hi=86400.0, unit="s", doc="wall time without any message before the plant ends the session"
    )
    hello_timeout_s: float = q(lo=0.1, hi=86400.0, unit="s", doc="wall time the plant waits for a controller's hello")
    heartbeat_period_s: float = q(
        1.0,
        lo=0.01,
        hi=3600.0,
        unit="s",
        doc="an idle controller sends a heartbeat at least this often (advertised in the welcome)",
    )
    publish_truth_every_periods: int = q(lo=1, hi=1000, doc="ground-truth sample rate on the observer channel")
    silent_link_catch_up_s: float = q(
        0.5,
        lo=0.0,
        hi=60.0,
        unit="s",
        doc=(
            "lockstep while the link is silent or cut: the plant paces one period per period of wall time and makes "
            "up a late wake-up in the following periods, up to this much"
        ),
    )
    realtime_max_lag_s: float = q(
        0.04,
        lo=0.0,
        hi=60.0,
        unit="s",
        doc=(
            "realtime: a plant further behind the wall clock than this (a stalled host) drops the lag and counts an "
            "overrun instead of stepping the missed periods back to back"
        ),
    )
    realtime_answer_window_s: float = q(
        0.01,
        lo=0.0,
        hi=1.0,
        unit="s",
        doc=(
            "realtime: however late the plant is, a period waits this long after its frame was sent for the command "
            "answering it (a plant catching up never steps blind)"
        ),
    )
    impairments: Impairments = q(
        factory=Impairments, doc="communication errors injected at the plant's side of the link (all off by default)"
    )

    def session_info(self) -> SessionInfo:
        """The timeouts a station description advertises (every station port's, twin or mock)."""
        return SessionInfo(
            link_timeout_s=self.link_timeout_s,
            session_timeout_s=self.session_timeout_s,
            realtime_max_lag_s=self.realtime_max_lag_s,
            realtime_answer_window_s=self.realtime_answer_window_s,
        )


def substeps(physics: Physics, wire: Wire) -> int:
    """Physics steps per control period; refuses a period that is not a whole
    multiple of the step (as dm_control's composer does)."""
    n = wire.control_period_s / physics.step_s
    k = round(n)
    if k < 1 or abs(n - k) > 1e-9 * max(1.0, n):
        raise ValueError(
            f"wire.control_period_s={wire.control_period_s} must be a whole multiple of "
            f"physics.step_s={physics.step_s} (ratio {n:.6g})"
        )
    return k
