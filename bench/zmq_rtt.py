"""Benchmark a bare ZeroMQ round trip: the limit the wire's cost per control period is measured against.

Two processes, the sockets the session uses (a DEALER client, a ROUTER
server) on a private abstract ipc endpoint, one small message each way per
round trip and nothing else: no codec, no physics. The wire's cost per
period (``bench/swap.py``: over the wire minus in process, per period) can
come close to this figure, never below it.

    python -m bench.zmq_rtt ENDPOINT   # the echo server (started by bench_zmq_rtt)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import zmq

from swaptwin.processes import private_endpoints

PAYLOAD = b"x" * 64  # a small message: what any framing costs, not what a frame's size costs
STOP = b"stop"


def _echo(endpoint: str) -> None:
    sock = zmq.Context.instance().socket(zmq.ROUTER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.bind(endpoint)
    while True:
        ident, msg = sock.recv_multipart()
        sock.send_multipart([ident, msg])
        if msg == STOP:
            return


def bench_zmq_rtt(*, round_trips: int = 5000, warmup: int = 500, batches: int = 5) -> dict:
    """Median over ``batches`` of the mean round trip of ``round_trips`` messages, in microseconds."""
    endpoint, _ = private_endpoints()
    server = subprocess.Popen([sys.executable, "-m", "bench.zmq_rtt", endpoint])
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    try:
        for _ in range(warmup):  # also waits for the server to bind: the first send queues
            sock.send(PAYLOAD)
            sock.recv()
        means_us = []
        for _ in range(batches):
            t0 = time.perf_counter()
            for _ in range(round_trips):
                sock.send(PAYLOAD)
                sock.recv()
            means_us.append((time.perf_counter() - t0) / round_trips * 1e6)
        sock.send(STOP)
        sock.recv()
    finally:
        sock.close()
        server.wait(timeout=10)
    return {
        "round_trips": round_trips * batches,
        "round_trip_us": round(statistics.median(means_us), 1),
        "batches_us": [round(m, 1) for m in means_us],
    }


if __name__ == "__main__":
    _echo(sys.argv[1])
