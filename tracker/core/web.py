"""The shape every write view shares: call the service, and on a refusal say why on the form.

A view loads, authorises (the service refuses with ``NotAllowed``), validates the form, then::

    outcome = attempt(lambda: services.update_action(...), form)
    if not outcome.ok:
        return the form page again (409 when outcome.conflict)
    commit, flash, redirect

``NotFound`` and ``NotAllowed`` are left to the app's error handler (404 / 403 pages).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, abort, request
from werkzeug.routing import BaseConverter

from tracker.core.errors import InvalidChange, VersionConflict
from tracker.extensions import db

T = TypeVar("T")


class ShowsErrors(Protocol):
    def add_errors(self, errors: dict[str, str]) -> None: ...


@dataclass
class Outcome(Generic[T]):
    result: T | None = None
    refused: InvalidChange | None = None
    conflict: VersionConflict | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None and self.conflict is None

    @property
    def status_code(self) -> int:
        return 409 if self.conflict is not None else 200


def attempt(call: Callable[[], T], form: ShowsErrors | None = None) -> Outcome[T]:
    """Run a service call; on a refusal roll back and put the rule messages on the form."""
    try:
        return Outcome(result=call())
    except InvalidChange as refusal:
        db.session.rollback()
        if form is not None:
            form.add_errors(refusal.errors)
        return Outcome(refused=refusal)
    except VersionConflict as conflict:
        db.session.rollback()
        return Outcome(conflict=conflict)


def first_message(refusal: InvalidChange | None, default: str = "That change could not be made.") -> str:
    """Return a refusal's first message, for a flash when there is no form to put it on."""
    if refusal is None or not refusal.errors:
        return default
    return next(iter(refusal.errors.values()))


class IsoDateConverter(BaseConverter):
    """A date in a web address, as YYYY-MM-DD (``<isodate:meets_on>``); the view still parses it.

    Only the shape is matched here, so ``/meetings/plan`` can never be read as a meeting's date.
    """

    regex = r"\d{4}-\d{2}-\d{2}"


def limit_upload_size(blueprint: Blueprint, max_file_bytes: int) -> None:
    """Answer 413 for any request to the blueprint whose body is larger than the largest file allowed
    (plus a little for the form around it), before anything reads the body: the CSRF check would
    otherwise read it all into memory first."""
    request_limit = max_file_bytes + 64 * 1024

    @blueprint.url_value_preprocessor
    def _refuse_oversized(_endpoint: str | None, _values: dict | None) -> None:
        request.max_content_length = request_limit
        if request.content_length is not None and request.content_length > request_limit:
            abort(413)


def normalised_query() -> str:
    """The request's query string in one spelling whatever the order of its parameters: the part of a
    cache key that says which question a filtered page was asked."""
    return urlencode(sorted(request.args.items(multi=True)))
