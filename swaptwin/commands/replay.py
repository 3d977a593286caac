"""``swaptwin replay FILE.mcap [--controller]``: prove a recorded swap, or test today's controller on it.

**Physics replay** (the default) re-drives a fresh plant with the recorded
commands and proves the session identical. The plant is the real one: the
recorded config (the recording's ``config.json``) is served by
``python -m swaptwin.plant_server`` in its own process over ZeroMQ, and a
replaying controller answers each frame with the command the recorded
controller answered it with (the same ``cmd_id`` and body, in the recorded
order), says the recorded ``bye``, and nothing else. A lockstep session is
deterministic, so the replayed session's digests (``twin.session.trace``:
every wire message either way and every observer publication) must equal
the digests the recorded session wrote. If they do not, the two recordings
are walked message by message and the first difference is named: the
period, the message and the signal (``frame 1234 at 24.680 s:
sensors.load_cell_n``). The replayed session's own recording and result go
to ``replay/`` in the run directory.

Limits: a ``realtime`` session is not replayed (which period a command
landed in depends on wall time). Messages that the command channel's
impairments lost or corrupted never reached the session, so they are not in
the recording and cannot be sent again: a replay of such a session says
where it parts.

**Controller replay** (``--controller``) feeds the recorded frames, in
order, to today's controller (``controllers.sequences``, with the recorded
controller config, or that config with the command line's ``controller.*``
overrides) and compares each command it answers with the recorded one: a
controller regression test without physics. After the first difference the
frames no longer answer this controller's commands, so the first difference
is the finding; the count of differing commands only sizes it.

Exit codes: 0 identical, 1 diverged (or differs), 2 an unreadable recording,
a realtime session or a bad override.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swaptwin.commands import EXIT_CONFIG, EXIT_FAIL, EXIT_PASS

HELP = "prove a recorded swap identical, or test today's controller on its frames (--controller)"
# How long the replaying controller waits for the plant's next message.
_WAIT_S = 120.0


def parse_flags(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    ap = argparse.ArgumentParser(prog="swaptwin replay", add_help=False)
    ap.add_argument("recording", type=Path, nargs="?")
    ap.add_argument("--controller", action="store_true", help="feed the recorded frames to today's controller")
    return ap.parse_known_args(argv)


# -- comparing two sessions ---------------------------------------------------------------
def first_difference(a: Any, b: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """The first leaf (``path``, a's value, b's value) where ``a`` and ``b`` differ, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{k}" if path else str(k)
            if k not in a or k not in b:
                return sub, a.get(k, "(absent)"), b.get(k, "(absent)")
            d = first_difference(a[k], b[k], sub)
            if d is not None:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d is not None:
                return d
        if len(a) != len(b):
            return f"{path}.length", len(a), len(b)
        return None
    if a == b and type(a) is type(b):
        return None
    return path or "(value)", a, b


