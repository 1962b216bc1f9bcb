"""How long programme text may be: the forms and the services share these, so a tampered POST meets the same wall."""

from __future__ import annotations

from tracker.core.refs import MAX_REF as MAX_REF  # the one rule for refs lives in tracker.core.refs

MAX_TITLE = 300
MAX_NAME = 200
MAX_NOTE = 5000
MAX_REASON = 2000
MAX_LONG_TEXT = 10000


def length_errors(limits: dict[str, tuple[str | None, int, str]]) -> dict[str, str]:
    """Return a message for each overlong value; limits maps a field to (value, max length, what it is)."""
    return {
        name: f"{label.capitalize()} must be {limit:,} characters or fewer"
        for name, (value, limit, label) in limits.items()
        if value is not None and len(value) > limit
    }
