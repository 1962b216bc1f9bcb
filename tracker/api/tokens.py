"""Personal API tokens: create (the secret is shown once), list, revoke, and check one presented.

Only the SHA-256 of a token is stored. A token is 32 random bytes, so unlike a password it cannot
be guessed from a dictionary: a slow hash (scrypt) would add nothing but a delay to every API call.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.api.models import ApiToken
from tracker.audit.services import record_audit_event
from tracker.auth.models import User
from tracker.core.clock import as_utc, utcnow
from tracker.core.errors import InvalidChange, NotFound
from tracker.extensions import db

TOKEN_PREFIX = "trk_"
EXPIRY_DAYS = (30, 90, 365)
NAME_MAX = 100
SHOWN_PREFIX_LENGTH = 10
# A token in use is stamped at most this often: a refresh of fifty requests writes once, not fifty times.
LAST_USED_GRANULARITY = timedelta(minutes=5)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just created, with its secret: the only time the secret exists outside the caller's tool."""

    token: ApiToken
    secret: str


def create_token(user: User, name: str, days: int) -> NewToken:
    """Create a token for the user, named by them, expiring after one of EXPIRY_DAYS days."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Enter a name for the token, such as the report that will use it"
    elif len(name) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer"
    if days not in EXPIRY_DAYS:
        errors["expires_in_days"] = "Choose when the token expires"
    InvalidChange.refuse_any(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user=user,
        name=name,
        token_hash=token_hash(secret),
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    record_audit_event("api_token_created", f"{name} ({token.prefix}…), expires in {days} days", user=user)
    return NewToken(token, secret)


def tokens_of(user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first (one statement)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; revoking it again changes nothing."""
    token = db.session.scalars(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)).first()
    if token is None:
        raise NotFound("You have no API token with that number.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_audit_event("api_token_revoked", f"{token.name} ({token.prefix}…)", user=user)
    return token


def user_for_token(secret: str) -> User | None:
    """Return the owner of a usable token (not revoked, not expired), stamping its use; None otherwise.

    The caller still asks auth.permissions.role_of, which refuses a deactivated owner.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.token_hash == token_hash(secret))
        .options(joinedload(ApiToken.user).selectinload(User.programme_roles))
    ).first()
    now = utcnow()
    if token is None or not token.usable_at(now):
        return None
    if token.last_used_at is None or now - as_utc(token.last_used_at) > LAST_USED_GRANULARITY:
        token.last_used_at = now  # the caller commits
    return token.user
