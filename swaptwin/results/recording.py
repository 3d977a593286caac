"""A swap's recording, ``swap.mcap``: the one MCAP writer, and the readers that replay, reports and tests use.

``Recording`` is a session sink (``twin.session.port.SessionSink``): it sees
every message of a session in the order the plant handled it, with its plant
time, and takes the wall time itself. It writes MCAP (the ``mcap`` library,
zstd chunks, JSON messages encoded with orjson) with these channels:

* ``/wire/<type>``: every wire message of the session either way (``hello``,
  ``welcome`` with the station and its session timeouts, ``frame``,
  ``command``, ``heartbeat``, ``bye``, ``error``, ``end``), as ``{n, t_s,
  wall_ns, dir, cmd_id, seq, body}``; ``dir`` is ``sent`` (plant to
  controller) or ``received`` (accepted from it), ``body`` the message body
  exactly;
* ``/others/<type>``: the plant's traffic with peers other than the
  session's controller (``refused`` and ``error`` answers to strangers, an
  engineer's ``engineer`` requests and their ``ack``), as ``{n, t_s, wall_ns,
  dir, peer, body}``, ``peer`` the connection's identity in hex. Not the
  session's, so neither replayed nor in its digests;
* ``/observer/<topic>``: the observer channel (``truth`` each period,
  ``event``, ``session``), as ``{n, t_s, wall_ns, body}``;
* ``/tf`` (``foxglove.FrameTransforms``): the world pose of every body's link
  frames (``twin.scene``) with each frame sent;
* ``/scene`` (``foxglove.SceneUpdate``): every visual shape of the station,
  locked to its frame, at the start and again every ``record.scene_every_s``;
* ``/log`` (``foxglove.Log``): the observer's events and the plant's errors as
  log lines (hazards at level ERROR, faults at WARNING).

``n`` numbers every wire and observer message in the session's order, so a
reader gets the exact interleaving back whatever the log times. Log and
publish time are the session's wall-clock start plus plant time (Foxglove
plays a swap back in plant time); ``wall_ns`` is the wall time the plant
handled the message.

Attachments: ``config.json`` (the resolved config), every URDF the station
loaded (and the meshes they name), and ``result.json`` when the session has
ended. Metadata: ``run`` (seed, rig, pack, lock, vehicle, clock),
``versions``, and ``trace`` (the session's digests, ``twin.session.trace``).

Atomic: the file is written as a hidden ``.swap.mcap.<pid>.<random>.partial``
beside its final name and renamed into place when it is finished, so a
killed run leaves a readable file or none (``sweep_partials`` removes the
hidden file a SIGKILL leaves behind). ``close(keep=False)`` removes it: a
batch keeps only its failing runs' recordings by default.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

import swapwire as wire
from twin.session.observer import TOPIC_EVENT, TOPIC_SESSION, TOPIC_TRUTH
from twin.session.trace import UNTRACED, Trace

if TYPE_CHECKING:  # the readers and the sweep run without pybullet
    from twin.scene import Primitive, StationScene

RECORDING = "swap.mcap"
PARTIAL_SUFFIX = ".partial"
SCHEMA_DIR = Path(__file__).with_name("schemas")
TOPIC_TF, TOPIC_SCENE, TOPIC_LOG = "/tf", "/scene", "/log"
WIRE_PREFIX, OBSERVER_PREFIX, OTHERS_PREFIX = "/wire/", "/observer/", "/others/"
ROOT_FRAME = "world"
# A chunk is closed at least this often (periods): what a kill can lose is bounded (findings: no size cost).
_FLUSH_EVERY_PERIODS = 50
_CHUNK_BYTES = 1 << 20
_JSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
# foxglove.Log levels.
_INFO, _WARNING, _ERROR = 2, 3, 4


def wire_topic(mtype: str) -> str:
    return WIRE_PREFIX + mtype


def observer_topic(topic: str) -> str:
    return OBSERVER_PREFIX + topic


def foxglove_schema(name: str) -> bytes:
    """An official Foxglove JSON schema (vendored, ``schemas/README.md``)."""
    return (SCHEMA_DIR / f"{name}.json").read_bytes()


def _stamp(t_ns: int) -> dict:
    return {"sec": t_ns // 1_000_000_000, "nsec": t_ns % 1_000_000_000}


def _dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=_JSON_OPTIONS)


# Our own channels' schemas: the record around a body (Foxglove plots JSON fields by path either way).
_WIRE_SCHEMA = {
    "type": "object",
    "properties": {
        "n": {"type": "integer", "description": "the message's place in the session"},
        "t_s": {"type": "number", "description": "plant time [s]"},
        "wall_ns": {"type": "integer", "description": "wall time the plant handled it [ns since the epoch]"},
        "dir": {"enum": ["sent", "received"], "description": "sent: plant to controller; received: accepted from it"},
        "cmd_id": {"type": ["integer", "null"]},
        "seq": {"type": ["integer", "null"], "description": "the envelope's sequence number (received only)"},
        "body": {"type": "object", "description": "the message body, as on the wire (docs/protocol.md)"},
    },
}
_OTHERS_SCHEMA = {
    "type": "object",
    "properties": {
        "n": {"type": "integer", "description": "the message's place among the session's"},
        "t_s": {"type": "number", "description": "plant time [s]"},
        "wall_ns": {"type": "integer"},
        "dir": {"enum": ["sent", "received"], "description": "sent: plant to the peer; received: from it"},
        "peer": {"type": "string", "description": "the peer connection's identity, hex"},
        "body": {"type": "object", "description": "the message body, as on the wire (docs/protocol.md)"},
    },
}
_OBSERVER_SCHEMA = {
    "type": "object",
    "properties": {
        "n": {"type": "integer"},
        "t_s": {"type": "number", "description": "plant time [s]"},
        "wall_ns": {"type": "integer"},
        "body": {"type": "object", "description": "the observer channel's body (twin/session/observer.py)"},
    },
}


def sweep_partials(directory: Path) -> list[Path]:
    """Remove the hidden temporary recordings of processes that no longer run
    (a SIGKILL leaves one behind); returns what was removed."""
    removed = []
    for p in Path(directory).glob(f".*{PARTIAL_SUFFIX}"):
        try:
            pid = int(p.name.split(".")[3])  # .swap.mcap.<pid>.<random>.partial
            os.kill(pid, 0)
            continue  # its writer still runs
        except (ValueError, IndexError, ProcessLookupError):
            pass
        except PermissionError:
            continue
        p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def _flat(data: dict) -> dict[str, str]:
    """MCAP metadata is str -> str: nested values as JSON."""
    return {k: v if isinstance(v, str) else json.dumps(v, sort_keys=True) for k, v in data.items()}


class Recording:
    """The recording of one session at ``path`` (see the module doc).

    ``scene``: the station's shapes and frames (None for a station without
    a world, such as a gateway's). ``assets``: files to attach (the URDFs).
    ``metadata``: records of str -> value, written at the start."""

    def __init__(
        self,
        path: Path,
        *,
        resolved_config: dict,
        metadata: dict[str, dict],
        scene: StationScene | None = None,
        assets: Iterable[Path] = (),
        tf_every_periods: int = 1,
        scene_every_s: float = 5.0,
    ):
        from mcap.writer import CompressionType, Writer

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.{os.getpid()}.", suffix=PARTIAL_SUFFIX
        )
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        self.tmp = Path(tmp)
        self.file = os.fdopen(fd, "w+b")
        self.scene = scene
        self.tf_every = max(1, int(tf_every_periods))
        self.scene_every_s = scene_every_s
        self.t0_ns = time.time_ns()
        self.counts: dict[str, int] = {}
        self.record_s = 0.0  # wall time spent in the recorder
        self._n = 0
        self._t_s = 0.0
        self._frames = 0
        self._next_scene_s = 0.0
        self._scene_entities: list[dict] | None = None
        self._closed = False
        self.writer = Writer(self.file, compression=CompressionType.ZSTD, chunk_size=_CHUNK_BYTES)
        self.writer.start(profile="", library="swaptwin")
        self._schemas: dict[str, int] = {}
        self._channels: dict[str, int] = {}
        self.writer.add_attachment(
            create_time=self.t0_ns,
            log_time=self.t0_ns,
            name="config.json",
            media_type="application/json",
            data=json.dumps(resolved_config, indent=2, default=str).encode(),
        )
        self._assets = {a.name: a for a in assets}
        for asset in self._assets.values():
            media = "application/xml" if asset.suffix == ".urdf" else "application/octet-stream"
            self.writer.add_attachment(
                create_time=self.t0_ns, log_time=self.t0_ns, name=asset.name, media_type=media, data=asset.read_bytes()
            )
        for name, record in metadata.items():
            self.writer.add_metadata(name, _flat(record))

    # -- channels --------------------------------------------------------------------
    def _channel(self, topic: str) -> int:
        ch = self._channels.get(topic)
        if ch is None:
            if topic == TOPIC_TF:
                name, schema = "foxglove.FrameTransforms", foxglove_schema("foxglove.FrameTransforms")
            elif topic == TOPIC_SCENE:
                name, schema = "foxglove.SceneUpdate", foxglove_schema("foxglove.SceneUpdate")
            elif topic == TOPIC_LOG:
                name, schema = "foxglove.Log", foxglove_schema("foxglove.Log")
            elif topic.startswith(WIRE_PREFIX):
                name, schema = f"swaptwin.wire.{topic[len(WIRE_PREFIX) :]}", _dumps(_WIRE_SCHEMA)
            elif topic.startswith(OTHERS_PREFIX):
                name, schema = f"swaptwin.others.{topic[len(OTHERS_PREFIX) :]}", _dumps(_OTHERS_SCHEMA)
            else:
                name, schema = f"swaptwin.observer.{topic[len(OBSERVER_PREFIX) :]}", _dumps(_OBSERVER_SCHEMA)
            sid = self._schemas.get(name)
            if sid is None:
                sid = self._schemas[name] = self.writer.register_schema(name=name, encoding="jsonschema", data=schema)
            ch = self._channels[topic] = self.writer.register_channel(
                topic=topic, message_encoding="json", schema_id=sid
            )
        return ch

    def _write(self, topic: str, data: bytes, *, log_ns: int) -> None:
        # Publish time is plant time too: a wall time later than the log time is a format warning
        # (mcap doctor); the wall time is in the records themselves.
        seq = self.counts.get(topic, 0)
        self.writer.add_message(self._channel(topic), log_time=log_ns, data=data, publish_time=log_ns, sequence=seq)
        self.counts[topic] = seq + 1

    def _log_ns(self) -> int:
        return self.t0_ns + round(self._t_s * 1e9)

    # -- the session sink ------------------------------------------------------------
    def sent(self, mtype: str, body: dict, cmd_id: int | None = None, *, t_s: float) -> None:
        c, wall = time.perf_counter(), time.time_ns()
        self._t_s = t_s
        self._wire("sent", mtype, body, cmd_id, None, wall)
        if mtype == wire.FRAME:
            self._frame_extras()
        elif mtype == wire.ERROR:
            self._log(_WARNING, f"error sent to the controller: {body.get('reason', '')}")
        self.record_s += time.perf_counter() - c

    def received(self, msg: wire.Envelope, *, t_s: float) -> None:
        c, wall = time.perf_counter(), time.time_ns()
        self._t_s = t_s
        self._wire("received", msg.type, msg.body, msg.cmd_id, msg.seq, wall)
        self.record_s += time.perf_counter() - c

    def observed(self, topic: str, body: dict) -> None:
        c, wall = time.perf_counter(), time.time_ns()
        record = {"n": self._n, "t_s": self._t_s, "wall_ns": wall, "body": body}
        self._n += 1
        self._write(observer_topic(topic), _dumps(record), log_ns=self._log_ns())
        if topic == TOPIC_EVENT:
            level, text = _event_line(body)
            self._log(level, text)
        self.record_s += time.perf_counter() - c

    def aside(self, direction: str, mtype: str, body: dict, *, peer: str, t_s: float) -> None:
        c, wall = time.perf_counter(), time.time_ns()
        self._t_s = t_s
        record = {"n": self._n, "t_s": t_s, "wall_ns": wall, "dir": direction, "peer": peer, "body": body}
        self._n += 1
        self._write(OTHERS_PREFIX + mtype, _dumps(record), log_ns=self._log_ns())
        if mtype in (wire.REFUSED, wire.ERROR) and direction == "sent":
            self._log(_INFO, f"{mtype} to peer {peer}: {body.get('reason', '')}")
        self.record_s += time.perf_counter() - c

    def _wire(self, direction: str, mtype: str, body: dict, cmd_id, seq, wall: int) -> None:
        record = {"n": self._n, "t_s": self._t_s, "wall_ns": wall, "dir": direction, "cmd_id": cmd_id, "seq": seq}
        record["body"] = body
        self._n += 1
        self._write(wire_topic(mtype), _dumps(record), log_ns=self._log_ns())

    def _log(self, level: int, text: str) -> None:
        log_ns = self._log_ns()
        line = {"timestamp": _stamp(log_ns), "level": level, "message": text, "name": "plant", "file": "", "line": 0}
        self._write(TOPIC_LOG, _dumps(line), log_ns=log_ns)

    def _frame_extras(self) -> None:
        """The frame transforms (and now and then the scene) with each frame sent."""
        self._frames += 1
        if self._frames % _FLUSH_EVERY_PERIODS == 0:
            self.writer.flush()
        if self.scene is None:
            return
        log_ns = self._log_ns()
        if self._t_s >= self._next_scene_s - 1e-9:
            self._write(TOPIC_SCENE, _dumps(self._scene_update(log_ns)), log_ns=log_ns)
            self._next_scene_s = self._t_s + self.scene_every_s
        if (self._frames - 1) % self.tf_every == 0:
            stamp = _stamp(log_ns)
            transforms = [
                {
                    "timestamp": stamp,
                    "parent_frame_id": ROOT_FRAME,
                    "child_frame_id": name,
                    "translation": {"x": p[0], "y": p[1], "z": p[2]},
                    "rotation": {"x": q[0], "y": q[1], "z": q[2], "w": q[3]},
                }
                for name, (p, q) in zip(self.scene.frames, self.scene.poses())
            ]
            self._write(TOPIC_TF, _dumps({"transforms": transforms}), log_ns=log_ns)

    def _scene_update(self, log_ns: int) -> dict:
        if self._scene_entities is None:
            self._scene_entities = scene_entities(self.scene.primitives, self.scene.frames, meshes=self._assets)
        stamp = _stamp(log_ns)
        return {"deletions": [], "entities": [{**e, "timestamp": stamp} for e in self._scene_entities]}

    # -- the end -----------------------------------------------------------------------
    def close(self, *, keep: bool, result: dict | None = None) -> Path | None:
        """Finish the file and move it into place (``keep``), or remove it. Returns the recording's path, if kept."""
        if self._closed:
            return self.path if keep and self.path.exists() else None
        self._closed = True
        if not keep:
            self._discard()
            return None
        try:
            if result is not None:
                trace = (result.get("session") or {}).get("trace") or {}
                self.writer.add_metadata("trace", _flat(trace))
                self.writer.add_attachment(
                    create_time=time.time_ns(),
                    log_time=self._log_ns(),
                    name="result.json",
                    media_type="application/json",
                    data=json.dumps(result, indent=2).encode(),
                )
            self.writer.finish()
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            os.replace(self.tmp, self.path)
        except BaseException:
            self._discard()
            raise
        return self.path

    def _discard(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        self.tmp.unlink(missing_ok=True)


def _event_line(ev: dict) -> tuple[int, str]:
    kind = ev.get("event", "")
    if kind == "hazard":
        detail = {k: v for k, v in ev.items() if k not in ("event", "kind", "t_s")}
        return _ERROR, f"HAZARD {ev.get('kind')}: {json.dumps(detail, default=str)}"
    if kind == "fault":
        state = "active" if ev.get("active") else "cleared"
        return _WARNING, f"fault {ev.get('name')} ({ev.get('kind')}) {state}"
    if kind == "phase":
        return _INFO, f"phase {ev.get('phase')}"
    detail = {k: v for k, v in ev.items() if k not in ("event", "t_s")}
    return _INFO, f"{kind}: {json.dumps(detail, default=str)}"


# -- the scene as Foxglove entities ------------------------------------------------------
def _pose(position, orientation) -> dict:
    return {
        "position": {"x": position[0], "y": position[1], "z": position[2]},
        "orientation": {"x": orientation[0], "y": orientation[1], "z": orientation[2], "w": orientation[3]},
    }


def _color(rgba) -> dict:
    return {"r": rgba[0], "g": rgba[1], "b": rgba[2], "a": rgba[3]}


def _entity(frame: str) -> dict:
    return {
        "frame_id": frame,
        "id": frame,
        "lifetime": {"sec": 0, "nsec": 0},
        "frame_locked": True,
        "metadata": [],
        "arrows": [],
        "cubes": [],
        "spheres": [],
        "cylinders": [],
        "lines": [],
        "triangles": [],
        "texts": [],
        "models": [],
    }


_MESH_TYPES = {".obj": "model/obj", ".stl": "model/stl", ".glb": "model/gltf-binary", ".dae": "model/vnd.collada+xml"}


def _add_primitive(e: dict, p: Primitive, meshes: dict[str, Path]) -> None:
    pose, color = _pose(p.position, p.orientation), _color(p.rgba)
    if p.kind == "box":
        e["cubes"].append({"pose": pose, "size": dict(zip("xyz", p.size)), "color": color})
    elif p.kind == "sphere":
        e["spheres"].append({"pose": pose, "size": dict(zip("xyz", p.size)), "color": color})
    elif p.kind in ("cylinder", "capsule"):
        d, length = p.size[0], p.size[2]
        e["cylinders"].append(
            {
                "pose": pose,
                "size": {"x": d, "y": d, "z": length},
                "bottom_scale": 1.0,
                "top_scale": 1.0,
                "color": color,
            }
        )
        if p.kind == "capsule":  # Foxglove has no capsule: a cylinder and its two caps
            from twin.world import pb

            for s in (-0.5, 0.5):
                cp, _ = pb.multiplyTransforms(p.position, p.orientation, (0.0, 0.0, s * length), (0, 0, 0, 1))
                e["spheres"].append(
                    {"pose": _pose(cp, p.orientation), "size": {"x": d, "y": d, "z": d}, "color": color}
                )
    elif p.kind == "mesh" and p.mesh in meshes:  # embedded: the recording stands alone
        e["models"].append(
            {
                "pose": pose,
                "scale": dict(zip("xyz", p.size)),
                "color": color,
                "override_color": True,
                "url": "",
                "media_type": _MESH_TYPES.get(Path(p.mesh).suffix.lower(), ""),
                "data": base64.b64encode(meshes[p.mesh].read_bytes()).decode(),
            }
        )


def scene_entities(
    primitives: list[Primitive], frames: list[str], *, meshes: dict[str, Path] | None = None
) -> list[dict]:
    """One frame-locked ``foxglove.SceneEntity`` per frame that has shapes (without its timestamp)."""
    by_frame: dict[str, dict] = {}
    for p in primitives:
        e = by_frame.get(p.frame)
        if e is None:
            e = by_frame[p.frame] = _entity(p.frame)
        _add_primitive(e, p, meshes or {})
    return [by_frame[f] for f in frames if f in by_frame]


# -- reading -------------------------------------------------------------------------------
@dataclass
class RecordingFile:
    """What a recording holds besides its messages."""

    path: Path
    counts: dict[str, int]  # messages per topic
    schemas: dict[str, str]  # topic -> schema name
    attachments: dict[str, bytes]
    metadata: dict[str, dict[str, str]]
    library: str = ""
    duration_s: float = 0.0
    extras: dict = field(default_factory=dict)

    @property
    def config(self) -> dict:
        return json.loads(self.attachments["config.json"])

    @property
    def result(self) -> dict | None:
        data = self.attachments.get("result.json")
        return json.loads(data) if data is not None else None

    @property
    def trace(self) -> dict:
        t = self.metadata.get("trace", {})
        return {k: (int(v) if k.endswith("_messages") else v) for k, v in t.items()}


def open_recording(path: Path | str) -> RecordingFile:
    """The summary, attachments and metadata of a finished recording (raises on a truncated one)."""
    from mcap.reader import make_reader

    path = Path(path)
    with open(path, "rb") as f:
        reader = make_reader(f)
        summary = reader.get_summary()
        if summary is None:
            raise ValueError(f"{path}: not a finished MCAP file (no summary)")
        st = summary.statistics
        counts = {ch.topic: st.channel_message_counts.get(cid, 0) for cid, ch in summary.channels.items()}
        schemas = {ch.topic: summary.schemas[ch.schema_id].name for ch in summary.channels.values() if ch.schema_id}
        attachments = {a.name: a.data for a in reader.iter_attachments()}
        metadata = {m.name: dict(m.metadata) for m in reader.iter_metadata()}
        library = reader.get_header().library
        duration = (st.message_end_time - st.message_start_time) / 1e9 if st.message_count else 0.0
    return RecordingFile(path, counts, schemas, attachments, metadata, library, duration)


def iter_records(path: Path | str, topics: Iterable[str] | None = None) -> Iterator[tuple[str, int, dict]]:
    """(topic, log time ns, decoded JSON) of every message on ``topics`` (all: None), in log-time order."""
    from mcap.reader import make_reader

    with open(path, "rb") as f:
        for _, channel, message in make_reader(f).iter_messages(topics=list(topics) if topics else None):
            yield channel.topic, message.log_time, orjson.loads(message.data)


def session_records(path: Path | str) -> list[tuple[str, dict]]:
    """The session's wire and observer messages, (topic, record), in the order the plant handled them."""
    records = [(topic, rec) for topic, _, rec in iter_records(path) if topic.startswith((WIRE_PREFIX, OBSERVER_PREFIX))]
    records.sort(key=lambda tr: tr[1]["n"])
    return records


def recompute_trace(records: Iterable[tuple[str, dict]]) -> dict:
    """The session's digests recomputed from its recorded messages: equal to
    the ones the session recorded when the recording holds the session whole."""
    trace = Trace()
    for topic, rec in records:
        if topic.startswith(WIRE_PREFIX):
            mtype = topic[len(WIRE_PREFIX) :]
            if rec["dir"] == "sent":
                trace.sent(mtype, rec["body"], rec["cmd_id"])
            else:
                trace.received(wire.Envelope(type=mtype, seq=rec["seq"] or 0, body=rec["body"], cmd_id=rec["cmd_id"]))
        else:
            trace.observed(topic[len(OBSERVER_PREFIX) :], rec["body"])
    return trace.summary()


def is_handshake(topic: str) -> bool:
    """Connection management, not the session (the trace's ``UNTRACED``: handshake, heartbeats)."""
    return topic.startswith(WIRE_PREFIX) and topic[len(WIRE_PREFIX) :] in UNTRACED


__all__ = [
    "OBSERVER_PREFIX",
    "OTHERS_PREFIX",
    "RECORDING",
    "ROOT_FRAME",
    "TOPIC_EVENT",
    "TOPIC_LOG",
    "TOPIC_SCENE",
    "TOPIC_SESSION",
    "TOPIC_TF",
    "TOPIC_TRUTH",
    "WIRE_PREFIX",
    "Recording",
    "RecordingFile",
    "iter_records",
    "open_recording",
    "recompute_trace",
    "scene_entities",
    "session_records",
    "sweep_partials",
]
