"""The programme office arranges the programme: create, edit, reorder, archive and delete items."""

from __future__ import annotations

from datetime import date

import pytest
from markupsafe import escape
from sqlalchemy import select

from tests.factories import make_action, make_workstream, test_programme
from tests.programme.editing import action_form, database_snapshot, history_of, make_plan
from tracker.audit.models import AuditEvent
from tracker.core.errors import InvalidChange
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme import structure
from tracker.programme.models import Action, Project, Workstream

STRUCTURE_GETS = [
    "/p/test/admin/structure",
    "/p/test/admin/structure/workstreams/A",
    "/p/test/admin/structure/projects/A1",
    "/p/test/admin/structure/workstreams/new",
    "/p/test/admin/structure/projects/new",
    "/p/test/admin/structure/actions/new",
    "/p/test/admin/structure/workstreams/A/edit",
    "/p/test/admin/structure/projects/A1/edit",
    "/p/test/admin/structure/actions/A1.1/edit",
]
STRUCTURE_POSTS = [
    ("/p/test/admin/structure/workstreams/new", {"ref": "Z", "title": "New"}),
    ("/p/test/admin/structure/projects/new", {"ref": "A9", "title": "New", "workstream_id": "1"}),
    ("/p/test/admin/structure/actions/new", {"ref": "A1.9", "title": "New", "project_id": "1"}),
    ("/p/test/admin/structure/workstreams/A/edit", {"ref": "A", "title": "Renamed"}),
    (
        "/p/test/admin/structure/projects/A1/edit",
        {"ref": "A1", "title": "Renamed", "workstream_id": "1", "version": "1"},
    ),
    (
        "/p/test/admin/structure/actions/A1.1/edit",
        {"ref": "A1.1", "title": "Renamed", "project_id": "1", "version": "1"},
    ),
    ("/p/test/admin/structure/actions/A1.1/move", {"direction": "down"}),
    ("/p/test/admin/structure/actions/A1.1/archive", {}),
    ("/p/test/admin/structure/actions/A2.1/delete", {}),
    ("/p/test/admin/structure/projects/A2/archive", {}),
]


@pytest.mark.parametrize("who", ["lead", "other_lead", "viewer"])
def test_only_the_programme_office_may_change_the_structure(app, client_for, who):
    plan = make_plan()
    user_client = client_for(getattr(plan, who))
    for url in STRUCTURE_GETS:
        assert user_client.get(url).status_code == 403, url
    before = database_snapshot()
    for url, data in STRUCTURE_POSTS:
        response = user_client.post(url, data=data)
        assert response.status_code == 403, url
        assert "You do not have permission to do that" in response.get_data(as_text=True)
    assert database_snapshot() == before


def test_the_programme_office_sees_every_structure_page(app, client_for):
    plan = make_plan()
    admin = client_for(plan.admin)
    for url in STRUCTURE_GETS:
        assert admin.get(url).status_code == 200, url
    assert 'href="/p/test/admin/structure"' in admin.get("/p/test/").get_data(as_text=True)  # in the navigation


def test_routes_that_change_the_structure_refuse_get(app, client_for):
    plan = make_plan()
    admin = client_for(plan.admin)
    for url in [
        "/p/test/admin/structure/actions/A1.1/move",
        "/p/test/admin/structure/actions/A1.1/archive",
        "/p/test/admin/structure/actions/A1.1/delete",
    ]:
        assert admin.get(url).status_code == 405


