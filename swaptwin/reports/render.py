"""Pictures of a recorded swap, rendered headless with pybullet's TinyRenderer (no GPU, no display).

Everything comes from the recording (``swaptwin.results.recording``): the
station's shapes from the first ``/scene`` message, their poses from
``/tf``. Each shape becomes a visual-only body in a fresh DIRECT world, is
moved to where its frame was at the instant asked for, and the camera takes
the picture; nothing is simulated again. So the pictures show what
Foxglove's 3-D panel shows, at any instant, after the fact, for any run that
kept its recording.

TinyRenderer draws translucent shapes opaque (findings of the MCAP
prototype). A picture is therefore taken twice when the scene has
translucent shapes: with them, and without them; where the segmentation
mask shows a translucent shape in front, the two are blended with its alpha,
so the bay shows through the car's body.
"""

from __future__ import annotations

import base64
import bisect
import io
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from swaptwin.results.recording import TOPIC_SCENE, TOPIC_TF, iter_records

WIDTH_PX, HEIGHT_PX = 560, 420
GIF_WIDTH_PX, GIF_HEIGHT_PX = 360, 270
_GIF_FRAME_MS = 100
_CAMERA_YAW_DEG, _CAMERA_PITCH_DEG, _FOV_DEG = 35.0, -28.0, 45.0
_LIGHT_DIRECTION = (2.0, -3.0, 6.0)
_FLOOR_RGBA = (0.78, 0.78, 0.76, 1.0)
_FLOOR_MARGIN_M = 1.0
_UID_MASK = (1 << 24) - 1  # the segmentation mask's low 24 bits: the body's unique id
_OPAQUE = 0.999


@dataclass
class Picture:
    label: str
    t_s: float
    png: bytes

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode()


@dataclass
class Pictures:
    keyframes: list[Picture] = field(default_factory=list)
    gif: bytes | None = None
    failure: Picture | None = None
    render_s: float = 0.0
    frames_rendered: int = 0


@dataclass
class _Shape:
    uid: int
    frame: str
    position: tuple
    orientation: tuple
    alpha: float
    half_m: tuple  # half its extents along its own axes


