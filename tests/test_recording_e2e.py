"""Recording, replay and the swap's report, as an engineer uses them: a real swap
(two processes over ZeroMQ), its ``swap.mcap`` read back, replayed, reported."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from mcap.reader import make_reader
from mcap.writer import Writer

from swaptwin.results.recording import (
    SCHEMA_DIR,
    iter_records,
    open_recording,
    recompute_trace,
    session_records,
    sweep_partials,
)
import swapwire as wire
from tests.conftest import REPO, PlantProcess, run_cli

FOXGLOVE = {"/tf": "foxglove.FrameTransforms", "/scene": "foxglove.SceneUpdate", "/log": "foxglove.Log"}


@pytest.fixture(scope="module")
def swap_run(tmp_path_factory):
    """One default swap, recorded (with pictures, so the report has them)."""
    tmp = tmp_path_factory.mktemp("recorded")
    run_dir = tmp / "run"
    proc = run_cli("swap", f"hydra.run.dir={run_dir}", "record.render=always", cwd=tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return run_dir


def test_the_recording_holds_every_message_of_the_session(swap_run):
    result = json.loads((swap_run / "result.json").read_text())
    rec = open_recording(swap_run / "swap.mcap")
    s, trace = result["session"], result["session"]["trace"]
    c = rec.counts
    # Per channel, against the session's own counters.
    assert c["/wire/frame"] == s["periods"] + 1  # frame 0 and one per period
    assert c["/wire/command"] == s["periods"] - s["missed_periods"] + s["duplicate_commands"] + s["stale_commands"]
    assert c["/wire/hello"] >= 1 and c["/wire/welcome"] == c["/wire/hello"]
    assert c["/wire/bye"] == 1 and c["/wire/end"] == 1
    untraced = ("/wire/hello", "/wire/welcome", "/wire/heartbeat")
    wire_n = sum(n for t, n in c.items() if t.startswith("/wire/") and t not in untraced)
    assert wire_n == trace["wire_messages"]
    observed = sum(n for t, n in c.items() if t.startswith("/observer/"))
    assert observed == trace["observer_messages"] + 1  # and the session's end, which the trace leaves out
    assert c["/tf"] == c["/wire/frame"] and c["/observer/truth"] == s["periods"] + 1
    assert c["/log"] == c["/observer/event"]
    assert result["recording"]["messages"] == dict(sorted(c.items()))
    # The session's digests, recomputed from what was recorded: the recording holds it whole.
    assert recompute_trace(session_records(swap_run / "swap.mcap")) == trace
    assert rec.trace == trace
    # Attachments and metadata.
    assert json.loads(rec.attachments["config.json"]) == json.loads((swap_run / "swap_config.json").read_text())
    assert {n.removesuffix(".urdf") for n in rec.attachments if n.endswith(".urdf")} == set(
        result["versions"]["assets"]
    )
    assert json.loads(rec.attachments["result.json"])["verdict"] == result["verdict"]
    assert rec.metadata["run"]["seed"] == "0" and rec.metadata["versions"]["key"] == result["versions"]["key"]
    assert rec.metadata["versions"]["mcap"] and rec.metadata["versions"]["pybullet"]
    assert (swap_run / "swap.mcap").stat().st_size < 5_000_000


def test_foxglove_reads_its_own_schemas_and_frames(swap_run):
    rec = open_recording(swap_run / "swap.mcap")
    for topic, name in FOXGLOVE.items():
        assert rec.schemas[topic] == name
    schemas = {name: json.loads((SCHEMA_DIR / f"{name}.json").read_text()) for name in FOXGLOVE.values()}
    seen: dict[str, dict] = {}
    with open(swap_run / "swap.mcap", "rb") as f:
        reader = make_reader(f)
        for schema, channel, message in reader.iter_messages(topics=list(FOXGLOVE)):
            assert schema.encoding == "jsonschema" and channel.message_encoding == "json"
            assert json.loads(schema.data)["title"] == schema.name  # the official schema, under its own name
            if channel.topic not in seen:
                seen[channel.topic] = json.loads(message.data)
    for topic, msg in seen.items():
        jsonschema.validate(msg, schemas[FOXGLOVE[topic]])
    frames = {t["child_frame_id"] for t in seen["/tf"]["transforms"]}
    assert {"vehicle", "pack_depleted", "pack_charged", "rig", "rig/pallet", "storage"} <= frames
    scene_frames = {e["frame_id"] for e in seen["/scene"]["entities"]}
    assert scene_frames <= frames and {"vehicle", "rig/pallet"} <= scene_frames
    # The shipped layout follows a frame and plots paths that the recording has.
    layout = json.loads((REPO / "docs" / "foxglove" / "swaptwin_layout.json").read_text())
    panels = layout["configById"]
    assert any(p.get("followTf") in frames for p in panels.values())
    for p in panels.values():
        for path in p.get("paths", []):
            topic = path["value"].split(".", 1)[0]
            assert topic in rec.counts, path


def test_an_mcap_cli_reads_the_recording(swap_run):
    # Foxglove's own CLI is not installable here; pymcap-cli (PyPI, third party) stands in.
    cli = shutil.which("pymcap-cli", path=str(Path(sys.executable).parent))
    if cli is None:
        pytest.fail("pymcap-cli is not installed: pip install -e '.[dev]'")
    env = {**os.environ, "COLUMNS": "200"}
    info = subprocess.run([cli, "info", str(swap_run / "swap.mcap")], capture_output=True, text=True, env=env)
    assert info.returncode == 0 and "/wire/frame" in info.stdout, info.stdout + info.stderr
    doctor = subprocess.run([cli, "doctor", str(swap_run / "swap.mcap")], capture_output=True, text=True, env=env)
    assert doctor.returncode == 0 and "passed MCAP doctor checks" in doctor.stdout, doctor.stdout + doctor.stderr


def test_replay_proves_the_recorded_swap_identical(swap_run, tmp_path):
    proc = run_cli("replay", str(swap_run / "swap.mcap"), f"hydra.run.dir={tmp_path / 'r'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    verdict = json.loads((tmp_path / "r" / "replay.json").read_text())
    assert verdict["identical"] and "IDENTICAL" in proc.stdout
    assert verdict["replayed_trace"] == json.loads((swap_run / "result.json").read_text())["session"]["trace"]


def _tampered(src: Path, dst: Path, *, topic: str, frame_seq: int, change) -> None:
    """A copy of a recording with one message's body changed."""
    with open(src, "rb") as f, open(dst, "wb") as out:
        reader = make_reader(f)
        summary = reader.get_summary()
        w = Writer(out)
        w.start(library="test")
        sids = {sid: w.register_schema(s.name, s.encoding, s.data) for sid, s in summary.schemas.items()}
        cids = {
            cid: w.register_channel(c.topic, c.message_encoding, sids.get(c.schema_id, 0), c.metadata)
            for cid, c in summary.channels.items()
        }
        for _, channel, m in reader.iter_messages():
            data = m.data
            if channel.topic == topic:
                rec = json.loads(data)
                if rec["body"].get("frame_seq") == frame_seq:
                    change(rec["body"])
                    data = json.dumps(rec).encode()
            w.add_message(cids[m.channel_id], m.log_time, data, m.publish_time, m.sequence)
        for a in reader.iter_attachments():
            w.add_attachment(a.create_time, a.log_time, a.name, a.media_type, a.data)
        for md in reader.iter_metadata():
            w.add_metadata(md.name, md.metadata)
        w.finish()


