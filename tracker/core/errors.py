"""Refusals a service raises and a page (or later the API) turns into a clear answer.

Services never call ``abort``: the web layer maps these to 403, 404 and 409 pages in one
error handler (``tracker.core.error_pages``), and the CLI turns them into messages.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base for refusals a user must understand."""

    status_code = 400


class NotFound(ServiceError):
    """The thing asked for does not exist (404)."""

    status_code = 404


class NotAllowed(ServiceError):
    """The user may not do this (403)."""

    status_code = 403


class InvalidChange(ServiceError):
    """The change breaks a rule; errors maps form field names to messages."""

    status_code = 400

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors

    @classmethod
    def refuse_any(cls, errors: dict[str, str]) -> None:
        """Refuse the change when any rule is broken (errors non-empty); otherwise do nothing."""
        if errors:
            raise cls(errors)


class VersionConflict(ServiceError):
    """Someone saved the item after the user opened it (409)."""

    status_code = 409

    def __init__(self, item: Any, expected_version: int | None):
        # Read loaded values only: after a failed flush the session cannot load anything.
        loaded = item.__dict__
        label = loaded.get("ref") or loaded.get("period_label") or loaded.get("id")
        super().__init__(f"{type(item).__name__} {label} has moved on from version {expected_version}")
        self.item = item
        self.expected_version = expected_version


def check_version(item: Any, expected_version: int | None) -> None:
    """Refuse a save made against an older version than the one stored."""
    if expected_version is not None and item.version != expected_version:
        raise VersionConflict(item, expected_version)


def check_seen_version(item: Any, seen_version: int | None) -> None:
    """Refuse a save from an edit form that carried no version, or an older one than the one stored."""
    # Edit forms always send the version they showed: a missing one is a broken or forged post.
    if seen_version is None:
        raise VersionConflict(item, None)
    check_version(item, seen_version)
