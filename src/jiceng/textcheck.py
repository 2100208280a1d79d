"""Text that may enter jiceng: no control characters, and invisible-only text counts as empty.

One place decides what a hostile string is; the input guard (middleware) and
the domain's text cleaning both ask here.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab, newline and carriage return; DEL; C1 controls; lone
# surrogates (JSON "\ud800" escapes decode to them and PostgreSQL refuses them).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

# Characters that render as nothing although Unicode calls them letters.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Other (control, format such as RLO and zero-width space), separators, marks.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})


def has_control_character(value: str) -> bool:
    """True when ``value`` holds NUL or another control character (tab and newlines are fine)."""
    return CONTROL_RE.search(value) is not None


def is_invisible(ch: str) -> bool:
    return ch in _BLANK_LETTERS or unicodedata.category(ch) in _INVISIBLE_CATEGORIES


def is_blank(value: str) -> bool:
    """True when nothing in ``value`` would be visible: empty, spaces, RLO, zero-width characters …"""
    return all(is_invisible(ch) for ch in value)
