"""Form fields shared by every form in the service."""
from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField
from wtforms.utils import unset_value


class GovDateField(DateField):
    """A GOV.UK date input (day, month, year) with messages that say what to fix."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, example: str = "27 3 2027", **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.example = example

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        # The widget redraws exactly three boxes: a tampered or partial post must not break the page.
        if self.raw_data is not None and len(self.raw_data) != 3:
            self.raw_data = (list(self.raw_data) + ["", "", ""])[:3]

    def process_formdata(self, valuelist):
        if not valuelist or not any(part.strip() for part in valuelist):
            self.data = None
            return
        parts = [part.strip() for part in valuelist]
        if len(parts) != 3 or not all(parts):
            self.data = None
            raise ValueError(f"{self.label.text} must include a day, month and year")
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like {self.example}")
        try:
            super().process_formdata([" ".join(parts)])
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date") from None
