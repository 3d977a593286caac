"""Fuzz a real plant process with at least 100,000 hostile messages (slow).

A stateful hypothesis run: a controller that keeps a real session going
(valid commands, heartbeats, goodbyes and new hellos, reconnections with the
session's token) interleaved with batches of malformed, truncated, mutated,
duplicated, reordered and deeply nested messages from that same owner, and
from strangers (oversized ones too: their sockets are disposable). After every
batch the owner's session must still step within a few seconds (no hang), the
plant process must be alive (no crash), and its memory bounded. At the end a
real swap with our controller passes against the same plant process.

Figures (messages, crashes, hangs, peak RSS) are printed and written to
``fuzz_plant.json`` in the test's directory. The count is
``SWAPTWIN_FUZZ_MESSAGES`` (default 100,000):
``SWAPTWIN_FUZZ_MESSAGES=100000 python -m pytest -m slow tests/test_fuzz_plant.py -s``."""

from __future__ import annotations

import collections
import json
import os
import random
import time

import msgpack
import pytest
import zmq
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import FlakyStrategyDefinition
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

import swapwire as wire
from tests import hostile
from swapwire.codec import is_int
from tests.conftest import start_controller

# An owner's probe must be answered within HANG_S of wall time; hangs are counted, so nothing runs beside it.
pytestmark = [pytest.mark.wallclock, pytest.mark.alone]

TARGET_MESSAGES = int(os.environ.get("SWAPTWIN_FUZZ_MESSAGES", "100000"))
HANG_S = 10.0  # an owner's probe must be answered within this
SESSION_TIMEOUT_S = 20.0  # the plant's: a session whose owner is silent this long ends (link_lost)


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


class Owner:
    """A controller that keeps its session alive through whatever the fuzzer sends besides."""

    def __init__(self, endpoint: str, stats: dict):
        self.endpoint, self.stats = endpoint, stats
        self.sock: zmq.Socket | None = None
        self.seq = wire.Sequencer()
        self.token: str | None = None
        self.frame_seq: int | None = None
        self.cmd_id = 0
        self.recent: collections.deque[str] = collections.deque(maxlen=30)
        self.log_path = None
        self.session_timeout_s = SESSION_TIMEOUT_S
        self._deadline, self._locked_out, self._busy = 0.0, False, 0
        self.connect()

    def connect(self) -> None:
        if self.sock is not None:
            self.sock.close(linger=0)
        self.sock = zmq.Context.instance().socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(self.endpoint)

    def send_raw(self, data: bytes) -> None:
        self.recent.append(f"sent {data[:120]!r}")
        self.sock.send(data)
        self.stats["messages"] += 1
        self._track_cmd_id(data)

    def _track_cmd_id(self, data: bytes) -> None:
        """A cmd_id we sent in junk moves the session's counter: ours must stay above it."""
        try:
            env = msgpack.unpackb(data, raw=False, strict_map_key=False)
        except Exception:  # noqa: BLE001  (junk that is not msgpack carries no cmd_id)
            return
        if isinstance(env, dict) and is_int(env.get("cmd_id")):
            self.cmd_id = max(self.cmd_id, env["cmd_id"])

    def send(self, mtype: str, body: dict, **kw) -> None:
        self.send_raw(wire.encode(self.seq.make(mtype, body, **kw)))

    def drain(self, wait_s: float = 0.0) -> list[wire.Envelope]:
        got = []
        while self.sock.poll(int(wait_s * 1000)):
            try:
                msg = wire.decode(self.sock.recv(), expect=wire.PLANT_TYPES)
            except wire.WireError as exc:  # the plant never sends anything malformed
                raise AssertionError(f"the plant sent a malformed message: {exc}") from None
            got.append(msg)
            self.recent.append(f"got {msg.type} {str(msg.body)[:150]}")
            self._saw(msg)
            wait_s = 0.0
        return got

    def _saw(self, msg: wire.Envelope) -> None:
        if msg.type == wire.FRAME:
            self.frame_seq = msg.body["frame_seq"]
        elif msg.type == wire.WELCOME:
            token = msg.body["session"]["token"]
            if token != self.token:  # a new session is ours: its frames count from its own start
                self.frame_seq, self.cmd_id = None, 0
            self.token = token
        elif msg.type == wire.END:
            self.frame_seq, self.token = None, None
            self.stats["sessions_ended"] += 1

    def hello(self, resume: bool = False) -> None:
        hello = wire.Hello(client="fuzz", resume=self.token if resume else None)
        self.send(wire.HELLO, hello.to_body())

    def probe(self) -> None:
        """The session steps (or a new one opens) within HANG_S, whatever came before.

        A stranger's valid hello may win the plant between two of our sessions
        (the first hello to a free plant opens the session, as the protocol says).
        Refused as busy with our last token, we are locked out: the plant must
        then free itself from that silent owner within its session timeout."""
        self._deadline = time.monotonic() + HANG_S
        self._locked_out, self._busy = False, 0
        self.drain()
        while True:
            before = self.frame_seq
            if before is None or self.cmd_id > 2**62:
                if self.cmd_id > 2**62 and before is not None:  # our counter is spent: end this session
                    self.send(wire.BYE, wire.Bye(outcome="safe_stop", reason="fuzz").to_body())
                    self._wait(lambda m: m.type == wire.END)
                    self.cmd_id = 0
                self.hello()
                if self._wait(lambda m: m.type == wire.FRAME and self.frame_seq is not None, busy_ok=True):
                    return
                continue
            self.cmd_id += 1
            self.send(wire.COMMAND, wire.Command(frame_seq=before, phase="fuzz").to_body(), cmd_id=self.cmd_id)
            if self._wait(lambda m, b=before: m.type == wire.FRAME and m.body["frame_seq"] > b, busy_ok=True):
                return

    def _wait(self, done, busy_ok: bool = False) -> bool:
        """Read until ``done``; False when the session we probed is gone (ended, or replaced by a new one)."""
        token = self.token
        while time.monotonic() < self._deadline:
            for msg in self.drain(0.05):
                if done(msg):
                    return True
                if msg.type == wire.END or (msg.type == wire.WELCOME and self.token != token):
                    return False  # the junk ended the session, or a hello opened a new one: start again
                if msg.type == wire.ERROR and msg.body.get("code") == "not_in_session":
                    self.frame_seq = None  # our session ended unheard (its end went to a dropped identity)
                    return False
                if msg.type == wire.REFUSED and msg.body.get("code") == "busy" and busy_ok:
                    self._busy += 1
                    if (self.frame_seq is None or self._busy > 1) and not self._locked_out:
                        # Not ours to resume (our session ended, or our token no longer opens it): a
                        # stranger's hello opened the session. Its silence must end it.
                        self._locked_out = True
                        self.stats["lockouts"] += 1
                        self._deadline = time.monotonic() + self.session_timeout_s + HANG_S
                    self.stats["resumes"] += 1
                    self.hello(resume=True)  # our identity changed (a reconnection)
        self.stats["hangs"] += 1
        recent = "\n".join(self.recent)
        log = (self.log_path.read_text()[-3000:]) if self.log_path else ""
        self.stats.setdefault("first_hang", f"{recent}\nplant log:\n{log}"[-6000:])
        raise AssertionError(f"the plant did not answer within {HANG_S} s; last messages:\n{recent}\nplant log:\n{log}")


