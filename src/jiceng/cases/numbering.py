"""Human-readable case numbers: ``YYYY-CCCCCC-NNNNNN`` (year, county code, sequence)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import CaseNumberSequence


def format_number(year: int, county_code: str, seq: int) -> str:
    return f"{year}-{county_code}-{seq:06d}"


def allocate_number(year: int, county_code: str, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive numbers for a county and year.

    Must run inside the caller's transaction. The UPDATE takes a row lock on
    PostgreSQL (SQLite serialises writers), so concurrent callers get disjoint
    numbers; a rollback releases nothing, leaving a gap, which is fine.
    """
    for _attempt in range(2):
        updated = CaseNumberSequence.objects.filter(year=year, county_code=county_code).update(last=F("last") + count)
        if updated:
            break
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(year=year, county_code=county_code, last=count)
            break
        except IntegrityError:
            continue  # another transaction created the row first; update it
    last = CaseNumberSequence.objects.get(year=year, county_code=county_code).last
    return [format_number(year, county_code, n) for n in range(last - count + 1, last + 1)]
