"""Shared fixtures: composed configs, a plant in its own process, raw wire clients, our controller on a mock station."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import zmq

import swapwire as wire
from controllers.sequences import sequence_for
from swapwire.frame import Frame, FrameReader
from swapwire.messages import CommandRules
from swapwire.station import parse_description
from swaptwin.results.atomic import write_json_atomic
from swaptwin.config import load
from swaptwin.processes import private_endpoints
from tests.mock_station import mock_station

REPO = Path(__file__).resolve().parents[1]


WALLCLOCK_GROUP = "wallclock"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Tests marked ``wallclock`` depend on wall-clock timing: under pytest-xdist (``--dist loadgroup``)
    they form one ``xdist_group``, so they run one after another on one worker, never two at once.
    Runs before xdist's own hook, which reads the groups."""
    for item in items:
        if item.get_closest_marker("alone") is not None and not any(
            item.get_closest_marker(m) for m in ("slow", "regression", "browser")
        ):
            # The README's default suite runs on every core: a test that needs the host to itself
            # belongs to a marked suite, which .ci/run runs with nothing beside it.
            raise pytest.UsageError(f"{item.nodeid} is marked alone but in no marked suite (slow, regression, browser)")
        if item.get_closest_marker("wallclock") is not None:
            item.add_marker(pytest.mark.xdist_group(WALLCLOCK_GROUP))
    # Longest first: a test that declares a longer timeout than the suite's starts before the
    # short ones, so it is not the last thing running on one worker while the others idle.
    items.sort(key=lambda item: -_declared_timeout_s(item))


def _declared_timeout_s(item) -> float:
    mark = item.get_closest_marker("timeout")
    return float(mark.args[0]) if mark is not None and mark.args else 0.0


class _WallclockGroupCheck:
    """On an xdist worker with ``--dist loadgroup``, xdist's own hook has suffixed each grouped test's id
    with ``@group``; pytest 9.2 silently stopped honouring that (pytest-xdist#1386, hence pytest<9.2
    in the dev extra). Fail the run rather than let wallclock tests run side by side."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        if not getattr(config.option, "loadgroup", False):
            return
        suffix = "@" + WALLCLOCK_GROUP
        lost = [i.nodeid for i in items if i.get_closest_marker("wallclock") and not i.nodeid.endswith(suffix)]
        if lost:
            raise pytest.UsageError(
                f"pytest-xdist did not group {len(lost)} wallclock tests (first: {lost[0]}); this pytest and "
                "pytest-xdist do not group with --dist loadgroup (pytest-xdist#1386)"
            )


def pytest_configure(config):
    config.pluginmanager.register(_WallclockGroupCheck(), "swaptwin-wallclock-group-check")


@pytest.fixture(scope="session", autouse=True)
def _isolated_urdf_cache(tmp_path_factory):
    """Generated assets go to a per-session cache, never the user's."""
    os.environ["SWAPTWIN_CACHE"] = str(tmp_path_factory.mktemp("urdf-cache"))


def swap_config(*overrides: str):
    return load(list(overrides))


class RawController:
    """A hand-driven DEALER client: speaks (or mis-speaks) the wire directly."""

    def __init__(self, endpoint: str):
        self.sock = zmq.Context.instance().socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.seq = wire.Sequencer()
        self.cmd_id = 0

    def send(self, mtype: str, body: dict, **kw) -> None:
        self.sock.send(wire.encode(self.seq.make(mtype, body, **kw)))

    def send_raw(self, data: bytes) -> None:
        self.sock.send(data)

    def recv(self, timeout_s: float = 10.0) -> wire.Envelope:
        assert self.sock.poll(int(timeout_s * 1000)), f"no message within {timeout_s} s"
        return wire.decode(self.sock.recv(), expect=wire.PLANT_TYPES)

    def recv_type(self, mtype: str, timeout_s: float = 10.0) -> wire.Envelope:
        deadline = time.monotonic() + timeout_s
        while True:
            msg = self.recv(max(0.01, deadline - time.monotonic()))
            if msg.type == mtype:
                return msg

    def hello(self) -> dict:
        self.send(wire.HELLO, wire.Hello(client="test").to_body())
        return self.recv_type(wire.WELCOME).body["station"]

    def command(self, frame_seq: int, **fields) -> None:
        self.cmd_id += 1
        cmd = wire.Command(frame_seq=frame_seq, phase=fields.pop("phase", "test"), **fields)
        self.send(wire.COMMAND, cmd.to_body(), cmd_id=self.cmd_id)

    def close(self) -> None:
        self.sock.close()


