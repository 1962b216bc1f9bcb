"""Password policy (NCSC: length and a deny-list, no composition rules) and the hash's cost."""

from __future__ import annotations

import re

import pytest
from werkzeug.security import generate_password_hash

from tracker.auth.passwords import common_passwords, password_problem
from tracker.config import default_config


def test_deny_list_ships_thousands_of_common_passwords():
    words = common_passwords()
    assert len(words) >= 3000
    assert {"password1", "iloveyou", "qwertyuiop", "1234567890"} <= words


@pytest.mark.parametrize(
    "password",
    [
        "seven77",  # 7 characters
        "",
    ],
)
def test_too_short_passwords_are_refused(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize("password", ["password1", "PASSWORD1", "iloveyou", "qwertyuiop", "1234567890"])
def test_common_passwords_are_refused_whatever_their_case(password):
    assert "commonly used password" in password_problem(password)


@pytest.mark.parametrize(
    "password",
    [
        "zq8!vKp2",  # 8 characters, not common: allowed
        "tangerine kettle",  # 12+ characters of lower-case words: no composition rules
        "aaaaaaaaaaaaaaaaaaaa",  # no composition rules at all
        "x" * 128,
        "🦆 duck pond village 🦆",
        "p" * 256,
    ],
)
def test_long_or_uncommon_passwords_are_accepted(password):
    assert password_problem(password) is None


def test_passwords_over_256_characters_are_refused_with_a_clear_message():
    assert password_problem("p" * 257) == "Password must be 256 characters or fewer"


def test_production_hash_is_scrypt_at_least_2_to_the_17():
    method = default_config("/tmp")["PASSWORD_HASH_METHOD"]
    match = re.fullmatch(r"scrypt:(\d+):(\d+):(\d+)", method)
    assert match, method
    n, r, p = map(int, match.groups())
    assert n >= 2**17 and r >= 8 and p >= 1
    hashed = generate_password_hash("correct horse battery staple", method=method)
    assert hashed.startswith(f"scrypt:{n}:{r}:{p}$")


def test_pasting_is_not_blocked_on_any_password_field(client, app, viewer_client):
    pages = [
        client.get("/sign-in").get_data(as_text=True),
        viewer_client.get("/account/password").get_data(as_text=True),
    ]
    for page in pages:
        assert "onpaste" not in page and 'autocomplete="off"' not in page
        assert "maxlength" not in page.lower() or 'maxlength="256"' in page