class PlantFuzz(RuleBasedStateMachine):
    plant = None
    stats: dict = {}
    owner: Owner  # one owner for the whole run: its session goes on from one example to the next

    def __init__(self):
        super().__init__()
        self.owner.probe()
        self.strangers = [self._stranger() for _ in range(3)]

    def _stranger(self) -> zmq.Socket:
        s = zmq.Context.instance().socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(self.plant.endpoint)
        return s

    @rule(
        batch=st.lists(hostile.hostile(), min_size=1, max_size=250),
        seed=st.integers(0, 2**32 - 1),
        fanout=st.integers(0, 40),
    )
    def owner_junk(self, batch, seed, fanout):
        rng = random.Random(seed)
        for data in batch:
            for m in (data, *hostile.mutants(data, rng, fanout)):
                self.owner.send_raw(m)
        self.owner.probe()

    @rule(
        batch=st.lists(hostile.hostile(), min_size=1, max_size=250),
        seed=st.integers(0, 2**32 - 1),
        fanout=st.integers(0, 40),
        who=st.integers(0, 2),
        churn=st.booleans(),
    )
    def stranger_junk(self, batch, seed, fanout, who, churn):
        sock, rng = self.strangers[who], random.Random(seed)
        for data in batch:
            for m in (data, *hostile.mutants(data, rng, fanout)):
                sock.send(m)
                self.stats["messages"] += 1
                self.stats["bytes"] += len(m)
        while sock.poll(0):
            sock.recv()
        if churn:  # a new identity: the plant remembers a bounded number of strangers
            sock.close(linger=0)
            self.strangers[who] = self._stranger()

    @rule(size=st.integers(min_value=(1 << 20) + 1, max_value=3 << 20), now=st.integers(0, 4))
    def stranger_oversized(self, size, now):
        """Cut off at the socket (ZMQ_MAXMSGSIZE): the connection drops, nothing is read."""
        if now:  # one draw in five
            return
        sock = self._stranger()
        sock.send(b"\xc4" + b"x" * size)
        self.stats["messages"] += 1
        self.stats["bytes"] += size
        sock.close(linger=0)
        self.owner.probe()

    @rule(n=st.integers(1, 5))
    def duplicates_and_stale(self, n):
        """The last commands again (duplicates), and commands for frames long past (reordered)."""
        o = self.owner
        if o.frame_seq is None:
            return
        for k in range(n):
            o.send(
                wire.COMMAND, wire.Command(frame_seq=max(0, o.frame_seq - k), phase="old").to_body(), cmd_id=o.cmd_id
            )
        o.probe()

    @rule()
    def heartbeat(self):
        self.owner.send(wire.HEARTBEAT, {})

    @rule(now=st.integers(0, 9))
    def goodbye_and_hello_again(self, now):
        o = self.owner
        if now:  # one draw in ten: a new session costs a world reset
            return
        if o.frame_seq is not None:
            o.send(wire.BYE, wire.Bye(outcome="safe_stop", reason="fuzz").to_body())
        o.frame_seq, o.cmd_id = None, 0
        o.probe()

    @rule()
    def reconnect_with_the_token(self):
        """A new connection takes our live session over with its token (and the probe proves the session alive
        just before, so a refusal here is the plant's fault, not a stranger's hello)."""
        o = self.owner
        o.probe()
        if o.token is None:
            return
        token = o.token
        o.connect()  # a new ZeroMQ identity
        o.hello(resume=True)
        o._deadline = time.monotonic() + HANG_S
        welcomed = o._wait(lambda m: m.type == wire.WELCOME)
        assert welcomed and o.token == token, "a resume with the live session's token was not welcomed"
        o.probe()

    @invariant()
    def plant_alive(self):
        assert self.plant.proc.poll() is None, "the plant process died"
        self.stats["peak_rss_kib"] = max(self.stats["peak_rss_kib"], rss_kib(self.plant.proc.pid))

    def teardown(self):
        for s in self.strangers:
            s.close(linger=0)


