"""Link impairments: IEC 61784-3's communication errors on the command link.

The plant serves its session through an ``ImpairedLink``, which stands where a
real channel's errors would be observed: between the plant's ROUTER socket and
the session logic. Commands from the controller and frames to it each pass a
``Channel`` that may lose, repeat, corrupt, delay or reorder them, and a
``cut`` stops everything either way for a while, or for good. Handshake,
``bye``, ``error`` and ``end`` messages are not impaired (a cut stops them too).

What each error does to one message, in this order (``wire.impairments``):

* **loss**: the message never arrives.
* **corruption**: bytes are flipped. The wire carries no checksum of its own,
  so flips that happen to leave a decodable message (a set-point's mantissa)
  would go unnoticed; like a safety layer's CRC, the channel then also spoils
  the envelope's first byte, so every corrupted message fails to decode and
  the receiver answers or drops it. Undetected residual errors are not modelled.
* **repetition**: the message arrives twice, back to back.
* **delay**: it arrives 1..``delay_periods`` control periods late (uniform
  jitter), ahead of that period's own traffic.
* **wrong order**: it is held back and arrives right after the next message of
  its direction (whatever befalls that one). A message released this way is
  not held back again.

Determinism: every message draws the same number of uniforms from its
direction's generator, whatever its fate, so the stream stays aligned. The two
directions have their own generators, spawned from ``(seed, STREAM_ID)``: in
lockstep each direction's messages come in a fixed order, but how frames and
commands interleave in wall time does not, so one shared stream would not be
reproducible. Delays count plant periods, never wall time.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

import swapwire as wire
from twin.session.link import Incoming, PlantLink
from twin.schema.physics import ChannelErrors, Impairments, LinkCut

# The impairments' random stream, apart from the station's noise (seeded with the seed alone).
STREAM_ID = 61784
# Bytes a corruption flips, at drawn positions with drawn masks.
_FLIPPED_BYTES = 3
# msgpack never uses 0xC1: an envelope starting with it cannot decode.
_NEVER_USED_BYTE = 0xC1
# Uniforms drawn per message: loss, corruption, repetition, delay, jitter, wrong order, then flips.
_LOSS, _CORRUPT, _DUPLICATE, _DELAY, _JITTER, _REORDER, _FLIPS = range(7)
_DRAWS = _FLIPS + 2 * _FLIPPED_BYTES
# Plant time is a sum of physics steps: compare with a tolerance.
_TIME_EPS_S = 1e-9


@dataclass
class Counts:
    """What a channel did to the messages of one direction."""

    lost: int = 0
    duplicated: int = 0
    corrupted: int = 0
    delayed: int = 0
    reordered: int = 0


@dataclass
class LinkStats:
    """The ``link`` part of the session stats."""

    commands: Counts = field(default_factory=Counts)
    frames: Counts = field(default_factory=Counts)
    cut_periods: int = 0  # control periods stepped while the link was cut
    cut_messages: int = 0  # messages, either way, that met the cut


class Channel:
    """The errors of one direction of the link, drawn message by message."""

    def __init__(self, errors: ChannelErrors, rng: np.random.Generator, counts: Counts, *, decodable: frozenset[str]):
        self.errors = errors
        self.rng = rng
        self.counts = counts
        self.decodable = decodable  # message types the receiving side decodes
        self._late: list[tuple[int, bytes]] = []  # (due period, payload), in the order they were delayed
        self._held: list[bytes] = []  # held back until the next message has passed

    def due(self, period: int) -> list[bytes]:
        """Late messages that arrive in ``period``, oldest first."""
        out = [p for d, p in self._late if d <= period]
        self._late = [(d, p) for d, p in self._late if d > period]
        return out

    def transmit(self, payload: bytes, period: int) -> tuple[list[bytes], bool]:
        """What reaches the far end now when ``payload`` is sent in ``period``,
        and whether the message itself was spoiled (does not arrive now, intact)."""
        u = self.rng.random(_DRAWS)
        e, n = self.errors, self.counts
        after, self._held = self._held, []
        if u[_LOSS] < e.loss_rate:
            n.lost += 1
            return after, True
        spoiled = u[_CORRUPT] < e.corrupt_rate
        if spoiled:
            n.corrupted += 1
            payload = self._corrupt(payload, u[_FLIPS:])
        copies = [payload]
        if u[_DUPLICATE] < e.duplicate_rate:
            n.duplicated += 1
            copies.append(payload)
        if u[_DELAY] < e.delay_rate:
            n.delayed += 1
            late = 1 + min(int(u[_JITTER] * e.delay_periods), e.delay_periods - 1)
            self._late += [(period + late, p) for p in copies]
            return after, True
        if not after and u[_REORDER] < e.reorder_rate:
            n.reordered += 1
            self._held = copies
            return [], True
        return copies + after, spoiled

    def _corrupt(self, payload: bytes, u: np.ndarray) -> bytes:
        data = bytearray(payload)
        positions, masks = u[:_FLIPPED_BYTES], u[_FLIPPED_BYTES:]
        for pos_u, mask_u in zip(positions, masks):
            data[min(int(pos_u * len(data)), len(data) - 1)] ^= 1 + min(int(mask_u * 255), 254)
        if _decodes(bytes(data), self.decodable):
            data[0] = _NEVER_USED_BYTE
        return bytes(data)


class LinkCutState:
    """When the cut starts and ends, on plant time and the controller's phase
    (the trigger semantics of ``twin.schema.fault.Trigger``)."""

    def __init__(self, cfg: LinkCut):
        self.cfg = cfg
        self.state = "waiting" if cfg.at is not None else "never"  # waiting -> pending -> active -> over
        self._fire_at_s = 0.0
        self._since_s = 0.0

    @property
    def active(self) -> bool:
        return self.state == "active"

    def update(self, t_s: float, phase: str) -> str | None:
        """Once per period: "cut" or "restored" when the link changes, else None."""
        at = self.cfg.at
        if self.state == "waiting":
            if at.t_s is not None and t_s >= at.t_s - _TIME_EPS_S:
                self.state, self._fire_at_s = "pending", at.t_s
            elif at.phase is not None and phase == at.phase:
                self.state, self._fire_at_s = "pending", t_s + at.delay_s
        if self.state == "pending" and t_s >= self._fire_at_s - _TIME_EPS_S:
            self.state, self._since_s = "active", t_s
            return "cut"
        duration = self.cfg.duration_s
        if self.state == "active" and duration is not None and t_s >= self._since_s + duration - _TIME_EPS_S:
            self.state = "over"
            return "restored"
        return None


class ImpairedLink:
    """A ``PlantLink`` seen through the configured impairments; the plant's
    session loop uses it in place of the link. With none configured it passes
    everything straight through.

    For lockstep it tells the plant what its own channel did, so the plant
    never waits wall time for a message that cannot come: ``frame_spoiled`` (the
    last frame did not reach the controller intact, so no answer to it will
    come) and ``answer_spoiled`` (the command answering the current frame was
    lost, corrupted, delayed or held back in this period).
    """

    def __init__(self, link: PlantLink, cfg: Impairments, *, seed: int, stats: LinkStats):
        self.link = link
        self.active = cfg.active
        self.stats = stats
        commands_seed, frames_seed = np.random.SeedSequence([seed, STREAM_ID]).spawn(2)
        self.commands = Channel(
            cfg.commands, np.random.default_rng(commands_seed), stats.commands, decodable=wire.CONTROLLER_TYPES
        )
        self.frames = Channel(cfg.frames, np.random.default_rng(frames_seed), stats.frames, decodable=wire.PLANT_TYPES)
        self.cut = LinkCutState(cfg.cut)
        self.owner: bytes | None = None  # only the session owner's commands are impaired
        self.frame_spoiled = False
        self.answer_spoiled = False
        self._period = 0
        self._frame_seq = 0
        self.owner_role: str | None = None
        self._inbox: deque[Incoming] = deque()  # delivered to the plant, not yet read

    def begin_period(self, *, period: int, frame_seq: int, t_s: float, phase: str) -> list[dict]:
        """Start control period ``period`` (answering frame ``frame_seq``):
        move the cut, deliver late commands. Returns observer events."""
        self._period, self._frame_seq = period, frame_seq
        self.answer_spoiled = False
        if not self.active:
            return []
        events = []
        change = self.cut.update(t_s, phase)
        if change == "cut":
            events.append({"event": "link", "state": "cut", "t_s": t_s, "phase": phase})
        elif change == "restored":
            events.append({"event": "link", "state": "restored", "t_s": t_s, "cut_periods": self.stats.cut_periods})
        late = self.commands.due(period)
        if self.cut.active:
            self.stats.cut_messages += len(late)
        else:
            self._inbox.extend(Incoming(self.owner, p, self.owner_role) for p in late)
        return events

    def recv(self, timeout_s: float, *, wait: bool = True) -> Incoming | None:
        """The next (identity, payload) that reaches the plant, or None after
        ``timeout_s``. ``wait=False`` returns only what the channel has already
        delivered: a lockstep period stepped at once must not depend on what
        happens to have arrived by then."""
        if self._inbox:
            return self._inbox.popleft()
        if not wait:
            return None
        deadline = time.monotonic() + timeout_s
        while True:
            got = self.link.recv(max(0.0, deadline - time.monotonic()))
            if got is None or not self.active:
                return got
            if self.cut.active:
                self.stats.cut_messages += 1
                continue
            identity, payload, role = got
            answers = _command_frame_seq(payload) if identity == self.owner else None
            if answers is None:
                return got
            delivered, spoiled = self.commands.transmit(payload, self._period)
            self._inbox.extend(Incoming(identity, p, role) for p in delivered)
            if spoiled and answers == self._frame_seq:
                self.answer_spoiled = True
            if self._inbox:
                return self._inbox.popleft()
            if self.answer_spoiled:
                return None

    def send(self, identity: bytes, mtype: str, body: dict, *, cmd_id: int | None = None) -> None:
        if not self.active:
            self.link.send(identity, mtype, body, cmd_id=cmd_id)
            return
        payload = self.link.encode(mtype, body, cmd_id=cmd_id)
        out = [payload]
        if mtype == wire.FRAME:
            out = self.frames.due(body["frame_seq"])
            if self.cut.active:
                self.frame_spoiled = True
                out.append(payload)  # a frame that meets the cut draws nothing: it never enters the channel
            else:
                passed, self.frame_spoiled = self.frames.transmit(payload, body["frame_seq"])
                out += passed
        if self.cut.active:
            self.stats.cut_messages += len(out)
            return
        for p in out:
            self.link.send_payload(identity, p)


def _decodes(payload: bytes, types: frozenset[str]) -> bool:
    try:
        wire.decode(payload, expect=types)
    except wire.WireError:
        return False
    return True


def _command_frame_seq(payload: bytes) -> int | None:
    """The frame a command answers; None for anything that is not a well-formed
    command (hello, bye and malformed input pass the channel untouched)."""
    try:
        msg = wire.decode(payload, expect=wire.CONTROLLER_TYPES)
    except wire.WireError:
        return None
    if msg.type != wire.COMMAND:
        return None
    frame_seq = msg.body.get("frame_seq")
    return frame_seq if isinstance(frame_seq, int) and not isinstance(frame_seq, bool) else -1


__all__ = ["STREAM_ID", "Channel", "Counts", "ImpairedLink", "LinkCutState", "LinkStats"]
