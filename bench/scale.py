"""Scale: lists, tick, dashboard and bulk load at 10⁵–10⁶ cases on PostgreSQL, each beside a baseline from the same run.

One database per size (a fresh one is seeded with `jiceng seed-demo --bulk`;
`--reuse` measures a database seeded before). Every figure is interleaved
with its baseline, run by run:

- bulk load: `seed-demo --bulk` (state machine for the templates, hashes,
  COPY) beside a bare `COPY` of the same rows (a slice of cases, events and
  scope rows copied out and into empty tables with the same columns, indexes
  and foreign keys);
- case list, first page (`visible_cases(user)`, newest first, 51 rows, as the
  list page asks) for a village, a township, a county department and the
  county dispatch centre, beside the bare SQL of that user's own share (one
  index condition) and beside the scope query as it was before the scope
  tables (an OR with an IN-subquery over the event log);
- `jiceng tick`, steady runs a minute apart after the backlog is marked
  done, beside the scan the old tick made (primary-key walk, every candidate
  re-checked in Python, nothing recorded);
- the county dashboard `/stats/` (rollups), beside one bare grouped count
  over the county's cases.

Usage: python bench/scale.py --database-url URL --cases N [--reuse] [--runs 30] [--write]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

from report import ms, prepend_section

COPY_SLICE = 50_000  # cases whose rows the COPY baseline copies


def seed(n: int) -> float:
    jiceng = [sys.executable, "-m", "jiceng.cli"]
    subprocess.run([*jiceng, "migrate", "-v0"], check=True)
    t0 = time.perf_counter()
    subprocess.run([*jiceng, "seed-demo", "--cases", str(n), "--bulk", "--no-people", "--seed", "1"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


# --- bulk load baseline ----------------------------------------------------------

def bare_copy(n_slice: int) -> tuple[float, int]:
    """Seconds to COPY the rows of the first ``n_slice`` cases into empty tables like the real ones; and the cases copied."""
    from django.db import connection, transaction

    tables = ["cases_case", "cases_caseevent", "cases_casescope"]
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM (SELECT id FROM cases_case ORDER BY id LIMIT %s) s", [n_slice])
        lo, hi = cur.fetchone()
        where = {"cases_case": f"id BETWEEN {lo} AND {hi}", "cases_caseevent": f"case_id BETWEEN {lo} AND {hi}",
                 "cases_casescope": f"case_id BETWEEN {lo} AND {hi}"}
        data = {}
        for t in tables:
            buf = io.BytesIO()
            with cur.cursor.copy(f"COPY (SELECT * FROM {t} WHERE {where[t]}) TO STDOUT") as copy:
                for block in copy:
                    buf.write(block)
            data[t] = buf.getvalue()
    with transaction.atomic(), connection.cursor() as cur:
        for t in tables:
            cur.execute(f"CREATE TABLE bare_{t} (LIKE {t} INCLUDING ALL)")  # rolled back at the end
            # the same foreign keys (checked at commit, as Django declares them)
            cur.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [t])
            for (fk,) in cur.fetchall():
                if "REFERENCES cases_case(" in fk:
                    fk = fk.replace("REFERENCES cases_case(", "REFERENCES bare_cases_case(")
                cur.execute(f"ALTER TABLE bare_{t} ADD {fk}")
        t0 = time.perf_counter()
        for t in tables:
            with cur.cursor.copy(f"COPY bare_{t} FROM STDIN") as copy:
                copy.write(data[t])
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks run now, inside the timing
        seconds = time.perf_counter() - t0
        transaction.set_rollback(True)  # the bare tables go again
    return seconds, hi - lo + 1


# --- lists ----------------------------------------------------------------------

def old_scope_q(user):
    """visible_cases_q as it was before the scope tables: an IN-subquery over the event log inside the OR."""
    from django.db.models import Q

    from jiceng.areas.models import subtree_q
    from jiceng.cases import access
    from jiceng.cases.models import CaseEvent

    q = Q(reporter=user) | Q(created_by=user)
    prefix = user.scope_area.prefix if user.scope_area_id else None
    if user.role in access.AREA_READ_ROLES and prefix:
        q |= subtree_q("area_id", prefix)
    if user.role in access.UNIT_ROLES:
        unit_ids = list(user.units.values_list("id", flat=True))
        if unit_ids:
            q |= Q(unit_id__in=unit_ids) | Q(pk__in=CaseEvent.objects.filter(unit_id__in=unit_ids).values("case_id"))
    if user.role == "grid_worker":
        grid_ids = list(user.grids.values_list("id", flat=True))
        if grid_ids:
            q |= Q(grid_id__in=grid_ids)
    return q


def bare_list_sql(user) -> tuple[str, list]:
    """The user's own share as one index condition: the area range, or the units' scope rows."""
    from jiceng.areas.codes import subtree_bounds

    if user.scope_area_id:
        lo, hi = subtree_bounds(user.scope_area.prefix)
        return "SELECT * FROM cases_case WHERE area_id >= %s AND area_id < %s ORDER BY id DESC LIMIT 51", [lo, hi]
    units = list(user.units.values_list("id", flat=True))
    return ("SELECT * FROM cases_case WHERE id IN (SELECT case_id FROM cases_casescope WHERE key = ANY(%s)) "
            "ORDER BY id DESC LIMIT 51", [[f"u{u}" for u in units]])


def explain(qs) -> str:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
        return "\n".join(r[0] for r in cur.fetchall())


def measure_lists(runs: int, n: int, plans: dict) -> list[tuple]:
    from django.db import connection

    from jiceng.accounts.models import User
    from jiceng.cases.access import visible_cases
    from jiceng.cases.models import Case

    users = {
        "village (cun-…)": User.objects.filter(username__startswith="cun-").order_by("username").first(),
        "township (tz-101)": User.objects.get(username="tz-101"),
        "county department (county-civil_affairs)": User.objects.get(username="county-civil_affairs"),
        "county dispatch centre (county-centre)": User.objects.get(username="county-centre"),
    }
    rows = []
    for label, user in users.items():
        new_qs = lambda u=user: visible_cases(u).select_related("category", "unit", "area").order_by("-pk")[:51]
        old_qs = lambda u=user: Case.objects.filter(old_scope_q(u)).select_related("category", "unit", "area").order_by("-pk")[:51]
        sql, params = bare_list_sql(user)
        new, raw, bare, old = [], [], [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            list(new_qs())
            new.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()  # the ORM's own SQL without building model objects: the database's part
            own_sql, own_params = new_qs().query.sql_with_params()
            with connection.cursor() as cur:
                cur.execute(own_sql, own_params)
                cur.fetchall()
            raw.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute(sql, params)
                cur.fetchall()
            bare.append((time.perf_counter() - t0) * 1000)
            if len(old) < max(5, runs // 3):  # the old query is slow at 10⁶: fewer runs
                t0 = time.perf_counter()
                list(old_qs())
                old.append((time.perf_counter() - t0) * 1000)
        share = visible_cases(user).count()
        rows.append((f"case list, first page: {label}, sees {share:,}", f"{n:,}", f"{ms(new)} (its SQL alone: {ms(raw)})",
                     f"bare SQL of the share {ms(bare)}",
                     f"SQL {statistics.median(raw) / statistics.median(bare):.1f}× bare, with objects {statistics.median(new) / statistics.median(bare):.1f}× · "
                     f"before the scope table: {ms(old)}"))
        if label.startswith(("village", "county department")):
            plans[f"{label}, now"] = explain(new_qs())
            plans[f"{label}, before"] = explain(old_qs())
    return rows


# --- tick ------------------------------------------------------------------------

def mark_backlog(now) -> int:
    """Bench fixture: record as done (SlaMark rows without events) every consequence already due, as a tick that ran
    all along would have left them, and move next_due_at on; returns the cases touched."""
    from jiceng.cases import due
    from jiceng.cases.models import Case, SlaMark

    qs = Case.objects.filter(next_due_at__lte=now).select_related("category")
    touched, last = 0, 0
    while page := list(qs.filter(pk__gt=last).order_by("pk")[:2000]):
        last = page[-1].pk
        marks, updates = [], []
        for case in page:
            fired = {k for k, t in due.thresholds(case).items() if t <= now}
            marks += [SlaMark(case_id=case.pk, kind=k, deadline=due.marked_deadline(case, k), at=now) for k in fired]
            case.next_due_at = due.safe_next_due_at(case, fired, now)
            updates.append(case)
        SlaMark.objects.bulk_create(marks, ignore_conflicts=True)
        Case.objects.bulk_update(updates, ["next_due_at"])
        touched += len(page)
    return touched


def old_tick_scan(now) -> int:
    """The scan of the tick before next_due_at (no recording): the pk walk over every candidate, re-checked in Python."""
    from jiceng.areas.models import UnitLevel
    from jiceng.cases import sla, workflow
    from jiceng.cases.models import Case, Category, SlaMark
    from jiceng.cases.states import Action, Urgency
    from jiceng.cases.tick import SCANNED_STATES, due_consequences

    widest = 0
    for cat in Category.objects.filter(active=True).only("sla", "accept_hours", "resolve_days", "visit_days"):
        for urgency in Urgency.values:
            for phase in ("accept", "resolve"):
                for level in (None, *UnitLevel.values):
                    widest = max(widest, sla.limit_for(cat, urgency, phase, level).seconds())
    horizon = sla.add_working_time(now, sla.due_soon_share() * widest)
    qs = Case.objects.filter(state__in=SCANNED_STATES, deadline__lte=horizon).select_related("category")
    scanned, last = 0, 0
    while page := list(qs.filter(pk__gt=last).order_by("pk")[:500]):
        last = page[-1].pk
        done = set(SlaMark.objects.filter(case_id__in=[c.pk for c in page]).values_list("case_id", "kind", "deadline"))
        for case in page:
            due_consequences(case, now, done)
        scanned += len(page)
    replies = Case.objects.filter(reply_by__lt=now, state__in=list(workflow.RULES[Action.FLAG_REPLY_OVERDUE].sources))
    last = 0
    while page := list(replies.filter(pk__gt=last).order_by("pk")[:500]):
        last = page[-1].pk
        set(SlaMark.objects.filter(case_id__in=[c.pk for c in page], kind="reply_overdue").values_list("case_id", "deadline"))
        scanned += len(page)
    return scanned


def measure_tick(n: int, plans: dict) -> list[tuple]:
    from django.db import connection
    from django.utils import timezone

    from jiceng.cases.models import Case
    from jiceng.cases.tick import run_tick

    now = timezone.now()
    t0 = time.perf_counter()
    backlog = mark_backlog(now)
    backlog_s = time.perf_counter() - t0
    new, old, scanned, recorded, old_scanned = [], [], [], [], 0
    for k in range(1, 6):
        at = now + timedelta(minutes=k)
        t0 = time.perf_counter()
        s = run_tick(at)
        new.append((time.perf_counter() - t0) * 1000)
        scanned.append(s.scanned)
        recorded.append(s.recorded)
        t0 = time.perf_counter()
        old_scanned = old_tick_scan(at)
        old.append((time.perf_counter() - t0) * 1000)
    plans["tick scan, now"] = explain(Case.objects.filter(next_due_at__lte=now + timedelta(minutes=6)).order_by("next_due_at", "pk")[:500])
    connection.close()
    return [
        (f"jiceng tick, steady run (a minute apart; read {min(scanned)}–{max(scanned)} cases, recorded {sum(recorded)})", f"{n:,}",
         ms(new), f"old scan alone {ms(old)} (read {old_scanned:,} cases)", f"{statistics.median(new) / statistics.median(old):.3f}× old scan"),
        ("(bench fixture) backlog marked done before the steady runs", f"{n:,}", f"{backlog:,} cases in {backlog_s:.1f} s", "—", "—"),
    ]


# --- dashboard -------------------------------------------------------------------

def measure_dashboard(runs: int, n: int) -> list[tuple]:
    from django.db import connection
    from django.test import Client

    from jiceng.accounts.models import User
    from jiceng.areas.codes import subtree_bounds

    rows = []
    for username in ("leader", "tz-101"):
        user = User.objects.get(username=username)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        lo, hi = subtree_bounds(user.scope_area.prefix)
        assert client.get("/stats/").status_code == 200  # warm
        page, bare = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            r = client.get("/stats/")
            page.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute("SELECT state, count(*) FROM cases_case WHERE area_id >= %s AND area_id < %s GROUP BY state", [lo, hi])
                cur.fetchall()
            bare.append((time.perf_counter() - t0) * 1000)
        rows.append((f"dashboard GET /stats/ ({username}, rollups)", f"{n:,}", ms(page), f"one bare grouped count {ms(bare)}",
                     f"{statistics.median(page) / statistics.median(bare):.2f}× one count"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--reuse", action="store_true", help="the database already holds the seeded cases")
    parser.add_argument("--seed-seconds", type=float, default=0, help="with --reuse: the seeding time measured when it was seeded")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--write", action="store_true", help="prepend the table to docs/benchmarks.md")
    parser.add_argument("--no-dashboard", action="store_true", help="skip the rollup refresh and the dashboard (bench/stats.py measures them)")
    parser.add_argument("--no-tick", action="store_true", help="skip the tick runs")
    parser.add_argument("--no-copy", action="store_true", help="skip the bulk-load comparison")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("JICENG_DATA_DIR", tempfile.mkdtemp(prefix="jiceng-scale-"))
    seed_s = args.seed_seconds if args.reuse else seed(args.cases)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.db import connection

    from jiceng.cases.models import Case, CaseEvent
    from jiceng.stats.rollups import refresh

    n = Case.objects.count()
    events = CaseEvent.objects.count()
    rows: list[tuple] = []
    plans: dict[str, str] = {}
    if seed_s and not args.no_copy:
        copy_s, copied = bare_copy(min(COPY_SLICE, n))
        rows.append(("bulk load: seed-demo --bulk (templates through the state machine, hashes, COPY)", f"{n:,} cases, {events:,} events",
                     f"{seed_s:.0f} s · {n / seed_s:,.0f} cases/s", f"bare COPY of the same rows {copied / copy_s:,.0f} cases/s",
                     f"{(n / seed_s) / (copied / copy_s):.0%} of COPY"))
    if not args.no_dashboard:
        t0 = time.perf_counter()
        refreshed = refresh()
        rows.append(("(setup) stats refresh of the rollups", f"{n:,}", f"{time.perf_counter() - t0:.1f} s", refreshed.line(), "—"))
    rows += measure_lists(args.runs, n, plans)
    if not args.no_dashboard:
        rows += measure_dashboard(max(5, args.runs // 3), n)
    if not args.no_tick:
        rows += measure_tick(n, plans)
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        server = cur.fetchone()[0]
    header = (f"## {date.today()} · scale · PostgreSQL {server} · {n:,} cases · {platform.processor() or platform.machine()} · "
              f"{os.cpu_count()} cores (shared) · Python {platform.python_version()}\n\n")
    table = ("| benchmark | size | measured | baseline (same run) | ratio |\n|---|---|---|---|---|\n"
             + "".join(f"| {a} | {b} | {c} | {d} | {e} |\n" for a, b, c, d, e in rows))
    plan_text = "".join(f"\n<details><summary>EXPLAIN ANALYZE: {k}</summary>\n\n```\n{v}\n```\n</details>\n" for k, v in plans.items())
    print(header + table + plan_text)
    if args.write:
        prepend_section(header + table + plan_text)


if __name__ == "__main__":
    main()
