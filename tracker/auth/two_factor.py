"""The second factor at sign-in: a code from an authenticator app (TOTP), or a one-time recovery code.

Rules (codes, steps, hashes) first, then the services the pages and the command line call; callers commit.
A code is checked against the step it belongs to: one step either side of now is accepted (clock drift,
as pyotp's valid_window=1), and never a step at or before the last one accepted, so no code works twice.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, func, or_, select, update

from tracker.auth import services
from tracker.auth.events import record_event
from tracker.auth.models import RecoveryCode, User
from tracker.auth.passwords import verify_password
from tracker.core.clock import utcnow
from tracker.extensions import db

ISSUER = "Improvement programme tracker"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: nothing to misread
RECOVERY_CODE_LENGTH = 12  # 12 of 32 symbols: 60 random bits
WRONG_CODE = "The code is not right. Enter the 6-digit code your app shows now, or one of your recovery codes"
WRONG_APP_CODE = "The code is not right. Enter the 6-digit code your app shows now"


# --- rules: values in, one answer out ---------------------------------------------------------


def new_secret() -> str:
    """Return a new TOTP secret in base32 (160 random bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def grouped(text: str, size: int = 4) -> str:
    """Return text in groups of `size` separated by spaces, for reading and typing by hand."""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def provisioning_uri(secret: str, email: str) -> str:
    """Return the otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """Return the QR code of `uri` as SVG markup drawn with attributes only (the CSP allows no inline style)."""
    out = io.BytesIO()
    drawing = {"scale": 5, "border": 4, "dark": "#0b0c0c", "light": "#ffffff", "lineclass": None}
    segno.make(uri, error="m").save(out, kind="svg", xmldecl=False, svgns=True, nl=False, svgclass=None, **drawing)
    return out.getvalue().decode("utf-8")


def normalise_code(code: str) -> str:
    """Return a typed code without the spaces and hyphens people copy with it, in lower case."""
    return "".join(ch for ch in code if ch not in " -\t").lower()


def is_app_code(code: str) -> bool:
    """Say whether a (normalised) code has the shape of an authenticator app's: 6 digits."""
    return len(code) == 6 and code.isascii() and code.isdigit()


def accepted_step(secret: str, code: str, last_step: int | None, at: datetime) -> int | None:
    """Return the time-step `code` belongs to (now, or one either side), if not used before; else None."""
    if not is_app_code(code):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    for step in (now_step - 1, now_step, now_step + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def recovery_code_hash(code: str) -> str:
    """Return the stored form of a recovery code.

    A plain SHA-256 is enough, unlike for passwords: each code is 60 random bits, not something a person
    chose, so there is no dictionary to try and a slow hash would add nothing. (And anyone who could read
    the hashes could read the TOTP secrets beside them: the hash keeps codes out of backups and logs.)
    """
    return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()


def new_recovery_codes() -> list[str]:
    """Return fresh recovery codes, as shown to their owner: in groups of 4."""
    return [
        "-".join(grouped("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))).split())
        for _ in range(RECOVERY_CODE_COUNT)
    ]


# --- services ----------------------------------------------------------------------------------


def recovery_codes_left(user: User) -> int:
    """Return how many of the account's recovery codes are unused."""
    query = select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    return db.session.scalar(query) or 0


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=recovery_code_hash(code)) for code in codes)
    return codes


def _take_app_code(user: User, code: str) -> bool:
    step = accepted_step(user.totp_secret or "", code, user.totp_last_step, utcnow())
    if step is None:
        return False
    # One conditional UPDATE, not read-then-write: of two requests racing with the same code, one wins.
    newer = or_(User.totp_last_step.is_(None), User.totp_last_step < step)
    taken = db.session.execute(update(User).where(User.id == user.id, newer).values(totp_last_step=step))
    return taken.rowcount == 1  # type: ignore[attr-defined]


def _take_recovery_code(user: User, code: str) -> bool:
    unused = (RecoveryCode.user_id == user.id) & RecoveryCode.used_at.is_(None)
    taken = db.session.execute(
        update(RecoveryCode).where(unused, RecoveryCode.code_hash == recovery_code_hash(code)).values(used_at=utcnow())
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return False
    record_event("recovery_code_used", f"{user.email}: {recovery_codes_left(user)} left", user=user)
    return True


def take_code(user: User, code: str) -> bool:
    """Accept and use up an app code or a recovery code of an enrolled account; False if it is not right."""
    code = normalise_code(code)
    if not user.has_second_factor or not code or len(code) > 64:
        return False
    return _take_app_code(user, code) if is_app_code(code) else _take_recovery_code(user, code)


def sign_in_with_code(user: User, code: str, ip: str) -> services.SignIn:
    """Finish a sign-in whose password was right: the throttle, the code, the attempt and its audit events."""
    refused = services.refused_while_locked_out(user.email, ip)
    if refused is not None:
        return refused
    if not take_code(user, code):
        services.record_failure(user.email, ip, "sign_in_code_failed")
        return services.SignIn(None, WRONG_CODE)
    return services.signed_in(user, ip)


def enrol(user: User, secret: str, code: str) -> list[str]:
    """Turn the second factor on once a code from the app proves it holds `secret`; return the recovery codes."""
    if user.has_second_factor:
        raise services.AccountError("Your account already asks for a code when you sign in")
    step = accepted_step(secret, normalise_code(code), None, utcnow())
    if step is None:
        raise services.AccountError(WRONG_APP_CODE, field="code")
    user.totp_secret, user.totp_last_step, user.two_factor_enrolled_at = secret, step, utcnow()
    codes = _replace_recovery_codes(user)
    record_event("two_factor_enrolled", f"{user.name} <{user.email}>", user=user)
    return codes


def _check_password_and_code(user: User, password: str, code: str) -> None:
    if not verify_password(user.password_hash, password):
        raise services.AccountError("Your current password is incorrect", field="current_password")
    if not take_code(user, code):
        raise services.AccountError(WRONG_CODE, field="code")


def renew_recovery_codes(user: User, password: str, code: str) -> list[str]:
    """Replace every recovery code (the old ones stop working) for someone with their password and a code."""
    _check_password_and_code(user, password, code)
    codes = _replace_recovery_codes(user)
    record_event("recovery_codes_renewed", f"{user.name} <{user.email}>", user=user)
    return codes


def _forget_second_factor(user: User) -> None:
    user.totp_secret, user.totp_last_step, user.two_factor_enrolled_at = None, None, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user: User, password: str, code: str) -> None:
    """Stop asking for a code at sign-in, for someone with their password and a code."""
    _check_password_and_code(user, password, code)
    _forget_second_factor(user)
    record_event("two_factor_turned_off", f"{user.name} <{user.email}>", user=user)


def reset(user: User, acting_user: User | None) -> None:
    """Remove someone's second factor (a lost phone and no recovery codes) and sign them out everywhere."""
    if not user.has_second_factor:
        raise services.AccountError(f"{user.name} has not set up an authenticator app")
    _forget_second_factor(user)
    user.end_all_sessions()
    by = f" by {acting_user.name}" if acting_user is not None else " from the command line"
    record_event("two_factor_reset", f"{user.name} <{user.email}>{by}")
