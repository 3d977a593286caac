"""What the wire's transport costs per round trip: bare ZeroMQ, and with CURVE.

A DEALER in this process sends a frame-sized message to a ROUTER in another
process, which echoes it back; the figure is the median of ``n`` round trips
after a warm-up. The same run measures it without and with CURVE encryption
(the station's security, ``swapwire/security.py``; the ZAP handshake happens
once per connection, so it is outside the loop), so the ratio is what CURVE
costs a control period on this machine, whatever its load.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import time

import msgpack
import zmq

# A message of the size of a frame: an under-chassis frame encodes to about 1.1 kB.
_AXES = ("travel", "align", "lift", "yaw", "pads_x", "pads_y", "pins_x")


def frame_like() -> bytes:
    axes = {a: {"pos": 0.123456, "vel": 0.0, "force": 12.5, "state": "active", "settled": True} for a in _AXES}
    locks = {str(i): {"extended": [True, True], "pressure_ok": [True, True]} for i in range(4)}
    sensors = {
        "load_cell_n": 5321.5,
        "pack_present": [True, True],
        "float_locked": True,
        "tool_coupled": True,
        "connector_mated": False,
        "vision": {"valid": True, "x": 0.001, "y": -0.002, "z": 0.3, "yaw": 0.01},
        "locks": locks,
        "pack_id": "car_100kwh",
        "pad_loads_n": [1350.0, 1360.0, 1370.0, 1380.0],
        "estop": False,
        "station_power": True,
    }
    body = {"frame_seq": 1234, "t_s": 24.68, "axes": axes, "sensors": sensors, "last_cmd_id": 1234,
            "drives": {"state": "active", "missed_periods": 0, "reasons": []}, "missed_periods_total": 0}  # fmt: skip
    return msgpack.packb({"v": [1, 2], "type": "frame", "seq": 1234, "body": body})


def _echo(endpoint: str, server_secret: bytes | None, bound) -> None:
    ctx = zmq.Context()
    sock = ctx.socket(zmq.ROUTER)
    if server_secret is not None:
        sock.curve_server = True
        sock.curve_secretkey = server_secret
    sock.bind(endpoint)  # tcp://127.0.0.1:0 picks a free port
    bound.put(sock.getsockopt_string(zmq.LAST_ENDPOINT))
    while True:
        parts = sock.recv_multipart()
        if parts[-1] == b"stop":
            break
        sock.send_multipart(parts)
    sock.close(0)
    ctx.term()


class _Client:
    """A DEALER connected to an echo process of its own (with CURVE or not)."""

    def __init__(self, endpoint: str, *, curve: bool):
        server_public = server_secret = None
        if curve:
            server_public, server_secret = zmq.curve_keypair()
        spawn = mp.get_context("spawn")
        bound = spawn.Queue()
        self.proc = spawn.Process(target=_echo, args=(endpoint, server_secret, bound), daemon=True)
        self.proc.start()
        endpoint = bound.get(timeout=30)
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.linger = 0
        if curve:
            self.sock.curve_serverkey = server_public
            self.sock.curve_publickey, self.sock.curve_secretkey = zmq.curve_keypair()
        self.sock.connect(endpoint)

    def trips(self, payload: bytes, n: int) -> list[float]:
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            self.sock.send(payload)
            self.sock.recv()
            times.append((time.perf_counter() - t0) * 1e6)
        return times

    def close(self) -> None:
        self.sock.send(b"stop")
        self.sock.close(0)
        self.ctx.term()
        self.proc.join(10)
        if self.proc.is_alive():
            self.proc.kill()


def _summary(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "median_us": statistics.median(times),
        "p99_us": times[int(0.99 * (len(times) - 1))],
        "mean_us": statistics.fmean(times),
    }


def bench_curve(*, n: int = 6000, rounds: int = 12) -> dict:
    """Plain and CURVE round trips over ipc and tcp loopback, interleaved in
    ``rounds`` batches so that both see the same machine load."""
    payload = frame_like()
    out: dict = {"message_bytes": len(payload), "round_trips": n}
    tag = time.monotonic_ns()
    for link, endpoints in (
        ("ipc", (f"ipc://@swaptwin-bench-{tag}-plain", f"ipc://@swaptwin-bench-{tag}-curve")),
        ("tcp", ("tcp://127.0.0.1:0", "tcp://127.0.0.1:0")),
    ):
        clients = {"plain": _Client(endpoints[0], curve=False), "curve": _Client(endpoints[1], curve=True)}
        times: dict[str, list[float]] = {"plain": [], "curve": []}
        try:
            for c in clients.values():
                c.trips(payload, 300)  # warm-up: the connection (and the CURVE handshake) is made here
            for _ in range(rounds):
                for name, c in clients.items():
                    times[name] += c.trips(payload, n // rounds)
        finally:
            for c in clients.values():
                c.close()
        plain, curve = _summary(times["plain"]), _summary(times["curve"])
        out[link] = {
            "plain": plain,
            "curve": curve,
            "curve_over_plain": curve["median_us"] / plain["median_us"],
            "curve_cost_us": curve["median_us"] - plain["median_us"],
        }
    return out
