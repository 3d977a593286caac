"""The plant: serves one station to one controller over the wire. The plant owns time.

Session (docs/protocol.md has the message-level contract):

1. Wait for a ``hello``. A wrong major version is ``refused`` with the reason,
   and the plant keeps waiting; a malformed message gets an ``error``.
2. Answer ``welcome`` with the station description, then send frame 0.
3. Each control period, one command answers the current frame. The plant
   applies it, advances the physics one period, publishes ground truth on the
   observer channel and sends the next frame, stamped with plant time.

   * ``lockstep``: the plant advances only when the command for the current
     frame has arrived. If none arrives within ``wire.link_timeout_s`` of wall
     time the period is stepped without one (the drives count it as missed),
     and while the link stays silent the plant paces itself like real time, one
     period of wall time per period, so the drives' watchdog can stop them.
   * ``realtime``: the plant steps on the wall clock and applies the latest
     valid command that arrived during the period.

   A command is executed at most once: one whose ``cmd_id`` is not newer than
   the last executed one is a duplicate and is ignored.

   Link impairments (``wire.impairments``, ``twin/impairments.py``) act at the
   plant's side of the link. In lockstep the plant never waits wall time for a
   message its own channel spoiled: when the frame it sent was lost, delayed,
   held back or corrupted, or the command answering it was, the period counts
   as missed at once and the plant steps on. During a cut nothing passes and
   the plant paces itself like real time, as when the link is silent.
4. The session ends on ``bye`` (the controller's outcome), when plant time
   reaches ``scenario.max_sim_time_s`` (truncated), after
   ``wire.session_timeout_s`` of silence (link lost), or on interruption.
   The plant then sends ``end`` and publishes the session summary.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from controllers import wire
from twin.impairments import ImpairedLink, LinkStats
from twin.link import PlantLink
from twin.observer import TOPIC_EVENT, TOPIC_SESSION, TOPIC_TRUTH, ObserverChannel, to_native
from twin.schema.plant import PlantConfig
from twin.trace import Trace

END_BYE = "bye"
END_TRUNCATED = "truncated"
END_LINK_LOST = "link_lost"
END_INTERRUPTED = "interrupted"
END_NO_CONTROLLER = "no_controller"


@dataclass
class SessionStats:
    end_reason: str = ""
    controller: dict | None = None  # the bye body
    client: str = ""
    sim_time_s: float = 0.0
    wall_time_s: float = 0.0
    periods: int = 0
    missed_periods: int = 0
    duplicate_commands: int = 0
    stale_commands: int = 0
    rejected_messages: int = 0
    overruns: int = 0  # realtime periods that started late
    errors: list[str] = field(default_factory=list)
    link: LinkStats = field(default_factory=LinkStats)  # what the link impairments did


class Plant:
    def __init__(self, station, *, cfg: PlantConfig, observer: ObserverChannel):
        self.station = station
        self.cfg = cfg
        self.observer = observer
        self.axis_names = frozenset(a["name"] for a in station.describe()["axes"])
        self.lock_ids = frozenset(station.lock_ids)
        self.tools = dict(station.tool_commands)
        self.stats = SessionStats()
        self._owner: bytes | None = None
        self._last_cmd_id = -1
        self._phase = ""
        self._interrupted = False
        self._last_msg_wall = 0.0
        self._paced_until: float | None = None  # wall-clock end of the last paced period
        self.trace = Trace()
        observer.sinks.insert(0, self.trace.observed)

    def interrupt(self) -> None:
        """Ask the session loop to end at the next period (signal handlers)."""
        self._interrupted = True

    # -- message handling ---------------------------------------------------------
    def _reject(self, link: ImpairedLink, identity: bytes, reason: str, ref_seq: int | None = None) -> None:
        self.stats.rejected_messages += 1
        if len(self.stats.errors) < 20:
            self.stats.errors.append(reason)
        body = {"reason": reason, "ref_seq": ref_seq}
        if identity == self._owner:
            self.trace.sent(wire.ERROR, body)
        link.send(identity, wire.ERROR, body)

    def _handle(self, link: ImpairedLink, identity: bytes, payload: bytes) -> wire.Message | None:
        """Decode and check one message. Answers errors and refusals itself and
        returns only messages the session must act on."""
        self._last_msg_wall = time.monotonic()
        try:
            msg = wire.decode(payload, expect=wire.CONTROLLER_TYPES)
        except wire.VersionMismatch as exc:
            link.send(identity, wire.REFUSED, {"reason": str(exc), "protocol": list(wire.PROTOCOL_VERSION)})
            return None
        except wire.WireError as exc:
            self._reject(link, identity, f"malformed message: {exc}")
            return None
        if msg.type == wire.HELLO:
            if self._owner is not None and identity != self._owner:
                link.send(identity, wire.REFUSED, {"reason": "busy: another controller owns this plant's session"})
                return None
            return msg
        if identity != self._owner:
            self._reject(link, identity, "say hello first", msg.seq)
            return None
        self.trace.received(msg)
        if msg.type == wire.BYE:
            try:
                wire.check_bye(msg.body)
            except wire.WireError as exc:
                self._reject(link, identity, f"malformed bye: {exc}", msg.seq)
                return None
        return msg

    def _command(self, link: ImpairedLink, identity: bytes, msg: wire.Message) -> wire.Command | None:
        try:
            cmd = wire.parse_command(msg.body, axis_names=self.axis_names, lock_ids=self.lock_ids, tools=self.tools)
        except wire.WireError as exc:
            self._reject(link, identity, f"invalid command: {exc}", msg.seq)
            return None
        if msg.cmd_id <= self._last_cmd_id:
            self.stats.duplicate_commands += 1
            return None
        return cmd

    # -- the session ------------------------------------------------------------------
    def serve(self, link: PlantLink) -> SessionStats:
        """Run one session. An interrupt (Ctrl-C, SIGTERM turned into
        KeyboardInterrupt by the caller) ends it cleanly with ``interrupted``."""
        t0 = time.monotonic()
        channel = ImpairedLink(link, self.cfg.wire.impairments, seed=self.cfg.seed, stats=self.stats.link)
        try:
            return self._serve(channel, t0)
        except KeyboardInterrupt:
            return self._finish(channel, END_INTERRUPTED, t0)

    def _serve(self, link: ImpairedLink, t0: float) -> SessionStats:  # noqa: C901 (split in the redesign)
        wire_cfg = self.cfg.wire
        description = self.station.describe()
        # 1. Handshake.
        while self._owner is None:
            if self._interrupted:
                return self._finish(link, END_INTERRUPTED, t0)
            if time.monotonic() - t0 > wire_cfg.hello_timeout_s:
                return self._finish(link, END_NO_CONTROLLER, t0)
            got = link.recv(0.1)
            if got is None:
                continue
            msg = self._handle(link, *got)
            if msg is not None and msg.type == wire.HELLO:
                self._owner = link.owner = got[0]
                self.stats.client = str(msg.body.get("client", ""))[:80]
                link.send(self._owner, wire.WELCOME, {"station": description, "protocol": list(wire.PROTOCOL_VERSION)})
        self.observer.publish(TOPIC_SESSION, {"event": "start", "client": self.stats.client, "station": description})
        t_session = anchor = time.monotonic()  # anchor: the realtime pacing's origin, moved on a stall
        self._last_msg_wall = t_session
        self._send_frame(link)
        realtime = self.cfg.clock == "realtime"
        period = wire_cfg.control_period_s
        link_down = False
        # 2. One control period per iteration.
        while True:
            if self._interrupted:
                return self._finish(link, END_INTERRUPTED, t_session)
            if self.station.world.time_s >= self.cfg.scenario.max_sim_time_s - 1e-9:
                return self._finish(link, END_TRUNCATED, t_session)
            for ev in link.begin_period(
                period=self.stats.periods,
                frame_seq=self.station.frame_seq,
                t_s=self.station.world.time_s,
                phase=self._phase,
            ):
                self.observer.publish(TOPIC_EVENT, ev)
            # Lockstep: no answer can come to a frame the channel spoiled; step at once.
            at_once = not realtime and link.frame_spoiled and not link.cut.active
            if realtime:
                deadline = anchor + (self.stats.periods + 1) * period
                lag = time.monotonic() - deadline
                if lag > wire_cfg.realtime_max_lag_s:
                    # A stalled host: stepping the missed periods back to back
                    # would starve the drives of commands. Drop the lag instead.
                    self.stats.overruns += 1
                    anchor += lag + period
                    deadline += lag + period
            else:
                deadline = self._lockstep_deadline(at_once=at_once, paced=link_down or link.cut.active)
            cmd, cmd_id, bye = self._collect(link, deadline, realtime, wait=not at_once)
            if bye is not None:
                self.stats.controller = dict(bye.body)
                return self._finish(link, END_BYE, t_session)
            if time.monotonic() - self._last_msg_wall > wire_cfg.session_timeout_s:
                return self._finish(link, END_LINK_LOST, t_session)
            if not (realtime or at_once):
                # A command the channel spoiled came from a live controller: the link is not silent.
                link_down = cmd is None and not link.answer_spoiled
            if cmd is None:
                self.stats.missed_periods += 1
            else:
                self._last_cmd_id = cmd_id
                if cmd.phase != self._phase:
                    self._phase = cmd.phase
                    self.observer.publish(
                        TOPIC_EVENT, {"event": "phase", "phase": cmd.phase, "t_s": self.station.world.time_s}
                    )
            self.station.apply(cmd, cmd_id)
            self.station.advance()
            self.stats.periods += 1
            if link.cut.active:
                self.stats.link.cut_periods += 1
            # Send the frame first: the controller works on it while the plant
            # publishes this period's ground truth (same instant, no step between).
            self._send_frame(link)
            for ev in self.station.events():
                self.observer.publish(TOPIC_EVENT, to_native(ev))
            if self.stats.periods % wire_cfg.publish_truth_every_periods == 0:
                truth = self.station.truth()
                truth["phase"] = self._phase
                self.observer.publish(TOPIC_TRUTH, truth)

    def _lockstep_deadline(self, *, at_once: bool, paced: bool) -> float:
        """Until when a lockstep period waits for its command: not at all when
        the channel spoiled the frame; one period of wall time while the link is
        silent or cut (a late wake-up made up in the next periods); otherwise
        the link timeout."""
        now = time.monotonic()
        if at_once or not paced:
            self._paced_until = None
            return now if at_once else now + self.cfg.wire.link_timeout_s
        period = self.cfg.wire.control_period_s
        last = self._paced_until
        self._paced_until = (
            now + period if last is None else max(last + period, now - self.cfg.wire.silent_link_catch_up_s)
        )
        return self._paced_until

    def _collect(self, link: ImpairedLink, deadline: float, realtime: bool, *, wait: bool = True):
        """Receive until the command for this period (lockstep) or the deadline.
        ``wait=False`` reads only what the channel has already delivered.
        Returns (command, cmd_id, bye message)."""
        latest, latest_id = None, None
        frame_seq = self.station.frame_seq
        while True:
            if not realtime and link.answer_spoiled:
                return None, None, None  # its own channel spoiled the answer: do not wait for it
            remaining = deadline - time.monotonic()
            got = link.recv(remaining, wait=wait) if remaining > 0 or not wait else None
            if got is None:
                return latest, latest_id, None
            msg = self._handle(link, *got)
            if msg is None:
                continue
            if msg.type == wire.HELLO:  # the owner reconnected or repeated itself
                link.send(
                    got[0], wire.WELCOME, {"station": self.station.describe(), "protocol": list(wire.PROTOCOL_VERSION)}
                )
                continue
            if msg.type == wire.BYE:
                return latest, latest_id, msg
            cmd = self._command(link, got[0], msg)
            if cmd is None:
                continue
            if realtime:
                if latest_id is None or msg.cmd_id > latest_id:
                    latest, latest_id = cmd, msg.cmd_id
                continue
            if cmd.frame_seq != frame_seq:
                self.stats.stale_commands += 1  # answers an older frame: lockstep ignores it
                continue
            return cmd, msg.cmd_id, None

    def _send_frame(self, link: ImpairedLink) -> None:
        frame = self.station.frame()
        frame["missed_periods_total"] = self.stats.missed_periods
        self.trace.sent(wire.FRAME, frame)
        link.send(self._owner, wire.FRAME, frame)

    def _finish(self, link: ImpairedLink, reason: str, t_start: float) -> SessionStats:
        self.stats.end_reason = reason
        self.stats.sim_time_s = self.station.world.time_s
        self.stats.wall_time_s = time.monotonic() - t_start
        if self._owner is not None:
            end = {"reason": reason, "t_s": self.stats.sim_time_s}
            self.trace.sent(wire.END, end)
            link.send(self._owner, wire.END, end)
        truth = self.station.truth()
        truth["phase"] = self._phase
        self.observer.publish(TOPIC_TRUTH, truth)
        for ev in self.station.events():
            self.observer.publish(TOPIC_EVENT, to_native(ev))
        self.observer.publish(
            TOPIC_SESSION, {"event": "end", **to_native(asdict(self.stats)), "trace": self.trace.summary()}
        )
        return self.stats
