"""Benchmarks: one command (`make bench`), results written to docs/benchmarks.md.

Measures, on a fresh SQLite database in a temporary data directory:
- demo generation throughput (`jiceng seed-demo`), cases per second;
- `jiceng verify` throughput (hash chain + replay), cases per second;
- one workflow action through `do_case_action`, median latency;
- the scoped case list query for a township, median latency;
- the same list through the REST API (in-process client, JSON included);
- the first `jiceng tick` over the whole ledger;
- locate() and match_address() (bench/geo.py), at the demo size and with 10× villages.

Then bench/stats.py on the same database (rollup rebuild from nothing, the
dashboards and the monthly report beside a hand-written GROUP BY).

With --scale-database-url (an empty PostgreSQL database per size, the size
appended to its name: URL_100000, URL_1000000), also runs bench/scale.py at
10⁵ and 10⁶ cases (lists, tick, bulk load beside their baselines), then
bench/lists.py (staff pages) and bench/stats.py (seed-demo --bulk has built
the rollups) on each.

Usage: python bench/run.py [--cases N] [--database-url URL] [--scale-database-url URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--scale-database-url", default="", help="PostgreSQL URL prefix for bench/scale.py (one database per size)")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="jiceng-bench-")
    os.environ["JICENG_DATA_DIR"] = data_dir
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    jiceng = [sys.executable, "-m", "jiceng.cli"]
    subprocess.run([*jiceng, "migrate", "-v0"], check=True)
    t0 = time.perf_counter()
    subprocess.run([*jiceng, "seed-demo", "--cases", str(args.cases), "--seed", "1"], check=True, stdout=subprocess.DEVNULL)
    seed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([*jiceng, "verify"], check=True, stdout=subprocess.DEVNULL)
    verify_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    tick_out = subprocess.run([*jiceng, "tick"], check=True, capture_output=True, text=True).stdout.strip().splitlines()
    tick_s = time.perf_counter() - t0

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.db import connection

    from jiceng.accounts.models import User
    from jiceng.cases.access import visible_cases
    from jiceng.cases.actions import do_case_action
    from jiceng.cases.models import Case

    handling = list(Case.objects.filter(state="handling").select_related("unit")[:200])
    notes = []
    for case in handling:
        user = case.unit.members.first()
        t = time.perf_counter()
        do_case_action(case, "note", user, {"note": "基准测试进展"})
        notes.append(time.perf_counter() - t)
    tz = User.objects.get(username="tz-101")
    lists = []
    for _ in range(30):
        t = time.perf_counter()
        list(visible_cases(tz).filter(state__in=["dispatched", "handling"]).order_by("-pk")[:50])
        lists.append(time.perf_counter() - t)
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(tz)
    api_lists = []
    for _ in range(30):
        t = time.perf_counter()
        assert client.get("/api/v1/cases?state=open&limit=50").status_code == 200
        api_lists.append(time.perf_counter() - t)
    rows = [
        ("seed-demo", f"{args.cases:,} cases", f"{seed_s:.1f} s", f"{args.cases / seed_s:,.0f} cases/s"),
        ("verify (chain + replay)", f"{args.cases:,} cases", f"{verify_s:.1f} s", f"{args.cases / verify_s:,.0f} cases/s"),
        ("do_case_action(note)", f"{len(notes)} actions", f"median {statistics.median(notes) * 1000:.1f} ms", f"p95 {sorted(notes)[int(len(notes) * .95) - 1] * 1000:.1f} ms"),
        ("township case list, first page", "30 runs", f"median {statistics.median(lists) * 1000:.1f} ms", f"max {max(lists) * 1000:.1f} ms"),
        ("REST API GET /api/v1/cases?state=open (township, 50 rows)", "30 runs", f"median {statistics.median(api_lists) * 1000:.1f} ms", f"max {max(api_lists) * 1000:.1f} ms"),
        ("jiceng tick, first run", f"{args.cases:,} cases", f"{tick_s:.1f} s", (tick_out[-1] if tick_out else "")[:80]),
    ]
    sys.path.insert(0, str(ROOT / "bench"))
    from geo import measure as measure_geography  # bench/geo.py; last: it replaces the villages' boundaries

    rows += measure_geography(n_points=1000)
    header = f"## {date.today()} · {connection.vendor} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}\n\n"
    table = "| benchmark | size | time | rate |\n|---|---|---|---|\n" + "".join(f"| {a} | {b} | {c} | {d} |\n" for a, b, c, d in rows)
    print(header + table)
    out = ROOT / "docs" / "benchmarks.md"
    intro = "# Benchmarks\n\nMeasured with `make bench` (`python bench/run.py --cases N`); newest first. Only measured figures appear here.\n\n"
    old = out.read_text(encoding="utf-8").split("\n", 3)[-1] if out.exists() else ""
    old = old[old.find("## "):] if "## " in old else ""
    out.write_text(intro + header + table + "\n" + old, encoding="utf-8")
    # Statistics (bench/stats.py): the rollup rebuild from nothing, dashboards and the monthly report on this database.
    subprocess.run([sys.executable, str(ROOT / "bench" / "stats.py"), "--refresh", "--write"], check=True)
    for size in (100_000, 1_000_000) if args.scale_database_url else ():
        subprocess.run([sys.executable, str(ROOT / "bench" / "scale.py"), "--database-url", f"{args.scale_database_url}_{size}",
                        "--cases", str(size), "--write", "--no-dashboard"], check=True)
        # the staff pages (case list, workbench) as each kind of user opens them, on the database scale.py seeded
        subprocess.run([sys.executable, str(ROOT / "bench" / "lists.py"), "--database-url", f"{args.scale_database_url}_{size}",
                        "--write"], check=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "stats.py"), "--database-url", f"{args.scale_database_url}_{size}",
                        "--write"], check=True)


if __name__ == "__main__":
    main()
