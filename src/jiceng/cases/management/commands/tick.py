import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from jiceng.cases import sla
from jiceng.cases.tick import run_tick


class Command(BaseCommand):
    help = ("Record deadline consequences as case events: due-soon reminders, overdue flags, automatic supervision and "
            "escalation. Idempotent; safe to run every minute from cron or a systemd timer.")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="cases per batch (default 500)")

    def handle(self, *args, **opts):
        started = time.monotonic()
        now = timezone.now()
        today = timezone.localdate(now)
        # Every minute from cron: only a gap in the current year is worth repeating; the
        # admin's holiday table page warns about next year.
        if not sla.covered_by_official_calendar(today.year) or opts["verbosity"] >= 2:
            if warning := sla.coverage_warning(today):
                self.stderr.write(self.style.WARNING(warning))
        s = run_tick(now, batch=opts["batch"])
        d = s.done
        self.stdout.write(
            f"tick {timezone.localtime(now):%Y-%m-%d %H:%M}：检查 {s.scanned} 件，临期提醒 {d['due_soon']}，超期 {d['overdue']}，"
            f"自动督办 {d['supervise']}，自动上报 {d['escalate']}，已由其他进程处理 {s.raced}，问题 {len(s.problems)}"
            f"（{time.monotonic() - started:.2f} 秒）"
        )
        for p in s.problems[:20]:
            self.stdout.write(f"  {p}")
        self._record_pending_alerts(now)
        self._anchor_when_due(now)

    def _record_pending_alerts(self, now):
        """Other apps' periodic work (e.g. triage records pending alert counts in the chain), through the tick signal."""
        from jiceng.cases.tick import ticked

        for _receiver, line in ticked.send(sender=self.__class__, now=now):
            if line:
                self.stdout.write(str(line))

    def _anchor_when_due(self, now):
        """The daily signed anchor of all chain heads (docs/security-record.md); never stops the deadline work."""
        from jiceng.cases import anchor

        try:
            made = anchor.anchor_if_due(now)
        except (anchor.AnchorError, OSError) as exc:
            self.stderr.write(self.style.ERROR(f"锚定失败：{exc}"))
            return
        if made is not None:
            self.stdout.write(f"锚定#{made.seq}：{made.cases} 件工单，默克尔根 {made.root}")
