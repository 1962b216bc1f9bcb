"""Risk tests share the editing clients of the programme tests (each request in its own app context)."""

from __future__ import annotations

from tests.programme.conftest import client_for as client_for
