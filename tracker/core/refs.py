"""References as councils write them: 'A1', 'E2.14', 'KPI 1', 'Performance Indicator 3', 'BCP-4a'.

The one rule for what a ref may look like, how it sorts and the slug it has in a web address.
"""

from __future__ import annotations

import re

MAX_REF = 40
# Printable characters real papers use in refs; no slash (it would split a web address).
_ALLOWED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-_()&'+:#]*$")
_NOT_SLUG = re.compile(r"[^a-z0-9.]+")


def normalise_ref(ref: str) -> str:
    """Return the ref as stored: outer spaces dropped, inner runs of spaces made one."""
    return " ".join(ref.split())


def ref_problem(ref: str, kind: str = "item") -> str | None:
    """Return what is wrong with a ref as a person should read it, or None when it is fine."""
    ref = normalise_ref(ref)
    if not ref:
        return f"Enter a reference for the {kind}"
    if len(ref) > MAX_REF:
        return f"The reference must be {MAX_REF} characters or fewer"
    if not _ALLOWED.match(ref):
        return (
            "The reference must start with a letter or number and can only contain letters, numbers, spaces, "
            "full stops, hyphens and brackets, like A1, E2.14 or KPI 12"
        )
    return None


def ref_slug(ref: str) -> str:
    """Return the ref's form in a web address: 'KPI 12' -> 'kpi-12', 'E2.14' -> 'e2.14'."""
    return _NOT_SLUG.sub("-", normalise_ref(ref).lower()).strip("-") or "-"


def natural_sort_key(ref: str) -> str:
    """Return a key that sorts refs as people read them: A2 before A10, KPI 2 before KPI 10."""
    return re.sub(r"\d+", lambda match: match.group().zfill(6), normalise_ref(ref).upper())
