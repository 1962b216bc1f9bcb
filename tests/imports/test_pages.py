"""The import pages as the programme office uses them: upload, preview, choose columns, confirm."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import select

from tests.factories import make_user
from tests.imports.conftest import row_counts
from tests.imports.workbooks import plan_workbook, small_plan
from tracker.extensions import db
from tracker.programme.models import Action, Project


def _upload(client, data: bytes, name: str = "plan.xlsx"):
    return client.post(
        "/p/test/admin/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _confirm(client, location: str):
    """Confirm the upload at location as previewed."""
    page = client.get(location).get_data(as_text=True)
    return client.post(location + "/confirm", data={"previewed": _previewed(page)})


def _previewed(page: str) -> str:
    return re.search(r'name="previewed" type="hidden" value="([0-9a-f]+)"', page)[1]


def test_the_structure_page_offers_the_import(programme, admin_client):
    page = admin_client.get("/p/test/admin/structure").get_data(as_text=True)
    assert 'href="/p/test/admin/import"' in page


def test_upload_preview_then_confirm_imports_everything_once(programme, admin_client, app):
    before = row_counts()
    uploaded = _upload(admin_client, small_plan(), "Our plan.xlsx")
    assert uploaded.status_code == 302

    preview = admin_client.get(uploaded.location)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Check the import" in page and "Our plan.xlsx" in page
    assert "To be created (13)" in page  # 2 workstreams, 3 projects, 4 actions and 4 people
    assert row_counts() == before  # the preview wrote nothing

    done = admin_client.post(
        uploaded.location + "/confirm", data={"previewed": _previewed(page)}, follow_redirects=True
    )
    assert done.status_code == 200
    assert "Our plan.xlsx imported. Created 2 workstreams, 3 projects, 4 actions, 4 people" in done.get_data(
        as_text=True
    )
    assert len(db.session.scalars(select(Action)).all()) == 4
    # The upload is gone once imported: the same confirmation cannot run twice.
    assert admin_client.get(uploaded.location).status_code == 404
    token = uploaded.location.rsplit("/", 1)[-1]
    assert not list((Path(app.instance_path) / "imports").glob(f"{token}.*"))


def test_a_file_already_imported_shows_nothing_to_do(programme, admin_client):
    first = _upload(admin_client, small_plan())
    _confirm(admin_client, first.location)

    again = admin_client.get(_upload(admin_client, small_plan()).location).get_data(as_text=True)

    assert "there is nothing to import" in again
    assert "Unchanged (9)" in again  # the people named are matched, not listed
    assert 'name="previewed"' not in again


def test_the_preview_names_what_each_update_changes(programme, admin_client):
    first = _upload(admin_client, small_plan())
    _confirm(admin_client, first.location)
    changed = plan_workbook(
        [
            [
                "A",
                "A1",
                "Vision, values and behaviours",
                "Director of Children's Services",
                "",
                "",
                "30/04/2027",
                "",
                "Red",
            ]
        ]
    )

    page = admin_client.get(_upload(admin_client, changed).location).get_data(as_text=True)

    assert "To be updated (1)" in page
    assert "Title, Target date" in page
    assert "Project A1 is Green here and Red in the file: its status is not changed by an import" in page


def test_a_header_that_cannot_be_matched_is_chosen_on_the_columns_step(programme, admin_client):
    uploaded = _upload(admin_client, b"Workstream,Ref,Scheme\nA,A1,Vision\n", "plan.csv")
    page = admin_client.get(uploaded.location).get_data(as_text=True)
    assert "Choose the columns" in page and "Sheet CSV: projects" in page

    wrong = admin_client.post(uploaded.location + "/columns", data={"sheet0-title": "Not a header"})
    chosen = admin_client.post(uploaded.location + "/columns", data={"sheet0-title": "Scheme"})

    assert wrong.status_code == 200
    assert "Choose the column of sheet CSV that holds Project" in wrong.get_data(as_text=True)
    assert chosen.status_code == 302
    preview = admin_client.get(uploaded.location).get_data(as_text=True)
    assert "To be created (2)" in preview  # workstream A and project A1
    admin_client.post(uploaded.location + "/confirm", data={"previewed": _previewed(preview)})
    assert db.session.scalars(select(Project)).one().title == "Vision"


def test_a_file_over_the_limit_gets_a_clear_413_page(programme, admin_client):
    response = _upload(admin_client, b"x" * (6 * 1024 * 1024), "plan.csv")

    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is too large" in page and "The largest file you can upload is 5 MB" in page


def test_a_confirmation_after_the_programme_changed_shows_the_new_preview(programme, admin_client):
    uploaded = _upload(admin_client, small_plan())
    stale = _previewed(admin_client.get(uploaded.location).get_data(as_text=True))
    other = _upload(admin_client, plan_workbook([["A", "A1", "Vision", "", "", "", "", "", ""]]))
    _confirm(admin_client, other.location)
    before = row_counts()

    response = admin_client.post(uploaded.location + "/confirm", data={"previewed": stale})

    assert response.status_code == 409
    assert "The programme changed after you checked this file" in response.get_data(as_text=True)
    assert row_counts() == before


def test_an_upload_is_only_its_uploaders(programme, admin_client, signed_in_client):
    uploaded = _upload(admin_client, small_plan())
    colleague = signed_in_client(make_user("admin", email="colleague@council.example.gov.uk"))

    assert colleague.get(uploaded.location).status_code == 404
    assert colleague.post(uploaded.location + "/confirm", data={"previewed": "x"}).status_code == 404
    assert admin_client.get("/p/test/admin/import/../../etc").status_code == 404
    assert admin_client.get("/p/test/admin/import/" + "0" * 32).status_code == 404


def test_only_the_programme_office_may_import(programme, viewer_client):
    assert viewer_client.get("/p/test/admin/import").status_code == 403
    assert _upload(viewer_client, small_plan()).status_code == 403
