"""Refs as councils write them: 'KPI 12', 'Performance Indicator 3', 'BCP-4a', 'E2.14'.

Workstreams, projects and actions take them through the structure service and pages; their pages
are reached by the ref's slug and by the ref itself; every link uses the slug; refs sort naturally.
"""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from tests.factories import make_action, make_project, make_workstream, test_programme
from tests.programme.editing import database_snapshot, make_plan
from tracker.core.errors import InvalidChange, NotFound
from tracker.extensions import db
from tracker.programme import queries, queries_structure, structure
from tracker.programme.models import Action, Project, Workstream


def _council_items(plan):
    """A workstream, project and two actions with refs as a council's papers write them, made by the service."""
    workstream = structure.create_workstream(
        plan.admin,
        structure.WorkstreamDetails(programme=test_programme(), ref="Performance Indicator 3", title="Performance"),
    )
    project = structure.create_project(
        plan.admin,
        structure.ProjectDetails(
            ref="BCP-4a", title="Business continuity", workstream=workstream, lead=plan.lead.person
        ),
    )
    kpi = structure.create_action(
        plan.admin,
        structure.ActionDetails(ref="KPI 12", title="Publish the KPI", project=project, lead=plan.lead.person),
    )
    e214 = structure.create_action(
        plan.admin,
        structure.ActionDetails(ref="E2.14", title="Review the plan", project=project, lead=plan.lead.person),
    )
    db.session.commit()
    return workstream, project, kpi, e214


def test_the_service_takes_refs_as_councils_write_them(app):
    plan = make_plan()
    workstream, project, kpi, e214 = _council_items(plan)
    assert (workstream.ref, workstream.slug) == ("Performance Indicator 3", "performance-indicator-3")
    assert (project.ref, project.slug) == ("BCP-4a", "bcp-4a")
    assert (kpi.ref, kpi.slug) == ("KPI 12", "kpi-12")
    assert (e214.ref, e214.slug) == ("E2.14", "e2.14")


def test_the_service_stores_the_ref_with_its_spaces_tidied(app):
    plan = make_plan()
    workstream = structure.create_workstream(
        plan.admin, structure.WorkstreamDetails(programme=test_programme(), ref="  KPI   7 ", title="T")
    )
    assert (workstream.ref, workstream.slug) == ("KPI 7", "kpi-7")
    # Saving the same ref typed untidily again is not a change.
    assert (
        structure.update_workstream(
            workstream, plan.admin, structure.WorkstreamDetails(programme=test_programme(), ref="KPI  7", title="T")
        )
        == []
    )


