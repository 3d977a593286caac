"""The OPC UA gateway: a station port (``twin/session/port.py``) in front of a station PLC's OPC UA server.

The twin's session loop (``twin.session.plant.Plant``) serves this port on the
same ROUTER as it serves the twin, so a controller cannot tell the two apart
by the protocol: same version, clock modes, command-at-most-once, impairments
and security. Each control period the port maps the period's command onto the
PLC's command tags and the PLC's state tags onto a ``swapwire.Frame``, through
the tag map (``gateways/opcua/tagmap.py``, ``image.py``):

* **lockstep** (a PLC with virtual time): write the command tags (heartbeat
  first, ``command.id`` last) -> call ``Step(control period / scan period)``
  -> read the state tags, on one connection, awaited in order: deterministic;
* **realtime** (a free-running PLC): write the command tags, then read the
  state tags: the PLC's latest process image, sampled once a period and
  numbered by the gateway's own cycle (the session loop paces itself).

Every period it checks that the PLC is alive: its life sign must change
(``Step`` scans; in realtime within ``life_sign_timeout_s``), it must stay in
its remote mode, and every request must be answered within
``request_timeout_s``. When any of that fails (the link is cut, the PLC hangs
or stops scanning) the PLC is *lost*: from then on the port sends frames, a
period apart in plant time, whose drives report ``fault`` with the reason
(the PLC's own watchdog on the gateway's frozen heartbeat stops its drives,
docs/gateway.md), so the controller safe-stops at once; after
``lost_grace_s`` of plant time without a ``bye`` the session ends as
``station_lost``.

``describe()`` is the PLC's station description (a String node holding it as
JSON, or a file; the tag map says which), with the gateway's own clock mode
and session timeouts. ``truth()`` is ``{}``: a real PLC has no ground truth.
The emulated PLC (``gateways/opcua/plc.py``) runs a twin station and
publishes its events and ground truth on its own observer PUB; given that
endpoint, the port subscribes and hands them on through ``take_events()`` and
``truth()``, so the gateway's Recorder computes the verdict exactly as for a
direct swap.

The OPC UA client runs on one private asyncio loop in a thread; the session
loop submits one coroutine per period (asyncua.sync would hop threads three
times a period). Sockets and the client are each used from one thread.

    python -m gateways.opcua.gateway --config CONFIG.json --out DIR [--endpoint E] [--observer O]
                                     [--station opc.tcp://...] [--station-observer O2] [--sessions N]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import dataclasses
import json
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any

import swapwire as wire
from gateways.opcua.image import CommandImage, FrameImage, counter
from gateways.opcua.security import secure_client, security_on
from gateways.opcua.tagmap import TagMap, is_full_node_id, load_tagmap, tagmap_path
from swapwire.frame import AxisState, DriveReport, Frame
from swapwire.station import Clock, SessionInfo, StationDescription, parse_description
from twin.session.observer import OBSERVER_TYPES, TOPIC_EVENT, TOPIC_SESSION, TOPIC_TRUTH
from twin.session.port import StationLost

log = logging.getLogger("swaptwin.gateway")
_LOG_FORMAT = "%(asctime)s gateway %(levelname)s %(message)s"
# The loop thread's answer may come this much later than the OPC UA request's own timeout.
_THREAD_MARGIN_S = 1.0


class PlcLost(Exception):
    """The PLC cannot be reached or does not scan; the message says how it was found."""


class OpcUaStation:
    """The station port of a PLC behind OPC UA. ``plc_observer_endpoint``: the
    emulated PLC's ground truth (None: a real PLC, no truth)."""

    def __init__(self, cfg, *, plc_endpoint: str, plc_observer_endpoint: str | None):
        self.cfg, self.gw = cfg, cfg.gateway
        self.plc_endpoint = plc_endpoint
        self.tagmap: TagMap = load_tagmap(self.gw.tagmap)
        self.period_s = cfg.plant.wire.control_period_s
        self.scans_per_period = round(self.period_s / self.tagmap.plc.scan_period_s)
        self.lockstep = cfg.plant.clock == "lockstep"
        self.secure = security_on(self.gw, plc_endpoint)
        self.plc_versions: dict | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="opcua-gateway", daemon=True)
        self._thread.start()
        self._sub = self._subscribe(plc_observer_endpoint)
        self.client: Any = None
        self._lost: str | None = None
        self._link_lost: str | None = None  # set by the client's watchdog, read at the next period
        self._connect()

    # -- the loop thread --------------------------------------------------------------------------
    def _run(self, coro, timeout_s: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout_s + _THREAD_MARGIN_S)
        except concurrent.futures.TimeoutError:
            if future.done():
                raise  # the coroutine's own (an OPC UA request that timed out)
            future.cancel()
            raise TimeoutError(
                f"the gateway's OPC UA loop did not answer within {timeout_s + _THREAD_MARGIN_S:.1f} s"
            ) from None

    # -- connecting -------------------------------------------------------------------------------
    def _connect(self) -> None:
        """Reach the PLC (retrying until ``connect_timeout_s``), read its
        description and resolve every tag's node."""
        deadline = time.monotonic() + self.gw.connect_timeout_s
        while True:
            try:
                self._run(self._open(), self.gw.connect_timeout_s)
                break
            except Exception as exc:  # noqa: BLE001  (any failure to connect: try again until the deadline)
                if time.monotonic() > deadline:
                    raise PlcLost(f"cannot reach the PLC at {self.plc_endpoint}: {_why(exc)}") from None
                time.sleep(0.5)
        self._lost = self._link_lost = None
        text = self._description_text()
        self.description = self._description(text)
        self.commands = CommandImage(self.tagmap, self.description)
        self.frames = FrameImage(self.tagmap, self.description)
        self._run(self._resolve(), self.gw.request_timeout_s)
        log.info("connected to the PLC at %s (security %s)", self.plc_endpoint, "on" if self.secure else "off")

    async def _open(self) -> None:
        from asyncua import Client

        if self.client is not None:
            await self._close_client()
        gw = self.gw
        client = Client(
            self.plc_endpoint, timeout=gw.request_timeout_s, watchdog_intervall=max(0.2, gw.request_timeout_s)
        )
        client.session_timeout = 60_000  # ms: a dead gateway's session is dropped by the PLC after a minute
        if self.secure:
            await secure_client(client, gw.security.pki_dir, user=gw.security.user)

        async def lost(exc: Exception) -> None:
            self._link_lost = f"the OPC UA link to the PLC broke: {_why(exc)}"

        client.connection_lost_callback = lost
        await client.connect()
        self.client = client
        self.idx = await client.get_namespace_index(self.tagmap.namespace_uri)

    def _node_id(self, text: str):
        from asyncua import ua

        return ua.NodeId.from_string(text) if is_full_node_id(text) else ua.NodeId(text, self.idx)

    def _description_text(self) -> str:
        source = self.tagmap.plc.description
        if source.file is not None:
            return (tagmap_path(self.gw.tagmap).parent / source.file).read_text(encoding="utf-8")
        return self._run(self._read_one(source.node), self.gw.request_timeout_s)

    async def _read_one(self, node: str) -> Any:
        return await self.client.get_node(self._node_id(node)).read_value()

    def _description(self, text: str) -> StationDescription:
        """The PLC's description, with the gateway's own clock and timeouts (the
        session loop's, not the PLC's), checked against the tag map."""
        import yaml

        try:
            body = json.loads(text)
        except json.JSONDecodeError:
            body = yaml.safe_load(text)  # a description file may be YAML (with 1.0e-5, not 1e-5, for YAML 1.1)
        if not isinstance(body, dict):
            raise PlcLost("the PLC's station description is not a map")
        plc_clock = body.get("clock") or {}
        period = plc_clock.get("control_period_s", self.period_s)
        if abs(period - self.period_s) > 1e-9:
            raise PlcLost(
                f"the PLC's control period is {period} s, the gateway's wire.control_period_s {self.period_s} s"
            )
        wire_cfg = self.cfg.plant.wire
        body["clock"] = dataclasses.asdict(Clock(mode=self.cfg.plant.clock, control_period_s=self.period_s))
        body["session"] = dataclasses.asdict(
            SessionInfo(link_timeout_s=wire_cfg.link_timeout_s, session_timeout_s=wire_cfg.session_timeout_s)
        )
        d = parse_description(body)
        self._check_fit(d)
        return d

    def _check_fit(self, d: StationDescription) -> None:
        t = self.tagmap
        problems = []
        if d.rig_family != t.station:
            problems.append(f"the PLC describes a {d.rig_family} station, the tag map is for {t.station}")
        problems += [f"axis {a} has no tags" for a in d.axis_names if a not in t.axes]
        problems += [f"sensor {s} has no tags" for s in d.sensors if s not in t.sensors]
        problems += [f"tool {name} has no tags" for name in d.tools if name not in t.tools]
        for name, info in d.sensors.items():
            if name in t.sensors and t.sensors[name].kind != info.kind:
                problems.append(f"sensor {name} is {info.kind} on the PLC, {t.sensors[name].kind} in the tag map")
        for a in d.axes:
            kind = t.axes[a.name].kind if a.name in t.axes else None
            if kind is not None and (kind == "rotary") != (a.unit == "rad"):
                problems.append(f"axis {a.name} is in {a.unit} on the PLC but {kind} in the tag map")
        if problems:
            raise PlcLost(f"the tag map does not fit the PLC's station: {'; '.join(problems)}")

    async def _resolve(self) -> None:
        from asyncua import ua

        c = self.client
        self._cmd_nodes = [c.get_node(self._node_id(s.node)) for s in self.commands.slots]
        self._cmd_types = [ua.VariantType[s.type] for s in self.commands.slots]
        self._frame_nodes = [c.get_node(self._node_id(s.node)) for s in self.frames.slots]
        p = self.tagmap.plc
        self._step = (c.get_node(self._node_id(p.step.object)), self._node_id(p.step.method)) if p.step else None
        self._reset = (c.get_node(self._node_id(p.reset.object)), self._node_id(p.reset.method)) if p.reset else None

    async def _close_client(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            client.connection_lost_callback = None
            try:
                await asyncio.wait_for(client.disconnect(), self.gw.request_timeout_s)
            except Exception:  # noqa: BLE001  (a lost PLC cannot say goodbye)
                client.disconnect_socket()

    # -- the port: the session's start ---------------------------------------------------------------
    def initialize_session(self) -> None:
        """Resynchronise with the PLC for a new session: reconnect if it was
        lost, ``Reset`` it (if it has the method), read frame 0."""
        if self._lost is not None or self._link_lost is not None or self.client is None:
            self._connect()
        self._heartbeat_slot = self.commands.slots[0]
        self._heartbeat = 0
        self._cmd_id: int | None = None  # the last command id written
        self._phase = ""
        self._pending: tuple[wire.Command | None, int | None] = (None, None)
        self._events: list[dict] = []
        self._truth: dict = {}
        self._lost = None
        self._lost_periods = 0
        self._drain()
        values = self._run(self._start(), self.gw.reset_timeout_s)
        self._life_sign, mode, plc_frame = self.frames.decode(values)
        self._periods = 0
        self._frame = self._seen(plc_frame)
        if mode != self.tagmap.plc.remote_mode:
            raise PlcLost(f"the PLC is in mode {mode}, not its remote mode {self.tagmap.plc.remote_mode}")
        self._life_sign_at = time.monotonic()
        self._await_reset()

    async def _start(self) -> list:
        if self._reset is not None:
            obj, method = self._reset
            protocol = self.client.uaclient.protocol
            protocol.timeout = self.gw.reset_timeout_s  # the emulated PLC rebuilds its world: longer than a request
            try:
                await obj.call_method(method)
            finally:
                protocol.timeout = self.gw.request_timeout_s
        await self._write(self.commands.encode(None, None, heartbeat=0))
        return await self._read()

    # -- the port: one period ---------------------------------------------------------------------------
    def describe(self) -> StationDescription:
        return self.description

    @property
    def time_s(self) -> float:
        return self._frame.t_s

    def apply(self, cmd: wire.Command | None, cmd_id: int | None = None) -> None:
        self._pending = (cmd, cmd_id)

    def advance(self) -> None:
        cmd, cmd_id = self._pending
        self._pending = (None, None)
        if self._lost is None:
            try:
                self._plc_period(cmd, cmd_id)
                return
            except Exception as exc:  # noqa: BLE001  (whatever went wrong, the PLC can no longer be trusted)
                self._lose(_why(exc) if not isinstance(exc, PlcLost) else str(exc))
        self._lost_period()

    def _plc_period(self, cmd: wire.Command | None, cmd_id: int | None) -> None:
        if self._link_lost is not None:
            raise PlcLost(self._link_lost)
        self._heartbeat = counter(self._heartbeat_slot, self._heartbeat + 1)
        if cmd is not None:
            self._cmd_id, self._phase = cmd_id, cmd.phase
        values = self.commands.encode(cmd, self._cmd_id, heartbeat=self._heartbeat, last_phase=self._phase)
        timeout = self.gw.request_timeout_s * 3 + (self.gw.life_sign_timeout_s + 2 * self.period_s)
        state = self._run(self._lockstep(values) if self.lockstep else self._realtime(values), timeout)
        life_sign, mode, plc_frame = self.frames.decode(state)
        if mode != self.tagmap.plc.remote_mode:
            raise PlcLost(f"the PLC left its remote mode (mode {mode})")
        if self.lockstep:  # (realtime: _realtime watched the life sign)
            if life_sign == self._life_sign:
                raise PlcLost(
                    f"the PLC stopped scanning: its life sign stayed at {life_sign} over Step({self.scans_per_period})"
                )
            if plc_frame.frame_seq != self._frame.frame_seq + 1:
                raise PlcLost(
                    f"Step({self.scans_per_period}) gave frame {plc_frame.frame_seq} after {self._frame.frame_seq}"
                )
        self._life_sign = life_sign
        self._periods += 1
        self._frame = self._seen(plc_frame)
        self._take_observed(plc_frame.frame_seq, wait=self.lockstep)

    def _seen(self, plc_frame: Frame) -> Frame:
        """The frame the wire sees. Lockstep: the PLC's, period for period.
        Realtime: the PLC's latest process image, sampled once per gateway
        period and numbered by the gateway's own cycle (as a fieldbus master
        numbers its cycles), so two free-running clocks never make a frame
        repeat or go missing for the controller; the image is at most a period old."""
        if self.lockstep:
            return plc_frame
        return dataclasses.replace(plc_frame, frame_seq=self._periods, t_s=self._periods * self.period_s)

    async def _write(self, values: list) -> None:
        from asyncua import ua

        variants = [ua.Variant(v, t) for v, t in zip(values, self._cmd_types)]
        await self.client.write_values(self._cmd_nodes, variants)

    async def _read(self) -> list:
        results = await self.client.read_attributes(self._frame_nodes)
        for slot, dv in zip(self.frames.slots, results):
            if dv.StatusCode is not None and not dv.StatusCode.is_good():
                raise PlcLost(f"reading {slot.key} ({slot.node}): {dv.StatusCode.name}")
        return [dv.Value.Value for dv in results]

    async def _lockstep(self, values: list) -> list:
        from asyncua import ua

        await self._write(values)
        obj, method = self._step
        await obj.call_method(method, ua.Variant(self.scans_per_period, ua.VariantType.UInt32))
        return await self._read()

    async def _realtime(self, values: list) -> list:
        """Write, then read the PLC's latest process image; the session loop
        paces itself. The life sign must change within ``life_sign_timeout_s``."""
        await self._write(values)
        state = await self._read()
        now = time.monotonic()
        if state[0] != self._life_sign:
            self._life_sign, self._life_sign_at = state[0], now
        elif now - self._life_sign_at > self.gw.life_sign_timeout_s:
            raise PlcLost(
                f"the PLC stopped scanning: its life sign stayed at {state[0]} for {now - self._life_sign_at:.2f} s"
            )
        return state

    # -- the PLC lost ------------------------------------------------------------------------------------
    def _lose(self, reason: str) -> None:
        self._lost = f"station PLC lost: {reason}"
        self._lost_periods = 0
        log.error("%s; its watchdog stops the drives when the heartbeat freezes", self._lost)
        self._run_quietly(self._close_client())

    def _run_quietly(self, coro) -> None:
        with contextlib.suppress(Exception):  # closing a dead link
            self._run(coro, self.gw.request_timeout_s)

    def _lost_period(self) -> None:
        """A frame a period on, the drives reported faulted with the reason, the
        sensors as last read; after ``lost_grace_s`` the session ends."""
        if self._lost_periods * self.period_s >= self.gw.lost_grace_s - 1e-9:
            raise StationLost(self._lost)
        self._lost_periods += 1
        f = self._frame
        axes = {n: AxisState(a.pos, a.vel, a.force, wire.DRIVE_FAULT, a.settled) for n, a in f.axes.items()}
        self._frame = dataclasses.replace(
            f,
            frame_seq=f.frame_seq + 1,
            t_s=f.t_s + self.period_s,
            axes=axes,
            drives=DriveReport(wire.DRIVE_FAULT, f.drives.missed_periods, (self._lost,)),
        )

    # -- the emulated PLC's ground truth ------------------------------------------------------------------
    def _subscribe(self, endpoint: str | None):
        if not endpoint:
            return None
        import zmq

        sock = zmq.Context.instance().socket(zmq.SUB)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.SUBSCRIBE, b"")
        sock.connect(endpoint)
        return sock

    def _receive(self, timeout_s: float) -> tuple[str, dict] | None:
        if not self._sub.poll(max(0, int(timeout_s * 1000))):
            return None
        topic, payload = self._sub.recv_multipart()
        msg = wire.decode(payload, expect=OBSERVER_TYPES)
        return topic.decode(), msg.body

    def _drain(self) -> None:
        while self._sub is not None and self._receive(0) is not None:
            pass

    def _await_reset(self) -> None:
        """The emulated PLC announces its reset with the versions of its twin. A
        subscriber that joined late misses it; the reset is then asked again."""
        if self._sub is None:
            return
        for _ in range(3):
            deadline = time.monotonic() + self.gw.truth_timeout_s
            while (got := self._receive(deadline - time.monotonic())) is not None:
                topic, body = got
                if topic == TOPIC_SESSION and body.get("event") == "reset":
                    self.plc_versions = body.get("versions")
                    self._take_observed(0)
                    return
            log.warning("no reset announcement on the PLC's observer; resetting again")
            self._run(self._start(), self.gw.reset_timeout_s)
        raise PlcLost("the emulated PLC's observer publishes nothing (wrong plc_observer_endpoint?)")

    def _take_observed(self, frame_seq: int, *, wait: bool = True) -> None:
        """This period's events and ground truth from the emulated PLC's observer
        (realtime: whatever has come, without waiting)."""
        if self._sub is None:
            return
        deadline = time.monotonic() + (self.gw.truth_timeout_s if wait else 0.0)
        while self._truth.get("frame_seq", -1) < frame_seq:
            got = self._receive(deadline - time.monotonic())
            if got is None:
                if wait:
                    log.warning("no ground truth for frame %d from the PLC's observer", frame_seq)
                return
            topic, body = got
            if topic == TOPIC_EVENT:
                self._events.append(body)
            elif topic == TOPIC_TRUTH:
                self._truth = body

    # -- the port: queries ----------------------------------------------------------------------------------
    def frame(self) -> Frame:
        return self._frame

    def truth(self) -> dict:
        return dict(self._truth)

    def take_events(self) -> list[dict]:
        out, self._events = self._events, []
        return out

    def close(self) -> None:
        self._run_quietly(self._close_client())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=2.0)
        if self._sub is not None:
            self._sub.close()


