"""Update returns by spreadsheet: a workbook per lead, filled in, previewed, saved as ordinary updates or not at all."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import TODAY
from tests.factories import make_action, make_person, make_programme, make_project, make_user, make_workstream
from tracker.audit.models import AuditEvent
from tracker.board.models import RoundScope
from tracker.board.rounds import open_round
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.programme.models import Action, BoardMeeting, Project
from tracker.programme.status import Status
from tracker.programme.updates import ActionUpdate, update_action

MEETS_ON = date(2027, 1, 15)
BASE = "/p/test/meetings/2027-01-15/returns"
HEADINGS = [
    "Item",
    "Ref",
    "Title",
    "Current status",
    "Deadline",
    "Progress",
    "Version",
    "New status",
    "Progress note",
    "Completion date",
    "New deadline",
    "Reason",
]


@pytest.fixture
def world(app):
    """A round for the board on 15 January 2027: Jo leads project P1 and actions P1.1 and P1.2; Sam leads P2.1."""
    programme = make_programme()
    jo, sam = make_person(name="Jo Lead"), make_person(name="Sam Other")
    workstream = make_workstream("W")
    project = make_project(workstream, "P1", lead=jo, status=Status.AMBER, progress="Going")
    first = make_action(
        project, "P1.1", lead=jo, status=Status.AMBER, deadline=date(2027, 2, 28), progress_note="Started"
    )
    second = make_action(project, "P1.2", lead=jo, status=Status.GREY, deadline=date(2027, 3, 31))
    other = make_action(make_project(workstream, "P2", lead=sam), "P2.1", lead=sam)
    meeting = BoardMeeting(programme_id=programme.id, meets_on=MEETS_ON, update_deadline=date(2027, 1, 8))
    db.session.add(meeting)
    admin = make_user("admin", name="Office")
    open_round(admin, meeting, RoundScope.OPEN, TODAY)
    db.session.commit()
    return {
        "admin": admin,
        "jo": jo,
        "sam": sam,
        "project": project,
        "first": first,
        "second": second,
        "other": other,
        "jo_user": make_user("lead", person=jo),
        "sam_user": make_user("lead", person=sam),
    }


def _book(response):
    assert response.status_code == 200, response.data[:400]
    assert response.headers["Cache-Control"] == "no-store"
    return load_workbook(io.BytesIO(response.data))


def _rows(sheet):
    return {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}


def _filled(response, answers: dict[str, dict[str, object]]) -> bytes:
    """Fill in the downloaded workbook as a lead would in Excel: answers by ref, by column heading."""
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Update return"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    for row in sheet.iter_rows(min_row=2):
        for heading, value in answers.get(row[1].value, {}).items():
            sheet.cell(row=row[0].row, column=columns[heading], value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, lead_id: int, content: bytes, name: str = "return.xlsx"):
    return client.post(
        f"{BASE}/{lead_id}/upload", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


def _carried_rows(page: bytes) -> str:
    text = page.decode()
    start = text.index('name="rows"')
    value = text.index('value="', start) + len('value="')
    return text[value : text.index('"', value)]


def _history_count() -> int:
    return db.session.scalar(select(func.count(ChangeRecord.id))) or 0


def test_the_office_downloads_a_workbook_per_lead_ready_to_fill_in(world, signed_in_client):
    client = signed_in_client(world["admin"])
    page = client.get(BASE)
    assert page.status_code == 200
    assert f"{BASE}/{world['jo'].id}.xlsx" in page.data.decode()
    book = _book(client.get(f"{BASE}/{world['jo'].id}.xlsx"))
    sheet = book["Update return"]
    assert [c.value for c in sheet[1]] == HEADINGS
    rows = _rows(sheet)
    assert set(rows) == {"P1", "P1.1", "P1.2"}  # Jo's items only
    assert rows["P1.1"][:4] == ("Action", "P1.1", "Action P1.1", "Amber")
    assert rows["P1.1"][4].date() == date(2027, 2, 28)  # a date cell (Excel stores date-times)
    assert rows["P1.1"][5:7] == ("Started", 1)
    assert rows["P1.1"][7:] == (None,) * 5
    # The version travels hidden and locked; only the answer columns are open to typing.
    assert sheet.column_dimensions["G"].hidden
    assert sheet.protection.sheet
    assert sheet["G2"].protection.locked and sheet["D2"].protection.locked
    assert not sheet["H2"].protection.locked and not sheet["L2"].protection.locked
    assert sheet.freeze_panes == "A2"
    assert any("Blue,Green,Amber,Red,Grey" in v.formula1 for v in sheet.data_validations.dataValidation)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{BASE}/all.zip").data))
    assert archive.namelist() == ["update-return-2027-01-15-jo-lead.xlsx", "update-return-2027-01-15-sam-other.xlsx"]


def test_a_filled_return_is_previewed_then_saved_as_ordinary_updates(world, signed_in_client):
    client = signed_in_client(world["jo_user"])
    download = client.get(f"{BASE}/{world['jo'].id}.xlsx")
    content = _filled(
        download,
        {
            "P1.1": {"New status": "Green", "Completion date": "20/11/2026", "Progress note": "Done and dusted"},
            "P1.2": {"New status": "r", "Reason": "Supplier pulled out", "New deadline": date(2027, 4, 30)},
            "P1": {"Progress note": "+2 staff hired, more to come"},
        },
    )
    before = _history_count()
    preview = _upload(client, world["jo"].id, content)
    assert preview.status_code == 200
    text = preview.data.decode()
    assert "What will change" in text and "Save 3 updates" in text
    assert "Supplier pulled out" in text and "30 April 2027" in text
    assert _history_count() == before  # a preview saves nothing
    db.session.expire_all()
    assert db.session.get(Action, world["first"].id).status is Status.AMBER
    saved = client.post(f"{BASE}/{world['jo'].id}/apply", data={"rows": _carried_rows(preview.data)})
    assert saved.status_code == 302
    db.session.expire_all()
    first, second = db.session.get(Action, world["first"].id), db.session.get(Action, world["second"].id)
    assert (first.status, first.completed_on, first.progress_note) == (
        Status.GREEN,
        date(2026, 11, 20),
        "Done and dusted",
    )
    assert (second.status, second.deadline) == (Status.RED, date(2027, 4, 30))
    assert db.session.get(Project, world["project"].id).progress == "+2 staff hired, more to come"
    # Ordinary updates: history by the lead who uploaded, and the audit log.
    records = db.session.scalars(
        select(ChangeRecord).where(ChangeRecord.item_id == second.id, ChangeRecord.item_type == "action")
    ).all()
    assert {(r.field, r.user_id) for r in records} >= {
        ("status", world["jo_user"].id),
        ("deadline", world["jo_user"].id),
    }
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.event == "update_return_applied")) == 1
    # Confirming the same preview again finds every item moved on: nothing is saved twice.
    again = client.post(f"{BASE}/{world['jo'].id}/apply", data={"rows": _carried_rows(preview.data)})
    assert again.status_code == 409


def test_an_item_changed_meanwhile_is_a_conflict_and_nothing_is_saved(world, signed_in_client):
    client = signed_in_client(world["jo_user"])
    download = client.get(f"{BASE}/{world['jo'].id}.xlsx")
    # The office updates P1.1 after Jo downloaded the workbook.
    first = db.session.get(Action, world["first"].id)
    update_action(
        first,
        world["admin"],
        ActionUpdate(status=Status.RED, status_reason="Late", deadline=first.deadline, progress_note="Office note"),
        first.version,
        TODAY,
    )
    db.session.commit()
    content = _filled(
        download, {"P1.1": {"New status": "Green", "Completion date": "1/11/2026"}, "P1.2": {"New status": "Amber"}}
    )
    before = _history_count()
    preview = _upload(client, world["jo"].id, content)
    assert preview.status_code == 409
    text = preview.data.decode()
    assert "Nothing has been saved" in text and "Changed by someone else" in text
    assert 'href="/p/test/actions/p1.1"' in text
    assert 'name="rows"' not in text  # no way to confirm a return with a conflict
    db.session.expire_all()
    assert db.session.get(Action, world["first"].id).status is Status.RED  # not overwritten
    assert db.session.get(Action, world["second"].id).status is Status.GREY  # and the rest not saved either
    assert _history_count() == before


def test_a_conflict_arising_between_preview_and_save_saves_nothing(world, signed_in_client):
    client = signed_in_client(world["jo_user"])
    content = _filled(
        client.get(f"{BASE}/{world['jo'].id}.xlsx"),
        {"P1.1": {"New status": "Red", "Reason": "Blocked"}, "P1.2": {"New status": "Amber"}},
    )
    preview = _upload(client, world["jo"].id, content)
    assert preview.status_code == 200
    second = db.session.get(Action, world["second"].id)
    update_action(
        second,
        world["admin"],
        ActionUpdate(status=Status.AMBER, deadline=second.deadline, progress_note="By the office"),
        second.version,
        TODAY,
    )
    db.session.commit()
    before = _history_count()
    refused = client.post(f"{BASE}/{world['jo'].id}/apply", data={"rows": _carried_rows(preview.data)})
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(Action, world["first"].id).status is Status.AMBER
    assert _history_count() == before


def test_the_update_forms_rules_hold_and_every_problem_is_listed_by_row_and_column(world, signed_in_client):
    client = signed_in_client(world["admin"])
    content = _filled(
        client.get(f"{BASE}/{world['jo'].id}.xlsx"),
        {
            "P1": {"New status": "Red", "New deadline": "31/05/2027"},  # no reason; projects take no deadline here
            "P1.1": {"New status": "Green"},  # no completion date
            "P1.2": {"New status": "Purple", "New deadline": "31/02/2027"},
        },
    )
    before = _history_count()
    page = _upload(client, world["jo"].id, content)
    assert page.status_code == 200
    text = page.data.decode()
    assert "Nothing has been saved" in text
    for message in (
        "Leave this blank for a project",
        "Enter the date the action was completed, for Green or Blue",
        "&#39;Purple&#39; is not a status",
        "&#39;31/02/2027&#39; is not a real date",
    ):
        assert message in text, message
    assert "Reason" in text
    assert 'name="rows"' not in text
    assert _history_count() == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"Item,Ref\nAction,P1.1\n", "return.csv", "Upload the update return workbook (.xlsx)"),
        (b"not a workbook at all", "return.xlsx", "is not an Excel workbook"),
        (b"", "return.xlsx", "Choose the filled-in update return workbook"),
    ],
)
def test_a_file_that_is_not_the_return_is_refused_with_a_message(world, signed_in_client, content, name, message):
    client = signed_in_client(world["admin"])
    page = (
        _upload(client, world["jo"].id, content, name)
        if content
        else client.post(f"{BASE}/{world['jo'].id}/upload", data={}, content_type="multipart/form-data")
    )
    assert page.status_code == 200
    assert message in page.data.decode()


def test_a_return_for_someone_elses_items_or_a_tampered_confirmation_saves_nothing(world, signed_in_client):
    client = signed_in_client(world["jo_user"])
    assert client.get(f"{BASE}/{world['sam'].id}.xlsx").status_code == 403
    assert client.get(f"{BASE}/all.zip").status_code == 403
    listing = client.get(BASE).data.decode()
    assert "Jo Lead" in listing and "Sam Other" not in listing
    # Sam's item typed into Jo's workbook is not Jo's to update in this round.
    content = _filled(client.get(f"{BASE}/{world['jo'].id}.xlsx"), {"P1.1": {"New status": "Red", "Reason": "x"}})
    book = load_workbook(io.BytesIO(content))
    book["Update return"]["B3"] = "P2.1"
    buffer = io.BytesIO()
    book.save(buffer)
    page = _upload(client, world["jo"].id, buffer.getvalue()).data.decode()
    assert "Action P2.1 is not one of Jo Lead&#39;s items in this round" in page
    tampered = client.post(f"{BASE}/{world['jo'].id}/apply", data={"rows": "eyJyb3VuZCI6MX0.forged"})
    assert tampered.status_code == 200
    assert "upload the workbook again" in tampered.data.decode()
    viewer = signed_in_client(make_user("viewer"))
    assert viewer.get(BASE).status_code == 403
    assert viewer.get(f"{BASE}/{world['jo'].id}.xlsx").status_code == 403


def test_the_round_page_offers_returns_to_the_office_and_leads(world, signed_in_client):
    round_page = "/p/test/meetings/2027-01-15/round"
    assert BASE in signed_in_client(world["jo_user"]).get(round_page).data.decode()
    assert BASE not in signed_in_client(make_user("viewer")).get(round_page).data.decode()


def test_a_workbook_sends_the_same_statements_whatever_the_number_of_items(world, signed_in_client, count_queries):
    client = signed_in_client(world["admin"])
    url = f"{BASE}/{world['jo'].id}.xlsx"
    client.get(url)
    small = count_queries(lambda: client.get(url))
    project = db.session.get(Project, world["project"].id)
    for number in range(3, 40):
        make_action(project, f"P1.{number}", lead=world["jo"])
    db.session.commit()
    # Items added after the round opened are not in it: open a second round on a later board to count them.
    meeting = BoardMeeting(
        programme_id=project.programme_id, meets_on=date(2027, 3, 5), update_deadline=date(2027, 2, 26)
    )
    db.session.add(meeting)
    open_round(world["admin"], meeting, RoundScope.OPEN, TODAY)
    db.session.commit()
    large_url = f"/p/test/meetings/2027-03-05/returns/{world['jo'].id}.xlsx"
    client.get(large_url)
    assert len(list(load_workbook(io.BytesIO(client.get(large_url).data)).active.iter_rows())) == 1 + 40
    assert count_queries(lambda: client.get(large_url)) == small


def test_my_actions_offers_the_lead_their_workbook(world, signed_in_client):
    page = signed_in_client(world["jo_user"]).get("/p/test/my-actions").data.decode()
    assert f"{BASE}/{world['jo'].id}.xlsx" in page
    assert f"{BASE}/{world['jo'].id}/upload" in page


def test_every_leads_workbook_in_one_zip_sends_the_same_statements_however_many_leads(
    world, signed_in_client, count_queries
):
    client = signed_in_client(world["admin"])
    client.get(f"{BASE}/all.zip")
    small = count_queries(lambda: client.get(f"{BASE}/all.zip"))
    workstream = db.session.get(Project, world["project"].id).workstream
    for number in range(6):
        lead = make_person(name=f"Extra Lead {number}")
        project = make_project(workstream, f"X{number}", lead=lead)
        for _ in range(5):
            make_action(project, lead=lead)
    meeting = BoardMeeting(
        programme_id=workstream.programme_id, meets_on=date(2027, 3, 5), update_deadline=date(2027, 2, 26)
    )
    db.session.add(meeting)
    open_round(world["admin"], meeting, RoundScope.OPEN, TODAY)
    db.session.commit()
    url = "/p/test/meetings/2027-03-05/returns/all.zip"
    client.get(url)
    assert len(zipfile.ZipFile(io.BytesIO(client.get(url).data)).namelist()) == 8
    assert count_queries(lambda: client.get(url)) == small


def test_an_oversized_upload_gets_a_clear_413_page_and_saves_nothing(world, signed_in_client):
    client = signed_in_client(world["jo_user"])
    before = _history_count()
    page = _upload(client, world["jo"].id, b"PK\x03\x04" + b"x" * (6 * 1024 * 1024))
    assert page.status_code == 413
    text = page.data.decode()
    assert "The largest update return you can upload is 5 MB" in text
    assert f'href="{BASE}"' in text
    assert _history_count() == before


def test_the_round_page_offers_returns_only_to_leads_who_owe_updates_in_it(world, signed_in_client):
    idle_lead = make_user("lead", person=make_person(name="Idle Lead"))
    page = signed_in_client(idle_lead).get("/p/test/meetings/2027-01-15/round").data.decode()
    assert BASE not in page
    assert signed_in_client(idle_lead).get(BASE).status_code == 403
