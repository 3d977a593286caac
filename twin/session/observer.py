"""The observer channel: telemetry and ground truth, for metrics and hazard checks.

Controllers never read it (tests enforce that ``controllers/`` never subscribes).
Its messages use the wire envelope on a PUB socket, one topic frame first:

* ``truth``: a ground-truth sample every ``wire.publish_truth_every_periods``;
* ``event``: phase changes, dockings, matings, lock changes, hazards;
* ``session``: session start (with the station description) and end.

In-process sinks (the verdict recorder) receive exactly the same bodies as
the socket, so a remote subscriber can compute the same verdict.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable, Iterable

import numpy as np

import swapwire as wire

TOPIC_TRUTH = "truth"
TOPIC_EVENT = "event"
TOPIC_SESSION = "session"
OBSERVER_TYPES = frozenset({TOPIC_TRUTH, TOPIC_EVENT, TOPIC_SESSION})

Sink = Callable[[str, dict], None]


def to_native(x: Any) -> Any:
    """Plain Python values for msgpack (numpy scalars and arrays converted)."""
    if isinstance(x, dict):
        return {k: to_native(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_native(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return x


class ObserverChannel:
    def __init__(self, *, socket=None, sinks: Iterable[Sink] = ()):
        self.socket = socket
        self.sinks = list(sinks)
        self._seq = wire.Sequencer()

    def publish(self, topic: str, body: dict) -> None:
        for sink in self.sinks:
            sink(topic, body)
        if self.socket is not None:
            msg = self._seq.make(topic, body)
            self.socket.send_multipart([topic.encode(), wire.encode(msg)])
