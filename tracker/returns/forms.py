"""The update return upload form, and the confirmation that carries the previewed rows, signed, to the save.

The preview and the save are two requests; between them the rows travel in the confirmation form,
signed with the app's secret and stamped with the round and lead, so what is saved is exactly what
was previewed (versions included) and cannot be altered or replayed on another lead's return.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField, SubmitField
from wtforms.validators import ValidationError

from tracker.core.forms import CleanForm
from tracker.returns.workbook import ReturnRow
from tracker.spreadsheets.reading import Limits

# A preview older than this is refused: the lead uploads again and sees the position now.
PREVIEW_LIFETIME_SECONDS = 2 * 60 * 60


class UploadReturnForm(CleanForm):
    file = FileField(
        "Filled-in update return",
        description="The .xlsx workbook downloaded for this round, at most 5 MB",
        widget=GovFileInput(),
    )
    submit = SubmitField("Check the return", widget=GovSubmitInput())

    def validate_file(self, field: FileField) -> None:
        """Refuse a missing file; keep the bytes (one past the limit, so the reader can say it is too large)."""
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            raise ValidationError("Choose the filled-in update return workbook to upload")
        self.content = upload.read(Limits().max_bytes + 1)

    @property
    def file_name(self) -> str:
        return str(self.file.data.filename)


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="tracker.returns.preview")


class ConfirmReturnForm(CleanForm):
    rows = HiddenField()
    submit = SubmitField("Save these updates", widget=GovSubmitInput())

    def carry(self, rows: list[ReturnRow], round_id: int, lead_id: int) -> None:
        """Put the previewed rows in the form, signed for this round and lead."""
        self.rows.data = _signer().dumps({"round": round_id, "lead": lead_id, "rows": [r.as_data() for r in rows]})

    def carried(self, round_id: int, lead_id: int) -> list[ReturnRow] | None:
        """Return the previewed rows, or None when they were altered, expired or belong to another return."""
        try:
            data: Any = _signer().loads(self.rows.data or "", max_age=PREVIEW_LIFETIME_SECONDS)
        except BadSignature:
            return None
        if data.get("round") != round_id or data.get("lead") != lead_id:
            return None
        return [ReturnRow.from_data(row) for row in data["rows"]]
