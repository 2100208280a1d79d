"""``jiceng stats refresh|check``: bring the statistics tables up to date, or compare them with a recount."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("统计汇总：refresh 从水位起增量刷新（--full 全量重建），check 与原始工单表重算比对（有差异时退出码 1）。"
            " Statistics rollups: refresh incrementally (--full rebuilds), check against a recount.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh", "check"])
        parser.add_argument("--full", action="store_true", help="rebuild facts and rollups from scratch")

    def handle(self, *args, **opts):
        from jiceng.stats.rollups import check, refresh

        if opts["action"] == "refresh":
            self.stdout.write(refresh(full=opts["full"]).line())
            return
        result = check()
        if result.ok:
            self.stdout.write(f"统计核对无误：{result.cases} 件工单，{result.rows} 行汇总与重算一致")
            return
        for line in result.differences:
            self.stdout.write(line)
        raise CommandError(f"统计汇总与重算不一致（{len(result.differences)} 处）：请运行 jiceng stats refresh --full")
