"""Configuration: safe defaults, secrets from the environment or the instance folder."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def database_url_from_env(instance_path: str) -> str:
    """Return the SQLAlchemy URL: DATABASE_URL if set, else SQLite in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "tracker.db")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_or_create_secret_key(instance_path: str) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept in instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    # O_EXCL: when several gunicorn workers start at once, only one writes the key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def default_config(instance_path: str) -> dict:
    """Settings every deployment starts from; instance/config.py and the environment override."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url_from_env(instance_path),
        "SECRET_KEY": load_or_create_secret_key(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies only make sense behind HTTPS; production sets this to 1.
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=30),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=10),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=10),
        "WTF_CSRF_TIME_LIMIT": None,  # the session itself expires; a token per session is enough
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Where the accessibility statement tells people to report a problem (empty: their programme office).
        "ACCESSIBILITY_CONTACT_EMAIL": os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", ""),
        "ACTIONS_PER_PAGE": 50,
        "PASSWORD_HASH_METHOD": "scrypt:131072:8:1",
        # E-mail (board reminders): the SMTP server, STARTTLS when MAIL_USE_TLS, a login when a user is given.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or os.environ.get("SMTP_HOST", "localhost"),
        "MAIL_PORT": os.environ.get("MAIL_PORT") or os.environ.get("SMTP_PORT") or "25",
        "MAIL_USE_TLS": (os.environ.get("MAIL_USE_TLS") or os.environ.get("SMTP_TLS", "0")) == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or os.environ.get("SMTP_USER", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or os.environ.get("SMTP_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "tracker@localhost"),
        "MAIL_TIMEOUT": 30,
        # Request rate limits (tracker/core/limits.py): per address for signing in, per person otherwise.
        "SIGN_IN_RATE_LIMIT": os.environ.get("SIGN_IN_RATE_LIMIT", "20 per minute"),
        "PASSWORD_CHANGE_RATE_LIMIT": os.environ.get("PASSWORD_CHANGE_RATE_LIMIT", "10 per hour"),
        "TWO_FACTOR_RATE_LIMIT": os.environ.get("TWO_FACTOR_RATE_LIMIT", "10 per minute"),
        # Admins (of the installation or of any programme) must set up a second factor; production sets 1.
        "REQUIRE_TWO_FACTOR_FOR_ADMINS": os.environ.get("REQUIRE_TWO_FACTOR_FOR_ADMINS", "0") == "1",
        "API_TOKEN_RATE_LIMIT": os.environ.get("API_TOKEN_RATE_LIMIT", "10 per hour"),
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "600 per minute"),
        # Production serving (tracker/core/proxy.py, request_log.py): reverse proxies in front of the app
        # whose X-Forwarded-* headers are trusted, and one JSON line per request on stdout.
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0") or 0),
        "LOG_REQUESTS": os.environ.get("LOG_REQUESTS", "1") == "1",
        # Where the service is reached, for links in e-mails sent from the command line.
        "SERVER_BASE_URL": os.environ.get("SERVER_BASE_URL", "http://localhost:5000"),
    }
