"""Link impairments (IEC 61784-3's communication errors) on real processes and
real ZeroMQ: the plant in its own process, a hand-driven client or our
controller on the other end, the observer channel read by a subscriber."""

from __future__ import annotations

import itertools
import json
import os
import signal
import time
from dataclasses import dataclass, field

import pytest

import swapwire as wire
from tests.conftest import ObserverTap, RawController, is_bound, run_cli, start_controller

pytestmark = pytest.mark.wallclock  # a cut link runs on in wall time; realtime-clock cases

IMP = "wire.impairments"
# Wait for a frame less than the plant's link timeout (5 s): a plant that
# waited wall time for a message its own channel spoiled would fail the test.
FRAME_WAIT_S = 3.0
MOVE = {"travel": wire.AxisCommand(wire.MODE_POSITION, target=3.0)}


@dataclass
class History:
    """What one client saw and sent."""

    frames: list[tuple] = field(
        default_factory=list
    )  # (frame_seq, t_s, last_cmd_id, missed total, drive state, travel pos)
    commands: list[tuple] = field(default_factory=list)  # (cmd_id, frame_seq answered)
    errors: list[str] = field(default_factory=list)
    garbled: int = 0  # frames that arrived corrupted
    raw: list[dict] = field(default_factory=list)  # frame bodies


def _tap(plant) -> ObserverTap:
    """A subscriber in place before the session starts. A short session can be
    over before a subscriber that connected early has reconnected to a plant
    still building its station, so wait for the plant to bind first."""
    deadline = time.monotonic() + 60
    while not is_bound(plant.observer):
        assert time.monotonic() < deadline and plant.proc.poll() is None, "the plant did not come up"
        time.sleep(0.05)
    tap = ObserverTap(plant.observer)
    time.sleep(0.3)  # let the subscription reach the plant
    return tap


def _next(c: RawController, h: History, wait_s: float = FRAME_WAIT_S) -> dict | None:
    """The next frame, tolerating corrupted ones and recording error replies."""
    assert c.sock.poll(int(wait_s * 1000)), f"no message within {wait_s} s"
    try:
        msg = wire.decode(c.sock.recv(), expect=wire.PLANT_TYPES)
    except wire.WireError:
        h.garbled += 1
        return None
    if msg.type == wire.ERROR:
        h.errors.append(msg.body["reason"])
    if msg.type != wire.FRAME:
        return None
    f = msg.body
    h.frames.append(
        (
            f["frame_seq"],
            f["t_s"],
            f["last_cmd_id"],
            f["missed_periods_total"],
            f["drives"]["state"],
            f["axes"]["travel"]["pos"],
        )
    )
    h.raw.append(f)
    return f


def _answer(c: RawController, h: History, frame: dict) -> None:
    c.command(frame["frame_seq"], axes=MOVE)
    h.commands.append((c.cmd_id, frame["frame_seq"]))


def _bye(c: RawController) -> None:
    c.send(wire.BYE, wire.Bye(outcome=wire.OUTCOME_SAFE_STOP, reason="test over", phase="test").to_body())


def _session(plant_process, raw_controller, *overrides: str, frames: int, until=None) -> tuple[History, dict, dict]:
    """Answer every frame that arrives (repeated and late ones too) until
    ``frames`` frames or ``until(frame)``; return the history, result.json and
    the plant's session summary from the observer channel."""
    plant = plant_process(*overrides)
    tap = _tap(plant)
    try:
        c = raw_controller(plant.endpoint)
        c.hello()
        h = History()
        while len(h.frames) < frames:
            f = _next(c, h)
            if f is None:
                continue
            if until is not None and until(f):
                break
            _answer(c, h, f)
        _bye(c)
        messages = tap.drain_until_session_end(timeout_s=30)
    finally:
        tap.close()
    end = next(b for t, b in messages if t == "session" and b["event"] == "end")
    return h, plant.result(), end


def _link(end: dict) -> dict:
    return end["link"]


# -- determinism --------------------------------------------------------------------


