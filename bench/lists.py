"""Staff pages at scale: the case list and the workbench as each kind of user opens them, beside bare SQL.

Every figure is a whole request through Django's test client (middleware,
access layer, queries, template), interleaved run by run with the bare SQL of
the same user's share (one index condition, newest 51 rows), so a slower or
busier machine moves both. Pages measured for a village, a township, a county
department and the county dispatch centre:

- the case list, first page, newest first (``/cases/``);
- the case list filtered to one state, 办理中 (``/cases/?state=handling``);
- the case list, fifth page (following the keyset cursor four times);
- the workbench (``/``: every tab's count, the first non-empty tab's first page,
  the overview tiles).

Statements per request are counted, and the slowest statement of the slowest
page is explained. Usage (on a database ``seed-demo --bulk`` filled):

    python bench/lists.py --database-url URL [--runs 20] [--write]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import tempfile
import time
from datetime import date

from report import ms, pct, prepend_section



def bare_share_sql(user) -> tuple[str, list]:
    """The user's own share as one index condition, newest 51: the area range, or the units' scope rows."""
    from jiceng.areas.codes import subtree_bounds

    if user.scope_area_id:
        lo, hi = subtree_bounds(user.scope_area.prefix)
        return "SELECT * FROM cases_case WHERE area_id >= %s AND area_id < %s ORDER BY id DESC LIMIT 51", [lo, hi]
    keys = [f"u{u}" for u in user.units.values_list("id", flat=True)]
    marks = ", ".join(["%s"] * len(keys))
    return (f"SELECT * FROM cases_case WHERE id IN (SELECT case_id FROM cases_casescope WHERE key IN ({marks})) "
            "ORDER BY id DESC LIMIT 51", keys)


def deep_cursor(client, pages: int) -> str:
    """The cursor of page ``pages`` + 1 of the newest-first list, found by clicking 下一页 as a user would."""
    cursor = ""
    for _ in range(pages):
        html = client.get("/cases/" + (f"?cursor={cursor}" if cursor else "")).content.decode()
        found = re.search(r"cursor=(\d+)", html)
        if not found:
            return cursor
        cursor = found.group(1)
    return cursor


def timed(into: list):
    """A connection wrapper that records (milliseconds, SQL with its parameters inlined) for each statement."""
    def wrapper(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            into.append(((time.perf_counter() - t0) * 1000, (sql, None if many else params)))
    return wrapper


def inline(sql: str, params) -> str:
    """The statement with its parameters written in, to be explained on its own."""
    from django.db import connection

    if not params:
        return sql
    with connection.cursor() as cur:
        if hasattr(cur.cursor, "mogrify"):
            return cur.cursor.mogrify(sql, params)
    return sql % tuple(repr(p) for p in params)


def explain(sql: str) -> str:
    from django.db import connection

    prefix = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cur:
        cur.execute(prefix + sql)
        return "\n".join(str(r[-1]) for r in cur.fetchall())


def measure(runs: int, n: int, plans: dict) -> list[tuple]:
    from django.db import connection
    from django.test import Client

    from jiceng.accounts.models import User
    from jiceng.cases.access import visible_cases

    users = {
        "village": User.objects.filter(username__startswith="cun-").order_by("username").first(),
        "township": User.objects.get(username="tz-101"),
        "county department": User.objects.get(username="county-civil_affairs"),
        "dispatch centre": User.objects.get(username="county-centre"),
    }
    rows, slowest = [], (0.0, "", "")
    for label, user in users.items():
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        cursor = deep_cursor(client, 4)
        pages = {
            "case list, first page": "/cases/",
            "case list, state 办理中": "/cases/?state=handling",
            "case list, fifth page": f"/cases/?cursor={cursor}",
            "workbench (home)": "/",
        }
        sql, params = bare_share_sql(user)
        share = visible_cases(user).count()
        for name, url in pages.items():
            assert client.get(url).status_code == 200  # warm
            times, sql_total, sql_max, bare = [], [], [], []
            for _ in range(runs):
                statements: list[tuple[float, str]] = []
                with connection.execute_wrapper(timed(statements)):
                    t0 = time.perf_counter()
                    r = client.get(url)
                    times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, url
                sql_total.append(sum(t for t, _ in statements))
                top = max(statements, key=lambda s: s[0])
                sql_max.append(top[0])
                if top[0] > slowest[0]:
                    slowest = (top[0], f"{label}: {name}", top[1])
                t0 = time.perf_counter()
                with connection.cursor() as cur:
                    cur.execute(sql, params)
                    cur.fetchall()
                bare.append((time.perf_counter() - t0) * 1000)
            rows.append((f"{name}: {label} ({user.username}, sees {share:,})", f"{n:,}",
                         f"page {ms(times)}; its {len(statements)} statements {ms(sql_total)}; slowest statement {ms(sql_max)}",
                         f"bare SQL of the share {ms(bare)}",
                         f"slowest statement {statistics.median(sql_max) / statistics.median(bare):.1f}× bare "
                         f"(p99 {pct(sql_max, 99) / pct(bare, 99):.1f}×)"))
    if slowest[2]:
        text = inline(*slowest[2])
        plans[f"slowest statement ({slowest[1]}, {slowest[0]:.0f} ms)"] = text + "\n\n" + explain(text)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="prepend the table to docs/benchmarks.md")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("JICENG_DATA_DIR", tempfile.mkdtemp(prefix="jiceng-lists-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.db import connection

    from jiceng.cases.models import Case

    n = Case.objects.count()
    plans: dict[str, str] = {}
    rows = measure(args.runs, n, plans)
    with connection.cursor() as cur:
        cur.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 'SQLite ' || sqlite_version()")
        server = cur.fetchone()[0].split(" on ")[0]
    header = (f"## {date.today()} · staff pages · {server} · {n:,} cases · {platform.machine()} · "
              f"{os.cpu_count()} cores (shared) · Python {platform.python_version()}\n\n"
              f"`python bench/lists.py --runs {args.runs}`: whole requests through the test client, each interleaved "
              "with the bare SQL of the user's share.\n\n")
    table = ("| page | size | measured | baseline (same run) | ratio |\n|---|---|---|---|---|\n"
             + "".join(f"| {a} | {b} | {c} | {d} | {e} |\n" for a, b, c, d, e in rows))
    plan_text = "".join(f"\n<details><summary>{k}</summary>\n\n```\n{v}\n```\n</details>\n" for k, v in plans.items())
    print(header + table + plan_text)
    if args.write:
        prepend_section(header + table + plan_text)


if __name__ == "__main__":
    main()
