"""Personal API tokens: what Power BI (or a script) presents instead of a password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.clock import as_utc, utcnow
from tracker.extensions import Model


class ApiToken(Model):
    """A token its owner created, named and may revoke; only the SHA-256 of its secret is stored.

    The secret is 32 random bytes (256 bits), so a fast hash is enough: there is nothing to
    guess by brute force, unlike a password, and a stolen table holds no usable token.
    """

    __tablename__ = "api_token"
    # Using a token stamps last_used_at: that must not bump the programmes' data versions (and so
    # throw away every cached roll-up and change every ETag) on each API call.
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token ("trk_Ab12Cd"), so its owner can tell which one a tool holds.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    def usable_at(self, moment: datetime) -> bool:
        """Not revoked, and not yet expired at that moment."""
        return self.revoked_at is None and as_utc(self.expires_at) > moment