def _why(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, TimeoutError) and not text:
        return "no answer from the PLC within the request timeout"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def quiet_asyncua() -> None:
    """asyncua logs every request at INFO: keep its warnings and errors only."""
    logging.getLogger("asyncua").setLevel(logging.WARNING)


class OpcUaStations:
    """The station source of a gateway process (``swaptwin.plant_server``): one
    connection to the PLC, resynchronised for every session."""

    fatal = (PlcLost,)  # a PLC that cannot be reached ends the gateway (exit 1), it is not one failed session

    def __init__(self, *, plc_endpoint: str, plc_observer_endpoint: str | None):
        self.plc_endpoint, self.plc_observer_endpoint = plc_endpoint, plc_observer_endpoint
        self.port: OpcUaStation | None = None

    def make(self, cfg) -> OpcUaStation:
        if self.port is None:
            self.port = OpcUaStation(
                cfg, plc_endpoint=self.plc_endpoint, plc_observer_endpoint=self.plc_observer_endpoint
            )
        self.port.initialize_session()
        return self.port

    def versions(self, cfg, port: OpcUaStation) -> dict:
        """The emulated PLC's twin versions; a real PLC has none to give."""
        return {**(port.plc_versions or {"twin": None}), "gateway": "opcua"}

    def discard(self) -> None:
        """After a station error: drop the connection; the next session connects afresh."""
        self.close()
        self.port = None

    def close(self) -> None:
        if self.port is not None:
            self.port.close()


