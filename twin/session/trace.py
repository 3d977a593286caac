"""A session's fingerprint: what the determinism guarantee is checked against.

In lockstep the same seed and config must give a bit-identical session. The
plant folds everything that crosses its boundaries into two SHA-256 digests,
in the order it handled them:

* ``wire``: every frame, end and error the plant sends its controller, and
  every message it accepts from it, as (direction, type, cmd_id, body);
* ``observer``: every observer publication (ground truth each period, events,
  session start), as (topic, body).

Bodies are hashed as msgpack (floats bit for bit, dict keys in insertion
order). Left out, because they measure the host and not the session: the
handshake (a controller may repeat its hello before the plant is up) and
heartbeats (an idle controller sends them on the wall clock), the
envelopes' sequence numbers (which count those repeats), and the session end's
statistics (wall time). The digests go into the session end and ``result.json``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgpack
import numpy as np

import swapwire as wire

# Connection management, not the session: the handshake, and the heartbeats
# of an idle controller (they come when the wall clock says, not the plant's).
UNTRACED = frozenset({wire.HELLO, wire.WELCOME, wire.REFUSED, wire.HEARTBEAT})


def _native(x: Any) -> Any:
    """A numpy value as the plain value ``observer.to_native`` makes of it."""
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"cannot trace a {type(x).__name__}")


class Trace:
    def __init__(self) -> None:
        self._wire = hashlib.sha256()
        self._observer = hashlib.sha256()
        self.wire_messages = 0
        self.observer_messages = 0

    @staticmethod
    def _fold(h: Any, *parts: Any) -> None:
        # The same bytes as packing ``to_native(parts)`` (tests/twin/test_trace.py), without
        # first copying every body: msgpack packs a float64 as the float it is, and asks
        # ``_native`` only for what it cannot pack. Hashing runs every period.
        data = msgpack.packb(list(parts), use_bin_type=True, default=_native)
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)

    def sent(self, mtype: str, body: dict, cmd_id: int | None = None, *, t_s: float = 0.0) -> None:
        if mtype not in UNTRACED:
            self._fold(self._wire, ">", mtype, cmd_id, body)
            self.wire_messages += 1

    def received(self, msg: wire.Envelope, *, t_s: float = 0.0) -> None:
        if msg.type not in UNTRACED:
            self._fold(self._wire, "<", msg.type, msg.cmd_id, msg.body)
            self.wire_messages += 1

    def observed(self, topic: str, body: dict) -> None:
        if body.get("event") == "end":
            return  # the session's statistics, wall time among them
        self._fold(self._observer, topic, body)
        self.observer_messages += 1

    def aside(self, direction: str, mtype: str, body: dict, *, peer: str, t_s: float = 0.0) -> None:
        """Other peers' traffic (strangers refused at most once a second by the wall clock): not the session's."""

    def summary(self) -> dict:
        return {
            "wire_sha256": self._wire.hexdigest(),
            "wire_messages": self.wire_messages,
            "observer_sha256": self._observer.hexdigest(),
            "observer_messages": self.observer_messages,
        }
