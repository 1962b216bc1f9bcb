"""Password hashing (scrypt, cost from config) and the NCSC-style password policy."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12  # any password this long is accepted unless it is a well-known one
MIN_LENGTH_IF_UNCOMMON = 8  # shorter passwords are accepted only when not on the deny-list
MAX_LENGTH = 256  # long passphrases and password-manager output must fit
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Return the deny-list, lower case."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("# "))


def is_common_password(password: str) -> bool:
    """Return True if the password is on the deny-list (case ignored)."""
    return password.lower() in common_passwords()


def password_problem(password: str) -> str | None:
    """Return why a new password is not acceptable, or None. No composition rules, on purpose."""
    if not password:
        return "Enter a password"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if len(password) < MIN_LENGTH_IF_UNCOMMON:
        return (
            f"Password must be at least {MIN_LENGTH} characters, or at least {MIN_LENGTH_IF_UNCOMMON} "
            "if it is not a commonly used password"
        )
    if is_common_password(password):
        return (
            "This is a commonly used password that is easy to guess. "
            "Choose a different password, such as 3 random words"
        )
    if len(password) < MIN_LENGTH:
        # 8 to 11 characters and not on the deny-list: accepted, as the NCSC guidance allows.
        return None
    return None


def hash_password(password: str) -> str:
    """Return the hash to store, at today's configured cost."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def needs_rehash(password_hash: str) -> bool:
    """Return True if a stored hash was made with another method or cost than today's."""
    return not password_hash.startswith(current_app.config["PASSWORD_HASH_METHOD"] + "$")


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password; an account without a password (invite not yet used) never matches."""
    if not password_hash:
        burn_equal_time(password)
        return False
    return check_password_hash(password_hash, password)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not a real password: timing equaliser", method=method)


def burn_equal_time(password: str) -> None:
    """Spend as long as a real check, so an unknown email cannot be told apart by timing."""
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
