"""What the API answers: the same figures as the exports, pages with links, filters, 304s, problem details."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.api.conftest import bearer
from tests.factories import make_action, make_project, make_workstream
from tracker.board.snapshots import freeze_board
from tracker.extensions import db
from tracker.programme.data_version import bump_data_version
from tracker.programme.meetings import meeting_on
from tracker.programme.models import Action
from tracker.programme.status import Status

BASE = "/api/v1/programmes/children"


def test_programmes_lists_what_the_caller_may_read_with_links(programme, get):
    body = get("/api/v1/programmes").get_json()
    assert [p["short_name"] for p in body["items"]] == ["children"]
    item = body["items"][0]
    assert item["next_board"] == "2026-12-11"
    assert item["links"]["actions"] == f"http://localhost{BASE}/actions"


def test_the_summary_is_the_export_summary(programme, get, runner):
    printed = runner.invoke(args=["export", "summary", "--programme", "children"])
    assert printed.exit_code == 0, printed.output
    assert get(f"{BASE}/summary").get_json() == json.loads(printed.output)


def test_kpis_are_the_fields_of_the_kpi_export(programme, get, runner):
    printed = runner.invoke(args=["export", "kpis", "--programme", "children"])
    assert printed.exit_code == 0, printed.output
    assert get(f"{BASE}/kpis").get_json()["items"] == json.loads(printed.output)


def test_workstreams_and_projects_in_board_order(programme, get):
    workstreams = get(f"{BASE}/workstreams").get_json()["items"]
    assert [(w["ref"], w["parent_ref"]) for w in workstreams] == [("W", None), ("W1", "W")]
    projects = get(f"{BASE}/projects").get_json()["items"]
    assert [(p["ref"], p["workstream_ref"], p["root_workstream_ref"]) for p in projects] == [
        ("P1", "W", "W"),
        ("P2", "W1", "W"),
    ]
    assert projects[0]["lead"] == "Robin Lead" and projects[0]["status"] == "amber"


def test_actions_come_a_page_at_a_time_with_links_to_follow(programme, get):
    first = get(f"{BASE}/actions?per_page=4")
    body = first.get_json()
    assert (body["total"], body["pages"], body["page"]) == (6, 2, 1)
    assert body["links"]["prev"] is None
    assert 'rel="next"' in first.headers["Link"] and body["links"]["next"] in first.headers["Link"]
    refs = [a["ref"] for a in body["items"]]
    second = get(body["links"]["next"].removeprefix("http://localhost")).get_json()
    refs += [a["ref"] for a in second["items"]]
    assert second["links"]["next"] is None and second["links"]["prev"] == body["links"]["self"]
    assert refs == ["P1.1", "P1.2", "P1.3", "P2.1", "P2.2", "P2.3"]
    assert body["items"][0]["web"] == "http://localhost/p/children/actions/p1.1"


def _refs(get, query: str) -> list[str]:
    response = get(f"{BASE}/actions?{query}")
    assert response.status_code == 200, response.get_json()
    return [a["ref"] for a in response.get_json()["items"]]


def test_actions_filter_as_the_action_list_page_does(programme, get):
    every = get(f"{BASE}/actions").get_json()["items"]
    by_ref = {a["ref"]: a for a in every}
    assert _refs(get, "status=red&status=amber") == [r for r, a in by_ref.items() if a["status"] in ("red", "amber")]
    assert _refs(get, "lead=robin%20lead") == [r for r, a in by_ref.items() if a["lead"] == "Robin Lead"]
    assert _refs(get, "lead=Nobody%20Here") == []
    assert _refs(get, "overdue=true") == [r for r, a in by_ref.items() if a["overdue"]]
    assert _refs(get, "overdue=true") != []
    assert _refs(get, "due_before_board=true") == [r for r, a in by_ref.items() if a["due_before_next_board"]]
    assert _refs(get, "workstream=W1") == ["P2.1", "P2.2", "P2.3"]  # P2 sits in the sub-workstream
    assert _refs(get, "workstream=W") == list(by_ref)  # a workstream includes its sub-workstreams
    assert _refs(get, "workstream=NOPE") == []


@pytest.mark.parametrize("query", ["status=pink", "page=0", "per_page=501", "overdue=maybe", "page=x"])
def test_a_bad_query_parameter_is_a_422_problem_naming_it(programme, get, query):
    response = get(f"{BASE}/actions?{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422 and problem["title"] == "Unprocessable Entity"
    assert query.split("=")[0] in problem["errors"]["query"]


def test_a_current_etag_gets_a_304_and_a_change_a_new_answer(programme, get, admin_client):
    first = get(f"{BASE}/actions")
    etag = first.headers["ETag"]
    again = get(f"{BASE}/actions", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert first.headers["Cache-Control"] == "private, no-cache"  # a shared cache never keeps it
    # Another query is another answer.
    assert get(f"{BASE}/actions?status=red", **{"If-None-Match": etag}).status_code == 200
    action = db.session.scalars(db.select(Action).where(Action.ref == "P1.1")).one()
    action.status = Status.RED
    db.session.commit()
    changed = get(f"{BASE}/actions", **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["items"][0]["status"] == "red"


@pytest.mark.parametrize("path", ["summary", "workstreams", "projects", "kpis"])
def test_every_programme_read_answers_304_while_nothing_changes(programme, get, path):
    etag = get(f"{BASE}/{path}").headers["ETag"]
    assert get(f"{BASE}/{path}", **{"If-None-Match": etag}).status_code == 304


def test_a_304_costs_no_more_than_finding_the_caller_and_the_programme(programme, get, count_queries):
    etag = get(f"{BASE}/projects").headers["ETag"]
    get(f"{BASE}/projects")  # the token's last-used stamp is written on the first call only
    assert count_queries(lambda: get(f"{BASE}/projects", **{"If-None-Match": etag})) <= 3


def _grow(extra_projects: int) -> None:
    workstream = make_workstream("X")
    for n in range(extra_projects):
        project = make_project(workstream, f"X{n}")
        for m in range(4):
            make_action(project, f"X{n}.{m}", deadline=date(2026, 11, 1))
    db.session.commit()


@pytest.mark.parametrize(
    "path", ["", "/summary", "/workstreams", "/projects", "/actions?per_page=500&status=grey", "/kpis", "/meetings"]
)
def test_each_read_issues_a_fixed_number_of_statements_whatever_the_size(app, programme, get, count_queries, path):
    """Measured on a cache miss at both sizes: every write moves the data version, so nothing cached is reused."""
    url = "/api/v1/programmes" if path == "" else f"{BASE}{path}"
    get(url)  # stamps the token
    bump_data_version(db.session)
    db.session.commit()
    small = count_queries(lambda: get(url))
    _grow(15)
    large = count_queries(lambda: get(url))
    assert small == large, (small, large)
    assert len(get(url).get_data()) > 0


def test_meetings_and_a_frozen_board(programme, admin_user, get):
    meeting = meeting_on(programme, date(2026, 12, 11))
    assert get(f"{BASE}/meetings").get_json()["items"][0]["frozen"] is False
    assert get(f"{BASE}/meetings/2026-12-11/snapshot").status_code == 404
    frozen = freeze_board(programme, meeting, admin_user, command_line=True)
    db.session.commit()
    listed = get(f"{BASE}/meetings").get_json()["items"][0]
    assert listed["frozen"] is True and listed["links"]["snapshot"].endswith("/meetings/2026-12-11/snapshot")
    response = get(f"{BASE}/meetings/2026-12-11/snapshot")
    body = response.get_json()
    assert body["content_sha256"] == frozen.content_sha256 and response.headers["ETag"]
    assert body["document"]["schema"] == 1 and len(body["document"]["actions"]) == 6
    assert body["frozen_at"].endswith("+00:00")
    assert get(f"{BASE}/meetings/2026-13-45/snapshot").status_code == 404


def test_errors_are_problem_details_under_api_and_pages_elsewhere(programme, get, client, viewer_token):
    for url, status in [
        ("/api/v1/programmes/nope/summary", 404),
        ("/api/v1/nothing-here", 404),
        (f"{BASE}/actions/P1.1", 404),
    ]:
        response = get(url)
        assert (response.status_code, response.mimetype) == (status, "application/problem+json"), url
        problem = response.get_json()
        assert set(problem) >= {"type", "title", "status", "detail"} and problem["status"] == status
    posted = client.post(f"{BASE}/actions", headers=bearer(viewer_token))
    assert posted.status_code == 405 and posted.mimetype == "application/problem+json"
    assert "GET" in posted.headers["Allow"]
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_an_unexpected_failure_is_a_500_problem_that_gives_nothing_away(programme, get, monkeypatch):
    import tracker.api.api_views as views

    def broken(_programme):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(views, "scorecard", broken)
    response = get(f"{BASE}/kpis")
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert "hunter2" not in response.get_data(as_text=True)


def test_the_api_needs_authentication_even_when_progress_pages_are_public(programme, client):
    programme.public_progress_pages = True
    db.session.commit()
    assert client.get("/p/children/").status_code == 200
    response = client.get(f"{BASE}/summary")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_a_signed_in_browser_reads_the_api_with_its_session(programme, viewer_client):
    assert viewer_client.get(f"{BASE}/summary").status_code == 200


def test_a_viewer_with_another_role_elsewhere_reads_every_programme(app, programme, lead_user, token_for, client):
    from tests.factories import make_programme
    from tracker.auth.models import ProgrammeRole, Role

    second = make_programme(short_name="adults", name="Adults")
    db.session.add(ProgrammeRole(user_id=lead_user.id, programme_id=second.id, role=Role.VIEWER))
    db.session.commit()
    secret = token_for(lead_user)
    listed = client.get("/api/v1/programmes", headers=bearer(secret)).get_json()["items"]
    assert [p["short_name"] for p in listed] == ["children", "adults"]
    assert client.get("/api/v1/programmes/adults/summary", headers=bearer(secret)).status_code == 200


def test_page_links_carry_only_the_lists_own_parameters(programme, get):
    body = get(f"{BASE}/actions?per_page=2&_external=0&_scheme=javascript&_anchor=x&status=grey&status=red").get_json()
    for link in filter(None, body["links"].values()):
        assert link.startswith(f"http://localhost{BASE}/actions?") and "_" not in link.split("?", 1)[1].replace(
            "per_page", ""
        )
    assert "status=grey" in body["links"]["self"] and "status=red" in body["links"]["self"]


def test_a_request_the_service_refuses_before_routing_is_a_400_problem(programme, get):
    response = get(f"{BASE}/actions?lead=%00")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"].startswith("The address or form contained characters")


def test_head_answers_like_get_without_a_body(programme, client, viewer_token):
    response = client.head(f"{BASE}/summary", headers=bearer(viewer_token))
    assert response.status_code == 200 and response.data == b"" and response.headers["ETag"]