def _traced(records: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """The messages a session's digests fold, in order (``twin.session.trace``)."""
    from swaptwin.results.recording import OBSERVER_PREFIX, is_handshake

    out = []
    for topic, rec in records:
        if is_handshake(topic):
            continue
        if topic.startswith(OBSERVER_PREFIX) and rec["body"].get("event") == "end":
            continue  # the session's statistics, wall time among them
        out.append((topic, rec))
    return out


@dataclass
class Divergence:
    period: int  # the frame_seq of the last frame sent before the difference
    t_s: float
    topic: str
    signal: str
    recorded: Any
    replayed: Any

    def text(self) -> str:
        return (
            f"first divergence in period {self.period} (t = {self.t_s:.3f} s): {self.topic} {self.signal}: "
            f"recorded {self.recorded!r}, replayed {self.replayed!r}"
        )


def compare_sessions(recorded: list[tuple[str, dict]], replayed: list[tuple[str, dict]]) -> Divergence | None:
    """The first traced message where the two sessions differ, or None."""
    a, b = _traced(recorded), _traced(replayed)
    period, t_s = 0, 0.0
    for (ta, ra), (tb, rb) in zip(a, b):
        if ta == "/wire/frame":
            period, t_s = ra["body"].get("frame_seq", period), ra["t_s"]
        if ta != tb:
            return Divergence(period, t_s, ta, "(message)", ta, tb)
        key = ("dir", "cmd_id", "body") if ta.startswith("/wire/") else ("body",)
        d = first_difference({k: ra.get(k) for k in key}, {k: rb.get(k) for k in key})
        if d is not None:
            return Divergence(period, t_s, ta, d[0], d[1], d[2])
    if len(a) != len(b):
        return Divergence(period, t_s, "(session)", "messages", len(a), len(b))
    return None


# -- physics replay --------------------------------------------------------------------------
class ReplayingController:
    """A controller that sends the recorded controller's messages: each frame
    is answered with what answered it in the recording."""

    def __init__(self, endpoint: str, records: list[tuple[str, dict]]):
        import zmq

        import swapwire as wire

        self.wire = wire
        self.sock = zmq.Context.instance().socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 500)
        self.sock.connect(endpoint)
        self.seq = wire.Sequencer()
        self.queue = [
            (topic.removeprefix("/wire/"), rec)
            for topic, rec in records
            if topic.startswith("/wire/") and rec["dir"] == "received"
        ]

    def _send(self, mtype: str, rec: dict) -> None:
        self.sock.send(self.wire.encode(self.seq.make(mtype, rec["body"], cmd_id=rec["cmd_id"])))

    def run(self, on_frame=None) -> str:
        """Until the plant's ``end``; returns its reason."""
        wire = self.wire
        while self.queue and self.queue[0][0] == wire.HELLO:
            self._send(*self.queue.pop(0))
        while True:
            if not self.sock.poll(int(_WAIT_S * 1000)):
                return f"no message from the plant for {_WAIT_S:.0f} s"
            try:
                msg = wire.decode(self.sock.recv(), expect=wire.PLANT_TYPES)
            except wire.WireError:
                continue  # a frame the channel's impairments spoiled: the recorded controller never read it either
            if msg.type == wire.END:
                return str(msg.body.get("reason", ""))
            if msg.type != wire.FRAME:
                continue
            fs = msg.body.get("frame_seq")
            if on_frame is not None:
                on_frame(msg.body)
            while self.queue:
                mtype, rec = self.queue[0]
                if mtype == wire.COMMAND and rec["body"].get("frame_seq", -1) > fs:
                    break  # the recorded controller had not answered this frame
                self.queue.pop(0)
                self._send(mtype, rec)
                if mtype == wire.BYE or (mtype == wire.COMMAND and rec["body"].get("frame_seq") == fs):
                    break

    def close(self) -> None:
        self.sock.close()


