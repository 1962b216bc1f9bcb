"""The search: workstreams, projects and actions whose ref, title, lead or progress text hold every word.

One statement per kind of item, whatever the size of the programme: each returns at most
``limit`` rows, best first, with the number of all matches beside every row (a window count).
Archived items are never found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Action, Project, Workstream
from tracker.programme.queries import contains_words, search_words
from tracker.programme.status import Status

RESULTS_PER_KIND = 50
SNIPPET_CHARS = 180


@dataclass(frozen=True)
class Hit:
    """One item found: what its result line shows and where it links."""

    kind: str  # "workstream", "project" or "action"
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


def _ranked(query: Select, ref_column: Any, phrase: str, sort_key: Any, limit: int) -> Select:
    """Exact ref first, then refs that start with the search, then the rest in natural ref order."""
    lowered_ref = func.lower(ref_column)
    rank = case(
        (lowered_ref == phrase, 0),
        (lowered_ref.startswith(phrase, autoescape=True), 1),
        else_=2,
    )
    return query.add_columns(func.count().over().label("total")).order_by(rank, sort_key).limit(limit)


def _workstreams(words: list[str], phrase: str, limit: int) -> KindResults:
    parent = aliased(Workstream)
    query = (
        select(Workstream.ref, Workstream.slug, Workstream.title, Workstream.description, parent.ref)
        .outerjoin(parent, Workstream.parent_id == parent.id)
        .where(
            Workstream.archived_at.is_(None),
            contains_words(words, Workstream.ref, Workstream.title, Workstream.description),
        )
    )
    results = KindResults("workstream", "workstreams")
    for ref, slug, title, description, parent_ref, total in db.session.execute(
        _ranked(query, Workstream.ref, phrase, Workstream.ref_sort, limit)
    ):
        label, piece = _first_snippet(words, [("Description", description)])
        results.hits.append(Hit("workstream", ref, slug or ref, title, None, None, parent_ref, label, piece))
        results.total = total
    return results


def _projects(words: list[str], phrase: str, limit: int) -> KindResults:
    query = (
        select(
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
            Project.archived_at.is_(None),
            Workstream.archived_at.is_(None),
            contains_words(words, Project.ref, Project.title, Person.name, Project.progress, Project.next_steps),
        )
    )
    results = KindResults("project", "projects")
    for ref, slug, title, status, lead, workstream_ref, progress, next_steps, total in db.session.execute(
        _ranked(query, Project.ref, phrase, Project.ref_sort, limit)
    ):
        label, piece = _first_snippet(words, [("Progress", progress), ("Next steps", next_steps)])
        results.hits.append(Hit("project", ref, slug or ref, title, status, lead, workstream_ref, label, piece))
        results.total = total
    return results


def _actions(words: list[str], phrase: str, limit: int) -> KindResults:
    query = (
        select(Action.ref, Action.slug, Action.title, Action.status, Person.name, Project.ref, Action.progress_note)
        .join(Project, Action.project_id == Project.id)
        .outerjoin(Person, Action.lead_id == Person.id)
        .where(
            Action.archived_at.is_(None),
            Project.archived_at.is_(None),
            contains_words(words, Action.ref, Action.title, Person.name, Action.progress_note),
        )
    )
    results = KindResults("action", "actions")
    for ref, slug, title, status, lead, project_ref, note, total in db.session.execute(
        _ranked(query, Action.ref, phrase, Action.ref_sort, limit)
    ):
        label, piece = _first_snippet(words, [("Progress note", note)])
        results.hits.append(Hit("action", ref, slug or ref, title, status, lead, project_ref, label, piece))
        results.total = total
    return results


def search(text: str, limit: int = RESULTS_PER_KIND) -> SearchResults:
    """Return the live workstreams, projects and actions matching every word of text, in three statements."""
    words = search_words(text)
    if not words:
        return SearchResults([], [])
    phrase = " ".join(text.lower().split())
    return SearchResults(
        words, [_workstreams(words, phrase, limit), _projects(words, phrase, limit), _actions(words, phrase, limit)]
    )
