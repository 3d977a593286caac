"""docs/protocol.md's field tables are generated from the typed messages: stale tables fail here."""

from __future__ import annotations

from pathlib import Path

import swapwire as wire
from swapwire import docgen
from swapwire.errors import Code

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def test_the_protocol_document_is_not_stale():
    assert docgen.main([str(DOC), "--check"]) == 0, "run: python -m swapwire.docgen docs/protocol.md"


def test_a_table_edited_by_hand_is_stale_and_regenerated(tmp_path, capsys):
    text = DOC.read_text(encoding="utf-8")
    row = "| `frame_seq` | int |  | yes | the frame this command answers |"
    edited = text.replace(row, "| `frame_seq` | int | | |", 1)
    assert edited != text
    doc = tmp_path / "protocol.md"
    doc.write_text(edited, encoding="utf-8")
    assert docgen.main([str(doc), "--check"]) == 1
    assert "stale" in capsys.readouterr().out
    assert docgen.main([str(doc)]) == 0 and doc.read_text(encoding="utf-8") == text


def test_every_message_type_and_code_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for mtype in sorted(wire.CONTROLLER_TYPES | wire.PLANT_TYPES):
        assert f"### `{mtype}`" in text, mtype
    for code in Code:
        assert f"| `{code.value}` |" in text, code
    assert f"version {wire.PROTOCOL_VERSION[0]}.{wire.PROTOCOL_VERSION[1]}" in text.splitlines()[0]
