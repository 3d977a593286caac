"""The plant: serves one station to one controller over the wire, a session at a time. The plant owns time.

Session (docs/protocol.md has the message-level contract):

1. Wait for a ``hello``. A wrong major version is ``refused`` with the reason,
   and the plant keeps waiting; a malformed message gets an ``error`` with its
   code.
2. Answer ``welcome`` with the station description, then send frame 0.
3. Each control period, one command answers the current frame. The plant
   applies it, advances the station one period, publishes ground truth on the
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

   Link impairments (``wire.impairments``, ``twin/session/impairments.py``) act
   at the plant's side of the link. In lockstep the plant never waits wall
   time for a message its own channel spoiled: when the frame it sent was
   lost, delayed, held back or corrupted, or the command answering it was, the
   period counts as missed at once and the plant steps on. During a cut
   nothing passes and the plant paces itself like real time, as when the link
   is silent.
4. The session ends on ``bye`` (the controller's outcome), when plant time
   reaches ``scenario.max_sim_time_s`` (truncated), after
   ``wire.session_timeout_s`` of silence (link lost), when the station port
   says its station is lost (``StationLost``: a gateway's PLC went away), or
   on interruption.
   The plant then sends ``end`` and publishes the session summary.
   A station that fails (its model raises) ends the session with
   ``station_error``: the controller gets ``end`` and the result says what
   failed; the plant process does not crash. Both move the station's
   lifecycle to ``error``.

The station's lifecycle (``swapwire/lifecycle.py``): a plant serves a station
that is ``inactive`` (configured, at rest); the session makes it ``active``
from the welcome to the end, or ``error`` if it failed.

The station is anything that implements the station port
(``twin/session/port.py``): the twin's physics, or a gateway's proxy of a real
station.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import swapwire as wire
from swapwire.errors import Code
from swapwire.lifecycle import Lifecycle, State
from swapwire.messages import CommandRules
from twin.session.gate import Admitted, Gate
from twin.session.impairments import ImpairedLink, LinkStats
from twin.session.link import Incoming, PlantLink
from twin.session.observer import TOPIC_EVENT, TOPIC_SESSION, TOPIC_TRUTH, ObserverChannel, to_native
from twin.session.port import SessionSink, StationLost, StationPort
from twin.session.timing import SessionTiming
from twin.session.trace import Trace

END_BYE = "bye"
END_TRUNCATED = "truncated"
END_LINK_LOST = "link_lost"
END_INTERRUPTED = "interrupted"
END_NO_CONTROLLER = "no_controller"
END_STATION_LOST = "station_lost"
END_RESET = "reset"
END_STATION_ERROR = "station_error"
log = logging.getLogger("swaptwin.plant")
# At most this many rejection texts are kept in a session's summary.
_KEPT_ERRORS = 20
# Realtime: at most this many messages already arrived are read once a period's deadline has passed.
_OVERDUE_READS = 64


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
    takeovers: int = 0  # hellos that took the session over with its token (a reconnect)
    strangers_answered: int = 0  # messages of peers other than the owner that were answered
    strangers_ignored: int = 0  # and those that were not (each stranger is answered at most once a second)
    errors: list[str] = field(default_factory=list)
    station_error: str = ""  # what failed, when the station did (end reason station_error)
    sink_failures: list[str] = field(default_factory=list)  # session sinks (a recording) that failed, and how
    lifecycle: list[dict] = field(default_factory=list)  # the station's transitions during the session
    link: LinkStats = field(default_factory=LinkStats)  # what the link impairments did
    timing: dict = field(default_factory=dict)  # wall-clock latencies (twin/session/timing.py); host-dependent


@dataclass
class _Pacing:
    """When the current period's wait ends, and what the link did last period."""

    realtime: bool
    period_s: float
    anchor: float  # the realtime pacing's origin, moved on a stall
    link_down: bool = False
    behind: bool = False  # realtime: this period's end waits for the answer to the frame just sent


