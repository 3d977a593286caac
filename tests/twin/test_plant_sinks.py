"""A session sink that fails (a recorder that cannot write a message) loses its own output, never the
session nor the plant: the swap goes on to its end, and the session's stats name the failure."""

from __future__ import annotations

import swapwire as wire
from tests.conftest import composed, serve_to_our_controller
from tests.mock_station import mock_station
from twin.session.observer import ObserverChannel
from twin.session.plant import END_BYE, Plant


class _BreaksAfter:
    """Takes ``n`` received messages, then raises on every call."""

    def __init__(self, n: int):
        self.n, self.calls = n, 0

    def _count(self, *_a, **_k) -> None:
        self.calls += 1
        if self.calls > self.n:
            raise TypeError("Type is not JSON serializable: bytes")

    sent = received = observed = aside = _count


def test_a_failing_sink_drops_out_and_the_swap_goes_on(tmp_path):
    overrides = ("wire.control_period_s=0.1", "wire.hello_timeout_s=30")
    cfg = composed(*overrides)
    broken = _BreaksAfter(50)
    seen: list[tuple[str, dict]] = []
    observer = ObserverChannel(sinks=[lambda t, b: seen.append((t, b))])
    plant = Plant(mock_station(cfg.plant), cfg=cfg.plant, observer=observer, sinks=[broken])
    s = serve_to_our_controller(plant, tmp_path, list(overrides))
    assert s.end_reason == END_BYE and s.controller["outcome"] == wire.OUTCOME_DONE
    assert broken.calls == 51  # it saw nothing after its failure
    assert s.sink_failures == ["_BreaksAfter.sent: TypeError: Type is not JSON serializable: bytes"], s
    assert set(plant.sink_failures()) == {id(broken)}
    end = next(b for t, b in seen if t == "session" and b.get("event") == "end")
    assert end["sink_failures"] == s.sink_failures  # what result.json's session section reads
    assert plant.trace.summary()["wire_messages"] > 100  # the other sinks saw the whole session