def test_create_a_workstream_project_and_action_with_a_new_lead(app, client_for):
    plan = make_plan()
    admin = client_for(plan.admin)
    assert (
        admin.post(
            "/p/test/admin/structure/workstreams/new",
            data={"ref": "F", "title": "Adult social care", "parent_id": "", "reported_separately_by": ""},
        ).status_code
        == 302
    )
    workstream = db.session.scalars(select(Workstream).where(Workstream.ref == "F")).one()
    assert (
        admin.post(
            "/p/test/admin/structure/projects/new",
            data={
                "ref": "F1",
                "title": "Reablement",
                "workstream_id": str(workstream.id),
                "lead_id": "",
                "new_lead": "Head of Reablement",
                "target_date": ["31", "3", "2027"],
            },
        ).status_code
        == 302
    )
    project = db.session.scalars(select(Project).where(Project.ref == "F1")).one()
    assert project.lead.name == "Head of Reablement" and project.target_date == date(2027, 3, 31)
    assert (
        admin.post(
            "/p/test/admin/structure/actions/new",
            data={
                "ref": "F1.1",
                "title": "Map current pathways",
                "project_id": str(project.id),
                "lead_id": str(project.lead_id),
                "start_date": ["1", "12", "2026"],
                "deadline": ["28", "2", "2027"],
            },
        ).status_code
        == 302
    )
    action = db.session.scalars(select(Action).where(Action.ref == "F1.1")).one()
    assert (action.lead_id, action.start_date, action.deadline) == (
        project.lead_id,
        date(2026, 12, 1),
        date(2027, 2, 28),
    )
    events = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "structure_created")).all()
    assert len(events) == 3 and any("F1.1" in detail for detail in events)
    # The new items are on the progress pages.
    assert "Map current pathways" in client_for(plan.viewer).get("/p/test/projects/F1").get_data(as_text=True)


def test_a_new_lead_with_an_existing_name_reuses_the_person(app, client_for):
    plan = make_plan()
    client_for(plan.admin).post(
        "/p/test/admin/structure/projects/new",
        data={
            "ref": "A3",
            "title": "Third",
            "workstream_id": str(plan.project.workstream_id),
            "new_lead": "  alex   LEAD ",
        },
    )
    assert db.session.scalars(select(Project).where(Project.ref == "A3")).one().lead_id == plan.lead.person_id
    assert len(db.session.scalars(select(Person)).all()) == 2


# (case, url, form, field, message)
STRUCTURE_ERRORS = [
    (
        "duplicate workstream ref",
        "/p/test/admin/structure/workstreams/new",
        {"ref": "a", "title": "Dup"},
        "ref",
        "There is already a workstream A: choose a different reference",
    ),
    (
        "duplicate project ref",
        "/p/test/admin/structure/projects/new",
        {"ref": "A2", "title": "Dup", "workstream_id": "{ws}"},
        "ref",
        "There is already a project A2",
    ),
    (
        "duplicate action ref on rename",
        "/p/test/admin/structure/actions/A1.1/edit",
        {"ref": "A2.1", "title": "T", "project_id": "{project}", "version": "1"},
        "ref",
        "There is already a action A2.1",
    ),
    (
        "ref with a slash",
        "/p/test/admin/structure/workstreams/new",
        {"ref": "A/B", "title": "T"},
        "ref",
        "can only contain letters, numbers, spaces, full stops, hyphens and brackets",
    ),
    (
        "overlong ref",
        "/p/test/admin/structure/workstreams/new",
        {"ref": "A" * 41, "title": "T"},
        "ref",
        "The reference must be 40 characters or fewer",
    ),
    (
        "overlong title",
        "/p/test/admin/structure/workstreams/new",
        {"ref": "Q", "title": "T" * 301},
        "title",
        "The title must be 300 characters or fewer",
    ),
    ("missing title", "/p/test/admin/structure/workstreams/new", {"ref": "Q", "title": " "}, "title", "Enter a title"),
    (
        "two levels deep",
        "/p/test/admin/structure/workstreams/new",
        {"ref": "E1.1", "title": "Too deep", "parent_id": "{sub}"},
        "parent_id",
        "Choose a top-level workstream from the list",
    ),
    (
        "tampered parent",
        "/p/test/admin/structure/workstreams/new",
        {"ref": "Q", "title": "T", "parent_id": "99999"},
        "parent_id",
        "Choose a top-level workstream from the list",
    ),
    (
        "start after deadline",
        "/p/test/admin/structure/actions/new",
        {
            "ref": "A1.7",
            "title": "T",
            "project_id": "{project}",
            "start_date": ["1", "6", "2027"],
            "deadline": ["1", "5", "2027"],
        },
        "deadline",
        "The deadline must be the same as or after the start date",
    ),
    (
        "impossible date",
        "/p/test/admin/structure/actions/new",
        {"ref": "A1.7", "title": "T", "project_id": "{project}", "deadline": ["31", "2", "2026"]},
        "deadline",
        "Deadline must be a real date",
    ),
    (
        "tampered project",
        "/p/test/admin/structure/actions/new",
        {"ref": "A1.7", "title": "T", "project_id": "x"},
        "project_id",
        "Choose a project from the list",
    ),
    (
        "tampered lead",
        "/p/test/admin/structure/actions/new",
        {"ref": "A1.7", "title": "T", "project_id": "{project}", "lead_id": "99999"},
        "lead_id",
        "Choose a lead from the list, or add a new lead",
    ),
    (
        "overlong new lead",
        "/p/test/admin/structure/projects/new",
        {"ref": "A7", "title": "T", "workstream_id": "{ws}", "new_lead": "N" * 201},
        "new_lead",
        "The new lead's name must be 200 characters or fewer",
    ),
    (
        "missing workstream",
        "/p/test/admin/structure/projects/new",
        {"ref": "A7", "title": "T", "workstream_id": ""},
        "workstream_id",
        "Choose the workstream the project belongs to",
    ),
]