class RecordedScene:
    """The recording's shapes as visual-only bodies in a pybullet DIRECT world, posed from its ``/tf``."""

    def __init__(self, path: Path):
        from twin.world import pb

        self.pb = pb
        scene, tf = None, []
        t0_ns = None
        for topic, log_ns, msg in iter_records(path, topics=[TOPIC_SCENE, TOPIC_TF]):
            if topic == TOPIC_SCENE and scene is None:
                scene = msg
            elif topic == TOPIC_TF:
                t0_ns = log_ns if t0_ns is None else t0_ns
                poses = {
                    t["child_frame_id"]: (
                        (t["translation"]["x"], t["translation"]["y"], t["translation"]["z"]),
                        (t["rotation"]["x"], t["rotation"]["y"], t["rotation"]["z"], t["rotation"]["w"]),
                    )
                    for t in msg["transforms"]
                }
                tf.append(((log_ns - t0_ns) / 1e9, poses))
        if scene is None or not tf:
            raise ValueError(f"{path}: no /scene or /tf to draw")
        self.times = [t for t, _ in tf]
        self.tf = [p for _, p in tf]
        self.cid = pb.connect(pb.DIRECT)
        self._tmp = tempfile.TemporaryDirectory(prefix="swt-render-")
        self.shapes: list[_Shape] = []
        for entity in scene["entities"]:
            self._add_entity(entity)
        self._add_floor()
        self.camera = self._fit_camera()

    # -- building ------------------------------------------------------------------------
    def _body(self, visual: int, frame: str, prim: dict) -> None:
        pb = self.pb
        uid = pb.createMultiBody(baseMass=0.0, baseVisualShapeIndex=visual, physicsClientId=self.cid)
        p, q = prim["pose"]["position"], prim["pose"]["orientation"]
        size = prim.get("size") or {"x": 0.0, "y": 0.0, "z": 0.0}  # a mesh's extent is not known: its centre counts
        half = (size["x"] / 2, size["y"] / 2, size["z"] / 2)
        position, orientation = (p["x"], p["y"], p["z"]), (q["x"], q["y"], q["z"], q["w"])
        self.shapes.append(_Shape(uid, frame, position, orientation, prim["color"]["a"], half))

    def _add_entity(self, e: dict) -> None:
        pb, cid, frame = self.pb, self.cid, e["frame_id"]
        for c in e["cubes"]:
            s = c["size"]
            half = [s["x"] / 2, s["y"] / 2, s["z"] / 2]
            vs = pb.createVisualShape(pb.GEOM_BOX, halfExtents=half, rgbaColor=_rgba(c), physicsClientId=cid)
            self._body(vs, frame, c)
        for c in e["spheres"]:
            r = c["size"]["x"] / 2
            vs = pb.createVisualShape(pb.GEOM_SPHERE, radius=r, rgbaColor=_rgba(c), physicsClientId=cid)
            self._body(vs, frame, c)
        for c in e["cylinders"]:
            s = c["size"]
            vs = pb.createVisualShape(
                pb.GEOM_CYLINDER, radius=s["x"] / 2, length=s["z"], rgbaColor=_rgba(c), physicsClientId=cid
            )
            self._body(vs, frame, c)
        for i, m in enumerate(e["models"]):
            if not m.get("data"):
                continue
            suffix = {"model/obj": ".obj", "model/stl": ".stl"}.get(m.get("media_type", ""), "")
            if not suffix:
                continue
            f = Path(self._tmp.name) / f"{len(self.shapes)}-{i}{suffix}"
            f.write_bytes(base64.b64decode(m["data"]))
            s = m["scale"]
            vs = pb.createVisualShape(
                pb.GEOM_MESH,
                fileName=str(f),
                meshScale=[s["x"], s["y"], s["z"]],
                rgbaColor=_rgba(m),
                physicsClientId=cid,
            )
            self._body(vs, frame, m)

    def _extent(self) -> tuple[np.ndarray, np.ndarray]:
        """The box that holds every shape at the start (visual-only bodies have no AABB of their own)."""
        self.pose_at(0.0)
        lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
        signs = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], dtype=float)
        for s in self.shapes:
            p, q = self.pb.getBasePositionAndOrientation(s.uid, physicsClientId=self.cid)
            R = np.array(self.pb.getMatrixFromQuaternion(q)).reshape(3, 3)
            corners = np.array(p) + (signs * np.array(s.half_m)) @ R.T
            lo, hi = np.minimum(lo, corners.min(axis=0)), np.maximum(hi, corners.max(axis=0))
        if not np.all(np.isfinite(lo)):
            return np.zeros(3), np.ones(3)
        return lo, hi

    def _add_floor(self) -> None:
        """A floor under everything (z = 0 is the station's floor and rail plane)."""
        lo, hi = self._extent()
        size = [(hi[0] - lo[0]) / 2 + _FLOOR_MARGIN_M, (hi[1] - lo[1]) / 2 + _FLOOR_MARGIN_M, 0.005]
        vs = self.pb.createVisualShape(
            self.pb.GEOM_BOX, halfExtents=size, rgbaColor=_FLOOR_RGBA, physicsClientId=self.cid
        )
        uid = self.pb.createMultiBody(
            baseMass=0.0,
            baseVisualShapeIndex=vs,
            basePosition=[(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, -0.006],
            physicsClientId=self.cid,
        )
        self.floor = uid

    def _fit_camera(self) -> tuple[list[float], list[float]]:
        """View and projection matrices that frame the whole station: the distance
        is bisected until every corner of its bounding box projects inside the image."""
        pb = self.pb
        lo, hi = self._extent()
        lo, hi = np.minimum(lo, [lo[0], lo[1], 0.0]), np.maximum(hi, [hi[0], hi[1], 0.0])
        target = ((lo + hi) / 2).tolist()
        corners = np.array([[x, y, z, 1.0] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
        radius = float(np.linalg.norm(hi - lo) / 2) or 1.0
        far = 4 * radius / math.sin(math.radians(_FOV_DEG) / 2) + 10
        proj = pb.computeProjectionMatrixFOV(fov=_FOV_DEG, aspect=WIDTH_PX / HEIGHT_PX, nearVal=0.1, farVal=far)
        P = np.array(proj).reshape(4, 4)

        def view(d: float):
            return pb.computeViewMatrixFromYawPitchRoll(target, d, _CAMERA_YAW_DEG, _CAMERA_PITCH_DEG, 0, upAxisIndex=2)

        def fits(d: float) -> bool:
            clip = corners @ np.array(view(d)).reshape(4, 4) @ P  # row vectors; pybullet's matrices are column-major
            return bool(np.all(clip[:, 3] > 0.1) and np.all(np.abs(clip[:, :2] / clip[:, 3:4]) * 1.05 <= 1.0))

        lo_d, hi_d = radius * 0.5, 4 * radius / math.sin(math.radians(_FOV_DEG) / 2)
        for _ in range(30):
            mid = (lo_d + hi_d) / 2
            lo_d, hi_d = (lo_d, mid) if fits(mid) else (mid, hi_d)
        return view(hi_d), proj

    # -- posing and taking pictures -----------------------------------------------------------
    def pose_at(self, t_s: float) -> float:
        """Every shape where its frame was at the recorded instant nearest ``t_s``; returns that instant."""
        pb, cid = self.pb, self.cid
        i = min(max(bisect.bisect_left(self.times, t_s), 0), len(self.times) - 1)
        if i > 0 and abs(self.times[i - 1] - t_s) <= abs(self.times[i] - t_s):
            i -= 1
        poses = self.tf[i]
        for s in self.shapes:
            fp = poses.get(s.frame)
            if fp is None:
                continue
            p, q = pb.multiplyTransforms(fp[0], fp[1], s.position, s.orientation)
            pb.resetBasePositionAndOrientation(s.uid, p, q, physicsClientId=cid)
        return self.times[i]

    def _snap(self, width: int, height: int, *, mask: bool) -> tuple[np.ndarray, np.ndarray | None]:
        pb = self.pb
        view, proj = self.camera
        _, _, rgba, _, seg = pb.getCameraImage(
            width,
            height,
            viewMatrix=view,
            projectionMatrix=proj,
            renderer=pb.ER_TINY_RENDERER,
            lightDirection=list(_LIGHT_DIRECTION),
            shadow=0,
            flags=0 if mask else pb.ER_NO_SEGMENTATION_MASK,
            physicsClientId=self.cid,
        )
        img = np.asarray(rgba, dtype=np.uint8).reshape(height, width, 4)[:, :, :3]
        return img, (np.asarray(seg, dtype=np.int64).reshape(height, width) if mask else None)

    def picture(self, width: int = WIDTH_PX, height: int = HEIGHT_PX) -> np.ndarray:
        """The station as posed, translucent shapes blended over what is behind them."""
        pb, cid = self.pb, self.cid
        translucent = {s.uid: s.alpha for s in self.shapes if s.alpha < _OPAQUE}
        if not translucent:
            return self._snap(width, height, mask=False)[0]
        front, seg = self._snap(width, height, mask=True)
        saved = {uid: pb.getBasePositionAndOrientation(uid, physicsClientId=cid) for uid in translucent}
        for uid in translucent:
            pb.resetBasePositionAndOrientation(uid, [0, 0, -1000.0], [0, 0, 0, 1], physicsClientId=cid)
        behind, _ = self._snap(width, height, mask=False)
        for uid, (p, q) in saved.items():
            pb.resetBasePositionAndOrientation(uid, p, q, physicsClientId=cid)
        alpha = np.ones(seg.shape, dtype=np.float32)
        ids = seg & _UID_MASK
        for uid, a in translucent.items():
            alpha[(ids == uid) & (seg >= 0)] = a
        alpha = alpha[:, :, None]
        return (alpha * front + (1.0 - alpha) * behind).astype(np.uint8)

    def close(self) -> None:
        self.pb.disconnect(physicsClientId=self.cid)
        self._tmp.cleanup()

    @property
    def end_s(self) -> float:
        return self.times[-1]


def _rgba(prim: dict) -> list[float]:
    c = prim["color"]
    return [c["r"], c["g"], c["b"], c["a"]]


def png(img: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def gif(frames: list[np.ndarray], frame_ms: int = _GIF_FRAME_MS) -> bytes:
    from PIL import Image

    images = [Image.fromarray(f).convert("P", palette=Image.Palette.ADAPTIVE, colors=128) for f in frames]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=frame_ms, loop=0)
    return buf.getvalue()


def render_recording(
    path: Path,
    *,
    keyframes: list[tuple[str, float]],
    gif_frames: int,
    failure: tuple[str, float] | None = None,
) -> Pictures:
    """Stills at ``keyframes`` ((label, plant time)), at the moment of ``failure``,
    and a GIF of the whole swap in ``gif_frames`` frames evenly spaced in plant time."""
    t0 = time.perf_counter()
    scene = RecordedScene(path)
    out = Pictures()
    try:
        for label, t_s in keyframes:
            at = scene.pose_at(t_s)
            out.keyframes.append(Picture(label, at, png(scene.picture())))
            out.frames_rendered += 1
        if failure is not None:
            at = scene.pose_at(failure[1])
            out.failure = Picture(failure[0], at, png(scene.picture()))
            out.frames_rendered += 1
        if gif_frames > 1:
            frames = []
            for k in range(gif_frames):
                scene.pose_at(scene.end_s * k / (gif_frames - 1))
                frames.append(scene.picture(GIF_WIDTH_PX, GIF_HEIGHT_PX))
            out.gif = gif(frames)
            out.frames_rendered += gif_frames
    finally:
        scene.close()
    out.render_s = time.perf_counter() - t0
    return out
