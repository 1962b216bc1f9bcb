"""Movement since the last board: what changed between two position documents (board.snapshots).

``movement(before, after)`` is pure (two dicts in, one ``Movement`` out, no database): items whose
status changed with counts by transition ("9 actions Amber → Green"), new and closed items (closed:
archived or removed, so no longer on the board), deadlines and target dates that moved with the
reason given, items newly overdue, and KPIs whose status or direction changed.

The reason a date moved is the note given with the latest change of that date in the item's
history, as frozen in the later document (``deadline_note`` / ``target_date_note``); when that note
is empty, the item's progress note (a project's progress) in the later document stands in, and
``reason_source`` says which.

``movement_for_meeting(programme, meeting)`` compares the meeting's frozen board with the previous
frozen one; for a meeting not yet frozen, the latest frozen board with the live position.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from tracker.board.models import BoardSnapshot
from tracker.board.snapshots import frozen_document, live_position, snapshot_of
from tracker.core.cache import cached
from tracker.core.clock import today as clock_today
from tracker.core.templating import govuk_date
from tracker.extensions import db
from tracker.kpis.models import kpi_label
from tracker.programme.data_version import version_key
from tracker.programme.models import BoardMeeting, Programme
from tracker.programme.status import Status

# Kinds of item compared, with their list in the document and the field holding their date.
KINDS = (("project", "projects", "target_date"), ("action", "actions", "deadline"))
PLURALS = {"workstream": "workstreams", "project": "projects", "action": "actions", "kpi": "KPIs"}
DATE_WORDS = {"deadline": "deadline", "target_date": "target date"}
# The movement page shows this many entries of each list, then a link to them all: 1,500 status
# changes are a count and a sample to a board, and rendering them all would cost the page 80 ms.
LIST_FOLD = 50


@dataclass(frozen=True)
class ItemRef:
    """An item as a change names it: what it is, its ref and address, its title and lead."""

    kind: str
    id: int
    ref: str
    slug: str
    title: str
    lead: str | None = None

    @property
    def endpoint(self) -> str:
        """Return the page of the item (``url_for(endpoint, ref=slug)``)."""
        return {"workstream": "programme.workstream", "project": "programme.project", "kpi": "kpis.kpi_page"}.get(
            self.kind, "programme.action"
        )

    @property
    def label(self) -> str:
        return kpi_label(self.ref) if self.kind == "kpi" else f"{self.kind.capitalize()} {self.ref}"


@dataclass(frozen=True)
class StatusChange:
    item: ItemRef
    before: str
    after: str


@dataclass(frozen=True)
class Transition:
    """How many items of a kind moved from one status to another."""

    kind: str
    before: str
    after: str
    count: int

    @property
    def sentence(self) -> str:
        noun = self.kind if self.count == 1 else PLURALS[self.kind]
        return f"{self.count} {noun} {Status(self.before).label} → {Status(self.after).label}"


@dataclass(frozen=True)
class DateMove:
    item: ItemRef
    field: str  # "deadline" or "target_date"
    before: str | None
    after: str | None
    reason: str
    reason_source: str  # "history" (the note given with the change), "progress note", or "" (none given)

    @property
    def field_label(self) -> str:
        return DATE_WORDS[self.field]

    @property
    def slipped(self) -> bool:
        """A date pushed later (or removed); an earlier date is brought forward."""
        return self.after is None or (self.before is not None and self.after > self.before)


@dataclass(frozen=True)
class Overdue:
    item: ItemRef
    due: str | None
    status: str


@dataclass(frozen=True)
class KpiChange:
    item: ItemRef
    status_before: str | None
    status_after: str | None
    direction_before: str | None
    direction_after: str | None

    @property
    def status_changed(self) -> bool:
        return self.status_before != self.status_after


@dataclass
class Movement:
    before_as_at: str
    after_as_at: str
    before_meeting: str | None
    after_meeting: str | None  # None: the live position
    status_changes: list[StatusChange] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    new: list[ItemRef] = field(default_factory=list)
    closed: list[ItemRef] = field(default_factory=list)
    date_moves: list[DateMove] = field(default_factory=list)
    newly_overdue: list[Overdue] = field(default_factory=list)
    kpi_changes: list[KpiChange] = field(default_factory=list)
    # What the movement is between, for caching its page: set by movement_for_meeting.
    key: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.status_changes or self.new or self.closed or self.date_moves or self.newly_overdue or self.kpi_changes
        )

    def transitions_of(self, kind: str) -> list[Transition]:
        return [t for t in self.transitions if t.kind == kind]

    def to_json(self) -> dict[str, Any]:
        def item(ref: ItemRef) -> dict[str, Any]:
            return {"kind": ref.kind, "ref": ref.ref, "title": ref.title, "lead": ref.lead}

        return {
            "before": {"meeting": self.before_meeting, "position_as_at": self.before_as_at},
            "after": {"meeting": self.after_meeting, "position_as_at": self.after_as_at},
            "transitions": [
                {"kind": t.kind, "from": t.before, "to": t.after, "count": t.count, "sentence": t.sentence}
                for t in self.transitions
            ],
            "status_changes": [{**item(c.item), "from": c.before, "to": c.after} for c in self.status_changes],
            "new": [item(ref) for ref in self.new],
            "closed": [item(ref) for ref in self.closed],
            "dates_moved": [
                {
                    **item(m.item),
                    "field": m.field,
                    "from": m.before,
                    "to": m.after,
                    "reason": m.reason,
                    "reason_source": m.reason_source,
                }
                for m in self.date_moves
            ],
            "newly_overdue": [{**item(o.item), "due": o.due, "status": o.status} for o in self.newly_overdue],
            "kpis": [
                {
                    **item(k.item),
                    "status_from": k.status_before,
                    "status_to": k.status_after,
                    "direction_from": k.direction_before,
                    "direction_to": k.direction_after,
                }
                for k in self.kpi_changes
            ],
        }

    def lines(self) -> list[str]:
        """Return the movement as plain text, as the command prints it."""
        after = f"the board of {_day(self.after_meeting)}" if self.after_meeting else "the live position"
        before = f"the board of {_day(self.before_meeting)}" if self.before_meeting else "the earlier position"
        lines = [
            f"Movement from {before} (as at {_day(self.before_as_at)}) to {after} (as at {_day(self.after_as_at)})"
        ]
        if self.is_empty:
            return [*lines, "Nothing moved."]
        sections: list[tuple[str, list[str]]] = [
            ("Status changes", [t.sentence for t in self.transitions]),
            ("New", [f"{ref.label}: {ref.title}" for ref in self.new]),
            ("Closed (archived or removed)", [f"{ref.label}: {ref.title}" for ref in self.closed]),
            (
                "Dates moved",
                [
                    f"{m.item.label}: {m.field_label} {_day(m.before) or 'none'} → {_day(m.after) or 'none'}"
                    + (f" ({m.reason_source}: {m.reason})" if m.reason else " (no reason given)")
                    for m in self.date_moves
                ],
            ),
            (
                "Newly overdue",
                [f"{o.item.label}: due {_day(o.due)} ({o.item.lead or 'no lead'})" for o in self.newly_overdue],
            ),
            (
                "KPIs",
                [
                    f"{k.item.label}: status {k.status_before or 'none'} → {k.status_after or 'none'}, "
                    f"direction {k.direction_before or 'none'} → {k.direction_after or 'none'}"
                    for k in self.kpi_changes
                ],
            ),
        ]
        for heading, entries in sections:
            if entries:
                lines += ["", f"{heading} ({len(entries)})", *(f"  {entry}" for entry in entries)]
        return lines


def _day(iso: str | None) -> str:
    return govuk_date(date.fromisoformat(iso)) if iso else ""


def _ref(kind: str, item: dict[str, Any]) -> ItemRef:
    return ItemRef(kind, item["id"], item["ref"], item["slug"], item["title"], item.get("lead") or item.get("owner"))


def _date_move(kind: str, date_field: str, old: dict[str, Any], new: dict[str, Any]) -> DateMove:
    note = (new.get(f"{date_field}_note") or "").strip()
    progress = (new.get("progress_note") if kind == "action" else new.get("progress")) or ""
    if note:
        reason, source = note, "history"
    elif progress.strip():
        reason, source = progress.strip(), "progress note"
    else:
        reason, source = "", ""
    return DateMove(_ref(kind, new), date_field, old.get(date_field), new.get(date_field), reason, source)


def movement(before: dict[str, Any], after: dict[str, Any]) -> Movement:
    """Return what changed from one position document to a later one (pure: no database)."""
    result = Movement(
        before_as_at=before["position_as_at"],
        after_as_at=after["position_as_at"],
        before_meeting=(before.get("meeting") or {}).get("date"),
        after_meeting=(after.get("meeting") or {}).get("date"),
    )
    old_ws = {ws["id"]: ws for ws in before.get("workstreams", [])}
    new_ws = {ws["id"]: ws for ws in after.get("workstreams", [])}
    result.new += [_ref("workstream", ws) for wid, ws in new_ws.items() if wid not in old_ws]
    result.closed += [_ref("workstream", ws) for wid, ws in old_ws.items() if wid not in new_ws]
    transitions: Counter[tuple[str, str, str]] = Counter()
    for kind, key, date_field in KINDS:
        old_items = {item["id"]: item for item in before.get(key, [])}
        new_items = {item["id"]: item for item in after.get(key, [])}
        for item_id, new in new_items.items():
            old = old_items.get(item_id)
            if old is None:
                result.new.append(_ref(kind, new))
            else:
                if old["status"] != new["status"]:
                    result.status_changes.append(StatusChange(_ref(kind, new), old["status"], new["status"]))
                    transitions[(kind, old["status"], new["status"])] += 1
                if old.get(date_field) != new.get(date_field):
                    result.date_moves.append(_date_move(kind, date_field, old, new))
            if new.get("overdue") and not (old and old.get("overdue")):
                result.newly_overdue.append(Overdue(_ref(kind, new), new.get(date_field), new["status"]))
        result.closed += [_ref(kind, old) for item_id, old in old_items.items() if item_id not in new_items]
    order = {status.value: status.order for status in Status}
    kind_order = {kind: n for n, (kind, _key, _field) in enumerate(KINDS)}
    result.transitions = sorted(
        (Transition(kind, old, new, count) for (kind, old, new), count in transitions.items()),
        key=lambda t: (kind_order[t.kind], -t.count, order[t.before], order[t.after]),
    )
    result.kpi_changes = _kpi_changes(before.get("kpis", []), after.get("kpis", []))
    return result


def _kpi_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[KpiChange]:
    old_kpis = {kpi["id"]: kpi for kpi in before}
    changes = []
    for kpi in after:
        old = old_kpis.get(kpi["id"])
        if old is None:
            continue
        if old.get("status") != kpi.get("status") or old.get("direction") != kpi.get("direction"):
            ref = ItemRef("kpi", kpi["id"], kpi["ref"], kpi["slug"], kpi["title"], kpi.get("owner"))
            changes.append(
                KpiChange(ref, old.get("status"), kpi.get("status"), old.get("direction"), kpi.get("direction"))
            )
    return changes


# --- which two positions a meeting compares ---------------------------------------------------


def _frozen_before(programme: Programme, meets_on: date | None) -> BoardSnapshot | None:
    """Return the latest frozen board of the programme before that date (any date when None); one statement."""
    query = (
        select(BoardSnapshot)
        .options(defer(BoardSnapshot.content))
        .join(BoardMeeting, BoardSnapshot.meeting_id == BoardMeeting.id)
        .where(BoardSnapshot.programme_id == programme.id)
    )
    if meets_on is not None:
        query = query.where(BoardMeeting.meets_on < meets_on)
    return db.session.scalars(query.order_by(BoardMeeting.meets_on.desc()).limit(1)).first()


def movement_for_meeting(programme: Programme, meeting: BoardMeeting, today: date | None = None) -> Movement | None:
    """Return the movement the meeting's page shows, or None when there is no earlier frozen board to compare with.

    A frozen meeting: its board against the previous frozen one (kept in the cache: both are immutable).
    A meeting not yet frozen: the latest frozen board against the live position.
    """
    snapshot = snapshot_of(meeting)
    today = today or clock_today()
    previous = _frozen_before(programme, None if snapshot is None else meeting.meets_on)
    if previous is None:
        return None
    if snapshot is None:
        # The live position changes with every write: keyed by the data version and the day.
        key = version_key("board-movement", programme, today.isoformat(), previous.id)
        later = None
    else:
        key = f"board-movement:{snapshot.id}:{snapshot.content_sha256}:{previous.id}:{previous.content_sha256}"
        later = snapshot

    def compute() -> Movement:
        after = live_position(programme, today) if later is None else frozen_document(later)
        result = movement(frozen_document(previous), after)
        result.key = key
        return result

    cached_result: Movement = cached(key, compute)
    return cached_result
