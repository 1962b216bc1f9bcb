"""Pages outside any one programme: the home page and portfolio, what the statuses mean, accessibility."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.auth.access import sign_in_url_for_current_request
from tracker.auth.permissions import is_admin, role_of
from tracker.core.clock import today
from tracker.programme.queries_programmes import PortfolioRow, portfolio

bp = Blueprint("site", __name__)


def _readable(rows: list[PortfolioRow]) -> list[PortfolioRow]:
    """Signed-in staff read every programme; anyone else only those whose progress pages are public."""
    if role_of(current_user) is not None:
        return rows
    return [row for row in rows if row.programme.public_progress_pages]


@bp.get("/")
def home() -> str | Response:
    """Open straight on the only programme; list them when there are several; say what to do when there are none."""
    rows = _readable(portfolio(today()))
    if not rows and role_of(current_user) is None:
        return redirect(sign_in_url_for_current_request())  # nothing is open to anyone: sign in first
    if len(rows) == 1:
        return redirect(url_for("programme.overview", programme=rows[0].programme.short_name))
    if not rows:
        return render_template("programme/welcome.html", programme=None, admin=is_admin(current_user))
    return _portfolio_page(rows)


@bp.get("/programmes")
def programmes() -> str:
    """List every programme with its headline counts (the portfolio)."""
    return _portfolio_page(_readable(portfolio(today())))


def _portfolio_page(rows: list[PortfolioRow]) -> str:
    return render_template("programme/portfolio.html", title="Programmes", rows=rows, admin=is_admin(current_user))


@bp.get("/statuses")
def status_definitions() -> str:
    """Show what each status means."""
    return render_template("programme/statuses.html", title="What the statuses mean")


@bp.get("/accessibility")
def accessibility() -> str:
    """Show the accessibility statement."""
    contact = current_app.config["ACCESSIBILITY_CONTACT_EMAIL"]
    return render_template(
        "programme/accessibility.html", title="Accessibility statement", accessibility_contact=contact
    )
