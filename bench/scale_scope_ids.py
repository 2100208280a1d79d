"""First page of case ids through the scope query now and as it was (event-log subquery), interleaved; used for docs/benchmarks.md at 10⁶.

Usage: DATABASE_URL=… python bench/scale_scope_ids.py (run from the repository root)
"""
import os, sys, time, statistics
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
import django; django.setup()
sys.path.insert(0, "bench")
from scale import old_scope_q
from jiceng.accounts.models import User
from jiceng.cases.access import visible_cases
from jiceng.cases.models import Case
for name in ["cun-431102001001", "county-civil_affairs", "tz-101"]:
    u = User.objects.filter(username__startswith=name).order_by("username").first()
    new, old = [], []
    for _ in range(10):
        t=time.perf_counter(); list(visible_cases(u).order_by("-pk").values_list("pk", flat=True)[:51]); new.append((time.perf_counter()-t)*1000)
        t=time.perf_counter(); list(Case.objects.filter(old_scope_q(u)).order_by("-pk").values_list("pk", flat=True)[:51]); old.append((time.perf_counter()-t)*1000)
    print(f"| {u.username} first page ids, 10 runs interleaved | 1,000,000 | scope table p50 {statistics.median(new):.1f} ms, max {max(new):.1f} ms | before (event log) p50 {statistics.median(old):.1f} ms, max {max(old):.1f} ms |")
