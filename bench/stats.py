"""Statistics at scale: the leaders' dashboard and the monthly report beside a hand-written GROUP BY, and the rollup rebuild.

On a database that already holds the cases (PostgreSQL from `--database-url`,
or the SQLite of `JICENG_DATA_DIR` without it), measures in one run:

- `GET /stats/` (the dashboard, HTML, as each user opens it: this month) for
  the county leader, a township (tz-101) and a county department head, and
  `GET /stats/reports/?kind=month` (the monthly county report, HTML), each run
  interleaved with one hand-written `GROUP BY` over the same user's cases of
  the same month (counts per township by state, resolution and rating: what a
  person would write without rollups), p50 and p99 over the runs;
- with `--refresh`: `jiceng stats refresh --full` (facts and rollups from
  nothing, set-based), its wall time and rate;
- on PostgreSQL, `EXPLAIN (ANALYZE)` of the dashboard's slowest statements on
  the case, fact and rollup tables, and whether any is a sequential scan.

Usage: python bench/stats.py [--database-url URL] [--runs 30] [--refresh] [--write]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from report import ms, pct, prepend_section

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 300  # issue 14: county dashboard and monthly summary ≤ 300 ms (at 10⁷; measured here at 10⁵–10⁶)
USERS = (("county leader", "leader"), ("township", "tz-101"), ("county department", "county-civil_affairs"))
TABLES = ("cases_case", "stats_casefact", "stats_dailyrollup")


def baseline_sql(user, start: datetime, end: datetime) -> tuple[str, list]:
    """One hand-written GROUP BY over the user's cases of the month: per township, by state, resolutions and ratings."""
    from jiceng.areas.codes import subtree_bounds
    from jiceng.stats.access import scope_for

    scope = scope_for(user)
    where, params = ["created_at >= %s", "created_at < %s"], [start, end]
    if scope.area_prefix:
        lo, hi = subtree_bounds(scope.area_prefix)
        where += ["area_id >= %s", "area_id < %s"]
        params += [lo, hi]
    if scope.unit_ids is not None:
        where.append(f"unit_id IN ({', '.join(['%s'] * len(scope.unit_ids))})")
        params += list(scope.unit_ids)
    sql = ("SELECT substr(area_id, 1, 9), state, count(*), "
           "sum(CASE WHEN resolved_level <> '' THEN 1 ELSE 0 END), sum(CASE WHEN rating <> '' THEN 1 ELSE 0 END), "
           "sum(CASE WHEN rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END), sum(supervise_count) "
           f"FROM cases_case WHERE {' AND '.join(where)} GROUP BY 1, 2")
    return sql, params


def timed_pages(client, url: str, sql: str, params: list, runs: int) -> tuple[list[float], list[float], int]:
    """The page and the bare GROUP BY, one after the other, ``runs`` times; and the statements one page runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200  # warm
    with CaptureQueriesContext(connection) as queries:
        client.get(url)  # count the statements
    statements = len(queries.captured_queries)  # now: the next request clears the connection's query log
    page, bare = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        page.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(sql, params)
            cur.fetchall()
        bare.append((time.perf_counter() - t0) * 1000)
    return page, bare, statements


def explain_slowest(client, url: str, top: int = 4) -> list[tuple[str, str]]:
    """EXPLAIN ANALYZE of the page's slowest statements on the case, fact and rollup tables (PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    captured = list(queries.captured_queries)
    wanted = [q for q in captured if any(f'FROM "{t}"' in q["sql"] for t in TABLES)]
    wanted.sort(key=lambda q: -float(q["time"]))
    plans = []
    with connection.cursor() as cur:
        for q in wanted[:top]:
            cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + q["sql"])
            plan = "\n".join(r[0] for r in cur.fetchall())
            plans.append((q["sql"][:160] + ("…" if len(q["sql"]) > 160 else ""), plan))
    return plans


