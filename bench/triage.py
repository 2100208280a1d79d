"""Benchmark repeat detection and router training on a large demo ledger.

Seeds a fresh SQLite (or the given) database in a temporary data directory,
then measures ``find_repeat_candidates`` for existing cases (median and p95
latency), prints the query plan of every query it makes (to show they are
index lookups, not scans), and times ``train-router``.

Usage: python bench/triage.py [--cases N] [--runs R] [--database-url URL] [--write]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
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
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--write", action="store_true", help="append the figures to docs/benchmarks.md")
    parser.add_argument("--data-dir", default="", help="reuse a data directory seeded by an earlier run (skips seeding)")
    args = parser.parse_args()
    os.environ["JICENG_DATA_DIR"] = args.data_dir or tempfile.mkdtemp(prefix="jiceng-bench-triage-")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    jiceng = [sys.executable, "-m", "jiceng.cli"]
    seed_s = None
    if not args.data_dir:
        subprocess.run([*jiceng, "migrate", "-v0"], check=True)
        t0 = time.perf_counter()
        subprocess.run([*jiceng, "seed-demo", "--cases", str(args.cases), "--seed", "1"], check=True, stdout=subprocess.DEVNULL)
        seed_s = time.perf_counter() - t0

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiceng.accounts.models import User
    from jiceng.cases.models import Case
    from django.conf import settings

    from jiceng.triage import repeats
    from jiceng.triage.repeats import find_repeat_candidates
    from jiceng.triage.text import tokens

    tokens("预热")  # build jieba's dictionary outside the timings
    rng = random.Random(1)
    max_pk = Case.objects.order_by("-pk").values_list("pk", flat=True).first()
    pks = [rng.randint(max_pk // 2, max_pk) for _ in range(args.runs)]
    cases = [c for c in (Case.objects.filter(pk=pk).first() for pk in pks) if c is not None]
    tz = User.objects.get(username="tz-101")
    plain, scoped, found = [], [], []
    for case in cases:
        repeats._subjects_cached.cache_clear()  # the subjects of every candidate found afresh: no cache flatters the figure
        t = time.perf_counter()
        got = find_repeat_candidates(case)
        plain.append(time.perf_counter() - t)
        found.append(len(got))
        t = time.perf_counter()
        find_repeat_candidates(case, user=tz)
        scoped.append(time.perf_counter() - t)
    # Baseline in the same run: the same lookups without the subject groups, interleaved case by case with
    # lookups with them so that the load of the machine falls on both alike (embeddings are stored by now).
    bare, with_subjects = [], []
    for case in cases:
        for groups, out in (([], bare), (None, with_subjects)):
            settings.JICENG_TRIAGE = {} if groups is None else {"repeats": {"contrast": groups}}
            repeats._subjects_cached.cache_clear()
            t = time.perf_counter()
            find_repeat_candidates(case)
            out.append(time.perf_counter() - t)
    settings.JICENG_TRIAGE = {}
    with CaptureQueriesContext(connection) as ctx:
        find_repeat_candidates(cases[0])
    if connection.vendor == "sqlite":
        print("query plans of one find_repeat_candidates call:")
        with connection.cursor() as cur:
            for q in ctx.captured_queries:
                sql = q["sql"]
                cur.execute("EXPLAIN QUERY PLAN " + sql)
                plan = " | ".join(row[-1] for row in cur.fetchall())
                print(f"  {sql[:90]}…\n    → {plan}")
    t = time.perf_counter()
    out = subprocess.run([*jiceng, "train-router"], check=True, capture_output=True, text=True).stdout
    train_s = time.perf_counter() - t
    print(out)

    def p95(xs):
        return sorted(xs)[max(0, int(len(xs) * 0.95) - 1)]

    def p99(xs):
        return sorted(xs)[max(0, int(len(xs) * 0.99) - 1)]

    acc = {line.split(":")[0]: line.split(":")[1].strip() for line in out.splitlines() if "accuracy" in line}
    total = Case.objects.count()
    rows = [] if seed_s is None else [("seed-demo (with triage keys)", f"{total:,} cases", f"{seed_s:.1f} s", f"{total / seed_s:,.0f} cases/s")]
    rows += [
        ("find_repeat_candidates", f"{len(plain)} cases", f"median {statistics.median(plain) * 1000:.1f} ms",
         f"p95 {p95(plain) * 1000:.1f} ms, p99 {p99(plain) * 1000:.1f} ms; {statistics.mean(found):.1f} candidates on average"),
        ("find_repeat_candidates, embeddings stored, no subject groups (baseline)", f"{len(bare)} cases",
         f"median {statistics.median(bare) * 1000:.1f} ms", f"p95 {p95(bare) * 1000:.1f} ms, p99 {p99(bare) * 1000:.1f} ms"),
        ("find_repeat_candidates, embeddings stored, with subject groups", f"{len(with_subjects)} cases",
         f"median {statistics.median(with_subjects) * 1000:.1f} ms", f"p95 {p95(with_subjects) * 1000:.1f} ms, p99 {p99(with_subjects) * 1000:.1f} ms"),
        ("find_repeat_candidates, township scope", f"{len(scoped)} cases", f"median {statistics.median(scoped) * 1000:.1f} ms",
         f"p95 {p95(scoped) * 1000:.1f} ms"),
        ("train-router", f"{total:,} cases", f"{train_s:.1f} s",
         f"accuracy {acc.get('accuracy (subcategory)', '?')}, top-3 {acc.get('top-3 accuracy (subcategory)', '?')}, "
         f"top-level {acc.get('accuracy (top-level category)', '?')}"),
    ]
    header = (f"## {date.today()} · triage · {connection.vendor} · {platform.processor() or platform.machine()} · "
              f"{os.cpu_count()} cores · Python {platform.python_version()}\n\n")
    table = "| benchmark | size | time | rate / result |\n|---|---|---|---|\n" + "".join(f"| {a} | {b} | {c} | {d} |\n" for a, b, c, d in rows)
    print(header + table)
    if args.write:
        path = ROOT / "docs" / "benchmarks.md"
        text = path.read_text(encoding="utf-8")
        intro_end = text.index("\n## ") + 1 if "\n## " in text else len(text)
        path.write_text(text[:intro_end] + header + table + "\n" + text[intro_end:], encoding="utf-8")


if __name__ == "__main__":
    main()
