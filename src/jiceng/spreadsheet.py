"""One rule for every cell jiceng writes to a spreadsheet (ledgers, reports, registry lists).

Text a spreadsheet would run as a formula (beginning with = + - @, or a tab or
carriage return before one) is written behind a leading apostrophe, as OWASP
advises, so opening an export never executes what a resident typed; times are
written as the site's wall time, because Excel cells have no time zone.
A bottom-layer module: it imports nothing from the domain apps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_value(value: Any) -> Any:
    """``value`` as a cell no spreadsheet runs as a formula; aware datetimes as naive local wall time."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