def measure_refresh() -> tuple:
    from jiceng.stats.rollups import refresh

    t0 = time.perf_counter()
    result = refresh(full=True)
    seconds = time.perf_counter() - t0
    return ("rollup refresh from nothing (`stats refresh --full`: facts by primary-key range, COPY / bulk insert, "
            "INSERT … SELECT … GROUP BY)", f"{result.cases:,} cases", f"{seconds:.1f} s · {result.cases / seconds:,.0f} cases/s",
            f"{result.rows:,} rollup rows, {result.cells:,} day × village cells", "—", "minutes at 10⁶")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; without it the SQLite of JICENG_DATA_DIR")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--refresh", action="store_true", help="also time the rollup rebuild from nothing (rewrites the stats tables)")
    parser.add_argument("--write", action="store_true", help="prepend the results to docs/benchmarks.md")
    parser.add_argument("--label", default="", help="a note for the heading (e.g. which code was measured)")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("JICENG_DATA_DIR", tempfile.mkdtemp(prefix="jiceng-stats-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from jiceng.accounts.models import User
    from jiceng.cases.models import Case
    from jiceng.stats.models import CaseFact, DailyRollup
    from jiceng.stats.periods import month_of
    from jiceng.stats.reports import dash_midnight

    n = Case.objects.count()
    rows: list[tuple] = []
    if args.refresh or not CaseFact.objects.exists():
        rows.append(measure_refresh())
    month = month_of(timezone.localdate())
    start, end = dash_midnight(month.start), dash_midnight(month.end)
    in_month = Case.objects.filter(created_at__gte=start, created_at__lt=end).count()
    pages = [(f"dashboard GET /stats/ ({label}, {username})", username, "/stats/") for label, username in USERS]
    pages.append(("monthly county report GET /stats/reports/?kind=month (HTML, leader)", "leader",
                  f"/stats/reports/?kind=month&period={month.key}"))
    plans: list[tuple[str, str, str]] = []
    for title, username, url in pages:
        user = User.objects.get(username=username)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        sql, params = baseline_sql(user, start, end)
        page, bare, statements = timed_pages(client, url, sql, params, args.runs)
        ratio = statistics.median(page) / statistics.median(bare)
        met = "met" if pct(page, 99) <= TARGET_MS else f"NOT met (p99 {pct(page, 99):.0f} ms)"
        rows.append((title, f"{n:,} cases ({in_month:,} this month)", f"{ms(page)} · {statements} statements",
                     f"hand-written GROUP BY over the same cases of the month {ms(bare)}", f"{ratio:.2f}× the GROUP BY",
                     f"≤ {TARGET_MS} ms: {met}"))
        if connection.vendor == "postgresql" and url == "/stats/":
            plans += [(f"{title}: {head}", head, plan) for head, plan in explain_slowest(client, url)]
    version = connection.vendor
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
            version = f"PostgreSQL {cur.fetchone()[0]}"
        else:
            cur.execute("SELECT sqlite_version()")
            version = f"SQLite {cur.fetchone()[0]}"
    seq = [title for title, _h, plan in plans if any(f"Seq Scan on {t}" in plan for t in TABLES)]
    label = f" · {args.label}" if args.label else ""
    header = (f"## {date.today()} · stats{label} · {version} · {n:,} cases · {DailyRollup.objects.count():,} rollup rows · "
              f"{platform.processor() or platform.machine()} · {os.cpu_count()} cores (shared) · Python {platform.python_version()} · "
              f"Django {django.get_version()}\n\n"
              f"`python bench/stats.py{' --database-url …' if args.database_url else ''} --runs {args.runs}"
              f"{' --refresh' if args.refresh else ''}`; this month = {month.key}; page and baseline interleaved run by run "
              "(in-process test client, HTML rendered).\n\n")
    table = ("| benchmark | size | measured | baseline (same run) | ratio | target |\n|---|---|---|---|---|---|\n"
             + "".join("| " + " | ".join(r) + " |\n" for r in rows))
    if plans:
        table += ("\nEXPLAIN ANALYZE of the dashboard's slowest statements on the case, fact and rollup tables: "
                  + (f"sequential scans in {', '.join(seq)}." if seq else "no sequential scan of a case, fact or rollup table.") + "\n")
    plan_text = "".join(f"\n<details><summary>{title}</summary>\n\n```\n{plan}\n```\n</details>\n" for title, _h, plan in plans)
    print(header + table + plan_text)
    if args.write:
        prepend_section(header + table + plan_text)


if __name__ == "__main__":
    main()
