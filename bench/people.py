"""The registry at county scale: lists, tag history and the unpaired/overdue lists at 10⁶ people, beside the bare SQL.

Builds the demo county's registry (132 villages) in a fresh database, loads N people (default 10⁶) with
households, tags (低保 with ended periods, 独居老人 …), monitored households with pairings and visit
targets — loaded with COPY on PostgreSQL, as a county's first data load would be — then times, each
beside the same query written by hand in SQL (the baseline) and with its plan printed:

- the first page of a township's person list (``people.access.visible_people`` + ``filter_people``);
- "who was 低保 on a day" for the county's civil-affairs bureau (``tagged_on`` inside the visible people);
- a township's unpaired monitored households (``programmes.pairing.unpaired_monitored``);
- a grid worker's overdue visits (``programmes.access.overdue_visits_for``);
- a 10⁵-row roster import through ``do_import_roster`` (all checks), beside ``bulk_create`` of the same rows.

Usage: python bench/people.py --database-url postgres://… [--people 1000000] [--import-rows 100000] [--write]
(without --database-url it runs on SQLite, where --people defaults to 100,000).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _median_ms(fn, runs: int = 30) -> tuple[float, float]:
    fn()  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--people", type=int, default=0)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--write", action="store_true", help="add the figures to docs/benchmarks.md")
    args = parser.parse_args()
    os.environ["JICENG_DATA_DIR"] = tempfile.mkdtemp(prefix="jiceng-bench-people-")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    people = args.people or (1_000_000 if connection.vendor == "postgresql" else 100_000)
    from jiceng.demo.world import build_world

    t0 = time.perf_counter()
    world = build_world(seed=1)
    print(f"world: {len(world.villages)} villages, {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    load = _load(world, people)
    load_s = time.perf_counter() - t0
    print(f"loaded {people:,} people, {load['households']:,} households, {load['tags']:,} tags, {load['monitored']:,} monitored, "
          f"{load['targets']:,} targets in {load_s:.1f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    rows = _queries(world, load)
    rows.append(_import(world, args.import_rows))
    _report(rows, people, connection.vendor, load_s, args.write)


def _load(world, n: int) -> dict:
    """People, households, memberships, tags, monitored households, pairings and visit targets, in bulk."""
    from django.db import connection
    from django.utils import timezone

    from jiceng.people.idnumber import make_id_number
    from jiceng.people.models import TagKind
    from jiceng.programmes.models import PairingScheme
    from jiceng.sealed import blind_index, keyring, seal

    ring = keyring()  # the ID numbers and phones are loaded sealed, with their keyed hashes, as the registry stores them

    rng = random.Random(5)
    today = timezone.localdate()
    villages = world.villages
    grids = {v.code: [g.pk for g in world.grids_by_village[v.code]] for v in villages}
    workers = {g.pk: g.workers.first().pk for v in villages for g in world.grids_by_village[v.code]}
    admin = world.users["admin"].pk
    kinds = {k.code: k.pk for k in TagKind.objects.all()}
    scheme = PairingScheme.objects.get(code="party-member").pk
    now = timezone.now()
    people, households, members, tags, monitored, pairings, targets = [], [], [], [], [], [], []
    seen = set()
    hh_id = 0
    helper_ids = [u.pk for name, u in world.users.items() if name.startswith(("grid-", "cun-"))]
    for pid in range(1, n + 1):
        village = villages[pid % len(villages)]
        grid = grids[village.code][pid % len(grids[village.code])]
        while True:
            born = date(1930, 1, 1) + dt.timedelta(days=rng.randrange(33000))
            number = make_id_number("431102", born, rng.randrange(1000))
            if number not in seen:
                seen.add(number)
                break
        phone = f"138{pid:08d}"
        people.append((pid, seal(number, "people.person.id_number", ring=ring), blind_index(number, "id_number", ring=ring), f"人员{pid}",
                       "M" if int(number[16]) % 2 else "F", born, seal(phone, "people.person.phone", ring=ring),
                       blind_index(phone, "phone", ring=ring), f"{village.name}{pid}号", village.code, grid, now, now))
        if pid % 3 == 1:
            hh_id += 1
            households.append((hh_id, f"B{hh_id:08d}", f"{village.name}{pid}号", village.code, grid, pid, now))
            if hh_id % 40 == 0:  # 2.5% of households monitored
                monitored.append((hh_id, hh_id, village.code, '["因病"]', "monitored", today - dt.timedelta(days=300), admin))
                if hh_id % 280 != 0:  # about 86% of them paired
                    pairings.append((hh_id, scheme, helper_ids[hh_id % len(helper_ids)], hh_id, today - dt.timedelta(days=100), "{}", admin))
                targets.append((hh_id, hh_id, village.code, grid, workers[grid], today + dt.timedelta(days=rng.randint(-20, 30))))
        members.append((pid, hh_id, pid, "head" if pid % 3 == 1 else "child", today - dt.timedelta(days=1000)))
        if pid % 20 == 0:  # 低保: held now
            tags.append((kinds["dibao"], pid, date(2024, 1, 1), None))
        if pid % 20 == 7:  # 低保: held and ended
            tags.append((kinds["dibao"], pid, date(2023, 1, 1), date(2026, 1, 1)))
        if pid % 50 == 3:
            tags.append((kinds["elderly-alone"], pid, date(2025, 1, 1), None))
    plan_rows = [(1, "基准走访计划", "visit", villages[0].code[:6] + "000000", 30, today - dt.timedelta(days=60), None, None, "", True, admin, now)]
    _insert(connection, "people_person", ["id", "id_number", "id_number_index", "name", "sex", "birth_date", "phone", "phone_index", "address",
                                          "area_id", "grid_id", "created_at", "updated_at"], people)
    _insert(connection, "people_household", ["id", "number", "address", "area_id", "grid_id", "head_id", "created_at"], households)
    _insert(connection, "people_membership", ["id", "household_id", "person_id", "relationship", "joined"], members)
    _insert(connection, "people_persontag", ["kind_id", "person_id", "valid_from", "valid_to", "risk_type", "source", "set_at", "end_reason"],
            [t + ("", "基准", now, "") for t in tags])
    _insert(connection, "programmes_monitoredhousehold", ["id", "household_id", "area_id", "risk_types", "status", "identified_on",
                                                          "created_by_id", "exit_evidence"], [m + ("",) for m in monitored])
    _insert(connection, "programmes_pairing", ["id", "scheme_id", "helper_id", "household_id", "started", "duties_done", "created_by_id",
                                               "end_reason"], [p + ("",) for p in pairings])
    _insert(connection, "programmes_visitplan", ["id", "name", "kind", "area_id", "interval_days", "starts", "due", "tag_kind_id",
                                                 "description", "active", "created_by_id", "created_at"], plan_rows)
    _insert(connection, "programmes_plantarget", ["plan_id", "household_id", "area_id", "grid_id", "assignee_id", "next_due", "visits"],
            [(1, t[1], t[2], t[3], t[4], t[5], 0) for t in targets])
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in ("people_person", "people_household", "people_membership", "programmes_monitoredhousehold", "programmes_pairing",
                          "programmes_visitplan"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    return {"households": len(households), "tags": len(tags), "monitored": len(monitored), "targets": len(targets)}


def _insert(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            for i in range(0, len(rows), 20_000):
                cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                                [tuple(v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v for v in r) for r in rows[i:i + 20_000]])


def _plan(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        cur.execute(prefix + sql, params)
        return "\n".join(" ".join(str(c) for c in r) for r in cur.fetchall())


def _raw(sql: str, params):
    from django.db import connection

    def run():
        with connection.cursor() as cur:
            cur.execute(sql, params)
            cur.fetchall()
    return run


def _queries(world, load: dict) -> list[tuple]:
    from django.utils import timezone

    from jiceng.areas.codes import subtree_bounds
    from jiceng.people.access import visible_people, visible_tags_held
    from jiceng.people.actions import tagged_on
    from jiceng.people.filters import PersonFilter, filter_people, page_of
    from jiceng.people.models import TagKind
    from jiceng.programmes.access import overdue_visits_for
    from jiceng.programmes.models import PlanTarget
    from jiceng.programmes.pairing import unpaired_monitored

    township = world.townships[5]
    tz = world.users[f"tz-{township.code[6:9]}"]
    low, high = subtree_bounds(township.prefix)
    civil = world.users["county-civil_affairs"]
    dibao = TagKind.objects.get(code="dibao")
    day = date(2026, 3, 1)
    worker_id = PlanTarget.objects.filter(next_due__lt=timezone.localdate()).values_list("assignee_id", flat=True).first()
    worker = type(tz).objects.get(pk=worker_id)
    today = timezone.localdate()
    rows = []

    def measure(label: str, orm_fn, qs, sql: str, params) -> None:
        orm = _median_ms(orm_fn)
        bare = _median_ms(_raw(sql, params))
        print(f"\n== {label}: ORM median {orm[0]:.1f} ms, bare SQL median {bare[0]:.1f} ms", flush=True)
        orm_sql, orm_params = qs.query.sql_with_params()
        print(_plan(orm_sql, orm_params), flush=True)
        rows.append((label, orm, bare))

    qs = filter_people(visible_people(tz), PersonFilter())[:51]
    measure("township person list, first page (51 rows)", lambda: page_of(filter_people(visible_people(tz), PersonFilter())), qs,
            "SELECT id, name, id_number FROM people_person WHERE area_id >= %s AND area_id < %s AND merged_into_id IS NULL "
            "ORDER BY id DESC LIMIT 51", [low, high])
    held = visible_tags_held(civil, dibao, day).order_by("-id")
    measure("低保 on 2026-03-01, county civil affairs, first page (101 rows)", lambda: list(held.select_related("person")[:101]), held[:101],
            "SELECT t.id, p.name FROM people_persontag t JOIN people_person p ON p.id = t.person_id WHERE t.kind_id = %s AND t.valid_from <= %s "
            "AND (t.valid_to IS NULL OR t.valid_to > %s) AND p.area_id >= %s AND p.area_id < %s AND p.merged_into_id IS NULL "
            "ORDER BY t.id DESC LIMIT 101", [dibao.pk, day, day, "431102000000", "431103000000"])
    measure("低保 on 2026-03-01, county count", lambda: held.count(), held,
            "SELECT count(*) FROM people_persontag t JOIN people_person p ON p.id = t.person_id WHERE t.kind_id = %s AND t.valid_from <= %s "
            "AND (t.valid_to IS NULL OR t.valid_to > %s) AND p.area_id >= %s AND p.area_id < %s AND p.merged_into_id IS NULL",
            [dibao.pk, day, day, "431102000000", "431103000000"])
    unpaired = unpaired_monitored(tz).order_by("area_id", "id")
    measure("township unpaired monitored households (first 200)", lambda: list(unpaired[:200]), unpaired[:200],
            "SELECT m.id FROM programmes_monitoredhousehold m JOIN people_household h ON h.id = m.household_id WHERE m.status = 'monitored' "
            "AND h.area_id >= %s AND h.area_id < %s AND NOT EXISTS (SELECT 1 FROM programmes_pairing p WHERE p.household_id = m.household_id "
            "AND p.ended IS NULL) ORDER BY m.area_id, m.id LIMIT 200", [low, high])
    overdue = overdue_visits_for(worker, today)
    measure("a grid worker's overdue visits (first 100, with plan, household, grid, village)", lambda: list(overdue_visits_for(worker, today)[:100]),
            overdue[:100],
            "SELECT t.*, p.*, h.*, g.*, a.* FROM programmes_plantarget t JOIN programmes_visitplan p ON p.id = t.plan_id "
            "LEFT JOIN people_household h ON h.id = t.household_id LEFT JOIN areas_grid g ON g.id = t.grid_id JOIN areas_area a ON a.code = t.area_id "
            "WHERE t.assignee_id = %s AND t.next_due < %s AND p.active ORDER BY t.next_due, t.id LIMIT 100", [worker.pk, today])
    return rows


def _import(world, n: int) -> tuple:
    """A roster of n new people into one township through do_import_roster, beside bulk_create of the same rows."""
    from django.db import transaction

    from jiceng.people import identity
    from jiceng.people.idnumber import make_id_number
    from jiceng.people.importer import do_import_roster
    from jiceng.people.models import Person
    from jiceng.sealed import sealing_batch

    rng = random.Random(11)
    villages = world.villages[:20]
    rows, seen = [], set()  # address code 110101: never among the loaded people (431102)
    for i in range(n):
        village = villages[i % len(villages)]
        while True:
            number = make_id_number("110101", date(1940, 1, 1) + dt.timedelta(days=rng.randrange(25000)), rng.randrange(1000))
            if number not in seen:
                seen.add(number)
                break
        rows.append({"id_number": number, "name": f"导入{i}", "phone": f"139{i:08d}", "address": f"{village.name}{i}号", "village": village.code,
                     "grid": world.grids_by_village[village.code][0].code, "household": f"I{i // 3:08d}",
                     "relationship": "户主" if i % 3 == 0 else "子女", "tags": "低保" if i % 10 == 0 else "", "valid_from": "2026-01-01"})
    admin = world.users["admin"]
    # Baseline first (rolled back): the same people written with bulk_create only — no checks, no households, no tags;
    # sealed in one batch as the import seals them.
    t0 = time.perf_counter()
    with transaction.atomic(), sealing_batch():
        objs = [Person(**identity.identity_fields(r["id_number"]), name=r["name"], phone=r["phone"], address=r["address"],
                       area_id=r["village"]) for r in rows]
        for k in range(0, len(objs), 2000):
            Person.objects.bulk_create(objs[k:k + 2000])
        bare_s = time.perf_counter() - t0
        transaction.set_rollback(True)
    t0 = time.perf_counter()
    result = do_import_roster(admin, rows, source="基准导入")
    domain_s = time.perf_counter() - t0
    print(f"\n== import of {n:,} rows: {domain_s:.1f} s ({result.created:,} created, {result.tags_created:,} tags); "
          f"bulk_create of the people alone {bare_s:.1f} s", flush=True)
    return (f"roster import of {n:,} rows (do_import_roster: people, households, tags) vs bulk_create of the people",
            (domain_s * 1000, domain_s * 1000), (bare_s * 1000, bare_s * 1000))


def _report(rows: list[tuple], people: int, vendor: str, load_s: float, write: bool) -> None:
    cores = os.cpu_count()
    head = f"## {date.today().isoformat()} · people · {vendor} · {platform.machine()} · {cores} cores · Python {platform.python_version()}"
    lines = [head, "", f"`python bench/people.py` at {people:,} people (loaded in {load_s:.0f} s). Median of 30 runs; the baseline is the "
             "same query written by hand in SQL, run on the same database in the same process.", "",
             "| query | ORM (median / max) | bare SQL (median / max) |", "|---|---|---|"]
    for label, orm, bare in rows:
        lines.append(f"| {label} | {orm[0]:.1f} ms / {orm[1]:.1f} ms | {bare[0]:.1f} ms / {bare[1]:.1f} ms |")
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    if write:
        path = ROOT / "docs" / "benchmarks.md"
        path.write_text(path.read_text() + "\n" + text)


if __name__ == "__main__":
    main()
