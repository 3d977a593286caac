"""The session: what serves a station to a controller over the wire.

``plant`` (the session loop: handshake, clock modes, commands at most once,
watchdogs), ``port`` (what it needs of a station: the twin's, or a gateway's
proxy of a real one), ``link`` (the ZeroMQ sockets), ``impairments``
(IEC 61784-3's communication errors), ``trace`` (the session's fingerprint),
``observer`` (ground truth for subscribers). Nothing here imports pybullet.
"""