@pytest.mark.parametrize(
    ("case", "url", "form", "field", "message"), STRUCTURE_ERRORS, ids=[r[0] for r in STRUCTURE_ERRORS]
)
def test_structure_mistakes_get_a_message_and_nothing_is_saved(app, client_for, case, url, form, field, message):
    plan = make_plan()
    sub_parent = make_workstream("E", title="Education")
    sub = make_workstream("E1", title="Schools", parent=sub_parent)
    db.session.commit()
    ids = {"ws": str(plan.project.workstream_id), "project": str(plan.project.id), "sub": str(sub.id)}
    data = {k: (v.format(**ids) if isinstance(v, str) else v) for k, v in form.items()}
    before = database_snapshot()
    response = client_for(plan.admin).post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[-500:]
    assert "There is a problem" in page and str(escape(message)) in page
    target = f"#{field}-day" if field in ("deadline", "start_date", "target_date") else f"#{field}"
    assert f'href="{target}"' in page
    assert database_snapshot() == before


def test_workstreams_go_one_level_deep_in_the_service_too(app):
    plan = make_plan()
    education = make_workstream("E", title="Education")
    schools = make_workstream("E1", title="Schools", parent=education)
    with pytest.raises(InvalidChange) as refusal:
        structure.create_workstream(
            plan.admin,
            structure.WorkstreamDetails(programme=test_programme(), ref="E1.1", title="Too deep", parent=schools),
        )
    assert "workstreams go one level deep" in refusal.value.errors["parent_id"]
    with pytest.raises(InvalidChange) as refusal:  # a parent with children cannot become a child
        structure.update_workstream(
            education,
            plan.admin,
            structure.WorkstreamDetails(
                programme=test_programme(), ref="E", title="Education", parent=plan.project.workstream
            ),
        )
    assert "has sub-workstreams of its own" in refusal.value.errors["parent_id"]


