"""`flask demo scale`: the synthetic programme `scale`, built beside the demo programmes."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import TODAY
from tracker.demo.loader import EDUCATION, load_demo_programme
from tracker.demo.scale import ProgrammeNotEmpty, build_synthetic_programme
from tracker.extensions import db
from tracker.programme.models import Action, Programme, Project, Workstream


def rows(model, programme_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.programme_id == programme_id))


def test_scale_sits_beside_the_demo_and_names_its_programme_on_every_row(app, runner):
    load_demo_programme(TODAY, EDUCATION)
    education = db.session.scalars(select(Programme).where(Programme.short_name == "education")).one()
    before = {model: rows(model, education.id) for model in (Workstream, Project, Action)}

    result = runner.invoke(args=["demo", "scale", "--workstreams", "3", "--projects", "12", "--actions", "40"])

    assert result.exit_code == 0, result.output
    assert "scale" in result.output
    scale = db.session.scalars(select(Programme).where(Programme.short_name == "scale")).one()
    assert {model: rows(model, scale.id) for model in (Workstream, Project, Action)} == {
        Workstream: 3,
        Project: 12,
        Action: 40,
    }
    assert {model: rows(model, education.id) for model in (Workstream, Project, Action)} == before
    # Each project and action sits in the programme of its parent, not merely in some programme.
    assert not db.session.scalar(
        select(func.count())
        .select_from(Project)
        .join(Workstream)
        .where(Project.programme_id != Workstream.programme_id)
    )
    assert not db.session.scalar(
        select(func.count()).select_from(Action).join(Project).where(Action.programme_id != Project.programme_id)
    )
    leads = set(db.session.scalars(select(Action.lead_id).where(Action.programme_id == scale.id)))
    education_people = set(db.session.scalars(select(Action.lead_id).where(Action.programme_id == education.id)))
    assert leads and not leads & education_people


def test_scale_refuses_only_when_a_scale_programme_exists(app, runner):
    build_synthetic_programme(2, 4, 8, TODAY)
    try:
        build_synthetic_programme(2, 4, 8, TODAY)
    except ProgrammeNotEmpty as error:
        assert "scale" in str(error)
    else:
        raise AssertionError("a second scale programme was built")
    result = runner.invoke(args=["demo", "scale", "--workstreams", "2", "--projects", "4", "--actions", "8"])
    assert result.exit_code != 0 and "scale" in result.output
