"""Storage stands for top-lift packs: pads and guide cones, like a truck's cradle."""

from __future__ import annotations

from twin.frames import Pose
from twin.rigs.overhead.schema import StandStorage
from twin.schema.pack import PackTopLift
from twin.urdf.features import locating_pin
from twin.urdf.model import Box, Inertial, Link, Robot
from twin.world import World

MM = 1e-3
_PAD_HEIGHT_MM = 40.0
# What holds the cones up (visual only): a post under each, and beams joining a stand's pads (D).
_POST_MM = 100.0
_BEAM_MM = 120.0


def build_stands_urdf(storage: StandStorage, pack: PackTopLift) -> Robot:
    pad, pad_h = storage.pad_size_mm * MM, _PAD_HEIGHT_MM * MM
    seat = storage.seat_height_mm * MM
    shapes = []
    for st in storage.stands:
        x0, y0 = st.x_mm * MM, st.y_mm * MM
        shapes += [
            Box(size=(pad, pad, seat), xyz=(x0 + x * MM, y0 + y * MM, seat / 2.0)) for x, y in pack.seat_points_mm
        ]
        shapes += [
            locating_pin(
                x_m=x0 + x * MM,
                y_m=y0 + y * MM,
                z_base_m=seat - pad_h,
                diameter_m=storage.cone_diameter_mm * MM,
                length_m=storage.cone_height_mm * MM + pad_h,
            )
            for x, y in pack.cone_sockets.positions_mm
        ]
    posts, post, beam = [], _POST_MM * MM, _BEAM_MM * MM
    for st in storage.stands:
        x0, y0 = st.x_mm * MM, st.y_mm * MM
        cone_base = seat - pad_h
        posts += [
            Box(size=(post, post, cone_base), xyz=(x0 + x * MM, y0 + y * MM, cone_base / 2))
            for x, y in pack.cone_sockets.positions_mm
        ]
        xs = sorted({x * MM for x, _ in pack.seat_points_mm})
        ys = sorted({y * MM for _, y in pack.seat_points_mm})
        # Beams along x and y joining the pads at foot level: one frame per stand.
        posts += [
            Box(size=(xs[-1] - xs[0], beam, beam), xyz=(x0 + (xs[0] + xs[-1]) / 2, y0 + y, beam / 2)) for y in ys
        ]
        posts += [
            Box(size=(beam, ys[-1] - ys[0], beam), xyz=(x0 + x, y0 + (ys[0] + ys[-1]) / 2, beam / 2)) for x in xs
        ]
    return Robot(
        name="stands",
        links=[
            Link(
                "stands",
                Inertial.box(mass_kg=1000.0, size=(1.0, 1.0, 1.0)),
                shapes,
                visuals=shapes + posts,
                rgba=(0.45, 0.45, 0.5, 1.0),
            )
        ],
    )


class Stands:
    def __init__(self, world: World, storage: StandStorage, pack: PackTopLift):
        self.spec = storage
        self.body = world.load(build_stands_urdf(storage, pack), position=(0.0, 0.0, 0.0), fixed=True)
        self.H = pack.dimensions.height_mm * MM

    def seat_pose(self, name: str) -> Pose:
        st = next(s for s in self.spec.stands if s.name == name)
        return Pose.from_xyz_yaw(st.x_mm * MM, st.y_mm * MM, self.spec.seat_height_mm * MM, 0.0)

    def pack_pose(self, name: str) -> Pose:
        """A stored pack's frame (top-face centre)."""
        return self.seat_pose(name).offset([0.0, 0.0, self.H])