def test_editing_the_lead_and_dates_is_recorded_in_history_and_the_audit_log(app, client_for):
    plan = make_plan()
    response = client_for(plan.admin).post(
        "/p/test/admin/structure/actions/A1.1/edit",
        data={
            "ref": "A1.1",
            "title": "Recruit hub coordinators",
            "project_id": str(plan.project.id),
            "lead_id": str(plan.other_lead.person_id),
            "start_date": ["1", "1", "2026"],
            "deadline": ["31", "3", "2027"],
            "version": "1",
        },
    )
    assert response.status_code == 302
    by_field = {r.field: (r.old_value, r.new_value) for r in history_of(plan.action)}
    assert by_field == {"lead": ("Alex Lead", "Olu Other"), "deadline": ("2027-01-31", "2027-03-31")}
    detail = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "structure_updated")).one()
    assert "A1.1" in detail and "lead" in detail
    page = client_for(plan.viewer).get("/p/test/actions/A1.1").get_data(as_text=True)
    assert "Lead changed" in page or "Lead and deadline changed" in page


def test_a_sub_workstream_can_move_under_another_top_level_workstream(app, client_for):
    plan = make_plan()
    make_workstream("E", title="Education")
    db.session.commit()
    target = db.session.scalars(select(Workstream).where(Workstream.ref == "E")).one()
    response = client_for(plan.admin).post(
        "/p/test/admin/structure/workstreams/A/edit",
        data={"ref": "A", "title": "Children's services", "parent_id": str(target.id)},
    )
    assert response.status_code == 302
    db.session.refresh(plan.project.workstream)
    assert plan.project.workstream.parent_id == target.id


def _order(page: str, refs: list[str]) -> list[str]:
    return sorted(refs, key=lambda ref: page.index(f'id="item-{ref.lower()}"'))


def test_move_up_and_down_reorders_without_touching_versions(app, client_for):
    plan = make_plan()
    make_action(plan.project, "A1.2", lead=plan.lead.person)
    make_action(plan.project, "A1.10", lead=plan.lead.person)
    db.session.commit()
    admin = client_for(plan.admin)
    refs = ["A1.1", "A1.2", "A1.10"]
    assert _order(admin.get("/p/test/admin/structure/projects/A1").get_data(as_text=True), refs) == refs
    versions_before = {a.ref: a.version for a in db.session.scalars(select(Action))}
    assert admin.post("/p/test/admin/structure/actions/A1.10/move", data={"direction": "up"}).status_code == 302
    assert _order(admin.get("/p/test/admin/structure/projects/A1").get_data(as_text=True), refs) == [
        "A1.1",
        "A1.10",
        "A1.2",
    ]
    assert admin.post("/p/test/admin/structure/actions/A1.1/move", data={"direction": "down"}).status_code == 302
    expected = ["A1.10", "A1.1", "A1.2"]
    assert _order(admin.get("/p/test/admin/structure/projects/A1").get_data(as_text=True), refs) == expected
    project_page = client_for(plan.viewer).get("/p/test/projects/A1").get_data(as_text=True)  # boards see the new order
    assert sorted(refs, key=lambda ref: project_page.index(f'/p/test/actions/{ref.lower()}"')) == expected
    # Moving the first item up changes nothing; versions never move, so open update forms stay valid.
    assert admin.post("/p/test/admin/structure/actions/A1.10/move", data={"direction": "up"}).status_code == 302
    assert {a.ref: a.version for a in db.session.scalars(select(Action))} == versions_before
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.event == "structure_reordered")).all()


def test_a_tampered_direction_changes_nothing(app, client_for):
    plan = make_plan()
    before = database_snapshot()
    response = client_for(plan.admin).post(
        "/p/test/admin/structure/actions/A1.1/move", data={"direction": "sideways"}, follow_redirects=True
    )
    assert response.status_code == 200 and "Choose to move the item up or down" in response.get_data(as_text=True)
    assert database_snapshot() == before


