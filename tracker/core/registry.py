"""What each domain adds to the app: menu entries, audit labels, open pages and CLI groups.

A domain's ``init_app(app)`` fills the app's registry; nothing is filled as a side effect of
importing a module, so two apps in one process (tests) never share or double an entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, current_app
from flask.cli import AppGroup

EXTENSION_KEY = "tracker.registry"


def always(_user: object) -> bool:
    return True


@dataclass(frozen=True)
class NavItem:
    """A link in the navigation; `order` places it, `shown_to(user)` decides who sees it.

    `scope` "site" puts it in the header (pages of the whole installation); "programme" puts it in
    the bar of the programme a page belongs to, shown only on that programme's pages.
    """

    endpoint: str
    text: str
    order: int
    shown_to: Callable[[object], bool]
    scope: str = "site"


@dataclass
class Registry:
    nav_items: list[NavItem] = field(default_factory=list)
    audit_labels: dict[str, str] = field(default_factory=dict)
    anonymous_endpoints: set[str] = field(default_factory=lambda: {"static"})
    # endpoint -> "is it open to everyone right now?" (asked per request, for GET/HEAD only)
    public_endpoints: dict[str, Callable[[], bool]] = field(default_factory=dict)
    cli_groups: dict[str, AppGroup] = field(default_factory=dict)
    # page -> [(order, template)]: panels another domain adds to a page ("action", "project", ...)
    page_panels: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def add_nav_item(
        self, endpoint: str, text: str, order: int, shown_to: Callable[[object], bool], scope: str = "site"
    ) -> None:
        if any(item.endpoint == endpoint for item in self.nav_items):
            raise ValueError(f"{endpoint} is already in the navigation")
        if scope not in ("site", "programme"):
            raise ValueError(f"{endpoint}: a navigation entry belongs to the site or to a programme, not {scope!r}")
        self.nav_items.append(NavItem(endpoint, text, order, shown_to, scope))
        self.nav_items.sort(key=lambda item: item.order)

    def add_page_panel(self, page: str, template: str, order: int) -> None:
        """Show a template on a page a lower domain draws (its item pages, My actions), without it importing you.

        The page includes each panel with its own context plus ``item``, the item the page is about.
        """
        panels = self.page_panels.setdefault(page, [])
        if any(existing == template for _order, existing in panels):
            raise ValueError(f"{template} is already a panel of {page}")
        panels.append((order, template))
        panels.sort()

    def panels_of(self, page: str) -> list[str]:
        return [template for _order, template in self.page_panels.get(page, [])]

    def add_audit_labels(self, labels: dict[str, str]) -> None:
        clashes = {event for event in labels if self.audit_labels.get(event, labels[event]) != labels[event]}
        if clashes:
            raise ValueError(f"Audit events labelled twice: {sorted(clashes)}")
        self.audit_labels.update(labels)

    def allow_anonymous(self, *endpoints: str) -> None:
        """Let anyone open these pages without signing in."""
        self.anonymous_endpoints.update(endpoints)

    def allow_public(self, endpoints: Iterable[str], when: Callable[[], bool]) -> None:
        """Let anyone read these pages while `when()` says so (e.g. public progress pages)."""
        for endpoint in endpoints:
            self.public_endpoints[endpoint] = when

    def is_open_to_anyone(self, endpoint: str, method: str) -> bool:
        if endpoint in self.anonymous_endpoints:
            return True
        when = self.public_endpoints.get(endpoint)
        return when is not None and method in ("GET", "HEAD") and when()


def init_registry(app: Flask) -> Registry:
    registry = Registry()
    app.extensions[EXTENSION_KEY] = registry
    return registry


def registry_of(app: Flask | None = None) -> Registry:
    """Return the registry of the given app, or of the app handling the current request."""
    return (app or current_app).extensions[EXTENSION_KEY]


def cli_group(app: Flask, name: str, help: str) -> AppGroup:
    """Return the app's `flask NAME` command group, creating it on first use."""
    registry = registry_of(app)
    group = registry.cli_groups.get(name)
    if group is None:
        group = registry.cli_groups[name] = AppGroup(name, help=help)
        app.cli.add_command(group)
    return group
