"""A fast bulk seeder for benchmarks: millions of cases whose chains verify, at close to COPY's speed.

``generate_cases`` runs every case through the state machine, which is what
the demo wants and what makes 10⁶ cases take hours. Here a few thousand
*template* histories go through the state machine once; every case written
is a template under a fresh case number. Only the number differs, so only
what covers the number is recomputed: each event's hash (the number is one
key of the hashed JSON: the text around it is kept, one SHA-256 per event)
and the first column fingerprint of ``marks``. Times, texts, units and the
submit digest (which does not cover the number) are the template's.

Rows are written with ``COPY … FROM STDIN`` (psycopg 3 ``cursor.copy``) on
PostgreSQL and ``executemany`` on SQLite; the scope table and
``next_due_at`` are written as the domain would. Not written: triage's
repeat-detection keys (the demo's generator builds them case by case).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, models, transaction

from jiceng.cases import chain
from jiceng.cases.models import Case, CaseEvent, CaseScope
from jiceng.cases.scope import case_keys, unit_key
from jiceng.cases.numbering import allocate_number
from jiceng.cases.sla import SHANGHAI
from jiceng.sealed import SealedCharField

from .cases import _Index, _one_case, _timestamps
from .world import World

PLACEHOLDER = "@@CASE-NUMBER@@"
_QUOTED = json.dumps(PLACEHOLDER)


@dataclass
class _Template:
    """One history, prepared for cloning: database-ready rows with the number's places known."""

    year: int
    case_row: list
    events: list[tuple[list, str, str, str]]  # (row, content before the number, after it, marks after the first)
    scope_keys: frozenset[str]  # the keys the case is read under (cases/scope.py)
    area_id: str


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _db_value(field: models.Field, value, instance: models.Model | None = None):
    """A value as the column takes it, for COPY (PostgreSQL parses text) and for executemany (SQLite)."""
    if value is None:
        return None
    if isinstance(field, SealedCharField):
        return field.get_db_prep_save(value, connection)  # encrypted once per template
    if isinstance(field, models.JSONField):
        return json.dumps(value, cls=field.encoder, ensure_ascii=False)
    if isinstance(field, models.DateTimeField) and connection.vendor != "postgresql":
        return connection.ops.adapt_datetimefield_value(value)
    return value


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _cell(value) -> str:
    """A value in COPY's text format (PostgreSQL parses it with the column type's input function)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def _render(row: list) -> list:
    return [_cell(v) for v in row] if connection.vendor == "postgresql" else row


def _template(ix: _Index, rng: random.Random, created: datetime, now: datetime) -> _Template:
    case, events = _one_case(ix, rng, PLACEHOLDER, created, now, recent=[])  # no merges: they name another case
    case_fields = _fields(Case)
    case_row = _render([_db_value(f, f.pre_save(case, True), case) for f in case_fields])
    event_fields = _fields(CaseEvent)
    prepared = []
    for e in events:
        content = chain.event_content(
            case_number=PLACEHOLDER, seq=e["seq"], action=e["action"], from_state=e["from_state"], to_state=e["to_state"],
            actor_id=e["actor_id"], at=e["at"], unit_id=e["unit_id"], note=e["note"], payload=e["payload"], actor_label=e["actor_label"],
        )
        before, after = content.split(_QUOTED)
        row = _render([_db_value(f, e.get(f.attname)) for f in event_fields])
        prepared.append((row, before, after, e["marks"][chain.MARK_WIDTH:]))
    keys = case_keys(case) | {unit_key(e["unit_id"]) for e in events if e["unit_id"] is not None}
    return _Template(created.astimezone(SHANGHAI).year, case_row, prepared, frozenset(keys), case.area_id)


class _Writer:
    """COPY on PostgreSQL, executemany elsewhere; one table at a time."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        qn = connection.ops.quote_name
        cols = ", ".join(qn(c) for c in columns)
        with connection.cursor() as cur:
            if self.pg:  # rows of rendered cells: one text block, parsed by the server
                with cur.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                    copy.write("".join("\t".join(row) + "\n" for row in rows).encode())
            else:
                marks = ", ".join(["%s"] * len(columns))
                cur.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})", list(rows))


def _reserve_case_ids(count: int) -> int:
    """The first of ``count`` case ids nobody else will take (the sequence moves past them on PostgreSQL)."""
    first = (Case.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [first + count - 1])
    return first


def bulk_cases(world: World, n: int, seed: int = 1, now: datetime | None = None, templates: int = 2000, chunk: int = 20_000,
               progress: Callable[[int], None] | None = None) -> int:
    """Write ``n`` cases cloned from ``templates`` state-machine histories. Returns the number written."""
    from django.utils import timezone

    now = now or timezone.now()
    rng = random.Random(seed)
    ix = _Index(world)
    stamps = _timestamps(rng, min(n, templates), now)
    pool = [_template(ix, rng, created, now) for created in stamps]
    county = world.county.code[:6]
    case_cols = ["id"] + [f.column for f in _fields(Case)]
    event_cols = [f.column for f in _fields(CaseEvent)]
    number_at = case_cols.index("number") - 1
    last_hash_at = case_cols.index("last_hash") - 1
    e_case, e_prev, e_hash, e_marks = (event_cols.index(c) for c in ("case_id", "prev_hash", "hash", "marks"))
    writer = _Writer()
    conv = str if writer.pg else (lambda v: v)  # ids as COPY text, or as they are for executemany
    made = 0
    while made < n:
        size = min(chunk, n - made)
        picks = [pool[(made + i) % len(pool)] for i in range(size)]
        with transaction.atomic():
            numbers = _numbers(picks, county)
            first = _reserve_case_ids(size)
            case_rows, event_rows, scope_rows = [], [], []
            for i, (t, number) in enumerate(zip(picks, numbers, strict=True)):
                case_id = first + i
                quoted = json.dumps(number, ensure_ascii=False)
                head = hashlib.sha256(quoted.encode()).hexdigest()[:chain.MARK_WIDTH]  # chain.marks of the number alone
                prev = chain.GENESIS
                for row, before, after, rest in t.events:
                    digest = chain.link_hash(prev, before + quoted + after)
                    row = list(row)
                    row[e_case], row[e_prev], row[e_hash], row[e_marks] = conv(case_id), prev, digest, head + rest
                    event_rows.append(row)
                    prev = digest
                row = [conv(case_id), *t.case_row]
                row[number_at + 1], row[last_hash_at + 1] = number, prev
                case_rows.append(row)
                scope_rows.extend((key, conv(case_id), t.area_id) for key in sorted(t.scope_keys))
            writer.write(Case._meta.db_table, case_cols, case_rows)
            writer.write(CaseEvent._meta.db_table, event_cols, event_rows)
            writer.write(CaseScope._meta.db_table, ["key", "case_id", "area_id"], scope_rows)
        made += size
        if progress:
            progress(made)
    return made


def _numbers(picks: list[_Template], county: str) -> list[str]:
    """Fresh case numbers, each in its template's year."""
    years = [t.year for t in picks]
    pools = {y: iter(allocate_number(y, county, years.count(y))) for y in sorted(set(years))}
    return [next(pools[y]) for y in years]