@dataclass
class _Receiver:
    """One period's receiving: until the deadline; ``wait=False``, only what the
    channel has already delivered; realtime past the deadline, what has already
    arrived (a plant late on a busy host still takes it), at most _OVERDUE_READS."""

    link: ImpairedLink
    deadline: float
    wait: bool
    realtime: bool
    overdue: int = 0

    def __call__(self) -> Incoming | None:
        if not self.wait:
            return self.link.recv(0.0, wait=False)
        remaining = self.deadline - time.monotonic()
        if remaining > 0:
            return self.link.recv(remaining)
        if self.realtime and self.overdue < _OVERDUE_READS:
            self.overdue += 1
            return self.link.recv(0.0)
        return None


class _GuardedSink:
    """A session sink whose failure loses its own output, never the session: the
    first exception is logged, kept as ``failure`` and the sink sees nothing more.
    A recorder that cannot write a message must not end a swap, nor the plant."""

    def __init__(self, sink: SessionSink):
        self.sink = sink
        self.failure: str | None = None

    def _call(self, name: str, *args, **kwargs) -> None:
        if self.failure is not None:
            return
        try:
            getattr(self.sink, name)(*args, **kwargs)
        except Exception as exc:
            log.exception("the session's %s failed; it takes nothing more this session", type(self.sink).__name__)
            self.failure = f"{type(self.sink).__name__}.{name}: {type(exc).__name__}: {exc}"[:300]

    def sent(self, mtype: str, body: dict, cmd_id: int | None = None, *, t_s: float) -> None:
        self._call("sent", mtype, body, cmd_id, t_s=t_s)

    def received(self, msg: wire.Envelope, *, t_s: float) -> None:
        self._call("received", msg, t_s=t_s)

    def observed(self, topic: str, body: dict) -> None:
        self._call("observed", topic, body)

    def aside(self, direction: str, mtype: str, body: dict, *, peer: str, t_s: float) -> None:
        self._call("aside", direction, mtype, body, peer=peer, t_s=t_s)