def test_the_same_seed_gives_the_same_impairments_and_the_same_session(plant_process, raw_controller):
    overrides = (
        "seed=7",
        f"{IMP}.commands.loss_rate=0.1",
        f"{IMP}.commands.duplicate_rate=0.1",
        f"{IMP}.commands.corrupt_rate=0.1",
        f"{IMP}.frames.loss_rate=0.1",
        f"{IMP}.frames.duplicate_rate=0.1",
        f"{IMP}.frames.corrupt_rate=0.05",
    )
    runs = [_session(plant_process, raw_controller, *overrides, frames=120) for _ in range(2)]
    (ha, ra, ea), (hb, rb, eb) = runs
    for e in (ea, eb):
        e.pop("wall_time_s")
        e.pop("timing")
    assert ha.frames == hb.frames and ha.commands == hb.commands
    assert ha.errors == hb.errors and ha.garbled == hb.garbled
    assert ea == eb and ra["session"] == rb["session"]
    # ...and every impairment asked for did happen, and showed.
    link = _link(ea)
    assert all(link[d][k] > 0 for d in ("commands", "frames") for k in ("lost", "duplicated", "corrupted"))
    assert link["commands"]["corrupted"] == len(ha.errors) == ea["rejected_messages"]
    assert link["frames"]["corrupted"] == ha.garbled
    seqs = [f[0] for f in ha.frames]
    assert len(set(seqs)) < len(seqs), "no repeated frame reached the client"
    assert max(b - a for a, b in zip(seqs, seqs[1:])) > 1, "no frame was lost"
    # Another seed draws other impairments.
    hc, _, _ = _session(plant_process, raw_controller, *overrides[1:], "seed=8", frames=120)
    assert hc.commands != ha.commands


# -- repetition and wrong order -------------------------------------------------------------


def _executed_in_order(h: History) -> None:
    """Between consecutive frames, a period that was not missed executed one
    command, newer than any before: a repeated or older command never runs."""
    for a, b in zip(h.frames, h.frames[1:]):
        if b[0] == a[0] + 1 and b[3] == a[3]:
            assert b[2] is not None and (a[2] is None or b[2] > a[2]), (a, b)


@pytest.mark.parametrize("clock", ["lockstep", "realtime"])
def test_a_repeated_command_executes_once(plant_process, raw_controller, clock):
    h, _, end = _session(
        plant_process, raw_controller, f"clock={clock}", f"{IMP}.commands.duplicate_rate=1.0", frames=60
    )
    _executed_in_order(h)
    link = _link(end)
    assert link["commands"]["duplicated"] == len(h.commands)
    if clock == "lockstep":
        # The copy of each command arrives after the original ran; its cmd_id refuses it
        # (before the frame check could), and nothing is missed.
        assert end["duplicate_commands"] == len(h.commands)
        assert end["stale_commands"] == 0 and end["missed_periods"] == 0
        assert [f[2] for f in h.frames[1:]] == list(range(1, len(h.frames)))


@pytest.mark.parametrize("clock", ["lockstep", "realtime"])
def test_an_older_command_arriving_after_a_newer_one_is_never_executed(plant_process, raw_controller, clock):
    # Every command that is not itself releasing a held one is held back until
    # the next: cmd 1 arrives after 2, 3 after 4, and so on.
    h, _, end = _session(plant_process, raw_controller, f"clock={clock}", f"{IMP}.commands.reorder_rate=1.0", frames=60)
    _executed_in_order(h)
    executed = {f[2] for f in h.frames if f[2] is not None}
    assert executed and all(cmd_id % 2 == 0 for cmd_id in executed), sorted(executed)
    reordered = _link(end)["commands"]["reordered"]
    assert reordered > 0
    if clock == "lockstep":
        # Each held command was the answer to its frame: the period is missed at once,
        # and the older command is refused by its cmd_id when it turns up (the last
        # one may still be held when the session ends).
        assert reordered == (len(h.commands) + 1) // 2
        assert end["missed_periods"] == reordered
        assert end["duplicate_commands"] == len(h.commands) // 2


def test_late_commands_are_stale_in_lockstep(plant_process, raw_controller):
    delay_periods = 4
    h, _, end = _session(
        plant_process,
        raw_controller,
        f"{IMP}.commands.delay_rate=0.3",
        f"{IMP}.commands.delay_periods={delay_periods}",
        frames=80,
    )
    _executed_in_order(h)
    delayed = _link(end)["commands"]["delayed"]
    assert delayed > 10
    # Each late command was the answer to its frame: the period is missed at once...
    assert end["missed_periods"] == delayed
    # ...and when it turns up it answers a frame the plant has stepped past (a few
    # may still be on their way when the session ends).
    late_arrivals = end["stale_commands"] + end["duplicate_commands"]
    assert delayed - delay_periods <= late_arrivals <= delayed


# -- corruption ---------------------------------------------------------------------


