"""Test data shared by the search tests, built from tests/factories.py."""

from __future__ import annotations

from tests.factories import make_action, make_person, make_programme, make_project, make_workstream
from tracker.programme.models import Programme


def a_programme_with_a1(short_name: str, name: str, public: bool = False) -> Programme:
    """A programme holding workstream A, project A1 and action A1.1: refs another programme may hold too."""
    programme = make_programme(short_name=short_name, name=name, public_progress_pages=public)
    lead = make_person(name=f"Lead of {name}")
    project = make_project(make_workstream("A", programme=programme), "A1", title=f"Hubs in {name}", lead=lead)
    make_action(project, "A1.1", title=f"Recruit for {name}")
    return programme
