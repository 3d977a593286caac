"""The emulated station PLC: an OPC UA server with the tag map's address space, whose I/O is the twin's station.

It stands in for a real station's PLC, so the gateway can be proven end to
end without one; it is not a second plant protocol. Its program, per scan:

1. the life sign (``plc.life_sign``) counts the scan;
2. the gateway's heartbeat is watched: frozen for longer than the tag map's
   ``gateway.heartbeat_timeout_s``, the PLC takes no more commands, so the
   drives' own watchdog stops them (as a fieldbus watchdog would);
3. every ``control period / scan period`` scans, a control period: the
   command tags become a ``swapwire.Command`` (a changed ``command.id`` is a
   new command; none: the station gets no command this period), the twin
   station applies it and advances one period, and its frame is written to
   the frame tags (``frame.seq`` last). The twin's events and ground truth go
   out on the PLC's own observer PUB (``twin.session.observer``), never into
   the address space: a real PLC has no ground truth.

Time: ``realtime`` scans on the wall clock (free running); ``virtual`` scans
only when a client calls ``Step(n)`` (n scans, like PLCSIM Advanced's virtual
time), which makes a lockstep run through OPC UA deterministic. ``Reset()``
brings the station back to the session's start (the world rebuilt).

The state tags are written only when their value changes: every write runs
the subscriptions' callbacks (shared/measured.md: 50-90 us per value with a
subscriber).

    python -m gateways.opcua.plc --config CONFIG.json --endpoint opc.tcp://HOST:PORT/PATH
                                 [--observer ENDPOINT] [--ready-file FILE]

A port of 0 picks a free one; ``--ready-file`` receives ``{"endpoint": ...}``
once the server serves. SIGINT or SIGTERM stop it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import swapwire as wire
from gateways.opcua.image import NO_CMD_ID, CommandImage, FrameImage, Slot, counter
from gateways.opcua.security import PLC_URI, PasswordUsers, secure_server, security_on
from gateways.opcua.tagmap import TagMap, is_full_node_id, load_tagmap

log = logging.getLogger("swaptwin.plc")
_LOG_FORMAT = "%(asctime)s plc %(levelname)s %(message)s"


class EmulatedPlc:
    """The PLC program around one twin station. ``time_mode``: ``virtual`` or ``realtime``."""

    def __init__(self, cfg, tagmap: TagMap, *, time_mode: str, observer=None):
        from twin.rigs import make_station

        self.cfg, self.tagmap, self.time_mode = cfg, tagmap, time_mode
        self.observer = observer
        self.station = make_station(cfg.plant)
        self.description = self.station.describe()
        self.commands = CommandImage(tagmap, self.description)
        d = self.description
        self.rules = wire.CommandRules(
            frozenset(d.axis_names), frozenset(d.locks.ids), {k: frozenset(v) for k, v in d.tools.items()}
        )
        self.frames = FrameImage(tagmap, self.description)
        self.scan_period_s = tagmap.plc.scan_period_s
        self.scans_per_period = round(cfg.plant.wire.control_period_s / self.scan_period_s)
        self.heartbeat_timeout_scans = tagmap.gateway.heartbeat_timeout_s / self.scan_period_s
        self.stall_at_s = cfg.gateway.plc.stall_at_s
        self.life_sign_slot = self.frames.slots[0]
        self.server = None
        self.nodes: dict[str, object] = {}  # node id text -> ua.NodeId
        self._written: dict[str, object] = {}
        self._start_state()

    def _start_state(self) -> None:
        from twin.session.timing import Samples

        # Wall time of each scan, ms: an I/O-only scan, and a scan that runs a control period of the twin.
        self.io_scan_ms, self.period_scan_ms = Samples(), Samples()
        self.scans = 0
        self.life_sign = 0
        self.last_cmd_id = NO_CMD_ID
        self.last_heartbeat = None
        self.heartbeat_age_scans = 0
        self.heartbeat_lost = False
        self.stalled = False
        self.fresh = True  # no period run since the station was built or reset

    # -- the address space ---------------------------------------------------------------------
    async def build(self, endpoint: str, *, pki_dir: str, secure: bool, users_file: Path | None):
        from asyncua import Server, ua

        server = Server(user_manager=PasswordUsers(users_file) if secure and users_file else None)
        await server.init()
        server.set_endpoint(endpoint)
        server.set_server_name("SwapTwin emulated station PLC")
        await server.set_application_uri(PLC_URI)
        await secure_server(server, pki_dir, on=secure)
        idx = await server.register_namespace(self.tagmap.namespace_uri)
        self.server, self.idx = server, idx
        folders: dict[str, object] = {"": server.nodes.objects}
        p = self.tagmap.plc
        for method in (p.step, p.reset):  # the methods' objects first: variables may sit inside them
            if method is not None and method.object not in folders:
                folders[method.object] = await server.nodes.objects.add_object(
                    ua.NodeId(method.object, idx), ua.QualifiedName(method.object.rpartition(".")[2], idx)
                )

        async def parent_of(node: str):
            head = node.rpartition(".")[0]
            if head not in folders:
                grand = await parent_of(head)
                name = ua.QualifiedName(head.rpartition(".")[2], idx)
                folders[head] = await grand.add_folder(ua.NodeId(head, idx), name)
            return folders[head]

        async def variable(slot: Slot, value, *, writable: bool):
            if is_full_node_id(slot.node):
                raise ValueError(f"{slot.key}: the emulated PLC serves string node ids only, not {slot.node!r}")
            parent = await parent_of(slot.node)
            node = await parent.add_variable(
                ua.NodeId(slot.node, idx),
                ua.QualifiedName(slot.node.rpartition(".")[2], idx),
                ua.Variant(value, ua.VariantType[slot.type]),
            )
            if writable:
                await node.set_writable()
            self.nodes[slot.node] = node.nodeid

        first = self.commands.encode(None, None, heartbeat=0)
        for slot, value in zip(self.commands.slots, first):
            await variable(slot, value, writable=True)
        for slot, value in zip(self.frames.slots, self._frame_values()):
            await variable(slot, value, writable=False)
            self._written[slot.node] = value
        if p.description.node is not None:
            text = json.dumps(self.description.to_body())
            await variable(Slot("plc.description", p.description.node, "String"), text, writable=False)
        await self._methods(ua)
        return server

    async def _methods(self, ua) -> None:
        from asyncua import uamethod

        p, idx = self.tagmap.plc, self.idx
        scans = ua.Argument(Name="n", DataType=ua.NodeId(ua.ObjectIds.UInt32), ValueRank=-1)
        count = ua.Argument(Name="scans", DataType=ua.NodeId(ua.ObjectIds.Int64), ValueRank=-1)
        objects = self.server.nodes.objects
        # async handlers run on the server's loop, in order with the writes before them
        # (asyncua runs a plain def in a thread pool, where it would race the scan).
        if p.step is not None:
            obj = objects if p.step.object == "" else self.server.get_node(ua.NodeId(p.step.object, idx))
            await obj.add_method(ua.NodeId(p.step.method, idx), ua.QualifiedName("Step", idx),
                                 uamethod(self._step), [scans], [count])  # fmt: skip
        if p.reset is not None:
            obj = objects if p.reset.object == "" else self.server.get_node(ua.NodeId(p.reset.object, idx))
            await obj.add_method(ua.NodeId(p.reset.method, idx), ua.QualifiedName("Reset", idx),
                                 uamethod(self._reset), [], [count])  # fmt: skip

    # -- methods ------------------------------------------------------------------------------------
    async def _step(self, parent, n):
        from asyncua import ua

        if self.time_mode != "virtual":
            return ua.StatusCode(ua.StatusCodes.BadInvalidState)  # a free-running PLC has no virtual time
        for _ in range(int(n)):
            await self.scan()
        return ua.Variant(self.scans, ua.VariantType.Int64)

    async def _reset(self, parent):
        from asyncua import ua

        if not self.fresh:
            self.log_scan_times()
            self.station.initialize_session()
        self._start_state()
        await self._write_frame()
        self._announce()
        log.info("reset: the station is back at the session's start")
        return ua.Variant(0, ua.VariantType.Int64)

    def _announce(self) -> None:
        """Tell the observer the station is at its start, with what it was made
        with, and its truth at frame 0 (the start's events stay for the first period)."""
        if self.observer is None:
            return
        from swaptwin.results.versions import versions
        from twin.session.observer import TOPIC_SESSION, TOPIC_TRUTH

        body = {"event": "reset", "frame_seq": 0, "versions": versions(self.cfg.plant, self.station.world.assets)}
        self.observer.publish(TOPIC_SESSION, body)
        # Frame 0's truth: a session that ends before its first period still has one (as on the twin's plant).
        self.observer.publish(TOPIC_TRUTH, self.station.truth())

    # -- the scan -----------------------------------------------------------------------------------
    def scan_times(self) -> dict:
        """The scan times since the station's start or last reset (a PLC's cycle-time statistics)."""
        return {"io_scan_ms": self.io_scan_ms.summary(), "period_scan_ms": self.period_scan_ms.summary()}

    def log_scan_times(self) -> None:
        log.info("scan times %s", json.dumps(self.scan_times()))

    async def scan(self) -> None:
        if self.stalled:
            return
        t0 = time.perf_counter()
        ran_period = await self._scan()
        (self.period_scan_ms if ran_period else self.io_scan_ms).add((time.perf_counter() - t0) * 1e3)

    async def _scan(self) -> bool:
        """One scan; whether it ran a control period of the twin."""
        station = self.station
        if self.stall_at_s is not None and station.time_s >= self.stall_at_s - 1e-9:
            self.stalled = True
            log.warning("stopped scanning at t=%.2f s (stall_at_s): the server stays up", station.time_s)
            return False
        self.scans += 1
        self.life_sign = counter(self.life_sign_slot, self.life_sign + 1)
        self._watch(self._read(self.commands.slots[0]))
        if self.scans % self.scans_per_period != 0:
            await self._write(self.life_sign_slot, self.life_sign)
            return False
        # A control period: this period's command, if a new one came, then one period of the twin.
        self.fresh = False
        values = [self._read(slot) for slot in self.commands.slots]
        _, cmd_id, cmd = self.commands.decode(values, frame_seq=station.frame().frame_seq)
        if cmd_id != self.last_cmd_id and not self.heartbeat_lost:
            self.last_cmd_id = cmd_id
            station.apply(self._checked(cmd), cmd_id)
        else:
            station.apply(None)
        station.advance()
        await self._write_frame()
        self._publish()
        return True

    def _checked(self, cmd):
        """The command as the wire's rules allow it, or none: any OPC UA client can
        write the command tags, and a PLC does not pass a NaN set-point to its drives."""
        try:
            return wire.parse_command(cmd.to_body(), self.rules)
        except wire.WireError as exc:
            log.warning("command %s refused: %s", self.last_cmd_id, exc)
            return None

    def _read(self, slot: Slot):
        return self.server.read_attribute_value(self.nodes[slot.node]).Value.Value

    def _watch(self, heartbeat: int) -> None:
        if heartbeat != self.last_heartbeat:
            self.last_heartbeat, self.heartbeat_age_scans = heartbeat, 0
        else:
            self.heartbeat_age_scans += 1
        lost = self.heartbeat_age_scans > self.heartbeat_timeout_scans
        if lost != self.heartbeat_lost:
            if lost:
                log.warning("the gateway's heartbeat froze: commands are ignored, the drives stop on their watchdog")
            else:
                log.info("the gateway's heartbeat is back")
        self.heartbeat_lost = lost

    def _frame_values(self) -> list:
        return self.frames.encode(self.station.frame(), life_sign=self.life_sign, mode=self.tagmap.plc.remote_mode)

    async def _write_frame(self) -> None:
        for slot, value in zip(self.frames.slots, self._frame_values()):
            await self._write(slot, value)

    async def _write(self, slot: Slot, value) -> None:
        from asyncua import ua

        if self._written.get(slot.node) == value and value == value:  # (NaN is never equal: written each time)
            return
        self._written[slot.node] = value
        now = datetime.now(UTC)
        dv = ua.DataValue(ua.Variant(value, ua.VariantType[slot.type]), SourceTimestamp=now, ServerTimestamp=now)
        await self.server.write_attribute_value(self.nodes[slot.node], dv)

    def _publish(self) -> None:
        if self.observer is None:
            return
        from twin.session.observer import TOPIC_EVENT, TOPIC_TRUTH, to_native

        for ev in self.station.take_events():
            self.observer.publish(TOPIC_EVENT, to_native(ev))
        self.observer.publish(TOPIC_TRUTH, self.station.truth())

    async def run_realtime(self) -> None:
        """Scan on the wall clock, to absolute deadlines; a late scan skips the
        scans it missed (a PLC's cycle-time watchdog would log the overrun)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        while True:
            deadline += self.scan_period_s
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            try:
                await self.scan()
            except Exception:
                # A PLC whose program faults goes to STOP: it scans no more, and the gateway sees its life sign stop.
                log.exception("the scan failed: the PLC stops scanning")
                self.stalled = True
            if loop.time() - deadline > self.scan_period_s:
                deadline = loop.time()

    def close(self) -> None:
        self.station.close()


def _served_endpoint(endpoint: str, server) -> str:
    """The endpoint with the port the server bound (a requested port 0 picks one)."""
    url = urlparse(endpoint)
    port = server.bserver.port if server.bserver is not None else url.port
    return urlunparse(url._replace(netloc=f"{url.hostname}:{port}"))


async def serve_plc(cfg, *, endpoint: str, observer_endpoint: str | None, ready_file: Path | None = None) -> None:
    """Serve the emulated PLC until SIGINT or SIGTERM."""
    import zmq

    from twin.session.observer import ObserverChannel

    gw = cfg.gateway
    tagmap = load_tagmap(gw.tagmap)
    time_mode = "virtual" if cfg.plant.clock == "lockstep" else "realtime"
    pub = None
    if observer_endpoint:
        pub = zmq.Context.instance().socket(zmq.PUB)
        pub.setsockopt(zmq.LINGER, 500)
        pub.setsockopt(zmq.SNDHWM, 100_000)
        pub.bind(observer_endpoint)
    plc = EmulatedPlc(cfg, tagmap, time_mode=time_mode, observer=ObserverChannel(socket=pub) if pub else None)
    secure = security_on(gw, endpoint)
    pki = Path(gw.security.pki_dir)
    server = await plc.build(endpoint, pki_dir=str(pki), secure=secure, users_file=pki / "users.json")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with server:
            served = _served_endpoint(endpoint, server)
            log.info(
                "serving %s rig's PLC on %s (%s time, scan %.0f ms, security %s)",
                cfg.plant.rig.family, served, time_mode, plc.scan_period_s * 1e3, "on" if secure else "off",
            )  # fmt: skip
            if ready_file is not None:
                from swaptwin.results.atomic import write_json_atomic

                write_json_atomic(ready_file, {"endpoint": served})
            print(f"READY {served}", flush=True)
            task = asyncio.create_task(plc.run_realtime()) if time_mode == "realtime" else None
            await stop.wait()
            if task is not None:
                task.cancel()
    finally:
        plc.log_scan_times()
        plc.close()
        if pub is not None:
            pub.close()


def run(cfg, *, endpoint: str, observer_endpoint: str | None, ready_file: Path | None = None) -> int:
    """Serve until a signal stops it (0), or say why it cannot serve (1)."""
    logging.getLogger("asyncua").setLevel(logging.WARNING)  # it logs every request at INFO
    t0 = time.monotonic()
    try:
        asyncio.run(serve_plc(cfg, endpoint=endpoint, observer_endpoint=observer_endpoint, ready_file=ready_file))
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # the port is taken, the address is not this host's
        log.error("cannot serve on %s: %s", endpoint, exc)
        return 1
    log.info("stopped after %.1f s", time.monotonic() - t0)
    return 0


def main(argv: list[str] | None = None) -> int:
    from swaptwin.config import validate

    ap = argparse.ArgumentParser(prog="python -m gateways.opcua.plc")
    ap.add_argument("--config", required=True, help="resolved SwapTwin config as JSON (gateway=opcua)")
    ap.add_argument("--endpoint", help="opc.tcp://HOST:PORT/PATH to serve (default: gateway.plc_endpoint)")
    ap.add_argument(
        "--observer", help="the PUB endpoint of the twin's ground truth (default: gateway.plc_observer_endpoint)"
    )
    ap.add_argument("--ready-file", type=Path, help="written with the served endpoint once it serves")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=_LOG_FORMAT, stream=sys.stderr)
    with open(args.config, encoding="utf-8") as f:
        cfg = validate(json.load(f))
    gw = cfg.gateway
    return run(
        cfg,
        endpoint=args.endpoint or gw.plc_endpoint,
        observer_endpoint=args.observer or gw.plc_observer_endpoint,
        ready_file=args.ready_file,
    )


if __name__ == "__main__":
    sys.exit(main())