class PlantProcess:
    """``python -m swaptwin.plant_server`` on private ipc endpoints (or the ones given)."""

    def __init__(
        self, out_dir: Path, overrides: list[str], endpoints: tuple[str, str] | None = None, sessions: int = 1
    ):
        # A session's pictures cost seconds after it ends: hand-driven plants render none unless asked.
        if not any(o.startswith("record.render=") for o in overrides):
            overrides = [*overrides, "record.render=never"]
        cfg = load(overrides)
        self.endpoint, self.observer = endpoints or private_endpoints()
        self.out_dir = out_dir
        config_path = out_dir / "swap_config.json"
        write_json_atomic(config_path, cfg.resolved)
        self.log = open(out_dir / "plant.log", "wb")  # noqa: SIM115  (held open for the process's life)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "swaptwin.plant_server",
                "--config",
                str(config_path),
                "--out",
                str(out_dir),
                "--endpoint",
                self.endpoint,
                "--observer",
                self.observer,
                "--sessions",
                str(sessions),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def result(self, timeout_s: float = 60.0) -> dict:
        self.proc.wait(timeout=timeout_s)
        return json.loads((self.out_dir / "result.json").read_text())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def plant_process(tmp_path):
    started: list[PlantProcess] = []

    def start(*overrides: str, endpoints: tuple[str, str] | None = None, sessions: int = 1) -> PlantProcess:
        p = PlantProcess(tmp_path, list(overrides), endpoints, sessions)
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


@pytest.fixture
def raw_controller():
    clients: list[RawController] = []

    def connect(endpoint: str) -> RawController:
        c = RawController(endpoint)
        clients.append(c)
        return c

    yield connect
    for c in clients:
        c.close()


def interrupt_once_done(args: list[str], *, cwd: Path, first: Path, timeout_s: float = 300.0) -> None:
    """Start a batch command as a user would, press Ctrl-C (SIGINT to its process group) once ``first``
    (a job's result) exists, and check it stops as interrupted (exit 130) without a report."""
    import signal

    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    while not first.exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=120) == 130


def run_cli(*args: str, cwd: Path, timeout_s: float = 300.0) -> subprocess.CompletedProcess:
    """Run the installed ``swaptwin`` console script as a user would."""
    exe = Path(sys.executable).parent / "swaptwin"
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout_s)


def is_bound(endpoint: str) -> bool:
    """Whether an ipc endpoint is bound: a socket file, or an abstract name (``ipc://@...``) in /proc/net/unix."""
    path = endpoint.removeprefix("ipc://")
    if not path.startswith("@"):
        return Path(path).exists()
    with open("/proc/net/unix") as f:
        return any(line.rstrip().endswith(path) for line in f)


class ObserverTap:
    """A SUB socket on the plant's observer channel, collecting everything."""

    def __init__(self, endpoint: str):
        self.sock = zmq.Context.instance().socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.SUBSCRIBE, b"")
        self.sock.connect(endpoint)
        self.messages: list[tuple[str, dict]] = []

    def drain_until_session_end(self, timeout_s: float = 120.0) -> list[tuple[str, dict]]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.sock.poll(200):
                continue
            topic, payload = self.sock.recv_multipart()
            msg = wire.decode(payload, expect=frozenset({"truth", "event", "session"}))
            self.messages.append((topic.decode(), msg.body))
            if topic == b"session" and msg.body.get("event") == "end":
                return self.messages
        raise AssertionError("the session did not end in time")

    def close(self) -> None:
        self.sock.close()


