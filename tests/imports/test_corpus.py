"""A corpus of malformed plan files, built here in tmp memory (nothing binary is committed).

Each goes through the real upload page as the programme office: no server error, nothing written
(not even after a forced confirmation), and every bad row reported with its sheet, row and column.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest

from tests.imports.conftest import row_counts
from tests.imports.workbooks import (
    ACTION_HEADER,
    PROJECT_HEADER,
    csv_bytes,
    plan_workbook,
    rewrite_zip,
    small_plan,
    xlsx,
)
from tracker.imports.service import preview

GOOD_PROJECT = ["A", "A1", "Vision", "Lead One", "", "", "31/03/2027", "", "Green"]
GOOD_ACTION = ["A1", "A1.1", "Consult", "Lead One", "31/01/2027", "Amber", ""]


def project(**changes) -> list:
    row = list(GOOD_PROJECT)
    for name, value in changes.items():
        row[PROJECT_HEADER.index(name.replace("_", " "))] = value
    return row


def action(**changes) -> list:
    row = list(GOOD_ACTION)
    for name, value in changes.items():
        row[ACTION_HEADER.index(name.replace("_", " "))] = value
    return row


def projects(*rows) -> bytes:
    return plan_workbook(list(rows))


def actions(*rows) -> bytes:
    return plan_workbook([GOOD_PROJECT], list(rows))


def zip_bomb() -> bytes:
    return rewrite_zip(small_plan(), {"xl/worksheets/sheet1.xml": b"<" + b"\0" * (10 * 1024 * 1024)})


def renamed_png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def old_xls() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000


def entity_bomb() -> bytes:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE z [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
    )
    return rewrite_zip(small_plan(), {"xl/worksheets/sheet1.xml": laughs})


def start_after_deadline() -> bytes:
    header = ["Project Ref", "Ref", "Action", "Start date", "Deadline"]
    return xlsx(
        {"Projects": [PROJECT_HEADER, GOOD_PROJECT], "Actions": [header, ["A1", "A1.1", "X", "01/06/27", "01/01/27"]]}
    )


def many_bad_rows() -> bytes:
    return plan_workbook(
        [
            GOOD_PROJECT,
            project(Ref="A2", Status="Done"),
            project(Ref="A3", Overall_Target_Date="Q3"),
            project(Ref="A2"),
        ],
        [GOOD_ACTION, action(Ref="A1.2", Project_Ref="Q1"), action(Ref="A1.3", Deadline="31/04/2027")],
    )


@dataclass(frozen=True)
class Bad:
    """A malformed file: refused whole with `file_message`, or read with problems at `places`, or `mapping` needed."""

    name: str
    data: object  # bytes, or a function returning them (built when the test runs)
    file_message: str | None = None
    places: frozenset = frozenset()
    mapping: bool = False

    def content(self) -> bytes:
        return self.data() if callable(self.data) else self.data


def at(*places: tuple) -> frozenset:
    return frozenset(places)


CORPUS = [
    # Wrong types
    Bad(
        "date-as-title.xlsx", lambda: projects(project(Project=date(2027, 1, 1))), places=at(("Projects", 2, "Project"))
    ),
    Bad(
        "words-as-deadline.xlsx", lambda: actions(action(Deadline="next spring")), places=at(("Actions", 2, "Deadline"))
    ),
    Bad("number-as-deadline.xlsx", lambda: actions(action(Deadline=7)), places=at(("Actions", 2, "Deadline"))),
    Bad(
        "date-as-status.xlsx", lambda: projects(project(Status=date(2027, 1, 1))), places=at(("Projects", 2, "Status"))
    ),
    Bad("true-as-status.xlsx", lambda: actions(action(Status=True)), places=at(("Actions", 2, "Status"))),
    # Missing columns
    Bad("no-project-column.csv", b"Workstream,Ref,Lead\nA,A1,Sam\n", mapping=True),
    Bad(
        "no-plan-columns.xlsx",
        lambda: xlsx({"Budget": [["Cost centre", "Amount"], ["C1", 100]]}),
        places=at(("", None, None)),
    ),
    # Bad dates
    Bad("31-february.xlsx", lambda: actions(action(Deadline="31/02/2027")), places=at(("Actions", 2, "Deadline"))),
    Bad(
        "month-13.xlsx",
        lambda: projects(project(Overall_Target_Date="2027-13-01")),
        places=at(("Projects", 2, "Overall Target Date")),
    ),
    Bad("start-after-deadline.xlsx", start_after_deadline, places=at(("Actions", 2, "Deadline"))),
    # Duplicate refs
    Bad(
        "same-project-twice.xlsx",
        lambda: projects(GOOD_PROJECT, project(Project="Again")),
        places=at(("Projects", 3, "Ref")),
    ),
    Bad(
        "same-ref-other-spelling.xlsx",
        lambda: projects(GOOD_PROJECT, project(Ref="a1")),
        places=at(("Projects", 3, "Ref")),
    ),
    Bad("same-action-twice.xlsx", lambda: actions(GOOD_ACTION, GOOD_ACTION), places=at(("Actions", 3, "Ref"))),
    # Unknown statuses
    Bad("purple.xlsx", lambda: projects(project(Status="Purple")), places=at(("Projects", 2, "Status"))),
    Bad("complete.xlsx", lambda: actions(action(Status="Complete")), places=at(("Actions", 2, "Status"))),
    # Huge cells
    Bad("huge-title.xlsx", lambda: projects(project(Project="x" * 400)), places=at(("Projects", 2, "Project"))),
    Bad(
        "huge-deliverables.xlsx",
        lambda: projects(project(Deliverables_include="d" * 20_000)),
        places=at(("Projects", 2, "Deliverables include")),
    ),
    Bad(
        "huge-lead.xlsx", lambda: projects(project(Project_Lead="L" * 250)), places=at(("Projects", 2, "Project Lead"))
    ),
    Bad(
        "huge-csv-cell.csv",
        lambda: csv_bytes([PROJECT_HEADER, project(Project="x" * 200_000)]),
        file_message="not valid CSV",
    ),
    # Macros
    Bad("macros.xlsm", small_plan, file_message="Macro-enabled workbooks are not accepted"),
    Bad(
        "macros-inside.xlsx",
        lambda: rewrite_zip(small_plan(), {"xl/vbaProject.bin": b"VBA" * 100}),
        file_message="contains macros",
    ),
    # Renamed binaries and other files that are not what they say
    Bad("picture.xlsx", renamed_png(), file_message="is not an Excel workbook"),
    Bad("binary.csv", b"\x00\x01\x02binary\x00", file_message="is not text"),
    Bad("workbook.csv", small_plan, file_message="is a workbook"),
    Bad("old-excel.xlsx", old_xls(), file_message="old .xls file"),
    Bad("truncated.xlsx", lambda: small_plan()[:2000], file_message="damaged or not an Excel workbook"),
    Bad(
        "no-workbook-part.xlsx",
        lambda: rewrite_zip(small_plan(), {}, drop=("xl/workbook.xml",)),
        file_message="not an Excel workbook",
    ),
    Bad("empty.csv", b"", file_message="The file is empty"),
    Bad(
        "notes.txt", b"Ref,Project\nA1,Vision\n", file_message="must be an Excel Workbook (.xlsx) or a CSV file (.csv)"
    ),
    Bad("plan.xls", old_xls(), file_message=".xls files are not accepted"),
    # Bombs and oversized sheets
    Bad("zip-bomb.xlsx", zip_bomb, file_message="unpacks to far more data"),
    Bad("entity-bomb.xlsx", entity_bomb, file_message="damaged or not an Excel workbook"),
    Bad(
        "too-many-rows.csv",
        lambda: csv_bytes([PROJECT_HEADER] + [project(Ref=f"A{n}") for n in range(20_100)]),
        file_message="more than 20,000 rows",
    ),
    Bad(
        "too-many-columns.xlsx",
        lambda: xlsx({"Projects": [PROJECT_HEADER + [f"Extra {n}" for n in range(70)]]}),
        file_message="more than 60 columns",
    ),
    # A formula cell: never evaluated; without a saved value it is blank
    Bad("formula-title.xlsx", lambda: projects(project(Project="=1+1")), places=at(("Projects", 2, "Project"))),
    # Rows that name what is not there, or break the ref rules
    Bad("unknown-project.xlsx", lambda: actions(action(Project_Ref="Z9")), places=at(("Actions", 2, "Project Ref"))),
    Bad("blank-workstream.xlsx", lambda: projects(project(Workstream="")), places=at(("Projects", 2, "Workstream"))),
    Bad("blank-title.xlsx", lambda: actions(action(Action=None)), places=at(("Actions", 2, "Action"))),
    Bad("slash-in-ref.xlsx", lambda: projects(project(Ref="A/1")), places=at(("Projects", 2, "Ref"))),
    Bad("long-ref.xlsx", lambda: projects(project(Ref="A" * 50)), places=at(("Projects", 2, "Ref"))),
    Bad(
        "many-bad-rows.xlsx",
        many_bad_rows,
        places=at(
            ("Projects", 3, "Status"),
            ("Projects", 4, "Overall Target Date"),
            ("Projects", 5, "Ref"),
            ("Actions", 3, "Project Ref"),
            ("Actions", 4, "Deadline"),
        ),
    ),
]


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 30
    assert len({bad.name for bad in CORPUS}) == len(CORPUS)


def _upload(client, name: str, data: bytes):
    return client.post(
        "/p/test/admin/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


@pytest.mark.parametrize("bad", CORPUS, ids=lambda bad: bad.name)
def test_a_malformed_file_is_refused_with_its_reasons_and_nothing_is_written(programme, admin_client, admin_user, bad):
    data = bad.content()
    before = row_counts()

    response = _upload(admin_client, bad.name, data)

    if bad.file_message:
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "There is a problem" in page
        assert bad.file_message in page.replace("&#39;", "'")
    else:
        assert response.status_code == 302
        page_response = admin_client.get(response.location)
        assert page_response.status_code == 200
        page = page_response.get_data(as_text=True)
        assert ("Choose the columns" if bad.mapping else "Nothing was imported") in page
        # Confirming anyway (a tampered form) imports nothing either.
        forced = admin_client.post(response.location + "/confirm", data={"previewed": "x"})
        assert forced.status_code == 409
        plan = preview(data, bad.name, programme, admin_user)
        assert plan.needs_mapping is bad.mapping
        assert {(p.sheet, p.row, p.column) for p in plan.problems} == bad.places
    assert row_counts() == before
