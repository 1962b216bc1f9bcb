"""Plan files for the import tests, built in memory: nothing binary is committed.

``seed_workbook()`` is the seed's plan (the demo programme's 62 projects and 145 actions) as a
council keeps it in Excel: a title row above the header, the seed's column names, workstreams
written "Workstream A: title", dates as Excel dates in one sheet and as 31/03/23 text in the other,
statuses as words and initials.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

DEMO = Path(__file__).resolve().parents[2] / "tracker" / "demo" / "data" / "programme.json"
PROJECT_HEADER = [
    "Workstream",
    "Ref",
    "Project",
    "Project Lead",
    "Deliverables include",
    "Impact/benefits",
    "Overall Target Date",
    "Contributes to",
    "Status",
]
ACTION_HEADER = ["Project Ref", "Ref", "Action", "Lead", "Deadline", "Status", "Progress"]
WORKSTREAM_HEADER = ["Ref", "Workstream", "Part of", "Description", "Reported separately by"]

SEED_WORKSTREAMS, SEED_PROJECTS, SEED_ACTIONS, SEED_PEOPLE = 7, 62, 145, 8


def demo_plan() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """Return a workbook with one sheet per entry, rows as given (the first sheet replaces the default)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def plan_workbook(
    projects: list[list], actions: list[list] | None = None, workstreams: list[list] | None = None
) -> bytes:
    """Return a workbook with the seed's headers and the given data rows (header on row 1)."""
    sheets: dict[str, list[list]] = {}
    if workstreams is not None:
        sheets["Workstreams"] = [WORKSTREAM_HEADER, *workstreams]
    sheets["Projects"] = [PROJECT_HEADER, *projects]
    if actions is not None:
        sheets["Actions"] = [ACTION_HEADER, *actions]
    return xlsx(sheets)


def small_plan() -> bytes:
    """Two workstreams, three projects, four actions: enough to see creates, updates and unchanged rows."""
    return plan_workbook(
        [
            [
                "Workstream A: Strong directorate",
                "A1",
                "Vision and values",
                "Director of Children's Services",
                "Vision in place",
                "Clear direction",
                date(2027, 3, 31),
                "A BOLD INCLUSIVE BIRMINGHAM",
                "Green",
            ],
            ["A", "A2", "Operating model", "dcs@council.example.gov.uk", "", "", "30/06/27", "", "A"],
            [
                "Workstream B: Vulnerable groups",
                "B1",
                "Children missing education",
                "Director Thriving Children",
                "",
                "",
                "31 March 2027",
                "A BOLD SAFE BIRMINGHAM",
                "grey",
            ],
        ],
        [
            ["A1", "A1.1", "Consult children on the vision", "Director of Children's Services", "31/01/27", "G", ""],
            ["A1", "A1.2", "Publish the vision", "", date(2027, 2, 28), "Amber", "Drafted"],
            ["A2", "A2.1", "Design the model", "Head of Transformation", "2027-04-30", "R", "Late: waiting on budget"],
            ["B1", "B1.1", "Review systems", "Director Thriving Children", "31-Mar-27", "Grey", ""],
        ],
    )


def seed_workbook() -> bytes:
    """Return the seed's whole plan as a three-sheet workbook shaped like the council's own."""
    plan = demo_plan()
    titles = {w["ref"]: w["title"] for w in plan["workstreams"]}
    book = Workbook()
    about = book.active
    about.title = "About"
    about.append(["Improving Services for Children and Families: summary plan"])
    workstreams = book.create_sheet("Workstreams")
    workstreams.append(WORKSTREAM_HEADER)
    for w in plan["workstreams"]:
        workstreams.append([w["ref"], w["title"], w["parent"], w["description"], w["reported_separately_by"]])
    projects = book.create_sheet("Project plan")
    projects.append(["Improvement plan: projects"])  # a title row above the header
    projects.append(
        [
            "Workstream",
            "Ref",
            "Project",
            "Project Lead (in partnership with SEND partners)",
            "Deliverables include",
            "Impact/benefits",
            "Overall Target Date",
            "Contributes to",
            "Status",
        ]
    )
    for p in plan["projects"]:
        projects.append(
            [
                f"Workstream {p['workstream']}: {titles[p['workstream']]}",
                p["ref"],
                p["title"],
                p["lead"],
                "\n".join(p["deliverables"]),
                p["impact"],
                datetime.fromisoformat(p["target_date"]),
                "A BOLD " + " ".join(p["ambitions"]) + " BIRMINGHAM",
                p["status"].upper(),
            ]
        )
    actions = book.create_sheet("Actions")
    actions.append(ACTION_HEADER)
    for p in plan["projects"]:
        for a in p["actions"]:
            status = a["status"].capitalize() if a["status"] == "grey" else a["status"][0].upper()
            deadline = date.fromisoformat(a["deadline"]).strftime("%d/%m/%y")
            actions.append([p["ref"], a["ref"], a["title"], a["lead"], deadline, status, a["progress_note"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_zip(data: bytes, changes: dict[str, bytes], drop: tuple[str, ...] = ()) -> bytes:
    """Return the workbook with parts replaced or added (and some left out), for hand-made bad workbooks."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            if part.filename in changes or part.filename in drop:
                continue
            target.writestr(part, source.read(part.filename))
        for name, content in changes.items():
            target.writestr(name, content)
    return out.getvalue()