def main(argv: list[str] | None = None) -> int:
    from swaptwin.config import validate
    from swaptwin.plant_server import serve_plant
    from twin.schema import ConfigError

    ap = argparse.ArgumentParser(prog="python -m gateways.opcua.gateway")
    ap.add_argument("--config", required=True, help="resolved SwapTwin config as JSON (gateway=opcua)")
    ap.add_argument("--out", required=True, help="directory for result.json")
    ap.add_argument("--endpoint", help="the wire's ROUTER (default: endpoint)")
    ap.add_argument("--observer", help="the observer PUB (default: observer_endpoint)")
    ap.add_argument("--station", help="the PLC's OPC UA endpoint (default: gateway.plc_endpoint)")
    ap.add_argument("--station-observer", help="the emulated PLC's observer (default: gateway.plc_observer_endpoint)")
    ap.add_argument("--sessions", type=int, default=1)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=_LOG_FORMAT, stream=sys.stderr)
    quiet_asyncua()
    with open(args.config, encoding="utf-8") as f:
        cfg = validate(json.load(f))
    gw = cfg.gateway
    stations = OpcUaStations(
        plc_endpoint=args.station or gw.plc_endpoint,
        plc_observer_endpoint=args.station_observer or gw.plc_observer_endpoint,
    )
    try:
        results, _ = serve_plant(
            cfg,
            endpoint=args.endpoint or cfg.endpoint,
            observer_endpoint=args.observer or cfg.observer_endpoint,
            out_dir=Path(args.out),
            sessions=args.sessions,
            stations=stations,
        )
    except PlcLost as exc:
        log.error("%s", exc)
        return 1
    except ConfigError as exc:  # the wire's security refuses an exposed endpoint without keys
        log.error("%s", exc)
        return 2
    return 0 if results and all(r["verdict"]["status"] == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
