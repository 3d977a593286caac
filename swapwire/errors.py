"""Why a message was rejected: a machine-readable code beside the text.

Every ``error`` and ``refused`` message carries one of these codes, so a
controller (or a gateway) can act on the kind of problem without parsing
the text. The text says what was wrong in words, for people and logs.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """The ``code`` of an ``error`` or ``refused`` body (docs/protocol.md, section 5)."""

    MALFORMED = "malformed"  # not msgpack, a bad envelope, too large, nested too deep
    UNEXPECTED_TYPE = "unexpected_type"  # a message type this side does not accept
    VERSION = "version"  # another major protocol version (refused)
    BUSY = "busy"  # another controller owns the session (refused)
    NOT_IN_SESSION = "not_in_session"  # say hello first
    INVALID_HELLO = "invalid_hello"  # a hello body field of the wrong type, or unusable phases
    INVALID_COMMAND = "invalid_command"  # a field of a command is missing or of the wrong type or range
    UNKNOWN_AXIS = "unknown_axis"  # a command names an axis the station does not have
    UNKNOWN_LOCK = "unknown_lock"  # a command names a lock id the station does not have
    UNKNOWN_TOOL = "unknown_tool"  # a command names a tool the station does not have
    INVALID_BYE = "invalid_bye"  # a bye without a known outcome, or a field of the wrong type
    UNKNOWN_PHASE = "unknown_phase"  # a command's phase is not one the controller declared in its hello
    ROLE = "role"  # the sender's role may not send this (refused, or an error for an engineering message)
    INVALID_ENGINEERING = "invalid_engineering"  # an engineer's action or fault the plant cannot carry out


class WireError(ValueError):
    """A message that does not follow the protocol. The receiver answers it with
    an ``error`` (or, at the handshake, ``refused``) and keeps serving.

    ``str()`` is the reason; it never contains more than a short, truncated
    rendering of the offending value (a hostile value must not be able to make
    the error text itself expensive or recursive)."""

    def __init__(self, reason: str, *, code: Code = Code.MALFORMED):
        super().__init__(reason)
        self.code = code
        self.ref_seq: int | None = None  # the rejected message's seq, when its envelope could be read


class VersionMismatch(WireError):
    """The peer speaks another major version."""

    def __init__(self, reason: str):
        super().__init__(reason, code=Code.VERSION)


def shown(value: object, limit: int = 40) -> str:
    """A short rendering of an untrusted value for an error text: scalars
    truncated, containers by their type and size only (never recursed into)."""
    if isinstance(value, dict | list | tuple):
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, str | bytes):
        text = repr(value[:limit])
        return text + ("..." if len(value) > limit else "")
    if value is None or isinstance(value, bool | int | float):
        return repr(value)[:limit]
    return f"a {type(value).__name__}"