def test_replay_names_the_first_period_and_signal_where_a_recording_parts(swap_run, tmp_path):
    bad = tmp_path / "bad.mcap"

    def nudge(body):
        body["sensors"]["load_cell_n"] += 1.0

    _tampered(swap_run / "swap.mcap", bad, topic="/wire/frame", frame_seq=1500, change=nudge)
    proc = run_cli("replay", str(bad), f"hydra.run.dir={tmp_path / 'r'}", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    d = json.loads((tmp_path / "r" / "replay.json").read_text())["divergence"]
    assert d["period"] == 1500 and d["topic"] == "/wire/frame" and d["signal"] == "body.sensors.load_cell_n"
    assert d["recorded"] == pytest.approx(d["replayed"] + 1.0)
    assert "period 1500" in proc.stdout


def test_controller_replay_finds_where_todays_controller_commands_otherwise(swap_run, tmp_path):
    same = run_cli(
        "replay", str(swap_run / "swap.mcap"), "--controller", f"hydra.run.dir={tmp_path / 'a'}", cwd=tmp_path
    )
    assert same.returncode == 0 and "IDENTICAL" in same.stdout, same.stdout + same.stderr
    other = run_cli(
        "replay",
        str(swap_run / "swap.mcap"),
        "--controller",
        "controller.sequences.under_chassis.contact_speed_mm_s=25",
        f"hydra.run.dir={tmp_path / 'b'}",
        cwd=tmp_path,
    )
    assert other.returncode == 1, other.stdout + other.stderr
    v = json.loads((tmp_path / "b" / "replay.json").read_text())
    first = v["first_difference"]
    assert first["signal"] == "axes.lift.speed" and first["recorded"] == 0.02 and first["now"] == 0.025
    assert 0 < v["commands_differing"] < v["commands_compared"]


def test_the_swap_report_has_its_plots_and_pictures(swap_run):
    result = json.loads((swap_run / "result.json").read_text())
    assert result["report"]["html"] == "swap.html" and result["report"]["render_s"] > 0
    page = (swap_run / "swap.html").read_text()
    assert 'id="verdict"' in page and "Verdict: PASS" in page
    assert page.count("<svg") >= 8 and 'class="band"' in page  # axes, load, locks, connector; phases shaded
    assert page.count("data:image/png;base64,") >= 10 and "data:image/gif;base64," in page
    assert "configs/pack/car_100kwh.yaml" in page and result["config"]["pack_file"]["sha256"] in page
    assert (swap_run / "swap.gif").stat().st_size > 1000


@pytest.mark.browser
def test_the_swap_report_opens_in_headless_chromium_with_plots_and_pictures(swap_run, tmp_path):
    chromium = next((c for c in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(c)), None)
    if chromium is None:
        pytest.fail("headless Chromium is not installed (Debian package chromium); .ci/run installs it")
    # A probe reports, once the page has loaded, how many of its images decoded and how many plots drew lines.
    page = tmp_path / "check.html"
    probe = (
        "<script>window.addEventListener('load', () => {"
        "const imgs=[...document.images];"
        "const ok=imgs.filter(i => i.complete && i.naturalWidth > 0).length;"
        "const plots=[...document.querySelectorAll('svg')].filter(s => s.querySelector('polyline')).length;"
        "document.body.setAttribute('data-check', `images ${ok}/${imgs.length} plots ${plots}`);});</script>"
    )
    page.write_text((swap_run / "swap.html").read_text().replace("</body>", probe + "</body>"))
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    check = dom.stdout.split('data-check="', 1)[1].split('"', 1)[0]
    images, _, plots = check.removeprefix("images ").partition(" plots ")
    ok, total = (int(x) for x in images.split("/"))
    assert total >= 10 and ok == total, check
    assert int(plots) >= 8, check


def test_a_killed_plant_leaves_a_readable_recording_or_none(tmp_path, raw_controller):
    plants = []
    try:
        for sig, name in ((signal.SIGTERM, "term"), (signal.SIGKILL, "kill")):
            out = tmp_path / name
            out.mkdir()
            p = PlantProcess(out, [])
            plants.append(p)
            c = raw_controller(p.endpoint)
            c.hello()
            c.send(wire.HEARTBEAT, {})  # before the first command, so the plant has read it when that is answered
            for _ in range(20):
                c.command(c.recv_type("frame").body["frame_seq"])
            if sig == signal.SIGTERM:  # a stranger's hello while the session runs: refused, busy
                stranger = raw_controller(p.endpoint)
                stranger.send(wire.HELLO, wire.Hello(client="stranger").to_body())
                refused = stranger.recv_type("refused")
            c.recv_type("frame")
            p.proc.send_signal(sig)
            p.proc.wait(timeout=60)
    finally:
        for p in plants:
            p.stop()
    # SIGTERM: the session ends as interrupted, and its recording is finished and readable.
    rec = open_recording(tmp_path / "term" / "swap.mcap")
    assert rec.counts["/wire/command"] == 20 and rec.counts["/wire/heartbeat"] == 1
    session = json.loads(rec.attachments["result.json"])["session"]
    assert session["end_reason"] == "interrupted"
    # What else the plant sent is there too: the welcome's session timeouts, the stranger's refusal.
    records = session_records(tmp_path / "term" / "swap.mcap")
    welcome = next(r for t, r in records if t == "/wire/welcome")["body"]
    assert welcome["station"]["session"]["session_timeout_s"] > 0 and welcome["session"]["token"]
    assert rec.counts["/others/refused"] == session["strangers_answered"] == 1
    (others,) = [r for _, _, r in iter_records(tmp_path / "term" / "swap.mcap", ["/others/refused"])]
    assert others["dir"] == "sent" and others["body"] == refused.body and others["body"]["code"] == "busy"
    assert not list((tmp_path / "term").glob(".swap.mcap.*"))
    # SIGKILL: no swap.mcap, only the hidden partial, which the sweep removes.
    killed = tmp_path / "kill"
    assert not (killed / "swap.mcap").exists()
    partials = list(killed.glob(".swap.mcap.*.partial"))
    assert len(partials) == 1
    assert sweep_partials(killed) == partials and not list(killed.glob(".swap.mcap.*"))
