"""Accounts, sign-in, sessions, roles and the people admin pages."""

from __future__ import annotations

from flask import Flask

AUDIT_LABELS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Failed sign-in",
    "sign_in_refused": "Sign-in refused (locked out)",
    "lockout": "Sign-in locked",
    "sign_out": "Signed out",
    "session_expired": "Session expired",
    "user_created": "User created",
    "user_changed": "User changed",
    "role_changed": "Role changed",
    "user_deactivated": "User deactivated",
    "user_reactivated": "User reactivated",
    "password_reset_link": "Password reset link created",
    "password_reset": "Password set from link",
    "password_changed": "Password changed",
    "sign_in_password_accepted": "Password accepted, code asked for",
    "sign_in_code_failed": "Wrong security code at sign-in",
    "recovery_code_used": "Recovery code used",
    "two_factor_enrolled": "Two-step verification turned on",
    "two_factor_turned_off": "Two-step verification turned off",
    "recovery_codes_renewed": "New recovery codes made",
    "two_factor_reset": "Two-step verification reset by an admin",
}


def init_app(app: Flask) -> None:
    """Add sign-in, sessions, the people pages, the `users` commands and their menu entries."""
    from tracker.auth import access, cli, sessions
    from tracker.auth.admin_views import bp as people_bp
    from tracker.auth.permissions import is_admin, is_signed_in
    from tracker.auth.two_factor_views import bp as two_factor_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.core.limits import person_or_address, rate_limit
    from tracker.core.registry import registry_of

    # Order matters: expired sessions are ended before the sign-in guard looks at the user.
    sessions.register(app)
    access.register(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(two_factor_bp)
    cli.register(app)
    app.jinja_env.globals["is_signed_in"] = is_signed_in
    registry = registry_of(app)
    registry.allow_anonymous("auth.sign_in", "auth.reset_password", "two_factor.sign_in_code")
    rate_limit(app, "auth.sign_in", "SIGN_IN_RATE_LIMIT")
    rate_limit(app, "auth.reset_password", "PASSWORD_CHANGE_RATE_LIMIT")
    rate_limit(app, "auth.change_password", "PASSWORD_CHANGE_RATE_LIMIT", key=person_or_address)
    rate_limit(app, "two_factor.sign_in_code", "TWO_FACTOR_RATE_LIMIT")
    for endpoint in ("two_factor.set_up", "two_factor.new_recovery_codes", "two_factor.turn_off"):
        rate_limit(app, endpoint, "TWO_FACTOR_RATE_LIMIT", key=person_or_address)
    registry.add_nav_item("people.user_list", "People", 80, is_admin)
    registry.add_audit_labels(AUDIT_LABELS)
