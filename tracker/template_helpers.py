"""Jinja filters and globals shared by every page."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask

from tracker.programme.status import Ambition, Status


def govuk_date(value: date | datetime | None, with_time: bool = False) -> str:
    """Format a date the GOV.UK way: 17 March 2023 (no leading zero)."""
    if value is None:
        return ""
    text = f"{value.day} {value.strftime('%B %Y')}"
    if with_time and isinstance(value, datetime):
        text += f" at {value.strftime('%H:%M')}"
    return text


def plural(count: int, singular: str, many: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


def register(app: Flask) -> None:
    app.jinja_env.filters["govuk_date"] = govuk_date
    app.jinja_env.globals["plural"] = plural
    app.jinja_env.globals["Status"] = Status
    app.jinja_env.globals["Ambition"] = Ambition
    app.jinja_env.globals["service_name"] = "Improvement programme tracker"
    app.jinja_env.globals["nav_items"] = nav_items


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    text: str
    order: int
    shown_to: Callable[[object], bool]


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _signed_in_or_public(user) -> bool:
    from tracker.auth.access import public_progress_pages_on

    return _signed_in(user) or public_progress_pages_on()


def _admin(user) -> bool:
    return _signed_in(user) and getattr(user, "is_admin", False)


# Packages add their links with add_nav_item(); `order` places them (Overview 10, Actions 20,
# People 80, Audit log 90), `shown_to(user)` decides who sees them.
NAV_ITEMS: list[NavItem] = []


def add_nav_item(endpoint: str, text: str, order: int, shown_to: Callable[[object], bool] = _signed_in) -> None:
    if not any(item.endpoint == endpoint for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(endpoint, text, order, shown_to))
        NAV_ITEMS.sort(key=lambda item: item.order)


add_nav_item("programme.overview", "Overview", 10, _signed_in_or_public)
add_nav_item("programme.action_list", "Actions", 20, _signed_in_or_public)
add_nav_item("people.user_list", "People", 80, _admin)
add_nav_item("audit.audit_log", "Audit log", 90, _admin)
add_nav_item("people.settings", "Settings", 95, _admin)


def nav_items() -> list[tuple[str, str]]:
    """Return (endpoint, text) pairs of the service navigation for the current user."""
    from flask_login import current_user

    return [(item.endpoint, item.text) for item in NAV_ITEMS if item.shown_to(current_user)]
