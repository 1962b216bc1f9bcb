"""A role in each programme: set on the people pages, stored as ProgrammeRole rows, asked of role_of."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import make_programme, make_user, make_workstream
from tracker.audit.models import AuditEvent
from tracker.auth import services
from tracker.auth.models import ProgrammeRole, Role, User
from tracker.auth.permissions import can_manage_programme, is_lead_or_admin, leads_somewhere, role_of
from tracker.extensions import db


@pytest.fixture
def children(app):
    return make_programme(name="Children's services")


@pytest.fixture
def education(app, children):
    return make_programme(name="Education", short_name="education")


def held(user_id: int) -> dict[int, Role]:
    db.session.expire_all()
    return {link.programme_id: link.role for link in db.session.get(User, user_id).programme_roles}


def role_events() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "role_changed")))


def post_user(client, user: User, programme_roles: list[str], role: str = "lead", **extra):
    data = {"name": user.name, "role": role, "person_id": "", "programme_roles": programme_roles, **extra}
    return client.post(f"/admin/users/{user.id}", data=data)


def test_form_offers_a_role_in_each_programme(admin_client, lead_user, children, education):
    page = admin_client.get(f"/admin/users/{lead_user.id}").get_data(as_text=True)
    assert "Role in each programme" in page
    assert f'<option value="{education.id}:" selected>Same as above (Project lead)</option>' in page
    assert f'<option value="{children.id}:viewer">Viewer</option>' in page
    assert 'for="programme_roles"' in page  # the error summary's link lands on the first select


def test_a_role_set_in_one_programme_is_stored_shown_and_audited(
    admin_client, lead_user, viewer_user, children, education
):
    response = post_user(admin_client, lead_user, [f"{children.id}:", f"{education.id}:viewer"])
    assert response.status_code == 302
    assert held(lead_user.id) == {education.id: Role.VIEWER}
    assert any("in Education: same as the installation role → Viewer" in detail for detail in role_events())

    listing = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Project lead; Viewer in Education" in listing
    assert '<td class="govuk-table__cell">Viewer</td>' in listing  # the viewer differs nowhere

    form = admin_client.get(f"/admin/users/{lead_user.id}").get_data(as_text=True)
    assert f'<option value="{education.id}:viewer" selected>Viewer</option>' in form


def test_same_as_above_removes_the_override(admin_client, lead_user, children, education):
    db.session.add(ProgrammeRole(user_id=lead_user.id, programme_id=education.id, role=Role.VIEWER))
    db.session.commit()
    response = post_user(admin_client, lead_user, [f"{children.id}:", f"{education.id}:"])
    assert response.status_code == 302
    assert held(lead_user.id) == {}
    assert any("in Education: Viewer → same as the installation role (Project lead)" in d for d in role_events())


@pytest.mark.parametrize(
    "entries",
    [
        ["999999:viewer"],  # no such programme
        ["abc:viewer"],
        ["{education}:superuser"],  # no such role
        ["{education}viewer"],  # not "<id>:<role>"
        ["{education}:viewer", "{education}:lead"],  # the same programme twice
    ],
)
def test_a_bad_programme_or_role_gives_a_message_by_the_field_and_saves_nothing(
    admin_client, lead_user, children, education, entries
):
    events_before = db.session.scalar(select(func.count(AuditEvent.id)))
    entries = [entry.format(education=education.id) for entry in entries]
    response = post_user(admin_client, lead_user, entries, name="Renamed")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="programme_roles-error"' in page and "Select a role in each programme from the list" in page
    assert 'href="#programme_roles"' in page  # the error summary links to the field
    assert held(lead_user.id) == {}
    assert db.session.get(User, lead_user.id).name == "Sam Lead"
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events_before


def test_the_service_refuses_an_unknown_programme(app, lead_user, children):
    details = services.AccountDetails(lead_user.name, Role.LEAD, programme_roles={children.id + 1000: Role.VIEWER})
    with pytest.raises(services.AccountError) as refused:
        services.update_user(lead_user, details, acting_user=None)
    assert refused.value.field == "programme_roles"
    with pytest.raises(services.AccountError):
        services.create_user("new@council.example.gov.uk", details)
    assert held(lead_user.id) == {}


def test_a_new_account_can_have_a_role_in_a_programme(admin_client, children, education):
    data = {
        "email": "new@council.example.gov.uk",
        "name": "New Person",
        "role": "viewer",
        "programme_roles": [f"{children.id}:lead", f"{education.id}:"],
    }
    assert admin_client.post("/admin/users/new", data=data).status_code == 200
    user = services.user_by_email("new@council.example.gov.uk")
    assert held(user.id) == {children.id: Role.LEAD}


def test_an_installation_admin_holds_no_programme_roles(admin_client, lead_user, children, education):
    db.session.add(ProgrammeRole(user_id=lead_user.id, programme_id=education.id, role=Role.VIEWER))
    db.session.commit()
    response = post_user(admin_client, lead_user, [f"{education.id}:viewer"], role="admin")
    assert response.status_code == 302
    assert held(lead_user.id) == {}
    assert db.session.get(User, lead_user.id).role is Role.ADMIN


def test_editor_rights_stay_only_where_the_user_is_a_lead(admin_client, viewer_user, children, education):
    in_children = make_workstream("A", programme=children)
    in_education = make_workstream("A", programme=education)
    db.session.commit()
    page = admin_client.get(f"/admin/users/{viewer_user.id}").get_data(as_text=True)
    assert "A: Workstream A (Children&#39;s services)" in page and "A: Workstream A (Education)" in page
    response = post_user(
        admin_client,
        viewer_user,
        [f"{children.id}:lead", f"{education.id}:"],
        role="viewer",
        workstream_ids=[str(in_children.id), str(in_education.id)],
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, viewer_user.id)
    assert [ws.id for ws in user.editable_workstreams] == [in_children.id]


def test_with_one_programme_workstreams_are_labelled_without_it(admin_client, lead_user, children):
    make_workstream("B", programme=children)
    db.session.commit()
    page = admin_client.get(f"/admin/users/{lead_user.id}").get_data(as_text=True)
    assert "B: Workstream B" in page
    assert "(Children&#39;s services)" not in page


def test_role_of_asks_the_programme(app, children, education):
    lead = make_user("lead")
    lead.programme_roles.append(ProgrammeRole(programme_id=education.id, role=Role.VIEWER))
    admin = make_user("admin")
    admin.programme_roles.append(ProgrammeRole(programme_id=education.id, role=Role.VIEWER))
    gone = make_user("lead", active=False)
    gone.programme_roles.append(ProgrammeRole(programme_id=education.id, role=Role.ADMIN))
    viewer = make_user("viewer")
    viewer.programme_roles.append(ProgrammeRole(programme_id=children.id, role=Role.LEAD))
    db.session.flush()

    assert role_of(lead, education.id) is Role.VIEWER
    assert role_of(lead, children.id) is Role.LEAD
    assert role_of(lead) is Role.LEAD
    assert not is_lead_or_admin(lead, education.id) and is_lead_or_admin(lead, children.id)
    for programme_id in (None, children.id, education.id):
        assert role_of(admin, programme_id) is Role.ADMIN
        assert can_manage_programme(admin, programme_id)
        assert role_of(gone, programme_id) is None
        assert not can_manage_programme(gone, programme_id)
    assert not leads_somewhere(gone)
    assert role_of(None, children.id) is None
    assert leads_somewhere(viewer) and role_of(viewer, children.id) is Role.LEAD and role_of(viewer) is Role.VIEWER


def test_users_create_with_a_role_in_a_programme(runner, education):
    db.session.commit()
    args = ["users", "create", "--email", "x@council.example.gov.uk", "--name", "X", "--role", "viewer"]
    result = runner.invoke(
        args=[*args, "--programme", "education", "--programme-role", "lead"], input="a decent passphrase\n"
    )
    assert result.exit_code == 0, result.output
    assert held(services.user_by_email("x@council.example.gov.uk").id) == {education.id: Role.LEAD}
    for extra, message in [
        (["--programme", "nowhere", "--programme-role", "lead"], "No programme is called 'nowhere'"),
        (["--programme", "education"], "Give --programme and --programme-role together"),
    ]:
        result = runner.invoke(args=[*args[:3], "y@council.example.gov.uk", *args[4:], *extra], input="x\n")
        assert result.exit_code == 1 and message in result.output, result.output
