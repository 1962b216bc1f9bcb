"""Schema 1 pinned byte for byte: the live position of a hand-made programme encodes to exactly the stored text.

Boards frozen before any change to how the position is read keep their checksums only while the same
data gives the same bytes; this test fails on any change to a key, a value's form or the order of items.
Ids are replaced by their order of appearance, as they depend on the database's sequences.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from tests.board.helpers import board_world
from tests.conftest import TODAY
from tests.factories import make_action, make_project, make_workstream
from tracker.board.snapshots import build_position, encode
from tracker.extensions import db
from tracker.history.services import FieldChange, record_changes
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.status import Status

GOLDEN = Path(__file__).with_name("position_schema1.json")
# Which kind of item each id names, by the list it is in and its key.
ID_KINDS = {"id": None, "project_id": "projects", "workstream_id": "workstreams", "parent_id": "workstreams"}


def _without_ids(position: dict[str, Any]) -> dict[str, Any]:
    """Return the position with each id replaced by its order of first appearance within its kind (risk refs too)."""
    numbers: dict[tuple[str, int], int] = {}

    def number(kind: str, raw: int | None) -> int | None:
        return None if raw is None else numbers.setdefault((kind, raw), sum(k == kind for k, _ in numbers) + 1)

    for kind in ("workstreams", "projects", "actions", "kpis", "risks"):
        for item in position[kind]:
            for key, of in ID_KINDS.items():
                if key in item:
                    item[key] = number(of or kind, item[key])
            if kind == "risks":
                item["ref"] = f"R{item['id']}"
    return position


def _world() -> Programme:
    """board_world, plus a sub-workstream with an overdue, a complete and an undated action, and a date moved."""
    world = board_world()
    parent = db.session.scalars(select(Workstream).where(Workstream.ref == "A")).one()
    project = make_project(make_workstream("A.1", parent=parent), "A9", status=Status.RED, progress="Behind.")
    make_action(project, "A9.1", status=Status.RED, deadline=date(2026, 11, 1))  # overdue on TODAY
    make_action(project, "A9.2", status=Status.BLUE, deadline=date(2026, 10, 1), start_date=None)
    moved = make_action(project, "A9.3", status=Status.GREY, deadline=None, start_date=date(2027, 1, 4))
    record_changes(moved, [FieldChange("deadline", date(2026, 12, 1), None, "Waiting for the new contract")], None)
    # Stored timestamps pinned; one without microseconds, which isoformat leaves out.
    db.session.execute(update(Action).values(updated_at=datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=UTC)))
    db.session.execute(update(Action).where(Action.ref == "A9.2").values(updated_at=datetime(2026, 11, 21, tzinfo=UTC)))
    db.session.execute(update(Project).values(updated_at=datetime(2026, 11, 19, 17, 5, 1, 7, tzinfo=UTC)))
    db.session.commit()
    programme: Programme = world["programme"]
    return programme


def test_the_position_encodes_to_the_pinned_bytes(app):
    position = build_position(_world(), TODAY)
    text = encode(_without_ids(position)) + "\n"
    if not GOLDEN.exists():  # the first run writes the file: read it, then keep it with the test
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
