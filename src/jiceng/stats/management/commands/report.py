"""``jiceng report weekly|monthly --area CODE --period 2026-10 --format html|xlsx|pdf --output FILE``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation


class Command(BaseCommand):
    help = ("生成某地区的周报或月报（HTML、Excel 或 PDF）。Write an area's weekly or monthly report as HTML, Excel or PDF. "
            "The statistics are refreshed first (incrementally).")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["weekly", "monthly"])
        parser.add_argument("--area", required=True, help="地区代码：6 位（县）、9 位（乡镇）或 12 位")
        parser.add_argument("--period", default="", help="2026-10（月）、2026-W42 或 2026-10-14（所在周）；缺省为本期")
        parser.add_argument("--format", dest="fmt", choices=["html", "xlsx", "pdf"], default="html")
        parser.add_argument("--output", required=True, help="输出文件")

    def handle(self, *args, **opts):
        from jiceng.areas.models import Area
        from jiceng.cases.errors import CaseError
        from jiceng.cases.models import Case
        from jiceng.stats import reports
        from jiceng.stats.access import Scope
        from jiceng.stats.periods import MONTH, WEEK, parse_period
        from jiceng.stats.rollups import refresh

        code = opts["area"].strip()
        if not (code.isascii() and code.isdigit() and len(code) in (6, 9, 12)):
            raise CommandError("地区代码须为 6 位、9 位或 12 位数字")
        area = Area.objects.filter(code=code.ljust(12, "0")).first()
        if area is None:
            raise CommandError(f"地区代码“{code}”不存在")
        try:
            period = parse_period(WEEK if opts["kind"] == "weekly" else MONTH, opts["period"], timezone.localdate())
        except CaseError as exc:
            raise CommandError(f"统计期有误：{exc.message}") from None
        refresh()
        translation.activate("zh-hans")  # reports are Chinese documents, whatever the console's language
        # At the console the operator reads the whole installation, like an administrator without an area.
        report = reports.build_report(period.kind, Scope(area.prefix, None, area.name), period, Case.objects.all())
        render = {"html": reports.render_html, "xlsx": reports.render_xlsx, "pdf": reports.render_pdf}[opts["fmt"]]
        data = render(report)
        out = Path(opts["output"])
        try:
            out.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        except OSError as exc:
            raise CommandError(f"无法写入 {out}：{exc.strerror}") from None
        self.stdout.write(f"{report.title} → {out}（{out.stat().st_size:,} 字节）")