def start_controller(
    endpoint: str, out_dir: Path, overrides: list[str] | None = None, *, module: str = "controllers"
) -> subprocess.Popen:
    """A controller in its own process, as swaptwin swap starts ours."""
    cfg = load(list(overrides or []))
    path = out_dir / "controller_config.json"
    write_json_atomic(path, cfg.resolved["controller"])
    log = open(out_dir / "controller.log", "wb")  # noqa: SIM115  (the child keeps it)
    return subprocess.Popen(
        [sys.executable, "-m", module, "--endpoint", endpoint, "--config", str(path)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=REPO,
    )


def serve_to_our_controller(plant, tmp_path: Path, overrides: list[str]):
    """Serve one session of ``plant`` (a ``twin.session.plant.Plant``, in this process) to our
    controller in its own process over a private ipc endpoint; the session's stats."""
    import threading

    from twin.session.link import PlantLink

    link = PlantLink(endpoint=f"ipc://{tmp_path}/cmd", observer_endpoint=None)
    stats = []
    serving = threading.Thread(target=lambda: stats.append(plant.serve(link)))
    serving.start()
    try:
        controller = start_controller(link.endpoint, tmp_path, overrides)
        assert controller.wait(timeout=120) == 0, (tmp_path / "controller.log").read_text()[-2000:]
        serving.join(timeout=30)
    finally:
        plant.interrupt()
        serving.join(timeout=30)
        link.close()
    (s,) = stats
    return s


# -- our controller on the mock station (tests/mock_station.py), in one process ---------------------
# Overrides that pick each rig family's default station.
FAMILIES: dict[str, tuple[str, ...]] = {"under_chassis": (), "overhead": ("rig=overhead",)}


@functools.cache
def composed(*overrides: str):
    """A composed config, once per set of overrides (configs are frozen: safe to share between tests)."""
    return load(list(overrides))


class InProcess:
    """Our controller against a station port in one process. The description goes out as a welcome
    body and is parsed back, as the controller's link does. Frames and commands pass as the wire's
    typed objects (a ``FrameReader`` yields the same types); with ``through_wire`` each frame goes
    out as a body and is read back by the description's ``FrameReader`` and each command is checked
    against the station's rules, as the session loop and the controller's run loop do."""

    def __init__(self, station: Any, controller_cfg: Any, *, through_wire: bool = False):
        self.station, self.through_wire = station, through_wire
        self.description = d = parse_description(station.describe().to_body())
        controller = sequence_for(controller_cfg, d)
        if controller is None:
            raise ValueError(f"no sequence for rig family {d.rig_family!r}")
        self.controller = controller
        self.reader: FrameReader = d.frame_reader()
        tools = {name: frozenset(values) for name, values in d.tools.items()}
        self.rules = CommandRules(frozenset(d.axis_names), frozenset(d.locks.ids), tools)
        self.frames: list[Frame] = []  # what the controller was given, one per command
        self.commands: list[wire.Command] = []

    def answer(self, frame: Frame) -> wire.Command:
        """The controller's command for ``frame``, hostile or not; the station is not touched."""
        frame = self.reader.read(frame.to_body()) if self.through_wire else frame
        self.frames.append(frame)
        self.commands.append(self.controller.on_frame(frame))
        return self.commands[-1]

    def period(self, frame: Frame | None = None) -> wire.Command:
        """The controller answers (the station's frame, or the one given); the station applies it and advances."""
        cmd = self.answer(self.station.frame() if frame is None else frame)
        applied = wire.parse_command(cmd.to_body(), self.rules) if self.through_wire else cmd
        self.station.apply(applied, len(self.commands))
        self.station.advance()
        return cmd

    def run(self, *, until: Any = None, max_s: float = 600.0) -> Any:
        """Periods until the controller has an outcome, ``until(self)`` holds, or plant time reaches ``max_s``."""
        while self.controller.outcome is None and self.station.time_s < max_s:
            if until is not None and until(self):
                break
            self.period()
        return self.controller.outcome

    @property
    def phases(self) -> list[str]:
        """The phases the commands reported, in order, each once per visit."""
        return [c.phase for i, c in enumerate(self.commands) if i == 0 or self.commands[i - 1].phase != c.phase]


def on_mock(*overrides: str, through_wire: bool = False) -> InProcess:
    """Our controller on a fresh mock station of the composed config."""
    cfg = composed(*overrides)
    return InProcess(mock_station(cfg.plant), cfg.controller, through_wire=through_wire)
