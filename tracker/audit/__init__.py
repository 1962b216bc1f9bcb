"""Audit log: an append-only record of sign-ins, account changes, imports and structure changes."""