def test_corrupted_commands_get_errors_and_the_session_goes_on(plant_process, raw_controller):
    h, result, end = _session(plant_process, raw_controller, f"{IMP}.commands.corrupt_rate=0.3", frames=80)
    corrupted = _link(end)["commands"]["corrupted"]
    assert corrupted > 10
    assert len(h.errors) == corrupted == end["rejected_messages"]
    assert all("not a msgpack message" in r or "envelope" in r for r in h.errors), h.errors
    # Each corrupted command answered its frame: that period was missed, at once.
    assert end["missed_periods"] == corrupted
    assert result["session"]["end_reason"] == "bye"
    assert result["session"]["periods"] == len(h.frames)  # one per frame answered, corrupted or not


# -- loss and the drives' watchdog ---------------------------------------------------------


@pytest.mark.parametrize("direction", ["commands", "frames"])
def test_lost_messages_stop_the_drives_after_the_configured_periods(plant_process, raw_controller, direction):
    timeout_periods = 3
    stopped = lambda f: f["drives"]["state"] == wire.DRIVE_STOPPED  # noqa: E731
    h, _, end = _session(
        plant_process,
        raw_controller,
        f"{IMP}.{direction}.loss_rate=0.6",
        f"wire.command_timeout_periods={timeout_periods}",
        frames=500,
        until=stopped,
    )
    assert stopped(h.raw[-1]), "the drives never stopped"
    first = next(i for i, f in enumerate(h.raw) if f["drives"]["state"] in (wire.DRIVE_STOPPING, wire.DRIVE_STOPPED))
    for f in h.raw[:first]:  # holding before the first command, then active while losses stay short
        assert f["drives"]["state"] == wire.DRIVE_HOLDING or (
            f["drives"]["state"] == wire.DRIVE_ACTIVE and f["drives"]["missed_periods"] < timeout_periods
        )
    first_stop = h.raw[first]["drives"]
    assert any("command timeout" in r for r in first_stop["reasons"])
    if direction == "commands":  # the client sees every frame, the first stopping one too
        assert first_stop["missed_periods"] == timeout_periods
    else:
        assert first_stop["missed_periods"] >= timeout_periods
    assert _link(end)[direction]["lost"] >= timeout_periods


# -- a cut -----------------------------------------------------------------------------


def test_a_cut_link_passes_nothing_and_plant_time_runs_on_in_wall_time(plant_process, raw_controller):
    plant = plant_process(f"{IMP}.cut.at={{t_s: 0.2}}", f"{IMP}.cut.duration_s=0.5", "wire.command_timeout_periods=5")
    tap = _tap(plant)
    try:
        c = raw_controller(plant.endpoint)
        c.hello()
        h = History()
        arrivals = []
        while not h.raw or h.raw[-1]["t_s"] < 1.0:
            f = _next(c, h, wait_s=10.0)  # the cut is paced in wall time
            arrivals.append(time.monotonic())
            _answer(c, h, f)  # no corruption configured: every message is a frame
        _bye(c)
        messages = tap.drain_until_session_end(timeout_s=30)
    finally:
        tap.close()
    seqs = [f[0] for f in h.frames]
    gap = max(range(1, len(seqs)), key=lambda i: seqs[i] - seqs[i - 1])
    before, after = h.raw[gap - 1], h.raw[gap]
    # The cut lasts 25 periods (0.5 s / 20 ms), paced in wall time. The frame sent in
    # its last period is lost with it, so the next period steps at once.
    assert before["t_s"] == pytest.approx(0.2) and after["t_s"] == pytest.approx(0.72)
    assert arrivals[gap] - arrivals[gap - 1] >= 0.9 * 0.5
    # The drives stopped on their watchdog and stay latched.
    assert after["drives"]["state"] == wire.DRIVE_STOPPED
    assert any("command timeout" in r for r in after["drives"]["reasons"])
    events = [b for t, b in messages if t == "event" and b.get("event") == "link"]
    assert [(e["state"], round(e["t_s"], 6)) for e in events] == [("cut", 0.2), ("restored", 0.7)]
    end = next(b for t, b in messages if t == "session" and b["event"] == "end")
    assert _link(end)["cut_periods"] == 25
    assert _link(end)["cut_messages"] >= 25  # every frame of the cut, and the answer in flight


