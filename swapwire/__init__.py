"""SwapTwin's station wire protocol: the contract between a plant and a controller.

A *plant* (the twin, or a real station's gateway in front of its PLC) and a
*controller* share nothing but this package. It depends on msgpack alone:
no twin, no pybullet, no controller code. ``docs/protocol.md`` is the
document a controller in another language is written from; its field tables
are generated from the types here (``swapwire.docgen``).

Modules: ``codec`` (envelope, bounded decode), ``errors`` (codes),
``typed`` (typed bodies), ``messages`` (hello, command, bye, error, refused,
end), ``station`` (the station description), ``sensors`` (sensor kinds and the
common sensors), ``frame`` (frames and their reader), ``vocab`` (each rig
family's axis and sensor names).
"""

from swapwire.codec import MAX_MESSAGE_BYTES, PROTOCOL_VERSION, Envelope, Sequencer, decode, encode
from swapwire.errors import Code, VersionMismatch, WireError
from swapwire.frame import AxisState, DriveReport, Frame, FrameReader, TwoChannel, VisionReading
from swapwire.messages import *  # noqa: F403  (the message vocabulary is the package's API)
from swapwire.messages import __all__ as _messages_all
from swapwire.station import LockGroup, StationDescription, parse_description

__all__ = [
    "MAX_MESSAGE_BYTES", "PROTOCOL_VERSION", "AxisState", "Code", "DriveReport", "Envelope", "Frame", "FrameReader",
    "LockGroup", "Sequencer", "StationDescription", "TwoChannel", "VersionMismatch", "VisionReading", "WireError",
    "decode", "encode", "parse_description", *_messages_all,
]  # fmt: skip
