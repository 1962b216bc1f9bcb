"""`flask users ...` and the demo's accounts."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import make_person
from tracker.auth.models import Role, User
from tracker.auth.passwords import verify_password
from tracker.auth.services import user_by_email
from tracker.extensions import db

EMAIL_X = ["--email", "x@council.example.gov.uk"]
PASSPHRASE = "a decent passphrase\n"


def test_users_create_reads_the_password_from_stdin(runner):
    person = make_person(name="Head of Learning")
    db.session.commit()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Lee@Council.example.gov.uk",
            "--name",
            "Lee Learning",
            "--role",
            "lead",
            "--person",
            "Head of Learning",
        ],
        input="a decent passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created Project lead account for Lee Learning <lee@council.example.gov.uk>" in result.output
    user = user_by_email("lee@council.example.gov.uk")
    assert user.role is Role.LEAD and user.person_id == person.id
    assert verify_password(user.password_hash, "a decent passphrase")


def test_users_create_refuses_bad_input_with_clear_errors(runner):
    cases = [
        ([*EMAIL_X, "--name", "X", "--role", "admin"], "short\n", "at least 12 characters"),
        ([*EMAIL_X, "--name", "X", "--role", "admin"], "password1\n", "commonly used"),
        (["--email", "not-an-email", "--name", "X", "--role", "admin"], PASSPHRASE, "not a valid email address"),
        ([*EMAIL_X, "--name", "X", "--role", "boss"], PASSPHRASE, "'boss' is not one of"),
        ([*EMAIL_X, "--name", "X", "--role", "lead", "--person", "Nobody"], PASSPHRASE, "No lead called 'Nobody'"),
    ]
    for args, stdin, message in cases:
        result = runner.invoke(args=["users", "create", *args], input=stdin)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert db.session.scalars(select(User)).all() == []


def test_duplicate_email_is_refused(runner):
    args = ["users", "create", "--email", "x@council.example.gov.uk", "--name", "X", "--role", "viewer"]
    assert runner.invoke(args=args, input="a decent passphrase\n").exit_code == 0
    result = runner.invoke(args=[*args[:2], "--email", "X@council.example.gov.uk", *args[4:]], input=PASSPHRASE)
    assert result.exit_code == 1 and "There is already an account for x@council.example.gov.uk" in result.output


def test_set_role_and_deactivate(runner):
    runner.invoke(
        args=["users", "create", "--email", "x@council.example.gov.uk", "--name", "X", "--role", "viewer"],
        input="a decent passphrase\n",
    )
    result = runner.invoke(args=["users", "set-role", "--email", "x@council.example.gov.uk", "--role", "admin"])
    assert result.exit_code == 0 and "is now Programme office (admin)" in result.output
    result = runner.invoke(args=["users", "deactivate", "--email", "x@council.example.gov.uk"])
    assert result.exit_code == 0
    db.session.expire_all()
    user = user_by_email("x@council.example.gov.uk")
    assert user.role is Role.ADMIN and not user.active
    result = runner.invoke(args=["users", "deactivate", "--email", "nobody@council.example.gov.uk"])
    assert result.exit_code == 1 and "No account has the email address nobody@council.example.gov.uk" in result.output


def test_demo_load_creates_one_account_per_role_and_prints_them(runner, app):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "director@demo.example.gov.uk" in first.output
    assert "password: demo-only director lantern orchard" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "(already existed)" in second.output
    db.session.expire_all()
    users = db.session.scalars(select(User).order_by(User.id)).all()
    assert [u.role for u in users] == [Role.ADMIN, Role.LEAD, Role.VIEWER]
    assert users[1].person.name == "Director of Strategy, Commissioning and Transformation"
    client = app.test_client()
    response = client.post(
        "/sign-in", data={"email": "strategy.director@demo.example.gov.uk", "password": "demo-only lead copper meadow"}
    )
    assert response.status_code == 302
