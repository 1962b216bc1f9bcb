"""Installation admins manage people: create/invite, edit, deactivate, reset links, settings, audit log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.conftest import sign_in
from tests.factories import DEFAULT_TEST_PASSWORD, make_person, make_programme, make_user, make_workstream
from tracker.audit.models import AuditEvent, AuditLogIsAppendOnly
from tracker.auth.models import PasswordResetToken, ProgrammeRole, Role, User
from tracker.auth.services import utcnow
from tracker.extensions import db

NEW_PASSWORD = "river stone lantern quiet"
OTHER_EMAIL = "x@council.example.gov.uk"


@pytest.fixture(autouse=True)
def programme(app):
    return make_programme()


def reset_link(page: str) -> str:
    match = re.search(r'value="http://localhost(/reset-password/[^"]+)"', page)
    assert match, "no link on the page"
    return match.group(1)


def audit_events() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.event).order_by(AuditEvent.id)))


def test_admin_invites_a_lead_who_sets_a_password_with_the_one_time_link(admin_client, app):
    person = make_person(name="Head of Early Help")
    workstream = make_workstream("B")
    db.session.commit()
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": "Early.Help@council.example.gov.uk",
            "name": "Ezra Help",
            "role": "lead",
            "person_id": str(person.id),
            "workstream_ids": [str(workstream.id)],
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Account created" in page and "24 hours" in page
    link = reset_link(page)
    user = db.session.scalar(select(User).where(User.email == "early.help@council.example.gov.uk"))
    assert user.role is Role.LEAD and user.person is person and [ws.ref for ws in user.editable_workstreams] == ["B"]
    assert user.password_hash == ""
    token = link.rsplit("/", 1)[1]
    assert db.session.scalar(select(PasswordResetToken.token_hash)) != token  # only a hash is stored

    newcomer = app.test_client()
    form = newcomer.get(link).get_data(as_text=True)
    assert "early.help@council.example.gov.uk" in form and 'autocomplete="new-password"' in form
    common = newcomer.post(link, data={"new_password": "password1", "confirm_password": "password1"})
    assert b"commonly used" in common.data
    response = newcomer.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302 and response.location == "/sign-in"
    assert newcomer.get(link).status_code == 404  # single use
    assert sign_in(newcomer, user, password=NEW_PASSWORD).status_code == 302
    assert {"user_created", "password_reset_link", "password_reset", "sign_in"} <= set(audit_events())


def test_reset_links_expire_after_24_hours(admin_client, viewer_user, app):
    page = admin_client.post(f"/admin/users/{viewer_user.id}/reset-password").get_data(as_text=True)
    link = reset_link(page)
    stored = db.session.scalars(select(PasswordResetToken)).one()
    assert stored.expires_at - stored.created_at == timedelta(hours=24)
    assert app.test_client().get(link).status_code == 200
    db.session.execute(update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = app.test_client().get(link)
    assert response.status_code == 404 and b"This link has expired or has already been used" in response.data


def test_a_new_reset_link_cancels_the_previous_one(admin_client, viewer_user, app):
    first = reset_link(admin_client.post(f"/admin/users/{viewer_user.id}/reset-password").get_data(as_text=True))
    second = reset_link(admin_client.post(f"/admin/users/{viewer_user.id}/reset-password").get_data(as_text=True))
    visitor = app.test_client()
    assert visitor.get(first).status_code == 404 and visitor.get(second).status_code == 200


def test_create_form_shows_errors_and_saves_nothing(admin_client, admin_user):
    cases = [
        ({"email": "not-an-email", "name": "X", "role": "viewer"}, "Enter an email address in the correct format"),
        ({"email": "a" * 250 + "@x.gov.uk", "name": "X", "role": "viewer"}, "254 characters or fewer"),
        ({"email": OTHER_EMAIL, "name": "N" * 201, "role": "viewer"}, "Name must be 200 characters or fewer"),
        ({"email": OTHER_EMAIL, "name": "X", "role": "superuser"}, "Select a role"),
        ({"email": OTHER_EMAIL, "name": "X", "role": "lead", "person_id": "999999"}, "Select a lead from the list"),
        (
            {"email": OTHER_EMAIL, "name": "X", "role": "lead", "workstream_ids": ["abc"]},
            "Select workstreams from the list",
        ),
        ({"email": admin_user.email.upper(), "name": "X", "role": "viewer"}, "There is already an account for"),
        ({"email": "", "name": "", "role": ""}, "Enter an email address"),
    ]
    for data, message in cases:
        response = admin_client.post("/admin/users/new", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, data
        assert message in page, (message, data)
        assert "govuk-error-summary" in page
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_a_person_can_be_linked_to_one_account_only(admin_client, lead_user):
    response = admin_client.post(
        "/admin/users/new",
        data={"email": "x@council.example.gov.uk", "name": "X", "role": "lead", "person_id": str(lead_user.person_id)},
    )
    assert "Sam Lead is already linked to Sam Lead&#39;s account" in response.get_data(as_text=True)


def test_admin_edits_role_name_and_rights(admin_client, viewer_user, signed_in_client):
    viewer_session = signed_in_client(viewer_user)
    workstream = make_workstream("C")
    db.session.commit()
    response = admin_client.post(
        f"/admin/users/{viewer_user.id}",
        data={"name": "Val Lead", "role": "lead", "person_id": "", "workstream_ids": [str(workstream.id)]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, viewer_user.id)
    assert (user.name, user.role, [w.ref for w in user.editable_workstreams]) == ("Val Lead", Role.LEAD, ["C"])
    assert viewer_session.get("/programmes").status_code == 302  # a role change applies from the next sign-in
    assert "role_changed" in audit_events() and "user_changed" in audit_events()


def test_admin_cannot_change_own_role_or_deactivate_self(admin_client, admin_user):
    data = {"name": "Pat", "role": "viewer", "person_id": ""}
    page = admin_client.post(f"/admin/users/{admin_user.id}", data=data).get_data(as_text=True)
    assert "You cannot change your own role" in page
    admin_client.post(f"/admin/users/{admin_user.id}/deactivate")
    db.session.expire_all()
    user = db.session.get(User, admin_user.id)
    assert user.role is Role.ADMIN and user.active and user.name == "Pat Director"


def test_deactivate_then_reactivate_keeps_the_account(admin_client, viewer_user, app):
    assert admin_client.post(f"/admin/users/{viewer_user.id}/deactivate").status_code == 302
    assert b"Deactivated" in admin_client.get("/admin/users").data
    assert b"Email or password is incorrect" in sign_in(app.test_client(), viewer_user).data
    assert admin_client.post(f"/admin/users/{viewer_user.id}/reactivate").status_code == 302
    assert sign_in(app.test_client(), viewer_user).status_code == 302
    assert {"user_deactivated", "user_reactivated"} <= set(audit_events())


def test_unknown_or_tampered_user_ids_get_404(admin_client):
    for url in ["/admin/users/999999", "/admin/users/abc", "/admin/users/-1"]:
        assert admin_client.get(url).status_code == 404
    assert admin_client.post("/admin/users/999999/deactivate").status_code == 404


def test_extra_fields_cannot_change_what_the_form_does_not_offer(admin_client, viewer_client, viewer_user, admin_user):
    before = db.session.get(User, viewer_user.id)
    generation = before.session_generation
    viewer_client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "role": "admin",
            "active": "0",
            "person_id": "1",
            "lead_id": "1",
            "version": "99",
            "email": "evil@x.gov.uk",
            "session_generation": "1",
        },
    )
    admin_client.post(
        f"/admin/users/{viewer_user.id}",
        data={
            "name": "Val Viewer",
            "role": "viewer",
            "person_id": "",
            "active": "0",
            "email": "changed@x.gov.uk",
            "password_hash": "x",
            "session_generation": "1",
            "version": "7",
            "lead_id": "3",
        },
    )
    admin_client.post(f"/admin/users/{admin_user.id}", data={"name": "Pat Director", "role": "viewer", "person_id": ""})
    db.session.expire_all()
    viewer = db.session.get(User, viewer_user.id)
    admin = db.session.get(User, admin_user.id)
    assert (viewer.role, viewer.active, viewer.person_id) == (Role.VIEWER, True, None)
    assert viewer.email == "viewer@council.example.gov.uk"
    assert viewer.session_generation > generation and viewer.password_hash.startswith("scrypt:")
    assert admin.role is Role.ADMIN


def test_non_admins_cannot_open_people_pages(viewer_client, lead_user, signed_in_client, viewer_user, programme):
    lead = signed_in_client(lead_user)
    office = make_user("lead")  # the programme's office, but not an admin of the installation
    office.programme_roles.append(ProgrammeRole(programme_id=programme.id, role=Role.ADMIN))
    for client in (viewer_client, lead, signed_in_client(office)):
        urls = ["/admin/users", "/admin/users/new", f"/admin/users/{viewer_user.id}", "/admin/audit"]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 403 and b"You do not have permission" in response.data
            assert b"Only an admin of the installation can open this page." in response.data
        hacked = client.post(f"/admin/users/{viewer_user.id}", data={"name": "Hacked", "role": "admin"})
        assert hacked.status_code == 403
    for client in (viewer_client, lead):
        assert client.get("/p/test/admin/settings").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, viewer_user.id).name == "Val Viewer"


def test_public_progress_pages_switch(admin_client, app, programme):
    visitor = app.test_client()
    assert visitor.get("/p/test/").status_code == 302
    response = admin_client.post("/p/test/admin/settings", data={"public_progress_pages": "y"})
    assert response.status_code == 302
    assert visitor.get("/").status_code == 302 and visitor.get("/").location == "/p/test/"
    assert visitor.get("/p/test/").status_code == 200
    assert visitor.get("/p/test/actions").status_code == 200
    assert visitor.get("/admin/users").status_code == 302  # everything else still needs sign-in
    assert visitor.get("/account/password").status_code == 302
    assert b'href="/sign-in"' in visitor.get("/p/test/").data
    admin_client.post("/p/test/admin/settings", data={})
    assert visitor.get("/p/test/").status_code == 302
    assert audit_events().count("settings_changed") == 2


def test_audit_log_lists_events_newest_first_a_page_at_a_time(admin_client, app, count_queries):
    from tracker.audit.services import record_audit_event

    for number in range(120):
        record_audit_event("import", f"Imported file {number}")
    db.session.commit()
    first = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Imported file 119" in first and "Imported file 69" not in first
    assert "page 1 of 3" in first
    third = admin_client.get("/admin/audit?page=3").get_data(as_text=True)
    assert "Imported file 0" in third
    assert admin_client.get("/admin/audit?page=4").status_code == 404
    assert admin_client.get("/admin/audit?page=abc").status_code == 404
    queries_small = count_queries(lambda: admin_client.get("/admin/audit?page=3"))
    queries_large = count_queries(lambda: admin_client.get("/admin/audit"))
    assert queries_small == queries_large


def test_audit_events_cannot_be_changed_or_deleted(app):
    from tracker.audit.services import record_audit_event

    event = record_audit_event("sign_in", "someone")
    db.session.commit()
    event.detail = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_no_route_edits_or_deletes_audit_events(app):
    audit_rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit.")]
    assert all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in audit_rules)
