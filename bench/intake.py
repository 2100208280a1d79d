"""Intake cost: one submission through the domain and the REST API, beside a bare insert of the same row.

Measured in one run on a fresh database (SQLite by default, or --database-url):
- baseline: `Case.objects.create` of the same content (no checks, no event, no number);
- `do_submit` (checks, access scope, leaf category, number, hash-chained event), with the
  triage signal (repeat keys and the sentence embedding) and with it disconnected;
- POST /api/v1/cases with an integration key (in-process client, JSON both ways);
- `do_report` placing by a point (geography lookup + do_submit).

Usage: python bench/intake.py [--n 200] [--database-url URL] [--write]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--write", action="store_true", help="add the figures to docs/benchmarks.md")
    args = parser.parse_args()
    os.environ["JICENG_DATA_DIR"] = tempfile.mkdtemp(prefix="jiceng-bench-intake-")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    os.environ.setdefault("JICENG_PUBLIC_SUBMIT_RATE", "100000/h")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models.signals import post_save
    from django.test import Client
    from django.utils import timezone

    from jiceng.api.keys import do_create_api_key
    from jiceng.cases.actions import do_submit
    from jiceng.cases.intake import PlaceClaim, do_report
    from jiceng.cases.models import Case, Category
    from jiceng.demo.world import build_world
    from jiceng.triage import signals as triage_signals

    call_command("migrate", verbosity=0)
    world = build_world(seed=1, townships=3)
    village = world.villages[-1]
    staff = world.users[f"cun-{village.code}"]
    road = Category.objects.get(code="minsheng-road")
    text = dict(title="村口路灯不亮", description="村口三盏路灯坏了一周，晚上出行不便，请尽快维修。")
    n = args.n
    do_submit(user=staff, category=road, area=village, reporter_name="张三明", **text)  # warm caches and the encoder

    def bare(i):
        Case.objects.create(number=f"B-{i:06d}", category=road, area=village, reporter_name="张三明", created_at=timezone.now(),
                            updated_at=timezone.now(), state="submitted", level="village", **text)

    def domain(i):
        do_submit(user=staff, category=road, area=village, reporter_name="张三明", **text)

    rows = []
    base = _timed(bare, n)
    rows.append(("baseline: Case.objects.create of the same row", base))
    rows.append(("do_submit (checks, scope, number, chained event, triage keys + embedding)", _timed(domain, n)))
    post_save.disconnect(triage_signals.index_new_case, sender=Case, dispatch_uid="triage-index-new-case")
    rows.append(("do_submit without the triage signal", _timed(domain, n)))
    post_save.connect(triage_signals.index_new_case, sender=Case, dispatch_uid="triage-index-new-case")
    _key, raw = do_create_api_key("bench-hotline", area_code=village.code)
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"category": "minsheng-road", "area": village.code, "reporter_name": "张三明", **text}

    def rest(i):
        r = client.post("/api/v1/cases", body, content_type="application/json")
        assert r.status_code == 201, r.content

    rows.append(("POST /api/v1/cases (integration key)", _timed(rest, n)))

    def by_point(i):
        intake = do_report(user=staff, category=road, claim=PlaceClaim(lat=village.centroid_lat, lon=village.centroid_lon),
                           reporter_name="张三明", **text)
        assert intake.case is not None

    rows.append(("do_report placing by a point (geography + do_submit)", _timed(by_point, n)))
    base_median = statistics.median(base)
    header = (f"\n## {date.today()} · intake · {connection.vendor} · {platform.machine()} · {os.cpu_count()} cores · "
              f"Python {platform.python_version()}\n\n`python bench/intake.py --n {n}`: one submission after another on a fresh "
              f"database; the baseline is measured in the same run.\n\n"
              "| benchmark | calls | median | p95 | × baseline |\n|---|---|---|---|---|\n")
    table = "".join(
        f"| {name} | {len(t)} | {statistics.median(t):.2f} ms | {sorted(t)[int(len(t) * 0.95) - 1]:.2f} ms | "
        f"{statistics.median(t) / base_median:.1f} |\n" for name, t in rows
    )
    print(header + table)
    if args.write:
        out = ROOT / "docs" / "benchmarks.md"
        text_md = out.read_text(encoding="utf-8")
        first = text_md.index("\n## ")
        out.write_text(text_md[:first] + "\n" + header.lstrip("\n") + table + text_md[first:], encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
