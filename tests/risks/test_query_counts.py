"""The register and the item panels send the same number of SQL statements for few risks and for many."""

from __future__ import annotations

from flask import render_template_string

from tests.conftest import wipe_tables
from tests.factories import make_person, make_programme, make_project, make_user, make_workstream
from tests.risks.world import make_risk
from tracker.extensions import db
from tracker.programme.context import use_programme
from tracker.risks import queries

LEVELS = ((5, 5, True), (1, 2, True), (3, 3, True), (4, 5, False))  # high, low, medium open; high closed


def _build(rounds: int):
    """Two workstreams (one with a sub-workstream), three projects each; each round adds a risk of every
    level, open and closed, to the programme and every item, each with an owner of its own."""
    programme = make_programme()
    other = make_programme(short_name="other", name="Other programme")
    top = make_workstream("A")
    sub = make_workstream("A1X", parent=top)
    workstreams = [top, sub, make_workstream("B")]
    projects = [make_project(ws, f"{ws.ref}P{n}") for ws in workstreams for n in range(3)]
    for _ in range(rounds):
        for likelihood, impact, is_open in LEVELS:
            scores = {"likelihood": likelihood, "impact": impact, "is_open": is_open}
            make_risk(programme, make_person(), **scores)
            for ws in workstreams:
                make_risk(programme, make_person(), workstream=ws, **scores)
            for project in projects:
                make_risk(programme, make_person(), project=project, **scores)
    make_risk(other, make_person())  # another programme's risk is never listed
    db.session.commit()
    return programme, top, projects[0]


def _statements(app, client_for, count_queries, rounds: int) -> dict[str, int]:
    programme, workstream, project = _build(rounds)
    client = client_for(make_user("lead"))
    found = {}
    for url in ("/p/test/risks", "/p/test/risks?state=all&level=high", "/p/test/risks?state=closed"):
        client.get(url)  # warm: the first request of a client loads more (session, settings)
        found[url] = count_queries(lambda url=url: client.get(url))
    with app.test_request_context("/p/test/"):
        use_programme(programme)
        for name, item in (("programme", programme), ("workstream", workstream), ("project", project)):
            db.session.expire_all()
            found[name] = count_queries(
                lambda item=item: render_template_string('{% include "risks/_risk_panel.html" %}', item=item)
            )
        found["all_risks_of"] = count_queries(lambda: queries.all_risks_of(programme))
        assert len(queries.all_risks_of(programme)) == rounds * len(LEVELS) * 13
    return found


def test_statement_counts_do_not_grow_with_the_register(app, client_for, count_queries):
    small = _statements(app, client_for, count_queries, 1)
    wipe_tables()
    large = _statements(app, client_for, count_queries, 12)
    assert small == large
    assert large["all_risks_of"] == 1, large
    assert large["project"] <= 3, large  # the panel's one SELECT, the lead's workstreams, the expired item
