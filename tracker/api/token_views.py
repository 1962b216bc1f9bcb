"""The API page (what the API offers, from its OpenAPI document) and the personal API tokens page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.api import tokens
from tracker.api.forms import EXPIRY_WORDS, NewTokenForm
from tracker.api.spec import operations_of
from tracker.core.clock import utcnow
from tracker.core.web import attempt
from tracker.extensions import db

bp = Blueprint("api_pages", __name__)


@bp.get("/api")
def api_page() -> str:
    """Explain the API: how to authenticate, and every address the OpenAPI document lists."""
    operations = operations_of(current_app.extensions["tracker.api"].spec.to_dict())
    return render_template("api/api_page.html", title="API for reports", operations=operations)


@bp.route("/account/api-tokens", methods=["GET", "POST"])
def token_list() -> tuple[str, int, dict[str, str]] | str:
    """List your API tokens and create one; a new token's secret is shown on this answer only."""
    user = current_user._get_current_object()  # noqa: SLF001 - the real User, not the proxy
    form = NewTokenForm()
    created = None
    if form.validate_on_submit():
        outcome = attempt(lambda: tokens.create_token(user, form.name.data, int(form.expires_in_days.data)), form)
        if outcome.ok:
            db.session.commit()
            created, form = outcome.result, NewTokenForm(formdata=None)
    page = render_template(
        "api/tokens.html",
        title="API tokens",
        form=form,
        created=created,
        tokens=tokens.tokens_of(user),
        now=utcnow(),
        expiry_words=EXPIRY_WORDS,
    )
    # The secret must not linger in a cache or the browser's history of pages.
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/account/api-tokens/<int:token_id>/revoke")
def revoke(token_id: int) -> Response:
    """Revoke one of your tokens: any tool using it is refused from the next request."""
    token = tokens.revoke_token(current_user._get_current_object(), token_id)  # noqa: SLF001
    db.session.commit()
    flash(f"The token {token.name} has been revoked. Anything still using it will be refused.", "success")
    return redirect(url_for("api_pages.token_list"))
