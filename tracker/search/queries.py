"""The search: workstreams, projects and actions whose ref, title, lead or progress text hold every word.

It searches the programmes it is given (one, or every one the visitor may read). One statement
per kind of item, whatever the size or number of the programmes: each returns at most ``limit``
rows, best first, with the number of all matches beside every row (a window count), and the
programme of each row, so a result links into its own programme. Archived items are never found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.queries import contains_words, search_words
from tracker.programme.status import Status

RESULTS_PER_KIND = 50
SNIPPET_CHARS = 180


@dataclass(frozen=True)
class Hit:
    """One item found: what its result line shows and where it links."""

    kind: str  # "workstream", "project" or "action"
    programme: Programme  # links name it: /p/<short_name>/...
    ref: str
    slug: str
    title: str
    status: Status | None
    lead_name: str | None
    parent_ref: str | None  # the project of an action, the workstream of a project
    snippet_label: str | None  # which text the snippet comes from ("Progress", "Next steps", ...)
    snippet: str | None


@dataclass
class KindResults:
    """The items of one kind that match: the first `limit` of them, and how many there are."""

    kind: str
    plural: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0

    @property
    def shown(self) -> int:
        return len(self.hits)


@dataclass
class SearchResults:
    words: list[str]
    groups: list[KindResults]
    programmes: list[Programme] = field(default_factory=list)  # the programmes searched

    @property
    def across_programmes(self) -> bool:
        """Whether results may come from more than one programme (then each says which)."""
        return len(self.programmes) > 1

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


def snippet(text: str, words: list[str], width: int = SNIPPET_CHARS) -> str | None:
    """Return a piece of text around its first matching word (with … where cut), or None if none matches."""
    lowered = text.lower()
    positions = [lowered.find(word) for word in words if word in lowered]
    if not positions:
        return None
    first = min(positions)
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    if start > 0:  # start on a word boundary
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", max(first, start), end)
        end = space if space > first else end
    piece = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")


def _first_snippet(words: list[str], texts: list[tuple[str, str | None]]) -> tuple[str | None, str | None]:
    for label, text in texts:
        if text:
            piece = snippet(text, words)
            if piece:
                return label, piece
    return None, None


def _ranked(query: Select, ref_column: Any, phrase: str, sort_key: Any, programme_id: Any, limit: int) -> Select:
    """Exact ref first, then refs that start with the search, then the rest in natural ref order.

    The same ref in two programmes comes out side by side, the older programme first.
    """
    lowered_ref = func.lower(ref_column)
    rank = case(
        (lowered_ref == phrase, 0),
        (lowered_ref.startswith(phrase, autoescape=True), 1),
        else_=2,
    )
    return query.add_columns(func.count().over().label("total")).order_by(rank, sort_key, programme_id).limit(limit)


def _workstreams(programmes: dict[int, Programme], words: list[str], phrase: str, limit: int) -> KindResults:
    parent = aliased(Workstream)
    query = (
        select(
            Workstream.programme_id,
            Workstream.ref,
            Workstream.slug,
            Workstream.title,
            Workstream.description,
            parent.ref,
        )
        .outerjoin(parent, Workstream.parent_id == parent.id)
        .where(
            Workstream.programme_id.in_(programmes),
            Workstream.archived_at.is_(None),
            contains_words(words, Workstream.ref, Workstream.title, Workstream.description),
        )
    )
    results = KindResults("workstream", "workstreams")
    ranked = _ranked(query, Workstream.ref, phrase, Workstream.ref_sort, Workstream.programme_id, limit)
    for programme_id, ref, slug, title, description, parent_ref, total in db.session.execute(ranked):
        label, piece = _first_snippet(words, [("Description", description)])
        programme = programmes[programme_id]
        results.hits.append(Hit("workstream", programme, ref, slug or ref, title, None, None, parent_ref, label, piece))
        results.total = total
    return results


def _projects(programmes: dict[int, Programme], words: list[str], phrase: str, limit: int) -> KindResults:
    query = (
        select(
            Project.programme_id,
            Project.ref,
            Project.slug,
            Project.title,
            Project.status,
            Person.name,
            Workstream.ref,
            Project.progress,
            Project.next_steps,
        )
        .join(Workstream, Project.workstream_id == Workstream.id)
        .outerjoin(Person, Project.lead_id == Person.id)
        .where(
            Project.programme_id.in_(programmes),
            Project.archived_at.is_(None),
            Workstream.archived_at.is_(None),
            contains_words(words, Project.ref, Project.title, Person.name, Project.progress, Project.next_steps),
        )
    )
    results = KindResults("project", "projects")
    ranked = _ranked(query, Project.ref, phrase, Project.ref_sort, Project.programme_id, limit)
    for programme_id, ref, slug, title, status, lead, ws_ref, progress, next_steps, total in db.session.execute(ranked):
        label, piece = _first_snippet(words, [("Progress", progress), ("Next steps", next_steps)])
        programme = programmes[programme_id]
        results.hits.append(Hit("project", programme, ref, slug or ref, title, status, lead, ws_ref, label, piece))
        results.total = total
    return results


def _actions(programmes: dict[int, Programme], words: list[str], phrase: str, limit: int) -> KindResults:
    query = (
        select(
            Action.programme_id,
            Action.ref,
            Action.slug,
            Action.title,
            Action.status,
            Person.name,
            Project.ref,
            Action.progress_note,
        )
        .join(Project, Action.project_id == Project.id)
        .outerjoin(Person, Action.lead_id == Person.id)
        .where(
            Action.programme_id.in_(programmes),
            Action.archived_at.is_(None),
            Project.archived_at.is_(None),
            contains_words(words, Action.ref, Action.title, Person.name, Action.progress_note),
        )
    )
    results = KindResults("action", "actions")
    ranked = _ranked(query, Action.ref, phrase, Action.ref_sort, Action.programme_id, limit)
    for programme_id, ref, slug, title, status, lead, project_ref, note, total in db.session.execute(ranked):
        label, piece = _first_snippet(words, [("Progress note", note)])
        programme = programmes[programme_id]
        results.hits.append(Hit("action", programme, ref, slug or ref, title, status, lead, project_ref, label, piece))
        results.total = total
    return results


def readable_programmes(signed_in: bool) -> list[Programme]:
    """Return the programmes a visitor may search, by name: every one when signed in, else the public ones."""
    query = select(Programme).order_by(Programme.name, Programme.id)
    if not signed_in:
        query = query.where(Programme.public_progress_pages.is_(True))
    return list(db.session.scalars(query))


def any_public_programme() -> bool:
    """Return whether any programme's progress pages are open to everyone (then anyone may search them)."""
    return bool(db.session.scalar(select(select(Programme.id).where(Programme.public_progress_pages).exists())))


def any_programme() -> bool:
    """Return whether the installation holds a programme at all (a search across none is no help)."""
    return bool(db.session.scalar(select(select(Programme.id).exists())))


def programme_named(short_name: str) -> Programme | None:
    """Return the programme with this short name, or None (for a 404 page, which must not raise)."""
    return db.session.scalars(select(Programme).where(Programme.short_name == short_name)).first()


def search(text: str, programmes: Sequence[Programme], limit: int = RESULTS_PER_KIND) -> SearchResults:
    """Return the live workstreams, projects and actions of these programmes matching every word of text.

    Three statements whatever the number of programmes or items; none for no words or no programmes.
    """
    words = search_words(text)
    if not words or not programmes:
        return SearchResults(words, [], list(programmes))
    phrase = " ".join(text.lower().split())
    by_id = {programme.id: programme for programme in programmes}
    return SearchResults(
        words,
        [
            _workstreams(by_id, words, phrase, limit),
            _projects(by_id, words, phrase, limit),
            _actions(by_id, words, phrase, limit),
        ],
        list(programmes),
    )
