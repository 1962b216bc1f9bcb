"""The five programme statuses, defined once with their label, colour and meaning."""

from __future__ import annotations

import enum


class Status(enum.Enum):
    """A Blue/Green/Amber/Red/Grey rating, in the order boards read them."""

    BLUE = "blue"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def definition(self) -> str:
        """Return the meaning shown in legends and hint text."""
        return _DEFINITIONS[self].format(item="item")

    def describe(self, item: str) -> str:
        """Return the meaning worded for an item kind, as a board report words it."""
        return _DEFINITIONS[self].format(item=item)

    @property
    def tag_class(self) -> str:
        """Return the GOV.UK tag modifier; the tag always carries the word too."""
        return _TAG_CLASSES[self]

    @property
    def chart_fill(self) -> str:
        return _CHART_COLOURS[self][0]

    @property
    def chart_text(self) -> str:
        """Return a text colour that contrasts with chart_fill at 4.5:1 or more."""
        return _CHART_COLOURS[self][1]

    @property
    def is_complete(self) -> bool:
        """Green and Blue items are finished; nothing finished can be overdue."""
        return self in (Status.GREEN, Status.BLUE)

    @property
    def order(self) -> int:
        return list(Status).index(self)

    @classmethod
    def coerce(cls, value: str | Status | None) -> Status | None:
        """Return the Status for a case-insensitive value, or None if it is not one."""
        if isinstance(value, Status) or value is None:
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            return None

    @classmethod
    def from_word(cls, text: str | None) -> Status | None:
        """Return the Status a spreadsheet cell names by word or initial (B, G, A, R; Grey or Gray), or None.

        Plans write statuses as words ("Amber"), initials ("A") or either in capitals; G is Green, so
        Grey is only ever its word. Anything else (blank included) is None for the caller to report.
        """
        word = " ".join(str(text or "").split()).lower().rstrip(".")
        return _WORDS.get(word)


_DEFINITIONS = {
    Status.BLUE: "{item} delivered, embedded and sustained",
    Status.GREEN: "{item} completed but continues to be monitored to ensure it embeds",
    Status.AMBER: "{item} started and progress is being made",
    Status.RED: "{item} off track or at risk of missing its deadline",
    Status.GREY: "{item} not yet started or due to start",
}

# govuk-frontend 6.3 has no --blue modifier: the default tag is blue.
_TAG_CLASSES = {
    Status.BLUE: "",
    Status.GREEN: "govuk-tag--green",
    Status.AMBER: "govuk-tag--orange",
    Status.RED: "govuk-tag--red",
    Status.GREY: "govuk-tag--grey",
}

# (fill, text) pairs; each text colour has at least 4.5:1 contrast on its fill.
_CHART_COLOURS = {
    Status.BLUE: ("#1d70b8", "#ffffff"),
    Status.GREEN: ("#00703c", "#ffffff"),
    Status.AMBER: ("#ffdd00", "#0b0c0c"),
    Status.RED: ("#d4351c", "#ffffff"),
    Status.GREY: ("#505a5f", "#ffffff"),
}

COMPLETE_STATUSES = (Status.GREEN, Status.BLUE)

_WORDS = {
    **{status.value: status for status in Status},
    **{status.value[0]: status for status in Status if status is not Status.GREY},
    "gray": Status.GREY,
}


class Ambition(enum.Enum):
    """Corporate-plan ambitions a project contributes to."""

    INCLUSIVE = "INCLUSIVE"
    SAFE = "SAFE"
    PROSPEROUS = "PROSPEROUS"
    HEALTHY = "HEALTHY"
    GREEN = "GREEN"

    @property
    def label(self) -> str:
        return self.value.capitalize()
