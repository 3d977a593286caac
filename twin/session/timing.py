"""Wall-clock timing of a session: the latency budget, measured.

Two figures per session, in milliseconds of wall time:

* ``answer_ms``: from the plant sending a frame to the arrival of the first
  command that answers it (the controller's round trip: the link both ways,
  its wake-up and its compute);
* ``step_ms``: the plant's own work per period (apply the command, the
  physics, the frame).

In ``realtime`` a period lasts ``wire.control_period_s``; the plant applies
the latest command that arrived in it, so a controller meets the clock when
``answer_ms`` stays below the period less the plant's ``step_ms``. These are
host measurements: they go to the result's ``timing``, never into anything
compared for determinism.
"""

from __future__ import annotations

from array import array


class Samples:
    """Wall-clock samples of one kind, in ms (a session's periods bound their number)."""

    def __init__(self) -> None:
        self._ms = array("f")

    def add(self, ms: float) -> None:
        self._ms.append(ms)

    def summary(self) -> dict[str, float | int | None]:
        values = sorted(self._ms)
        n = len(values)

        def q(p: float) -> float | None:
            return round(float(values[min(n - 1, int(p * n))]), 3) if n else None

        return {"count": n, "p50": q(0.5), "p99": q(0.99), "p999": q(0.999), "max": q(1.0)}


class SessionTiming:
    def __init__(self) -> None:
        self.answer_ms = Samples()
        self.step_ms = Samples()
        self._sent_at: float | None = None
        self._sent_seq: int | None = None

    def frame_sent(self, frame_seq: int, at_s: float) -> None:
        self._sent_seq, self._sent_at = frame_seq, at_s

    def command_received(self, frame_seq: int, at_s: float) -> None:
        """The first command answering the last frame sent counts (a later one is a repeat)."""
        if self._sent_at is not None and frame_seq == self._sent_seq:
            self.answer_ms.add((at_s - self._sent_at) * 1e3)
            self._sent_at = None

    def summary(self) -> dict:
        return {"answer_ms": self.answer_ms.summary(), "step_ms": self.step_ms.summary()}