class Plant:
    """One session of a station. ``serve(link)`` runs it; a plant that serves
    many sessions makes one ``Plant`` per session on the same link."""

    def __init__(
        self,
        station: StationPort,
        *,
        cfg,
        observer: ObserverChannel,
        sinks: Sequence[SessionSink] = (),
        secure: bool = False,
        lifecycle: Lifecycle | None = None,
    ):
        self.station = station
        # The station's lifecycle, owned by whoever serves many sessions; a plant of its own
        # serves a station configured already.
        self.lifecycle = lifecycle if lifecycle is not None else Lifecycle(State.INACTIVE)
        self.cfg = cfg
        self.observer = observer
        self.description = station.describe()
        d = self.description
        self.rules = CommandRules(
            axis_names=frozenset(d.axis_names),
            lock_ids=frozenset(d.locks.ids),
            tools={name: frozenset(values) for name, values in d.tools.items()},
        )
        self.stats = SessionStats()
        self.timing = SessionTiming()
        self._link: ImpairedLink | None = None
        self.gate = Gate(
            secure=secure,
            reject=lambda identity, exc, ref_seq: self._reject(self._link, identity, exc, ref_seq),
            refuse=lambda identity, reason, code, ref_seq: self._refuse(self._link, identity, reason, code, ref_seq),
            engineer=lambda incoming, msg: self._engineering(self._link, incoming, msg),
            received=self._received,
        )
        self._last_cmd_id = -1
        self._phase = ""
        self._phases: list[str] = []  # what the controller's hello declared
        self._interrupted = False
        self._reset = False
        self._paced_until: float | None = None  # wall-clock end of the last paced period
        self._frame_sent_at = 0.0  # wall clock (monotonic) of the last frame sent
        self.trace = Trace()
        # Every session sink (the trace first) sees each message of the session, in order;
        # one that fails drops out (``sink_failures``), the session goes on.
        self.sinks: list[_GuardedSink] = [_GuardedSink(s) for s in (self.trace, *sinks)]
        for i, sink in enumerate(self.sinks):
            observer.sinks.insert(i, sink.observed)

    def _transition(self, name: str) -> None:
        """Take a lifecycle transition, if the state allows it, and publish it."""
        if not self.lifecycle.can(name):
            return
        state = self.lifecycle.take(name)
        self.stats.lifecycle.append({"transition": name, "state": str(state)})
        self.observer.publish(
            TOPIC_EVENT, {"event": "lifecycle", "transition": name, "state": str(state), "t_s": self._time_s()}
        )

    def _time_s(self) -> float:
        try:
            return self.station.time_s
        except Exception:  # a failed station may not even say its time
            return self.stats.sim_time_s

    def interrupt(self) -> None:
        """Ask the session loop to end at the next period (signal handlers)."""
        self._interrupted = True

    # -- message handling ---------------------------------------------------------
    def _reject(self, link: ImpairedLink, identity: bytes, exc: wire.WireError, ref_seq: int | None = None) -> None:
        self.stats.rejected_messages += 1
        if len(self.stats.errors) < _KEPT_ERRORS:
            self.stats.errors.append(str(exc))
        body = wire.ErrorBody(reason=str(exc), ref_seq=ref_seq, code=exc.code).to_body()
        if identity == self.gate.owner:
            self._sent(wire.ERROR, body)
        else:
            self._aside("sent", wire.ERROR, body, identity)
        link.send(identity, wire.ERROR, body)

    def _refuse(self, link: ImpairedLink, identity: bytes, reason: str, code: Code, ref_seq: int | None) -> None:
        body = wire.Refused(
            reason=reason,
            code=code,
            protocol=list(wire.PROTOCOL_VERSION) if code == Code.VERSION else None,
            ref_seq=ref_seq,
        )
        self._aside("sent", wire.REFUSED, body.to_body(), identity)
        link.send(identity, wire.REFUSED, body.to_body())

    def _command(self, link: ImpairedLink, identity: bytes, msg: wire.Envelope) -> wire.Command | None:
        try:
            cmd = wire.parse_command(msg.body, self.rules)
        except wire.WireError as exc:
            self._reject(link, identity, exc, msg.seq)
            return None
        if msg.cmd_id <= self._last_cmd_id:
            self.stats.duplicate_commands += 1
            return None
        return cmd

    def _welcome(self, link: ImpairedLink, identity: bytes) -> None:
        grant = wire.SessionGrant(
            token=self.gate.token,
            heartbeat_period_s=self.cfg.wire.heartbeat_period_s,
            session_timeout_s=self.cfg.wire.session_timeout_s,
        )
        body = wire.Welcome(station=self.description.to_body(), protocol=list(wire.PROTOCOL_VERSION), session=grant)
        self._sent(wire.WELCOME, body.to_body())
        link.send(identity, wire.WELCOME, body.to_body())

    def _engineering(self, link: ImpairedLink, incoming: Incoming, msg: wire.Envelope) -> None:
        """An engineer's fault injection or reset, from an engineer's key only."""
        self._aside("received", msg.type, msg.body, incoming.identity)
        if incoming.role != "engineer":
            why = "this key's role is " + str(incoming.role) if self.gate.secure else "engineering needs CURVE keys"
            self._reject(
                link,
                incoming.identity,
                wire.WireError(f"engineering is for the engineer role: {why}", code=Code.ROLE),
                msg.seq,
            )
            return
        try:
            action = wire.parse_engineering(msg.body)
            detail = self._carry_out(action)
        except (wire.WireError, ValueError) as exc:
            error = exc if isinstance(exc, wire.WireError) else wire.WireError(str(exc), code=Code.INVALID_ENGINEERING)
            self._reject(link, incoming.identity, error, msg.seq)
            return
        self.observer.publish(
            TOPIC_EVENT, {"event": "engineering", "action": action.action, "detail": detail, "t_s": self.station.time_s}
        )
        ack = wire.Ack(ref_seq=msg.seq, detail=detail).to_body()
        self._aside("sent", wire.ACK, ack, incoming.identity)
        link.send(incoming.identity, wire.ACK, ack)

    def _carry_out(self, action: wire.Engineering) -> str:
        if action.action == "reset":
            self._reset = True
            return "the session ends; the next starts from the scenario's start"
        inject = getattr(self.station, "inject_fault", None)
        if inject is None:
            raise ValueError("this station takes no injected faults")
        return inject(action.fault)

    def _sent(self, mtype: str, body: dict, cmd_id: int | None = None) -> None:
        for sink in self.sinks:
            sink.sent(mtype, body, cmd_id, t_s=self.station.time_s)

    def _aside(self, direction: str, mtype: str, body: dict, identity: bytes) -> None:
        for sink in self.sinks:
            sink.aside(direction, mtype, body, peer=identity.hex(), t_s=self.station.time_s)

    def _received(self, msg: wire.Envelope) -> None:
        for sink in self.sinks:
            sink.received(msg, t_s=self.station.time_s)

    # -- the session ------------------------------------------------------------------
    def serve(self, link: PlantLink) -> SessionStats:
        """Run one session. An interrupt (Ctrl-C, SIGTERM turned into
        KeyboardInterrupt by the caller) ends it cleanly with ``interrupted``."""
        t0 = time.monotonic()
        channel = ImpairedLink(link, self.cfg.wire.impairments, seed=self.cfg.seed, stats=self.stats.link)
        self._link = channel
        try:
            return self._serve(channel, t0)
        except KeyboardInterrupt:
            return self._finish(channel, END_INTERRUPTED, t0)

    def _handshake(self, link: ImpairedLink, t0: float) -> str | None:
        """Wait for a controller's hello and welcome it; an end reason if none came."""
        while self.gate.owner is None:
            if self._interrupted:
                return END_INTERRUPTED
            if self._reset:
                return END_RESET
            if time.monotonic() - t0 > self.cfg.wire.hello_timeout_s:
                return END_NO_CONTROLLER
            got = link.recv(0.1)
            if got is None:
                continue
            admitted = self.gate.admit(got)
            if admitted is not None and admitted.new_owner:
                self._own(link, admitted)
        return None

    def _own(self, link: ImpairedLink, admitted: Admitted) -> None:
        """A hello opened the session (or took it over): the owner, its declared phases, the welcome."""
        hello = admitted.hello
        link.owner, link.owner_role = admitted.identity, self.gate.owner_role
        if not self.stats.client:
            self.stats.client = hello.client or "(unnamed)"
            self._phases = list(hello.phases)
            self.rules = dataclasses.replace(self.rules, phases=frozenset(hello.phases))
        elif admitted.new_owner:
            self.stats.takeovers += 1
        self._welcome(link, admitted.identity)

    def _serve(self, link: ImpairedLink, t0: float) -> SessionStats:
        # 1. Handshake.
        end = self._handshake(link, t0)
        if end is not None:
            return self._finish(link, end, t0)
        self.observer.publish(
            TOPIC_SESSION,
            {
                "event": "start",
                "client": self.stats.client,
                "station": self.description.to_body(),
                "phases": self._phases,
            },
        )
        t_session = time.monotonic()
        self._transition("activate")
        try:
            self._send_frame(link)
            pacing = _Pacing(
                realtime=self.cfg.clock == "realtime", period_s=self.cfg.wire.control_period_s, anchor=t_session
            )
            # 2. One control period per iteration.
            while True:
                try:
                    end = self._period(link, pacing)
                except StationLost as exc:  # the station's I/O is gone (a gateway lost its PLC)
                    self.stats.errors.append(f"station lost: {exc}")
                    self._transition("error")
                    end = END_STATION_LOST
                if end is not None:
                    return self._finish(link, end, t_session)
        except Exception as exc:  # the station failed, not the wire: end the session, keep the process
            log.exception("the station failed; the session ends with %s", END_STATION_ERROR)
            self.stats.station_error = f"{type(exc).__name__}: {exc}"[:500]
            self._transition("error")
            return self._finish(link, END_STATION_ERROR, t_session)

    def _period(self, link: ImpairedLink, pacing: _Pacing) -> str | None:
        """One control period; an end reason when the session ends."""
        wire_cfg, station = self.cfg.wire, self.station
        if self._interrupted:
            return END_INTERRUPTED
        if self._reset:
            return END_RESET
        if station.time_s >= self.cfg.scenario.max_sim_time_s - 1e-9:
            return END_TRUNCATED
        frame_seq = station.frame().frame_seq
        for ev in link.begin_period(
            period=self.stats.periods, frame_seq=frame_seq, t_s=station.time_s, phase=self._phase
        ):
            self.observer.publish(TOPIC_EVENT, ev)
        # Lockstep: no answer can come to a frame the channel spoiled; step at once.
        at_once = not pacing.realtime and link.frame_spoiled and not link.cut.active
        if pacing.realtime:
            deadline = self._realtime_deadline(pacing)
        else:
            deadline = self._lockstep_deadline(at_once=at_once, paced=pacing.link_down or link.cut.active)
        cmd, cmd_id, bye = self._collect(
            link,
            deadline,
            pacing.realtime,
            frame_seq,
            wait=not at_once,
            answered_ends=pacing.realtime and pacing.behind,
        )
        if bye is not None:
            if cmd is not None:  # realtime: the period's last command came with the goodbye; its phase counts
                self._report_phase(cmd.phase)
            self.stats.controller = dict(bye.body)
            return END_BYE
        if time.monotonic() - self.gate.last_owner_message > wire_cfg.session_timeout_s:
            return END_LINK_LOST
        if not (pacing.realtime or at_once):
            # A command the channel spoiled came from a live controller: the link is not silent.
            pacing.link_down = cmd is None and not link.answer_spoiled
        if cmd is None:
            self.stats.missed_periods += 1
        else:
            self._last_cmd_id = cmd_id
            self._report_phase(cmd.phase)
        self._step(link, cmd, cmd_id)
        return None

    def _report_phase(self, phase: str) -> None:
        if phase != self._phase:
            self._phase = phase
            self.observer.publish(TOPIC_EVENT, {"event": "phase", "phase": phase, "t_s": self.station.time_s})

    def _step(self, link: ImpairedLink, cmd: wire.Command | None, cmd_id: int | None) -> None:
        """Apply the period's command, advance the station, send the frame, publish the period."""
        station = self.station
        t0 = time.perf_counter()
        station.apply(cmd, cmd_id)
        station.advance()
        self.stats.periods += 1
        if link.cut.active:
            self.stats.link.cut_periods += 1
        # Send the frame first: the controller works on it while the plant
        # publishes this period's ground truth (same instant, no step between).
        self._send_frame(link)
        self.timing.step_ms.add((time.perf_counter() - t0) * 1e3)
        for ev in station.take_events():
            self.observer.publish(TOPIC_EVENT, to_native(ev))
        if self.stats.periods % self.cfg.wire.publish_truth_every_periods == 0:
            self._publish_truth()

    def _publish_truth(self) -> None:
        truth = self.station.truth()
        if not truth:  # a station without ground truth (a real station's gateway) publishes none
            return
        truth["phase"] = self._phase
        self.observer.publish(TOPIC_TRUTH, truth)

    def _realtime_deadline(self, pacing: _Pacing) -> float:
        """The period's end on the wall clock. A plant behind its clock (a slow
        step, a busy host) still waits up to ``realtime_answer_window_s`` after
        the frame it sent for the command answering it, and ends the period as
        soon as that arrives (``_collect``): catching up never steps blind, so
        the drives' watchdog sees a command every period a controller answers
        in time. Behind by more than ``realtime_max_lag_s``, it drops the lag."""
        wire_cfg = self.cfg.wire
        deadline = pacing.anchor + (self.stats.periods + 1) * pacing.period_s
        lag = time.monotonic() - deadline
        if lag > wire_cfg.realtime_max_lag_s:
            # A stalled host: stepping the missed periods back to back
            # would starve the drives of commands. Drop the lag instead.
            self.stats.overruns += 1
            pacing.anchor += lag + pacing.period_s
            deadline += lag + pacing.period_s
        pacing.behind = deadline < self._frame_sent_at + wire_cfg.realtime_answer_window_s
        return max(deadline, self._frame_sent_at + wire_cfg.realtime_answer_window_s)

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

    def _collect(
        self,
        link: ImpairedLink,
        deadline: float,
        realtime: bool,
        frame_seq: int,
        *,
        wait: bool = True,
        answered_ends: bool = False,
    ):
        """Receive until the command for this period (lockstep) or the deadline.
        ``wait=False`` reads only what the channel has already delivered;
        ``answered_ends``: realtime, the command answering the current frame ends the period.
        Returns (command, cmd_id, bye message)."""
        latest, latest_id = None, None
        receive = _Receiver(link, deadline, wait=wait, realtime=realtime)
        while True:
            if not realtime and link.answer_spoiled:
                return None, None, None  # its own channel spoiled the answer: do not wait for it
            got = receive()
            if got is None:
                return latest, latest_id, None
            admitted = self.gate.admit(got)
            msg = admitted.msg if admitted is not None else None
            if msg is None or msg.type == wire.HEARTBEAT:
                continue  # rejected or answered by the gate; or alive: the gate has refreshed the watchdog
            if msg.type == wire.HELLO:  # the owner repeated itself, or a new connection took the session over
                self._own(link, admitted)
                self._send_frame(link)  # the current frame again: the welcomed connection answers it
                continue
            if msg.type == wire.BYE:
                return latest, latest_id, msg
            cmd = self._command(link, admitted.identity, msg)
            if cmd is None:
                continue
            self.timing.command_received(cmd.frame_seq, time.perf_counter())
            if realtime:
                if latest_id is None or msg.cmd_id > latest_id:
                    latest, latest_id = cmd, msg.cmd_id
                if answered_ends and cmd.frame_seq == frame_seq:
                    return latest, latest_id, None
            elif cmd.frame_seq != frame_seq:
                self.stats.stale_commands += 1  # answers an older frame: lockstep ignores it
            else:
                return cmd, msg.cmd_id, None

    def _send_frame(self, link: ImpairedLink) -> None:
        frame = dataclasses.replace(self.station.frame(), missed_periods_total=self.stats.missed_periods)
        body = frame.to_body()
        link.send(self.gate.owner, wire.FRAME, body)
        self._frame_sent_at = time.monotonic()
        self.timing.frame_sent(frame.frame_seq, time.perf_counter())
        # The sinks see the frame after it left: the controller works on it
        # meanwhile. Nothing else reaches them in between, so the trace is the same.
        self._sent(wire.FRAME, body)

    def _finish(self, link: ImpairedLink, reason: str, t_start: float) -> SessionStats:
        self.stats.end_reason = reason
        self.stats.sim_time_s = self._time_s()
        self._transition("deactivate")
        self.stats.wall_time_s = time.monotonic() - t_start
        self.stats.strangers_answered = self.gate.strangers_answered
        self.stats.strangers_ignored = self.gate.strangers_ignored
        self.stats.timing = self.timing.summary()
        if self.gate.owner is not None:
            end = wire.End(reason=reason, t_s=self.stats.sim_time_s).to_body()
            self._sent(wire.END, end)
            link.send(self.gate.owner, wire.END, end)
        if reason != END_STATION_ERROR:  # a failed station's last truth cannot be trusted
            self._publish_truth()
            for ev in self.station.take_events():
                self.observer.publish(TOPIC_EVENT, to_native(ev))
        self.stats.sink_failures = list(self.sink_failures().values())
        self.observer.publish(
            TOPIC_SESSION, {"event": "end", **to_native(asdict(self.stats)), "trace": self.trace.summary()}
        )
        for sink in self.sinks:
            self.observer.sinks.remove(sink.observed)
        return self.stats

    def sink_failures(self) -> dict[int, str]:
        """The session sinks that failed (by ``id`` of the sink given) and how."""
        return {id(g.sink): g.failure for g in self.sinks if g.failure is not None}
