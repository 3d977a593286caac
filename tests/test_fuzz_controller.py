"""Fuzz our controller process from a malicious plant (slow).

A real session (the mock station served by the real session loop) reaches
our controller (``python -m controllers``) through a hostile proxy that, as
a hypothesis plan says, injects hostile messages between the plant's,
duplicates, holds back or mutates the plant's own frames, or mutates the
welcome. Properties, for every plan:

* the controller never crashes: it exits 0 or 1 with its outcome, and its log
  holds no traceback;
* it never hangs: it is gone within its link timeout once the plant is;
* its memory stays bounded;
* junk that does not look like a plant's message (undecodable, another type,
  a plant type it ignores) does not stop the swap: it still ends ``done``.

At least 100,000 hostile messages in all; the figures are printed and written
to ``fuzz_controller.json``."""

from __future__ import annotations

import json
import os
import random
import resource
import threading
import time

import pytest
import zmq
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import swapwire as wire
from swaptwin.processes import private_endpoints
from tests import hostile
from tests.conftest import composed, start_controller
from tests.mock_station import mock_station
from twin.session.link import PlantLink
from twin.session.observer import ObserverChannel
from twin.session.plant import Plant

pytestmark = pytest.mark.wallclock  # the controller's 2 s link timeout, in wall time

TARGET_MESSAGES = int(os.environ.get("SWAPTWIN_FUZZ_MESSAGES", "100000"))
# A longer control period keeps each swap short (the protocol is the same); a short link timeout bounds a hang.
OVERRIDES = ("wire.control_period_s=0.1", "wire.hello_timeout_s=30", "controller.link_timeout_s=2.0")
STATS = {"messages": 0, "runs": 0, "done": 0, "safe_stop": 0, "refused": 0, "max_rss_kib": 0, "seconds": 0.0}


def _harmless(data: bytes) -> bool:
    """Junk a controller must simply drop: it does not decode as a message of a plant it would act on."""
    try:
        msg = wire.decode(data, expect=wire.PLANT_TYPES)
    except wire.WireError:
        return True
    return msg.type in (wire.ERROR, wire.ACK)


class HostileProxy:
    """ROUTER for the controller, DEALER to the plant; meddles with what the plant sends."""

    def __init__(self, plant_endpoint: str, plan: dict):
        ctx = zmq.Context.instance()
        self.front = ctx.socket(zmq.ROUTER)
        self.front.setsockopt(zmq.LINGER, 0)
        self.endpoint = private_endpoints()[0]
        self.front.bind(self.endpoint)
        self.back = ctx.socket(zmq.DEALER)
        self.back.setsockopt(zmq.LINGER, 0)
        self.back.connect(plant_endpoint)
        self.plan, self.rng = plan, random.Random(plan["seed"])
        self.pool = plan["pool"]
        self.sent = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _junk(self) -> bytes:
        m = self.rng.choice(self.pool)
        return m if self.rng.random() < 0.5 else hostile.mutants(m, self.rng, 1)[0]

    def _to_controller(self, identity: bytes, data: bytes) -> None:
        p, rng = self.plan, self.rng
        for _ in range(rng.randint(0, p["junk_per_message"])):
            self.front.send_multipart([identity, self._junk()])
            self.sent += 1
        welcome = b"welcome" in data[:40]
        if (welcome and p["mutate_welcome"]) or rng.random() < p["mutate_rate"]:
            data = hostile.mutants(data, rng, 1)[0]
            self.sent += 1
        self.front.send_multipart([identity, data])
        if rng.random() < p["duplicate_rate"]:
            self.front.send_multipart([identity, data])
            self.sent += 1

    def _run(self) -> None:
        poller = zmq.Poller()
        poller.register(self.front, zmq.POLLIN)
        poller.register(self.back, zmq.POLLIN)
        identity = None
        while not self.stop.is_set():
            for sock, _ in poller.poll(50):
                if sock is self.front:
                    identity, data = self.front.recv_multipart()
                    self.back.send(data)
                elif identity is not None:
                    self._to_controller(identity, self.back.recv())

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.front.close()
        self.back.close()


plans = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**32 - 1),
        "family": st.sampled_from(["under_chassis", "overhead"]),
        "harmless_only": st.booleans(),
        # Levels, not a range: hypothesis's minimal integers would keep most runs almost junk-free.
        "junk_per_message": st.sampled_from([0, 10, 40, 80, 120]),
        "mutate_rate": st.sampled_from([0.0, 0.0, 0.001, 0.01, 0.1]),
        "duplicate_rate": st.sampled_from([0.0, 0.0, 0.01, 0.2]),
        "mutate_welcome": st.sampled_from([False, False, False, True]),
        "pool": st.lists(hostile.hostile(), min_size=10, max_size=60),
    }
)


def _run_once(plan: dict, tmp_path) -> None:
    family_overrides = ("rig=overhead",) if plan["family"] == "overhead" else ()
    overrides = (*family_overrides, *OVERRIDES)
    if plan["harmless_only"]:
        plan = {**plan, "pool": [m for m in plan["pool"] if _harmless(m)] or [b"\xc1"], "mutate_rate": 0.0}
        plan["duplicate_rate"] = plan["mutate_welcome"] = 0.0
    cfg = composed(*overrides)
    endpoint = private_endpoints()[0]
    link = PlantLink(endpoint=endpoint, observer_endpoint=None)
    plant = Plant(mock_station(cfg.plant), cfg=cfg.plant, observer=ObserverChannel(sinks=[]))
    serving = threading.Thread(target=plant.serve, args=(link,), daemon=True)
    serving.start()
    proxy = HostileProxy(endpoint, plan)
    run_dir = tmp_path / f"run{STATS['runs']}"
    run_dir.mkdir()
    t0 = time.monotonic()
    try:
        ctl = start_controller(proxy.endpoint, run_dir, list(overrides))
        code = ctl.wait(timeout=240)  # a hang fails here (TimeoutExpired)
    finally:
        plant.interrupt()
        serving.join(timeout=30)
        proxy.close()
        link.close()
    STATS["seconds"] += time.monotonic() - t0
    STATS["runs"] += 1
    STATS["messages"] += proxy.sent
    STATS["max_rss_kib"] = max(STATS["max_rss_kib"], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    log = (run_dir / "controller.log").read_text(errors="replace")
    assert code in (0, 1), (code, log[-3000:])
    assert "Traceback" not in log, log[-3000:]
    outcome = json.loads(log.strip().splitlines()[-1])
    STATS[outcome["outcome"]] += 1
    if plan["harmless_only"]:
        assert outcome["outcome"] == wire.OUTCOME_DONE, (outcome, plan["junk_per_message"])


@pytest.mark.slow
def test_our_controller_survives_a_malicious_plant(tmp_path):
    # A few examples per call, called until the target: once it is reached the call ends within a few
    # generated plans (drawing a plan's pool costs up to a second on a shared machine: 10,000 examples
    # left after the target took hours), and hypothesis's first, minimal-plan examples (about a tenth
    # of max_examples, at most 50) stay a few per call.
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(plan=plans)
    def one_run(plan):
        if STATS["messages"] >= TARGET_MESSAGES:
            return
        _run_once(plan, tmp_path)

    while STATS["messages"] < TARGET_MESSAGES:
        one_run()
    figures = {**STATS, "crashes": 0, "hangs": 0, "seconds": round(STATS["seconds"], 1)}
    (tmp_path / "fuzz_controller.json").write_text(json.dumps(figures, indent=2))
    print("\nfuzz_controller:", json.dumps(figures))
    assert STATS["max_rss_kib"] < 300 * 1024, figures
