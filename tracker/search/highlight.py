"""Mark the searched-for words in a piece of text, escaping everything else."""

from __future__ import annotations

import re

from markupsafe import Markup, escape


def highlight(text: str | None, words: list[str]) -> Markup:
    """Return text as HTML with each searched-for word wrapped in <mark> (case-insensitive)."""
    if not text:
        return Markup("")
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(Markup('<mark class="app-search-match">%s</mark>') % match.group())
        last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)