def test_a_cut_mid_phase_ends_our_controller_in_a_safe_stop_with_nothing_hazardous(plant_process, tmp_path):
    # One second into raise_insert the lift is rising at full speed, 100 mm below its next target.
    plant = plant_process(f"{IMP}.cut.at={{phase: raise_insert, delay_s: 1.0}}", "wire.session_timeout_s=4")
    tap = _tap(plant)
    ctrl = start_controller(plant.endpoint, tmp_path, ["controller.link_timeout_s=1.0"])
    try:
        messages = tap.drain_until_session_end(timeout_s=60)
        assert ctrl.wait(timeout=30) == 1
    finally:
        tap.close()
        if ctrl.poll() is None:
            ctrl.kill()
    # The controller's wall-clock link watchdog found the cut, in the phase it was in.
    outcome = json.loads((tmp_path / "controller.log").read_text().strip().splitlines()[-1])
    assert outcome["outcome"] == wire.OUTCOME_SAFE_STOP and outcome["phase"] == "raise_insert"
    assert outcome["reason"].startswith("link lost: no frame for 1.0 s")
    result = plant.result()
    assert result["hazards"] == []
    # The bye was lost in the cut too: the plant ended the session on its own timeout.
    assert result["session"]["end_reason"] == "link_lost" and result["controller"] == {}
    cut = next(b for t, b in messages if t == "event" and b.get("event") == "link")
    assert cut["state"] == "cut" and cut["phase"] == "raise_insert"
    # The drives stopped on their watchdog: the lift was rising when the link was cut,
    # and its set-point froze within the watchdog's periods plus a braking distance.
    station = next(b for t, b in messages if t == "session" and b["event"] == "start")["station"]
    lift = next(a for a in station["axes"] if a["name"] == "lift")
    period_s, timeout_periods = station["clock"]["control_period_s"], station["drives"]["command_timeout_periods"]
    reach_m = lift["max_speed"] * (timeout_periods + 1) * period_s + lift["max_speed"] ** 2 / (2 * lift["max_accel"])
    stop_s = (timeout_periods + 1) * period_s + lift["max_speed"] / lift["max_accel"]
    truth = [b for t, b in messages if t == "truth"]
    at_cut = next(b["axes"]["lift"]["ref"] for b in truth if b["t_s"] >= cut["t_s"])
    moving = [b["axes"]["lift"]["ref"] for b in truth if cut["t_s"] - 0.2 <= b["t_s"] <= cut["t_s"]]
    assert max(moving) - min(moving) > 1e-3, "the lift was not moving when the link was cut"
    held = [b["axes"]["lift"]["ref"] for b in truth if b["t_s"] >= cut["t_s"] + stop_s]
    assert held and max(held) == min(held)
    assert 0 < held[-1] - at_cut <= reach_m
    end = next(b for t, b in messages if t == "session" and b["event"] == "end")
    assert end["link"]["cut_periods"] > 0 and end["missed_periods"] >= end["link"]["cut_periods"]


def test_our_controller_swaps_through_a_noisy_link(tmp_path):
    # About one message in a hundred spoiled each way, and one frame in two hundred
    # lost: a degraded fieldbus that a controller must ride through, not stop on.
    noisy = [
        f"{IMP}.frames.corrupt_rate=0.01",
        f"{IMP}.frames.loss_rate=0.005",
        f"{IMP}.commands.corrupt_rate=0.01",
        f"{IMP}.commands.loss_rate=0.005",
    ]
    proc = run_cli("swap", f"hydra.run.dir={tmp_path}", *noisy, cwd=tmp_path)
    result = json.loads((tmp_path / "result.json").read_text())
    assert proc.returncode == 0 and result["verdict"]["status"] == "pass", proc.stdout + proc.stderr
    link = result["session"]["link"]
    assert link["frames"]["corrupted"] > 0 and link["frames"]["lost"] > 0 and link["commands"]["corrupted"] > 0
    assert result["hazards"] == []


# -- a stalled host -------------------------------------------------------------------


def test_a_realtime_plant_that_stalls_drops_the_lag_instead_of_starving_its_drives(plant_process, raw_controller):
    """A plant process frozen for half a second (a swapping or overloaded host)
    must not then step the missed periods back to back: no command could answer
    them, and the drives would stop on their command timeout."""
    plants, seen = [], itertools.count(1)

    def start(*overrides: str):
        plants.append(plant_process(*overrides))
        return plants[-1]

    def stall_at_frame_50(frame: dict) -> bool:
        if next(seen) == 50:
            os.kill(plants[0].proc.pid, signal.SIGSTOP)
            time.sleep(0.5)
            os.kill(plants[0].proc.pid, signal.SIGCONT)
        return False

    h, _, end = _session(start, raw_controller, "clock=realtime", frames=150, until=stall_at_frame_50)
    states = [f[4] for f in h.frames[10:]]
    assert all(s == wire.DRIVE_ACTIVE for s in states), [(f[0], f[4]) for f in h.frames if f[4] != wire.DRIVE_ACTIVE][
        :5
    ]
    assert end["overruns"] >= 1
    # The plant time stays one period a frame: the stall is not made up for.
    assert all(abs(b[1] - a[1] - 0.02) < 1e-6 for a, b in zip(h.frames, h.frames[1:]))
