"""People and settings pages for the programme office (admins only)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/admin")

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.access import admin_required
from tracker.auth.models import User
from tracker.extensions import db


@bp.get("/users")
@admin_required
def user_list():
    users = db.session.scalars(select(User).options(selectinload(User.person)).order_by(User.active.desc(), User.name)).all()
    return render_template("admin/users.html", title="People", users=users)
