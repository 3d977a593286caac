"""Run a controller against a plant: the twin, or a station gateway.

The loop answers every frame with one command. Time comes from the frames;
the host clock serves only the link watchdog (no frame for
``link_timeout_s`` ends the run in a safe stop, as a real controller treats a
dead fieldbus).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import swapwire as wire
from controllers.config import ControllerConfig
from controllers.engine import Outcome, SwapSequence
from controllers.link import LinkError, StationLink
from controllers.sequences import DECLARED_PHASES, sequence_for
from swapwire.security import ClientSecurity
from swapwire.frame import FrameReader
from swapwire.station import StationDescription

log = logging.getLogger("swaptwin.controller")
# After saying bye, how long to wait for the plant's ``end`` (courtesy only).
_END_WAIT_S = 2.0


def run_controller(
    cfg: ControllerConfig,
    endpoint: str,
    *,
    client: str = "swaptwin-sequencer",
    make_controller: Callable[[ControllerConfig, StationDescription], SwapSequence | None] = sequence_for,
    security: ClientSecurity | None = None,
) -> Outcome:
    link = StationLink(endpoint, client=client, phases=DECLARED_PHASES, security=security)
    try:
        try:
            station = link.hello(timeout_s=cfg.connect_timeout_s)
        except (LinkError, wire.WireError) as exc:
            return Outcome(wire.OUTCOME_SAFE_STOP, f"handshake failed: {exc}", "identify", 0.0)
        log.info(
            "connected to %s: %s rig, pack %s, lock %s",
            endpoint,
            station.rig_family,
            station.pack.family_id,
            station.locks.type,
        )
        try:
            controller = make_controller(cfg, station)
            reader = station.frame_reader()
        except wire.WireError as exc:
            controller, reason = None, f"the station description does not fit the {station.rig_family} sequence: {exc}"
        else:
            reason = f"no swap sequence for rig family {station.rig_family!r}"
        if controller is None:
            link.bye(outcome=wire.OUTCOME_REFUSED, reason=reason, phase="identify")
            return Outcome(wire.OUTCOME_REFUSED, reason, "identify", 0.0)
        return _loop(link, controller, reader, cfg)
    except KeyboardInterrupt:
        link.bye(outcome=wire.OUTCOME_SAFE_STOP, reason="controller interrupted", phase="interrupted")
        raise
    finally:
        link.close()


def _loop(link: StationLink, controller: SwapSequence, reader: FrameReader, cfg: ControllerConfig) -> Outcome:
    t_s = 0.0
    last_valid = time.monotonic()  # the link watchdog counts from the last frame (or welcome)
    while True:
        if time.monotonic() - last_valid >= cfg.link_timeout_s:  # whatever else the plant sends meanwhile
            return _give_up(link, controller, f"link lost: no frame for {cfg.link_timeout_s} s", t_s)
        try:
            wait_s = max(0.0, last_valid + cfg.link_timeout_s - time.monotonic())
            if link.session is not None:
                wait_s = min(wait_s, link.session.heartbeat_period_s)
            msg = link.recv(wait_s)
        except wire.WireError as exc:
            # A message that does not decode is a transmission error (what a
            # fieldbus's CRC rejects): drop it. The frame it carried is missing
            # from the sequence, which the plant-time watchdog counts.
            log.warning("dropped an undecodable message from the plant: %s", exc)
            continue
        if msg is None:
            link.heartbeat()  # a silent plant: show the session we are alive while the watchdog runs
            continue
        if msg.type in (wire.FRAME, wire.WELCOME):
            last_valid = time.monotonic()
        if msg.type != wire.FRAME:
            outcome = _other(link, controller, msg, t_s)
            if outcome is not None:
                return outcome
            continue
        try:
            frame = reader.read(msg.body)
        except wire.WireError as exc:
            return _give_up(link, controller, f"malformed frame: {exc}", t_s)
        t_s = frame.t_s
        link.command(controller.on_frame(frame))
        if controller.outcome is not None:
            o = controller.outcome
            link.bye(outcome=o.outcome, reason=o.reason, phase=o.phase, detected_by=o.detected_by)
            _wait_end(link)
            return o


def _other(link: StationLink, controller: SwapSequence, msg: wire.Envelope, t_s: float) -> Outcome | None:
    """Any message but a frame; an outcome if it ends the run."""
    if msg.type == wire.END:
        reason = msg.body.get("reason", "")
        return controller.outcome or Outcome(
            wire.OUTCOME_SAFE_STOP, f"plant ended the session: {reason}", controller.phase, t_s
        )
    if msg.type == wire.ERROR:
        log.warning("plant rejected a message: %s", msg.body.get("reason"))
    elif msg.type == wire.REFUSED:
        # Mid-session, busy means the plant no longer knows this connection
        # (a transport reconnect gives it a new identity): take the session back.
        if msg.body.get("code") == "busy" and link.resume():
            log.warning("the plant took us for a stranger: resuming the session with its token")
            return None
        return _give_up(link, controller, f"plant refused us: {msg.body.get('reason')}", t_s)
    return None


def _give_up(link: StationLink, controller: SwapSequence, reason: str, t_s: float) -> Outcome:
    log.error(reason)
    link.bye(outcome=wire.OUTCOME_SAFE_STOP, reason=reason, phase=controller.phase, detected_by="link_watchdog")
    return Outcome(wire.OUTCOME_SAFE_STOP, reason, controller.phase, t_s, "link_watchdog")


def _wait_end(link: StationLink) -> None:
    deadline = time.monotonic() + _END_WAIT_S
    while time.monotonic() < deadline:
        try:
            msg = link.recv(deadline - time.monotonic())
        except wire.WireError:
            continue
        if msg is None or msg.type == wire.END:
            return