def replay_physics(path: Path, out: Path) -> dict:
    """Re-drive a fresh plant with the recording's commands (see the module doc); the verdict as a dict."""
    from swaptwin.batch.progress import Progress
    from swaptwin.processes import private_endpoints, reap, spawn, stop_process
    from swaptwin.results.atomic import write_json_atomic
    from swaptwin.results.recording import RECORDING, open_recording, session_records

    rec = open_recording(path)
    config = rec.config
    recorded_trace = rec.trace or ((rec.result or {}).get("session") or {}).get("trace") or {}
    records = session_records(path)
    out.mkdir(parents=True, exist_ok=True)
    # The same config, but the replay's own report needs no pictures.
    config = {**config, "record": {**config.get("record", {}), "enabled": True, "render": "never"}}
    config_path = out / "swap_config.json"
    write_json_atomic(config_path, config)
    endpoint, observer = private_endpoints()
    args = ["--config", str(config_path), "--out", str(out), "--endpoint", endpoint, "--observer", observer]
    frames = sum(1 for topic, r in records if topic == "/wire/frame")
    bar = Progress(frames, "replay", unit="frame", lines="tenths")
    t0 = time.monotonic()
    plant = spawn([sys.executable, "-m", "swaptwin.plant_server", *args, "--record", "always"], out / "plant.log")
    controller = ReplayingController(endpoint, records)
    try:
        end = controller.run(on_frame=lambda body: bar.step(f"t = {body.get('t_s', 0.0):.1f} s"))
        reap([plant])
    except BaseException:
        stop_process(plant, signal.SIGINT)
        reap([plant])
        raise
    finally:
        controller.close()
        bar.close()
    wall_s = time.monotonic() - t0
    result_path = out / "result.json"
    if not result_path.exists():
        return {"identical": False, "reason": f"the replayed plant wrote no result (see {out / 'plant.log'})"}
    replayed = json.loads(result_path.read_text())
    replayed_trace = replayed.get("session", {}).get("trace", {})
    divergence = None
    if (out / RECORDING).exists():
        divergence = compare_sessions(records, session_records(out / RECORDING))
    same_digests = bool(recorded_trace) and all(
        recorded_trace.get(k) == replayed_trace.get(k) for k in ("wire_sha256", "observer_sha256")
    )
    verdict = {
        "recording": str(path),
        "identical": same_digests and divergence is None,
        "recorded_trace": recorded_trace,
        "replayed_trace": replayed_trace,
        "periods": replayed.get("session", {}).get("periods"),
        "end_reason": end,
        "wall_time_s": round(wall_s, 3),
        "replay_dir": str(out),
    }
    if divergence is not None:
        verdict["divergence"] = divergence.__dict__ | {"text": divergence.text()}
    elif not same_digests:
        verdict["reason"] = "the digests differ, but every recorded message matches: the recording is not whole"
    return verdict


# -- controller replay -----------------------------------------------------------------------
def replay_controller(path: Path, overrides: list[str]) -> dict:
    """Today's controller answering the recorded frames (see the module doc)."""
    import yaml
    from omegaconf import OmegaConf

    from controllers.sequences import sequence_for
    from swaptwin.config import validate
    from swaptwin.results.recording import open_recording, session_records
    from swapwire.station import parse_description

    rec = open_recording(path)
    config = OmegaConf.create(rec.config)
    for o in overrides:
        key, _, value = o.partition("=")
        if key.startswith("controller."):
            OmegaConf.update(config, key, yaml.safe_load(value) if value else None, force_add=False)
    cfg = validate(OmegaConf.to_container(config, resolve=True), overrides=overrides)
    records = session_records(path)
    welcome = next(r for t, r in records if t == "/wire/welcome")
    station = parse_description(welcome["body"]["station"])
    seq = sequence_for(cfg.controller, station)
    reader = station.frame_reader()
    answers: dict[int, dict] = {}
    recorded_bye = None
    for topic, r in records:
        if topic == "/wire/command" and r["dir"] == "received":
            answers.setdefault(r["body"].get("frame_seq"), r["body"])
        elif topic == "/wire/bye":
            recorded_bye = r["body"]
    frames = [r for t, r in records if t == "/wire/frame"]
    first, differing, compared = None, 0, 0
    for r in frames:
        if seq.outcome is not None:
            break
        body = r["body"]
        now = seq.on_frame(reader.read(body)).to_body()
        recorded = answers.get(body.get("frame_seq"))
        if recorded is None:
            continue
        compared += 1
        d = first_difference(recorded, now)
        if d is not None:
            differing += 1
            if first is None:
                first = {
                    "frame_seq": body.get("frame_seq"),
                    "t_s": body.get("t_s"),
                    "phase": recorded.get("phase"),
                    "signal": d[0],
                    "recorded": d[1],
                    "now": d[2],
                }
    outcome = seq.outcome
    now_bye = None if outcome is None else {"outcome": outcome.outcome, "phase": outcome.phase}
    was_bye = (
        None if recorded_bye is None else {"outcome": recorded_bye.get("outcome"), "phase": recorded_bye.get("phase")}
    )
    return {
        "recording": str(path),
        "identical": first is None and now_bye == was_bye,
        "commands_compared": compared,
        "commands_differing": differing,
        "first_difference": first,
        "outcome": {"recorded": was_bye, "now": now_bye},
    }


