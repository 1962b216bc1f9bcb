"""Round trip: the seed's plan exported, imported into an empty programme, and exported again is the same plan."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import TODAY
from tests.factories import make_programme, make_user
from tracker.demo.loader import CHILDREN, load_demo_programme
from tracker.extensions import db
from tracker.imports.service import PlanRefused, import_plan

PLAN_SHEETS = ("Workstreams", "Projects", "Actions")


def _sheets(client, short_name: str) -> dict[str, list[tuple]]:
    response = client.get(f"/p/{short_name}/export/programme.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    return {name: list(book[name].iter_rows(values_only=True)) for name in PLAN_SHEETS}


def test_the_seed_plan_exported_imported_and_exported_again_is_unchanged(app, signed_in_client):
    load_demo_programme(TODAY, CHILDREN)
    db.session.commit()
    client = signed_in_client(make_user("admin"))
    first = _sheets(client, CHILDREN.short_name)
    assert [len(first[name]) - 1 for name in PLAN_SHEETS] == [7, 62, 145]  # the seed's whole plan

    workbook = client.get(f"/p/{CHILDREN.short_name}/export/programme.xlsx").data
    empty = make_programme(short_name="copy", name="Copy of the seed")
    # The whole workbook as downloaded, KPIs sheet and all: the importer reads the plan's sheets.
    try:
        import_plan(workbook, "programme.xlsx", empty, None, command_line=True)
    except PlanRefused as refused:  # say why, so the failure names what the importer could not read
        needs = [(need.sheet, [column.label for column in need.missing]) for need in refused.plan.rows.mapping]
        pytest.fail(f"The import refused the exported workbook: problems {refused.plan.problems}, to map {needs}")
    db.session.commit()

    again = _sheets(client, "copy")
    for name in PLAN_SHEETS:
        assert again[name] == first[name], name
