"""Import a plan file into a programme, as the upload pages and the command line both do.

``preview`` reads and plans without writing; ``import_plan`` plans again and, when nothing is
wrong (and, from the web, the plan is the one the person previewed), writes it all in the caller's
transaction. The caller commits, or rolls back on ``PlanRefused`` / ``PlanChanged``.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from tracker.auth.models import User
from tracker.extensions import db
from tracker.imports.plan import ImportPlan, apply_plan, authorise_import, plan_import
from tracker.imports.rows import Mapping, read_plan
from tracker.imports.uploads import PendingUpload, store_upload
from tracker.programme.models import Programme
from tracker.spreadsheets.reading import read_upload


class PlanRefused(Exception):
    """The file has problems (or columns to map): nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(f"{len(plan.problems)} problem(s); nothing was imported")
        self.plan = plan


class PlanChanged(Exception):
    """The programme changed after the preview, so the import would not do what was shown."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("The programme changed since the preview")
        self.plan = plan


def keep_upload(data: bytes, file_name: str, programme: Programme, user: User) -> PendingUpload:
    """Check the file can be read (raise UnreadableFile if not) and keep it for the preview."""
    authorise_import(user, programme)
    read_upload(data, file_name)
    return store_upload(data, file_name, programme.id, user.id)


def preview(
    data: bytes, file_name: str, programme: Programme, user: object, mapping: Mapping | None = None
) -> ImportPlan:
    """Return what importing the file would do; raise UnreadableFile for a file that cannot be read."""
    authorise_import(user, programme)
    return plan_import(read_plan(read_upload(data, file_name), mapping), programme)


def import_plan(
    data: bytes,
    file_name: str,
    programme: Programme,
    user: User | None,
    *,
    mapping: Mapping | None = None,
    previewed: str | None = None,
    command_line: bool = False,
) -> ImportPlan:
    """Import the file into the programme, all or nothing; return the plan that was applied."""
    authorise_import(user, programme, command_line)
    plan = plan_import(read_plan(read_upload(data, file_name), mapping), programme)
    if not plan.ok:
        raise PlanRefused(plan)
    if previewed is not None and plan.digest() != previewed:
        raise PlanChanged(plan)
    try:
        apply_plan(plan, user, file_name)
    except IntegrityError:  # someone added the same ref at the same moment: the plan no longer holds
        db.session.rollback()
        raise PlanChanged(plan) from None
    return plan