# -- the command -------------------------------------------------------------------------------
def run(cfg, inv) -> int:
    from swaptwin.results.atomic import write_json_atomic
    from twin.schema import ConfigError

    path = inv.flags.recording if inv.flags is not None else None
    if path is None:
        print("swaptwin replay: give a recording: swaptwin replay FILE.mcap [--controller]", file=sys.stderr)
        return EXIT_CONFIG
    try:
        from swaptwin.results.recording import open_recording

        rec = open_recording(path)
        clock = rec.config.get("clock")
    except (OSError, ValueError, KeyError) as exc:
        print(f"swaptwin replay: {path}: not a readable recording ({exc})", file=sys.stderr)
        return EXIT_CONFIG
    try:
        if inv.flags.controller:
            verdict = replay_controller(path, inv.overrides)
        elif clock != "lockstep":
            print(
                f"swaptwin replay: {path} was recorded with clock={clock}: which period a command landed in "
                "depended on wall time, so only a lockstep session can be replayed (--controller works on any)",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        else:
            warning = _impaired_commands(rec.config)
            if warning:
                print(f"swaptwin replay: {warning}", file=sys.stderr)
            verdict = replay_physics(path, inv.out / "replay")
    except ConfigError as exc:
        print(f"swaptwin replay: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    write_json_atomic(inv.out / "replay.json", verdict)
    _print(verdict, controller=inv.flags.controller)
    print(f"replay: {inv.out / 'replay.json'}")
    return EXIT_PASS if verdict["identical"] else EXIT_FAIL


def _impaired_commands(config: dict) -> str:
    """Why a replay may part early: the command channel's impairments spoiled messages it cannot resend."""
    imp = (config.get("wire") or {}).get("impairments") or {}
    rates = {k: v for k, v in (imp.get("commands") or {}).items() if k.endswith("_rate") and v}
    cut = (imp.get("cut") or {}).get("at")
    if not rates and not cut:
        return ""
    what = ", ".join(f"{k}={v}" for k, v in rates.items()) + (", a link cut" if cut else "")
    return (
        f"the session ran with command-channel impairments ({what.strip(', ')}): commands the channel lost or "
        "corrupted are not in the recording and cannot be sent again, so the replay may part where the first was"
    )


def _print(v: dict, *, controller: bool) -> None:
    if controller:
        if v["identical"]:
            print(
                f"controller replay: IDENTICAL: {v['commands_compared']} commands, same outcome {v['outcome']['now']}"
            )
            return
        print(f"controller replay: DIFFERS: {v['commands_differing']} of {v['commands_compared']} commands differ")
        f = v["first_difference"]
        if f:
            print(
                f"  first at frame {f['frame_seq']} (t = {f['t_s']:.3f} s, phase {f['phase']}): {f['signal']}: "
                f"recorded {f['recorded']!r}, now {f['now']!r}"
            )
        if v["outcome"]["recorded"] != v["outcome"]["now"]:
            print(f"  outcome: recorded {v['outcome']['recorded']}, now {v['outcome']['now']}")
        return
    t = v.get("replayed_trace", {})
    if v["identical"]:
        print(
            f"replay: IDENTICAL: {v['periods']} periods, wire sha256 {t.get('wire_sha256', '')[:16]}..., "
            f"observer sha256 {t.get('observer_sha256', '')[:16]}... equal to the recorded session's"
        )
        return
    print("replay: DIVERGED")
    if "divergence" in v:
        print(f"  {v['divergence']['text']}")
    if "reason" in v:
        print(f"  {v['reason']}")
