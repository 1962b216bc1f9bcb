"""Spreadsheets in and out: safe reading of uploaded .xlsx and .csv files (``reading``).

A library, not a domain: it has no pages and registers nothing. The plan import (tracker.imports)
and the exports and update returns build on it.
"""