@pytest.mark.slow
def test_a_plant_survives_100k_hostile_messages_and_still_swaps(plant_process, tmp_path):
    plant = plant_process(f"wire.session_timeout_s={SESSION_TIMEOUT_S}", sessions=100_000)
    stats = {
        "messages": 0,
        "bytes": 0,
        "hangs": 0,
        "resumes": 0,
        "sessions_ended": 0,
        "peak_rss_kib": 0,
        "flaky_rounds": 0,
        "lockouts": 0,
    }
    owner = Owner(plant.endpoint, stats)
    owner.log_path = plant.out_dir / "plant.log"
    PlantFuzz.plant, PlantFuzz.stats, PlantFuzz.owner = plant, stats, owner
    owner.probe()  # the plant is up
    start_rss = rss_kib(plant.proc.pid)
    t0 = time.monotonic()
    rounds = 0
    while stats["messages"] < TARGET_MESSAGES:
        rounds += 1
        try:
            run_state_machine_as_test(
                PlantFuzz,
                settings=settings(
                    max_examples=20,
                    stateful_step_count=40,
                    deadline=None,
                    derandomize=False,
                    suppress_health_check=list(HealthCheck),
                    database=None,
                    phases=[Phase.generate],  # the plant carries state from one example to the next: no shrinking
                ),
            )
        except FlakyStrategyDefinition:
            # Hypothesis notices that the same choices met a different plant (its state carries over from
            # one example to the next). Not a finding about the plant: the hangs and crashes counted are.
            stats["flaky_rounds"] += 1
        assert stats["hangs"] == 0 and plant.proc.poll() is None, stats.get("first_hang", stats)
    fuzz_s = time.monotonic() - t0
    if owner.frame_seq is not None:
        owner.send(wire.BYE, wire.Bye(outcome="safe_stop", reason="fuzz over").to_body())
        owner.drain(1.0)
    owner.sock.close(linger=0)
    # A real swap against the same plant process, after all that.
    ctl = start_controller(plant.endpoint, tmp_path)
    assert ctl.wait(timeout=300) == 0, (tmp_path / "controller.log").read_text()[-2000:]
    time.sleep(1.0)
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["verdict"]["status"] == "pass", result["verdict"]
    assert plant.proc.poll() is None
    figures = {
        **stats,
        "crashes": 0,
        "rounds": rounds,
        "seconds": round(fuzz_s, 1),
        "messages_per_s": round(stats["messages"] / fuzz_s),
        "start_rss_kib": start_rss,
        "peak_hwm_kib": rss_kib(plant.proc.pid, "VmHWM"),
        "final_swap": result["verdict"]["status"],
    }
    (tmp_path / "fuzz_plant.json").write_text(json.dumps(figures, indent=2))
    print("\nfuzz_plant:", json.dumps(figures))
    assert stats["hangs"] == 0
    assert stats["peak_rss_kib"] - start_rss < 150 * 1024, figures  # bounded: no message is kept
