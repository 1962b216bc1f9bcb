"""The plan import pages: upload, then a preview (or the problems, or the column-mapping step), then confirm.

Each page belongs to one programme (``/p/<programme>/admin/import``) and to its office. The upload
is kept on the server under a random token between the preview and the confirmation
(``uploads``); the preview writes nothing, and the confirmation imports all or nothing.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers.response import Response as BaseResponse

from tracker.core.web import limit_upload_size
from tracker.extensions import db
from tracker.imports import service
from tracker.imports.forms import NOT_IN_FILE, UPLOAD_LIMIT, ColumnsForm, ConfirmForm, PlanUploadForm, chosen_columns
from tracker.imports.forms import field_name as column_field_name
from tracker.imports.plan import CREATE, UNCHANGED, UPDATE, ImportPlan, authorise_import
from tracker.imports.rows import KIND_NAMES
from tracker.imports.uploads import PendingUpload, discard, load_upload, save_mapping
from tracker.programme.context import PREFIX, current_programme
from tracker.spreadsheets.reading import UnreadableFile

bp = Blueprint("imports", __name__, url_prefix=PREFIX)

Page = str | tuple[str, int] | BaseResponse


limit_upload_size(bp, UPLOAD_LIMIT)


@bp.errorhandler(413)
def _too_large(_error: HTTPException) -> tuple[str, int]:
    return render_template("imports/too_large.html", title="The file is too large", limit_mb=UPLOAD_LIMIT // 2**20), 413


@bp.route("/admin/import", methods=["GET", "POST"])
def upload() -> Page:
    """Take a plan file and keep it for the preview, or say why it cannot be read."""
    programme = current_programme()
    authorise_import(current_user, programme)
    form = PlanUploadForm()
    if form.validate_on_submit():
        try:
            pending = service.keep_upload(form.content, form.file_name, programme, current_user)
        except UnreadableFile as unreadable:
            form.file.errors = [problem.reason for problem in unreadable.problems]
        else:
            return redirect(url_for("imports.preview", token=pending.token))
    return render_template("imports/upload.html", title="Import a plan", programme=programme, form=form)


@bp.get("/admin/import/<token>")
def preview(token: str) -> Page:
    """Show what the import would create, update and leave alone; or its problems, or the columns to choose."""
    programme = current_programme()
    authorise_import(current_user, programme)
    pending, data = load_upload(token, programme.id, current_user.id)
    plan = service.preview(data, pending.file_name, programme, current_user, pending.mapping)
    return _show(plan, pending)


@bp.post("/admin/import/<token>/columns")
def choose_columns(token: str) -> Page:
    """Remember which column holds each field the forgiving match could not place, then preview again."""
    programme = current_programme()
    authorise_import(current_user, programme)
    pending, data = load_upload(token, programme.id, current_user.id)
    plan = service.preview(data, pending.file_name, programme, current_user, pending.mapping)
    mapping, errors = chosen_columns(request.form, plan.rows.mapping)
    if not ColumnsForm().validate_on_submit() or errors:
        return _show(plan, pending, column_errors=errors or {"columns": "Choose a column for each field"})
    save_mapping(pending, mapping)
    return redirect(url_for("imports.preview", token=token))


@bp.post("/admin/import/<token>/confirm")
def confirm(token: str) -> Page:
    """Import the previewed file, all or nothing; if the programme changed meanwhile, show the new preview."""
    programme = current_programme()
    authorise_import(current_user, programme)
    pending, data = load_upload(token, programme.id, current_user.id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("imports.preview", token=token))
    user = current_user._get_current_object()  # noqa: SLF001 - the real User, for history and the audit log
    try:
        plan = service.import_plan(
            data, pending.file_name, programme, user, mapping=pending.mapping, previewed=form.previewed.data
        )
    except (service.PlanRefused, service.PlanChanged) as refused:
        db.session.rollback()
        return _show(refused.plan, pending, changed=True), 409
    db.session.commit()
    discard(token)
    flash(f"{pending.file_name} imported. {plan.summary()}", "success")
    return redirect(url_for("structure.index"))


def _show(
    plan: ImportPlan, pending: PendingUpload, column_errors: dict[str, str] | None = None, changed: bool = False
) -> str:
    """Draw the step the plan is at: the columns to choose, the problems to fix, or the preview to confirm."""
    context = {
        "programme": plan.programme,
        "plan": plan,
        "pending": pending,
        "changed": changed,
        "kinds": KIND_NAMES,
        "outcomes": ((CREATE, "Created"), (UPDATE, "Updated"), (UNCHANGED, "Unchanged")),
    }
    if plan.needs_mapping:
        return render_template(
            "imports/columns.html",
            title="Choose the columns",
            form=ColumnsForm(),
            errors=column_errors or {},
            column_field=column_field_name,
            not_in_file=NOT_IN_FILE,
            **context,
        )
    if plan.problems:
        return render_template("imports/problems.html", title="Problems in the file", **context)
    form = ConfirmForm(previewed=plan.digest())
    return render_template("imports/preview.html", title="Check the import", form=form, **context)
