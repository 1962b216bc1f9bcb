"""The plan upload, the column-mapping step and the confirmation: shape only.

What the file holds is checked by ``tracker.spreadsheets.reading`` and the import's planning; the
forms check that a file was chosen (and its size), which header a person picked for a column, and
carry the fingerprint of the preview they confirm.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, SubmitField
from wtforms.validators import ValidationError

from tracker.imports.rows import Mapping, MappingNeed
from tracker.spreadsheets.reading import Limits

UPLOAD_LIMIT = Limits().max_bytes
NOT_IN_FILE = "-"


class PlanUploadForm(FlaskForm):
    file = FileField(
        "Plan file",
        description="An Excel workbook (.xlsx) or a CSV file (.csv), at most 5 MB",
        widget=GovFileInput(),
    )
    submit = SubmitField("Upload and preview", widget=GovSubmitInput())

    def validate_file(self, field: FileField) -> None:
        """Refuse a missing file; keep the bytes read (one past the limit, so a larger file is known to be)."""
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            raise ValidationError("Choose an Excel workbook (.xlsx) or a CSV file (.csv) to import")
        # Which kinds of file are accepted, and why others are not, is read_upload's to say.
        self.content = upload.read(UPLOAD_LIMIT + 1)

    @property
    def file_name(self) -> str:
        return str(self.file.data.filename)


class ConfirmForm(FlaskForm):
    previewed = HiddenField()
    submit = SubmitField("Import", widget=GovSubmitInput())


class ColumnsForm(FlaskForm):
    """The column-mapping step: one choice per missing column, drawn by the template (see ``field_name``)."""

    submit = SubmitField("Use these columns", widget=GovSubmitInput())


def field_name(sheet_number: int, key: str) -> str:
    return f"sheet{sheet_number}-{key}"


def chosen_columns(formdata: MultiDict, needs: list[MappingNeed]) -> tuple[Mapping, dict[str, str]]:
    """Return the headers chosen for each sheet's missing columns, and a message per choice that is not allowed."""
    mapping: Mapping = {}
    errors: dict[str, str] = {}
    for number, need in enumerate(needs):
        for column in need.missing:
            name = field_name(number, column.key)
            choice = formdata.get(name, "")
            if choice == NOT_IN_FILE and not column.required:
                continue
            if choice not in need.headers:
                errors[name] = f"Choose the column of sheet {need.sheet} that holds {column.label}"
                continue
            mapping.setdefault(need.sheet, {})[column.key] = choice
    taken = [(sheet, header) for sheet, chosen in mapping.items() for header in chosen.values()]
    if len(taken) != len(set(taken)):
        errors["columns"] = "Choose a different column for each field"
    return mapping, errors
