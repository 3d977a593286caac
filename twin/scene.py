"""What a station looks like: every body's visual shapes, and where each body's frames are.

A recording (``swaptwin.results.recording``) and the pictures made from it
(``swaptwin.reports.render``) need the same two things of a station's world:

* its *primitives*, read once: each visual shape pybullet loaded from the
  generated URDFs (box, cylinder, sphere, capsule or mesh, its size, colour and
  pose in the link frame it hangs on). They are the URDFs' visuals, so what a
  recording shows is what the twin simulated, not a drawing of it;
* its *frames*, read every period: the world pose of each body's link frames.

Frames have stable, semantic names (``vehicle``, ``pack_charged``,
``rig/lift_table``), taken from the station's ``bodies()`` and the URDF link
names, because layouts and reports refer to them. Poses are URDF link
frames: pybullet reports a base by its centre of mass, which is converted
here once.

Plain data only (tuples, floats, strings): nothing here knows of Foxglove
or of the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass

from twin.world import World, pb

Vec3 = tuple[float, float, float]
Quat = tuple[float, float, float, float]

# pybullet's geometry codes (getVisualShapeData [2]).
_KINDS = {pb.GEOM_BOX: "box", pb.GEOM_SPHERE: "sphere", pb.GEOM_CYLINDER: "cylinder", pb.GEOM_MESH: "mesh"}
_KINDS[pb.GEOM_CAPSULE] = "capsule"


@dataclass(frozen=True)
class Primitive:
    """One visual shape. ``size``: a box's full extents; a cylinder's or
    capsule's (diameter, diameter, length of the straight part); a sphere's
    (diameter,)*3; a mesh's scale. ``mesh``: the mesh file's name (beside the
    URDFs in the asset cache) for a mesh."""

    kind: str
    frame: str
    position: Vec3
    orientation: Quat
    size: Vec3
    rgba: tuple[float, float, float, float]
    mesh: str = ""


@dataclass(frozen=True)
class _FrameRef:
    name: str
    body: int
    link: int  # -1: the base


class StationScene:
    """The primitives and frames of the bodies ``bodies`` (stable name -> pybullet body) in ``world``."""

    def __init__(self, world: World, bodies: dict[str, int]):
        self.world = world
        cid = world.cid
        self._refs: list[_FrameRef] = []
        self._links: dict[int, list[int]] = {}
        self._base_offsets: dict[int, tuple[Vec3, Quat]] = {}
        for name, body in bodies.items():
            self._refs.append(_FrameRef(name, body, -1))
            links = []
            for j in range(pb.getNumJoints(body, physicsClientId=cid)):
                link_name = pb.getJointInfo(body, j, physicsClientId=cid)[12].decode()  # [12]: the child link's name
                self._refs.append(_FrameRef(f"{name}/{link_name}", body, j))
                links.append(j)
            self._links[body] = links
            # The base's inertial frame in its link frame ([3], [4] of getDynamicsInfo): inverted once.
            info = pb.getDynamicsInfo(body, -1, physicsClientId=cid)
            self._base_offsets[body] = pb.invertTransform(info[3], info[4])
        self.frames: list[str] = [r.name for r in self._refs]
        names = {(r.body, r.link): r.name for r in self._refs}
        self.primitives: list[Primitive] = []
        for body in bodies.values():
            for v in pb.getVisualShapeData(body, physicsClientId=cid):
                # (body, link, geometry, dimensions, mesh file, local position, local orientation, rgba)
                kind = _KINDS.get(v[2])
                if kind is None:
                    continue
                self.primitives.append(
                    Primitive(
                        kind=kind,
                        frame=names[(body, v[1])],
                        position=tuple(v[5]),
                        orientation=tuple(v[6]),
                        size=_size(kind, v[3]),
                        rgba=tuple(float(c) for c in v[7]),
                        mesh=v[4].decode().rsplit("/", 1)[-1] if kind == "mesh" else "",
                    )
                )

    def poses(self) -> list[tuple[Vec3, Quat]]:
        """The world pose of every frame, in the order of ``frames``."""
        cid = self.world.cid
        out: list[tuple[Vec3, Quat]] = []
        for body, links in self._links.items():
            com_p, com_q = pb.getBasePositionAndOrientation(body, physicsClientId=cid)
            off_p, off_q = self._base_offsets[body]
            out.append(pb.multiplyTransforms(com_p, com_q, off_p, off_q))
            if links:
                # [4], [5]: the URDF link frame's world position and orientation.
                out.extend(
                    (s[4], s[5]) for s in pb.getLinkStates(body, links, computeForwardKinematics=1, physicsClientId=cid)
                )
        return out


def _size(kind: str, dims) -> Vec3:
    if kind == "box":
        return (float(dims[0]), float(dims[1]), float(dims[2]))
    if kind in ("cylinder", "capsule"):  # (length, radius)
        d = 2.0 * float(dims[1])
        return (d, d, float(dims[0]))
    if kind == "sphere":  # (radius,)
        d = 2.0 * float(dims[0])
        return (d, d, d)
    return (float(dims[0]), float(dims[1]), float(dims[2]))  # a mesh's scale
