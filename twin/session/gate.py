"""Who may talk to a session, and what becomes of each message before the session sees it.

A session belongs to its owner: the peer whose ``hello`` opened it (or who
took it over with the session's token, ``hello.resume``). Only the owner's
messages touch the session: its commands, its heartbeats, its goodbye, and
its watchdog (``wire.session_timeout_s``). Everybody else is a stranger:

* a stranger's ``hello`` while a session runs is ``refused`` (``busy``);
* any other message of a stranger gets a ``refused`` (``busy``); while a
  session runs each stranger is answered at most once per
  ``_STRANGER_REPLY_S`` and the plant remembers at most ``_STRANGERS`` of
  them, so a flood costs the plant almost nothing and keeps no dead session
  alive;
* before any session every message is answered (an ``error``, ``not_in_session``
  for anything but a hello), so a controller's developer sees each mistake;
* an engineer's ``engineer`` message (a fault to inject, a reset) is carried
  out only for a peer whose role is ``engineer`` (its CURVE key's role; there
  is no engineering without security) and answered with ``ack`` or an error.

Roles: the command link serves controllers. A ``hello`` whose role is not
``controller``, or, with security, from a key whose role is not
``controller``, is refused with the reason (``role``).

Every malformed message is answered with a coded error (the owner's) or
dropped after a rate-limited answer (a stranger's); nothing raises.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import swapwire as wire
from swapwire.errors import Code
from twin.session.link import Incoming

# A stranger is answered at most this often, and at most this many are remembered.
_STRANGER_REPLY_S = 1.0
_STRANGERS = 1024


@dataclass
class Admitted:
    """A message the session must act on."""

    msg: wire.Envelope
    identity: bytes
    hello: wire.Hello | None = None  # for a hello: the checked body
    new_owner: bool = False  # this hello opened the session or took it over


class Gate:
    """The session's gatekeeper (see the module doc). ``reject(identity, error, ref_seq)``
    and ``refuse(identity, reason, code, ref_seq)`` answer; ``engineer(incoming, msg)``
    carries out an engineering message."""

    def __init__(
        self,
        *,
        secure: bool,
        reject: Callable[[bytes, wire.WireError, int | None], None],
        refuse: Callable[[bytes, str, Code, int | None], None],
        engineer: Callable[[Incoming, wire.Envelope], None],
        received: Callable[[wire.Envelope], None],
    ):
        self.secure = secure
        self._reject, self._refuse, self._engineer, self._received = reject, refuse, engineer, received
        self.owner: bytes | None = None
        self.owner_role: str | None = None
        self.token = secrets.token_hex(16)
        self.last_owner_message = time.monotonic()
        self.strangers_answered = 0
        self.strangers_ignored = 0
        self._strangers: OrderedDict[bytes, float] = OrderedDict()

    # -- strangers -------------------------------------------------------------------
    def _answer_stranger(self, identity: bytes) -> bool:
        """Whether a stranger may be answered now (during a session at most once per _STRANGER_REPLY_S)."""
        if self.owner is None:
            return True
        now = time.monotonic()
        last = self._strangers.get(identity)
        if last is not None and now - last < _STRANGER_REPLY_S:
            self.strangers_ignored += 1
            return False
        self._strangers[identity] = now
        self._strangers.move_to_end(identity)
        while len(self._strangers) > _STRANGERS:
            self._strangers.popitem(last=False)
        self.strangers_answered += 1
        return True

    def _stranger(self, identity: bytes, error: wire.WireError | None = None, ref_seq: int | None = None) -> None:
        if not self._answer_stranger(identity):
            return
        if self.owner is not None:
            self._refuse(identity, "busy: another controller owns this plant's session", Code.BUSY, ref_seq)
        else:
            self._reject(identity, error or wire.WireError("say hello first", code=Code.NOT_IN_SESSION), ref_seq)

    # -- one message ---------------------------------------------------------------------
    def admit(self, incoming: Incoming) -> Admitted | None:
        """Decode and check one message; answer it if it must be answered here;
        return it if the session must act on it."""
        identity = incoming.identity
        is_owner = self.owner is not None and identity == self.owner
        if is_owner:
            self.last_owner_message = time.monotonic()
        try:
            msg = wire.decode(incoming.payload, expect=wire.CONTROLLER_TYPES)
        except wire.VersionMismatch as exc:
            if is_owner or self._answer_stranger(identity):
                self._refuse(identity, str(exc), Code.VERSION, exc.ref_seq)
            return None
        except wire.WireError as exc:
            if is_owner:
                self._reject(identity, exc, exc.ref_seq)
            else:
                self._stranger(identity, exc, exc.ref_seq)
            return None
        if msg.type == wire.ENGINEER:
            self._engineer(incoming, msg)
            return None
        if msg.type == wire.HELLO:
            return self._hello(incoming, msg, is_owner)
        if not is_owner:
            self._stranger(identity, ref_seq=msg.seq)
            return None
        self._received(msg)
        if msg.type == wire.BYE:
            try:
                wire.parse_bye(msg.body)
            except wire.WireError as exc:
                self._reject(identity, exc, msg.seq)
                return None
        return Admitted(msg, identity)

    def _hello(self, incoming: Incoming, msg: wire.Envelope, is_owner: bool) -> Admitted | None:
        identity = incoming.identity
        try:
            hello = wire.parse_hello(msg.body)
        except wire.WireError as exc:
            if is_owner or self._answer_stranger(identity):
                if isinstance(exc, wire.VersionMismatch):
                    self._refuse(identity, str(exc), Code.VERSION, msg.seq)
                else:
                    self._reject(identity, exc, msg.seq)
            return None
        role = incoming.role if self.secure else hello.role
        if role != wire.ROLE_CONTROLLER or hello.role != wire.ROLE_CONTROLLER:
            if is_owner or self._answer_stranger(identity):
                what = f"this key's role is {incoming.role}" if self.secure else f"the hello's role is {hello.role!r}"
                self._refuse(identity, f"the command link serves controllers: {what}", Code.ROLE, msg.seq)
            return None
        if is_owner:  # the owner repeats its hello (a restart, a lost welcome): welcome again
            self._received(msg)
            return Admitted(msg, identity, hello)
        takeover = (
            self.owner is not None
            and hello.resume is not None
            and secrets.compare_digest(hello.resume.encode(), self.token.encode())  # bytes: any text is comparable
        )
        if self.owner is not None and not takeover:
            self._stranger(identity, ref_seq=msg.seq)
            return None
        self.owner, self.owner_role = identity, incoming.role
        self.last_owner_message = time.monotonic()
        self._received(msg)
        return Admitted(msg, identity, hello, new_owner=True)
