"""Human-readable case numbers: ``YYYY-CCCCCC-NNNNNN`` (year, county code, sequence)."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

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
        last = _advance(year, county_code, count)
        if last is not None:
            break
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(year=year, county_code=county_code, last=count)
            last = count
            break
        except IntegrityError:
            continue  # another transaction created the row first; update it
    else:
        last = _advance(year, county_code, count)
    return [format_number(year, county_code, n) for n in range(last - count + 1, last + 1)]


def _advance(year: int, county_code: str, count: int) -> int | None:
    """Move the sequence on by ``count`` and read where it stands, in one statement (UPDATE … RETURNING)."""
    table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET last = last + %s WHERE year = %s AND county_code = %s RETURNING last", [count, year, county_code])
        row = cur.fetchone()
    return row[0] if row else None
