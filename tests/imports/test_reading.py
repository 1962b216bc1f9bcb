"""Reading uploaded files and their cells as councils write them (tracker.spreadsheets.reading)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.imports.workbooks import csv_bytes, rewrite_zip, xlsx
from tracker.programme.status import Status
from tracker.spreadsheets.reading import (
    Column,
    Row,
    UnreadableFile,
    cell_text,
    match_header,
    normalise_header,
    parse_status,
    parse_uk_date,
    read_upload,
)


@pytest.mark.parametrize(
    "written",
    [
        "31/03/23",
        "31/03/2023",
        "31/3/2023",
        "31-03-2023",
        "31.03.2023",
        "31 March 2023",
        "31 march 2023",
        "31st March 2023",
        "31 Mar 2023",
        "31-Mar-23",
        "March 31, 2023",
        "2023-03-31",
        "2023-03-31 00:00:00",
        datetime(2023, 3, 31, 0, 0),  # noqa: DTZ001 - an Excel date cell has no time zone
        date(2023, 3, 31),
        45016,  # a date cell that lost its date format
    ],
)
def test_uk_dates_in_every_common_form(written):
    assert parse_uk_date(written) == date(2023, 3, 31)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("31/02/2023", "'31/02/2023' is not a real date"),
        ("2023-13-01", "'2023-13-01' is not a real date"),
        ("next spring", "'next spring' is not a date: enter a date such as 31/03/2024 or 31 March 2024"),
        ("03/31/2023", "'03/31/2023' is not a real date"),  # month and day the American way round
        (5, "5 is a number, not a date"),
        (True, "Enter a date such as"),
    ],
)
def test_what_is_not_a_date_says_why(written, message):
    with pytest.raises(ValueError, match=message):
        parse_uk_date(written)


def test_blank_is_no_date():
    assert parse_uk_date(None) is parse_uk_date("  ") is None


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("B", Status.BLUE),
        ("g", Status.GREEN),
        ("Amber", Status.AMBER),
        ("RED", Status.RED),
        ("r", Status.RED),
        ("Grey", Status.GREY),
        ("gray", Status.GREY),
        (" green ", Status.GREEN),
        ("", None),
        (None, None),
    ],
)
def test_statuses_by_word_or_initial_in_any_case(written, status):
    assert parse_status(written) is status


@pytest.mark.parametrize("written", ["Purple", "Complete", "GR", 1, date(2023, 1, 1)])
def test_an_unknown_status_is_refused_with_the_choices(written):
    with pytest.raises(ValueError, match="use Blue, Green, Amber, Red or Grey"):
        parse_status(written)


def test_headers_match_whatever_their_case_spacing_or_punctuation():
    assert normalise_header(" Impact/Benefits ") == normalise_header("impact benefits") == "impact benefits"
    assert normalise_header("Deliverables & outcomes") == "deliverables and outcomes"
    columns = [Column("lead", "Project Lead"), Column("title", "Project"), Column("target", "Target date", ("due",))]
    header = Row(1, ("PROJECT", "Project lead (in partnership with SEND partners)", "Due", "Notes"))

    match = match_header(header, columns)

    assert match.indexes == {"title": 0, "lead": 1, "target": 2}
    assert match.unused == ["Notes"]


def test_a_chosen_column_is_used_when_the_header_cannot_be_matched():
    match = match_header(Row(1, ("Scheme", "Ref")), [Column("title", "Project")], {"title": "Scheme"})
    assert match.indexes == {"title": 0}
    assert match.complete


def test_cells_read_as_text_as_people_wrote_them():
    assert [cell_text(v) for v in (12.0, 12.5, None, date(2024, 3, 31), "  A1 ")] == [
        "12",
        "12.5",
        "",
        "31/03/2024",
        "A1",
    ]


def test_a_csv_keeps_its_row_numbers_and_skips_blank_rows():
    book = read_upload(csv_bytes([["Title row"], [], ["Ref", "Project"], ["A1", "Vision"]]), "plan.csv")
    assert [(row.number, row.cells) for row in book.sheets[0].rows] == [
        (1, ("Title row",)),
        (3, ("Ref", "Project")),
        (4, ("A1", "Vision")),
    ]


def test_a_csv_saved_by_excel_on_windows_is_read():
    book = read_upload("Ref,Project\nA1,Café services\n".encode("cp1252"), "plan.csv")
    assert book.sheets[0].rows[1].cells == ("A1", "Café services")


def test_a_formula_is_read_as_its_saved_value_and_never_evaluated():
    # openpyxl saves formulas without a cached value, as a program (not Excel) would: the cell reads empty.
    data = xlsx({"Projects": [["Ref", "Project"], ["A1", "=1+1"], ["A2", '=HYPERLINK("http://example.com","x")']]})
    rows = read_upload(data, "plan.xlsx").sheets[0].rows
    assert [row.cells for row in rows[1:]] == [("A1",), ("A2",)]


def test_a_formula_with_a_cached_value_reads_the_value():
    data = xlsx({"Projects": [["Ref", "Project"], ["A1", "placeholder"]]})
    sheet_xml = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Ref</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>Project</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>A1</t></is></c>'
        b'<c r="B2" t="str"><f>CONCAT("Vis","ion")</f><v>Vision</v></c></row>'
        b"</sheetData></worksheet>"
    )
    rows = read_upload(rewrite_zip(data, {"xl/worksheets/sheet1.xml": sheet_xml}), "plan.xlsx").sheets[0].rows
    assert rows[1].cells == ("A1", "Vision")


def test_xml_entities_are_refused_not_expanded():
    data = xlsx({"Projects": [["Ref"]]})
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(UnreadableFile, match="damaged or not an Excel workbook"):
        read_upload(rewrite_zip(data, {"xl/worksheets/sheet1.xml": laughs}), "plan.xlsx")


def test_the_file_name_is_only_read_for_its_extension():
    data = xlsx({"Projects": [["Ref"]]})
    assert read_upload(data, "../../etc/passwd.xlsx").sheets[0].name == "Projects"
    assert read_upload(data, "C:\\Users\\me\\Plan.XLSX").kind == "xlsx"
