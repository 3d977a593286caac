"""Tag maps are data: each shipped map fits its rig family's vocabulary, and a bad
map fails before anything connects, naming its file, the key and what is allowed."""

from __future__ import annotations

import re

import pytest

from gateways.opcua.tagmap import TAGMAP_DIR, UNITS, load_tagmap, scale_of
from tests.conftest import run_cli
from twin.rigs import FAMILIES
from twin.schema import ConfigError


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_rig_family_has_a_tag_map_that_covers_its_vocabulary(family):
    m = load_tagmap(family)
    vocab = FAMILIES[family].vocabulary
    assert m.station == family
    assert list(m.axes) == list(vocab.AXES)
    assert {name: t.kind for name, t in m.sensors.items()} == {s.name: s.info.kind for s in vocab.SENSORS}
    assert set(m.tools) == set(vocab.TOOLS)
    for s in vocab.SENSORS:  # each two-channel sensor as two tags
        if s.info.kind == "two_channel":
            t = m.sensors[s.name]
            assert t.a.node != t.b.node and t.a.type == t.b.type == "Boolean"


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_shipped_tag_map_is_the_one_generated_from_its_station_description(family):
    """A new axis or sensor of a family (issue 12's tooling axes, pack_id, pad_loads_n)
    fails here until its tag map is regenerated (python -m gateways.opcua.generate --write)."""
    from gateways.opcua.generate import default_description, tagmap_text

    d = default_description(family)
    assert (TAGMAP_DIR / f"{family}.yaml").read_text() == tagmap_text(d)
    m = load_tagmap(family)  # and the generated map passes the tag map's own checks
    assert list(m.axes) == d.axis_names and list(m.sensors) == list(d.sensors)


def test_the_scale_follows_from_the_plc_unit():
    assert scale_of("mm", "length") == 1000.0
    assert scale_of("deg", "angle") == pytest.approx(57.29577951308232)
    assert scale_of("kN", "force") == 1e-3
    assert scale_of("deg", "length") is None
    assert all(units[next(iter(units))] == 1.0 for units in UNITS.values())  # the SI unit first, scale 1


def _bad_map(tmp_path, old: str, new: str, family: str = "under_chassis"):
    text = (TAGMAP_DIR / f"{family}.yaml").read_text()
    assert old in text, old
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    "old, new, key, message",
    [
        (
            "target: {node: Axes.travel.Target, type: Double, unit: mm}",
            "target: {node: Axes.travel.Target, type: Int32, unit: mm}",
            "axes.travel.target.type",
            "'Int32' is not allowed here; choose one of Double, Float",
        ),
        (
            "pos: {node: Axes.lift.Pos, type: Double, unit: mm}",
            "pos: {node: Axes.lift.Pos, type: Double, unit: deg}",
            "axes.lift.pos.unit",
            "'deg' is not a unit of length; choose one of m, mm, um",
        ),
        (
            "pos: {node: Axes.yaw.Pos, type: Double, unit: deg}",
            "pos: {node: Axes.yaw.Pos, type: Double, unit: mm}",
            "axes.yaw.pos.unit",
            "'mm' is not a unit of angle",
        ),
        (
            'command: {node: "Locks.{id}.Command", type: Int16}',
            "command: {node: Locks.Command, type: Int16}",
            "locks.command.node",
            "must hold {id}",
        ),
        (
            "  float_locked: {kind: switch, value: {node: Sensors.FloatLocked, type: Boolean}}\n",
            "",
            "sensors",
            "no tags for float_locked of the under_chassis vocabulary",
        ),
        (
            "    kind: two_channel\n    a: {node: Sensors.PackPresent.A, type: Boolean}\n",
            "    kind: two_channel\n",
            "sensors.pack_present.a",
            "a two_channel sensor needs it",
        ),
        (
            'value: {node: "Sensors.PadLoads.{index}", type: Double, unit: N}',
            "value: {node: Sensors.PadLoads, type: Double, unit: N}",
            "sensors.pad_loads_n.value.node",
            "must hold {index}",
        ),
        (
            "pack_id: {kind: identity, value: {node: Sensors.PackId, type: String}}",
            "pack_id: {kind: identity, value: {node: Sensors.PackId, type: Int32}}",
            "sensors.pack_id.value.type",
            "'Int32' is not allowed here; choose one of String",
        ),
        ("  remote_mode: 2", "  remote_mode: two", "plc.remote_mode", "is not a number"),
        ("  scan_period_s: 0.01", "  scan_period_s: 0.01\n  scan_jitter_s: 0.001", "plc.scan_jitter_s", "unknown key"),
        (
            "axis_mode: {none: 0, position: 1, hold: 2, stop: 3}",
            "axis_mode: {none: 0, position: 1, hold: 1, stop: 3}",
            "codes.axis_mode",
            "two values share a code",
        ),
    ],
)
def test_a_bad_tag_map_names_its_file_and_key(tmp_path, old, new, key, message):
    path = _bad_map(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        load_tagmap(str(path))
    problems = [p for p in err.value.problems if p.key == key]
    assert problems, [str(p) for p in err.value.problems]
    assert problems[0].where == str(path) and message in problems[0].message


def test_a_bad_tag_map_stops_swaptwin_swap_with_exit_2_before_any_process_starts(tmp_path):
    path = _bad_map(
        tmp_path,
        "speed: {node: Axes.travel.Speed, type: Double, unit: mm/s}",
        "speed: {node: Axes.travel.Speed, type: Double, unit: mm/min}",
    )
    run = tmp_path / "run"
    proc = run_cli("swap", "gateway=opcua", f"gateway.tagmap={path}", f"hydra.run.dir={run}", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    expected = rf"{re.escape(str(path))}: axes\.travel\.speed\.unit: .mm/min. is not a unit of speed"
    assert re.search(expected, proc.stderr)
    assert not (run / "plc.log").exists() and not (run / "gateway.log").exists()


def test_the_tag_map_must_be_the_rigs(tmp_path):
    proc = run_cli("swap", "gateway=opcua", "gateway.tagmap=overhead", f"hydra.run.dir={tmp_path}", cwd=tmp_path)
    assert proc.returncode == 2
    assert "configs/tagmap/overhead.yaml: station: 'overhead': the swap's rig is 'under_chassis'" in proc.stderr