def test_archiving_a_project_archives_its_actions_and_keeps_their_history(app, client_for):
    plan = make_plan()
    client_for(plan.lead).post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="Before archive.")
    )
    admin = client_for(plan.admin)
    assert admin.post("/p/test/admin/structure/projects/A1/archive").status_code == 302
    db.session.refresh(plan.action)
    db.session.refresh(plan.project)
    assert plan.action.archived_at is not None and plan.project.archived_at is not None
    assert [r.field for r in history_of(plan.action)] == ["progress_note", "archived"]
    assert "Early help hubs" not in client_for(plan.viewer).get("/p/test/workstreams/A").get_data(as_text=True)
    assert client_for(plan.lead).get("/p/test/actions/A1.1/update").status_code == 404


def test_a_workstream_with_live_projects_cannot_be_archived(app, client_for):
    plan = make_plan()
    before = database_snapshot()
    response = client_for(plan.admin).post("/p/test/admin/structure/workstreams/A/archive", follow_redirects=True)
    assert "Archive or move A1, A2 first" in response.get_data(as_text=True)
    assert database_snapshot() == before


def test_an_item_without_history_may_be_deleted(app, client_for):
    plan = make_plan()
    admin = client_for(plan.admin)
    assert "Delete action A2.1" in admin.get("/p/test/admin/structure/actions/A2.1/edit").get_data(as_text=True)
    assert admin.post("/p/test/admin/structure/actions/A2.1/delete").status_code == 302
    assert db.session.scalars(select(Action).where(Action.ref == "A2.1")).first() is None
    assert admin.post("/p/test/admin/structure/projects/A2/delete").status_code == 302  # now empty, no history
    assert db.session.scalars(select(Project).where(Project.ref == "A2")).first() is None
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.event == "structure_deleted")).all()


def test_an_item_with_history_can_only_be_archived(app, client_for):
    plan = make_plan()
    client_for(plan.lead).post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="History now.")
    )
    admin = client_for(plan.admin)
    edit_page = admin.get("/p/test/admin/structure/actions/A1.1/edit").get_data(as_text=True)
    assert "Delete action A1.1" not in edit_page and "has history, so it cannot be deleted" in edit_page
    before = database_snapshot()
    response = admin.post("/p/test/admin/structure/actions/A1.1/delete", follow_redirects=True)
    assert "This action has history, so it can be archived but not deleted" in response.get_data(as_text=True)
    assert database_snapshot() == before


def test_a_project_with_actions_cannot_be_deleted(app, client_for):
    plan = make_plan()
    before = database_snapshot()
    response = client_for(plan.admin).post("/p/test/admin/structure/projects/A2/delete", follow_redirects=True)
    assert "Project A2 still has actions" in response.get_data(as_text=True)
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "url",
    [
        "/p/test/admin/structure/widgets/A1/move",
        "/p/test/admin/structure/actions/Z9/archive",
        "/p/test/admin/structure/projects/Z9/delete",
        "/p/test/admin/structure/actions/Z9/edit",
        "/p/test/admin/structure/workstreams/Z9",
    ],
)
def test_tampered_kinds_and_refs_get_404(app, client_for, url):
    plan = make_plan()
    assert client_for(plan.admin).post(url, data={"direction": "up"}).status_code in (404, 405)
    assert client_for(plan.admin).get(url).status_code in (404, 405)


def test_structure_pages_issue_the_same_number_of_statements_at_any_size(app, client_for, count_queries):
    plan = make_plan()
    admin = client_for(plan.admin)
    urls = [
        "/p/test/admin/structure",
        "/p/test/admin/structure/workstreams/A",
        "/p/test/admin/structure/projects/A1",
        "/p/test/admin/structure/actions/A1.1/edit",
    ]
    for url in urls:
        admin.get(url)
    small = {url: count_queries(lambda url=url: admin.get(url)) for url in urls}
    for n in range(8):
        make_workstream(f"W{n}")
        make_action(plan.project, f"A1.{n + 20}", lead=plan.lead.person)
    db.session.commit()
    large = {url: count_queries(lambda url=url: admin.get(url)) for url in urls}
    assert small == large