def test_the_structure_pages_create_items_with_council_refs(app, client_for):
    plan = make_plan()
    admin = client_for(plan.admin)
    response = admin.post(
        "/p/test/admin/structure/workstreams/new", data={"ref": "Performance Indicator 3", "title": "P"}
    )
    assert response.status_code == 302
    workstream = db.session.scalars(select(Workstream).where(Workstream.ref == "Performance Indicator 3")).one()
    response = admin.post(
        "/p/test/admin/structure/projects/new",
        data={"ref": "BCP-4a", "title": "B", "workstream_id": str(workstream.id)},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/p/test/admin/structure/workstreams/performance-indicator-3")
    project = db.session.scalars(select(Project).where(Project.ref == "BCP-4a")).one()
    response = admin.post(
        "/p/test/admin/structure/actions/new", data={"ref": "KPI 12", "title": "K", "project_id": str(project.id)}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/p/test/admin/structure/projects/bcp-4a")
    assert db.session.scalars(select(Action).where(Action.slug == "kpi-12")).one().ref == "KPI 12"
    # "Add a project" on the workstream's page preselects it by its slug.
    page = admin.get("/p/test/admin/structure/workstreams/performance-indicator-3").get_data(as_text=True)
    assert 'href="/p/test/admin/structure/projects/new?workstream=performance-indicator-3"' in page
    form = admin.get("/p/test/admin/structure/projects/new?workstream=performance-indicator-3").get_data(as_text=True)
    assert re.search(rf'<option[^>]*value="{workstream.id}"[^>]*selected', form)


PAGES_BY_SLUG_AND_REF = [
    ("/p/test/workstreams/performance-indicator-3", "Performance Indicator 3"),
    ("/p/test/workstreams/Performance%20Indicator%203", "Performance Indicator 3"),
    ("/p/test/workstreams/PERFORMANCE-indicator-3", "Performance Indicator 3"),
    ("/p/test/projects/bcp-4a", "BCP-4a"),
    ("/p/test/projects/BCP-4a", "BCP-4a"),
    ("/p/test/projects/BCP%204a", "BCP-4a"),
    ("/p/test/actions/kpi-12", "KPI 12"),
    ("/p/test/actions/KPI%2012", "KPI 12"),
    ("/p/test/actions/e2.14", "E2.14"),
    ("/p/test/actions/E2.14", "E2.14"),
    ("/p/test/actions/a1.1", "A1.1"),
    ("/p/test/actions/A1.1", "A1.1"),
    ("/p/test/actions/kpi-12/update", "KPI 12"),
    ("/p/test/actions/KPI%2012/update", "KPI 12"),
    ("/p/test/projects/bcp-4a/update", "BCP-4a"),
    ("/p/test/projects/BCP%204a/update", "BCP-4a"),
    ("/p/test/admin/structure/workstreams/performance-indicator-3", "Performance Indicator 3"),
    ("/p/test/admin/structure/projects/BCP%204a", "BCP-4a"),
    ("/p/test/admin/structure/projects/bcp-4a/edit", "BCP-4a"),
    ("/p/test/admin/structure/actions/KPI%2012/edit", "KPI 12"),
    ("/p/test/admin/structure/actions/kpi-12/edit", "KPI 12"),
]


def test_pages_are_reached_by_the_slug_and_by_the_ref_itself(app, client_for):
    plan = make_plan()
    _council_items(plan)
    admin = client_for(plan.admin)
    for url, ref in PAGES_BY_SLUG_AND_REF:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert str(escape(ref)) in response.get_data(as_text=True), url


def test_lookups_by_slug_and_by_ref_send_the_same_statements(app, count_queries):
    plan = make_plan()
    _council_items(plan)
    programme = plan.programme
    assert programme.id  # loaded before counting
    counts = {
        url: count_queries(lambda url=url: queries.project_by_ref(programme, url))
        for url in ("bcp-4a", "BCP-4a", "BCP 4a", "  BCP   4a ")
    }
    assert len(set(counts.values())) == 1, counts
    assert queries_structure.structure_item(plan.programme, Action, "kpi 12").ref == "KPI 12"
    assert queries.action_for_update(plan.programme, "KPI 12").ref == "KPI 12"
    assert queries.project_for_update(plan.programme, "bcp-4a").ref == "BCP-4a"


@pytest.mark.parametrize(
    "url",
    [
        "/p/test/actions/KPI%0A12",
        "/p/test/actions/KPI%7F12",
        "/p/test/projects/BCP%014a",
        "/p/test/projects/BCP%014a/update",
        "/p/test/admin/structure/projects/BCP%014a",
        "/p/test/actions/" + "A" * 41,
        "/p/test/workstreams/" + "P" * 41,
    ],
)
def test_refs_no_item_can_have_are_refused_with_a_404(app, client_for, url):
    plan = make_plan()
    assert client_for(plan.admin).get(url).status_code == 404


def test_a_nul_byte_in_the_address_is_refused(app, client_for):
    plan = make_plan()
    assert client_for(plan.admin).get("/p/test/actions/KPI%0012").status_code in (400, 404)


@pytest.mark.parametrize("ref", ["KPI\x0712", "KPI\x0012", "KPI 12\x7f"])
def test_the_service_refuses_a_ref_with_a_control_character(app, ref):
    plan = make_plan()
    with pytest.raises(InvalidChange) as refusal:
        structure.create_workstream(
            plan.admin, structure.WorkstreamDetails(programme=test_programme(), ref=ref, title="T")
        )
    assert "can only contain letters, numbers, spaces" in refusal.value.errors["ref"]


def test_the_service_refuses_a_ref_of_41_characters(app):
    plan = make_plan()
    with pytest.raises(InvalidChange) as refusal:
        structure.create_action(plan.admin, structure.ActionDetails(ref="A" * 41, title="T", project=plan.project))
    assert refusal.value.errors["ref"] == "The reference must be 40 characters or fewer"
    assert (
        structure.create_action(plan.admin, structure.ActionDetails(ref="A" * 40, title="T", project=plan.project)).slug
        == "a" * 40
    )


def test_control_characters_never_reach_the_database(app, count_queries):
    programme = make_plan().programme
    lookups = (
        queries.action_by_ref,
        queries.project_by_ref,
        queries.workstream_by_ref,
        queries.action_for_update,
        queries.project_for_update,
        lambda programme, ref: queries_structure.structure_item(programme, Workstream, ref),
        queries_structure.project_with_workstream,
    )
    for lookup in lookups:

        def refused(lookup=lookup) -> None:
            with pytest.raises(NotFound):
                lookup(programme, "A\x001")

        assert count_queries(refused) == 0


def _hrefs(page: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', page)


def test_links_on_the_progress_pages_use_the_slug(app, client_for):
    plan = make_plan()
    _council_items(plan)
    viewer = client_for(plan.viewer)
    overview = viewer.get("/p/test/").get_data(as_text=True)
    assert "/p/test/workstreams/performance-indicator-3" in _hrefs(overview)
    workstream_page = viewer.get("/p/test/workstreams/performance-indicator-3").get_data(as_text=True)
    assert "/p/test/projects/bcp-4a" in _hrefs(workstream_page)
    assert "Performance Indicator 3" in workstream_page and "BCP-4a" in workstream_page
    project_page = viewer.get("/p/test/projects/bcp-4a").get_data(as_text=True)
    assert {"/p/test/actions/kpi-12", "/p/test/actions/e2.14", "/p/test/workstreams/performance-indicator-3"} <= set(
        _hrefs(project_page)
    )
    action_list = viewer.get("/p/test/actions").get_data(as_text=True)
    assert {"/p/test/actions/kpi-12", "/p/test/actions/e2.14", "/p/test/actions/a1.1"} <= set(_hrefs(action_list))
    assert "KPI 12" in action_list
    action_page = viewer.get("/p/test/actions/kpi-12").get_data(as_text=True)
    assert {"/p/test/projects/bcp-4a", "/p/test/workstreams/performance-indicator-3"} <= set(_hrefs(action_page))
    for page in (overview, workstream_page, project_page, action_list, action_page):
        assert not [href for href in _hrefs(page) if "%20" in href or " " in href]


def test_my_actions_and_the_update_pages_link_with_the_slug(app, client_for):
    plan = make_plan()
    _council_items(plan)
    lead = client_for(plan.lead)
    mine = lead.get("/p/test/my-actions")
    hrefs = set(_hrefs(mine.get_data(as_text=True)))
    assert {"/p/test/actions/kpi-12", "/p/test/actions/kpi-12/update", "/p/test/projects/bcp-4a/update"} <= hrefs
    update_page = lead.get("/p/test/actions/kpi-12/update").get_data(as_text=True)
    assert 'action="/p/test/actions/kpi-12/update"' in update_page
    assert "/p/test/actions/kpi-12" in _hrefs(update_page)
    kpi = db.session.scalars(select(Action).where(Action.slug == "kpi-12")).one()
    response = lead.post(
        "/p/test/actions/KPI%2012/update",
        data={
            "status": "amber",
            "status_reason": "",
            "progress_note": "Started.",
            "deadline": ["", "", ""],
            "deadline_reason": "",
            "completed_on": ["", "", ""],
            "version": str(kpi.version),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    assert response.headers["Location"].endswith("/p/test/actions/kpi-12")


def test_links_on_the_structure_pages_use_the_slug(app, client_for):
    plan = make_plan()
    _council_items(plan)
    admin = client_for(plan.admin)
    index = admin.get("/p/test/admin/structure").get_data(as_text=True)
    assert {
        "/p/test/admin/structure/workstreams/performance-indicator-3",
        "/p/test/admin/structure/workstreams/performance-indicator-3/edit",
    } <= set(_hrefs(index))
    project_page = admin.get("/p/test/admin/structure/projects/bcp-4a").get_data(as_text=True)
    assert {"/p/test/admin/structure/actions/kpi-12/edit", "/p/test/actions/kpi-12", "/p/test/projects/bcp-4a"} <= set(
        _hrefs(project_page)
    )
    assert 'action="/p/test/admin/structure/actions/kpi-12/move"' in project_page
    assert 'id="item-kpi-12"' in project_page
    moved = admin.post("/p/test/admin/structure/actions/kpi-12/move", data={"direction": "down"})
    assert moved.headers["Location"].endswith("/p/test/admin/structure/projects/bcp-4a#item-kpi-12")


def test_refs_sort_naturally(app, client_for):
    plan = make_plan()
    project = make_project(make_workstream("P", title="Performance"), "P", title="Indicators")
    for ref in ["P 10", "P 2", "P 1"]:
        make_action(project, ref, title=f"Indicator {ref}")
    db.session.commit()
    page = client_for(plan.viewer).get("/p/test/actions?sort=ref").get_data(as_text=True)
    positions = [page.index(f'href="/p/test/actions/{slug}"') for slug in ("p-1", "p-2", "p-10")]
    assert positions == sorted(positions)
    refs = db.session.scalars(select(Action.ref).where(Action.project_id == project.id).order_by(Action.ref_sort)).all()
    assert refs == ["P 1", "P 2", "P 10"]


# (case, url, form data, message)
REF_MISTAKES = [
    (
        "slug clash with another project",
        "/p/test/admin/structure/projects/new",
        {"ref": "KPI 1", "title": "Dup", "workstream_id": "{ws}"},
        "There is already a project KPI-1, and KPI 1 would have the same web address: choose a different reference",
    ),
    (
        "same ref in another case",
        "/p/test/admin/structure/projects/new",
        {"ref": "kpi-1", "title": "Dup", "workstream_id": "{ws}"},
        "There is already a project KPI-1: choose a different reference",
    ),
    (
        "slug clash on rename",
        "/p/test/admin/structure/actions/A1.1/edit",
        {"ref": "kpi (12)", "title": "T", "project_id": "{project}", "version": "1"},
        "There is already a action KPI 12, and kpi (12) would have the same web address: choose a different reference",
    ),
    (
        "41 characters",
        "/p/test/admin/structure/workstreams/new",
        {"ref": "Performance Indicator " + "9" * 19, "title": "T"},
        "The reference must be 40 characters or fewer",
    ),
    (
        "question mark",
        "/p/test/admin/structure/workstreams/new",
        {"ref": "KPI 12?", "title": "T"},
        "can only contain letters, numbers, spaces, full stops, hyphens and brackets",
    ),
    (
        "slash",
        "/p/test/admin/structure/actions/new",
        {"ref": "KPI 1/2", "title": "T", "project_id": "{project}"},
        "can only contain letters, numbers, spaces, full stops, hyphens and brackets",
    ),
]


@pytest.mark.parametrize(("case", "url", "form", "message"), REF_MISTAKES, ids=[r[0] for r in REF_MISTAKES])
def test_ref_mistakes_get_a_message_next_to_the_ref(app, client_for, case, url, form, message):
    plan = make_plan()
    make_project(plan.project.workstream, "KPI-1", title="Existing")
    make_action(plan.project, "KPI 12", title="Existing action")
    db.session.commit()
    ids = {"ws": str(plan.project.workstream_id), "project": str(plan.project.id)}
    data = {k: (v.format(**ids) if isinstance(v, str) else v) for k, v in form.items()}
    before = database_snapshot()
    response = client_for(plan.admin).post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[-500:]
    assert "There is a problem" in page and 'href="#ref"' in page
    error = re.search(r'id="ref-error"[^>]*>(.*?)</p>', page, re.S)
    assert error and str(escape(message)) in error.group(1), page[-2000:]
    assert database_snapshot() == before


def test_the_service_refuses_a_slug_clash_of_the_same_kind_only(app):
    plan = make_plan()
    make_project(plan.project.workstream, "KPI-1", title="Existing")
    db.session.commit()
    with pytest.raises(InvalidChange) as refusal:
        structure.create_project(
            plan.admin, structure.ProjectDetails(ref="KPI 1", title="Dup", workstream=plan.project.workstream)
        )
    assert refusal.value.errors["ref"].startswith("There is already a project KPI-1")
    # An action may share a project's web address: they live under different addresses.
    action = structure.create_action(plan.admin, structure.ActionDetails(ref="KPI 1", title="A", project=plan.project))
    assert action.slug == "kpi-1"
    # An item keeps its own ref when edited, in any spelling of it.
    project = db.session.scalars(select(Project).where(Project.ref == "KPI-1")).one()
    structure.update_project_details(
        project,
        plan.admin,
        structure.ProjectDetails(ref="KPI-1", title="Renamed", workstream=project.workstream),
        project.version,
    )
    assert project.title == "Renamed"
