from django.core.management.base import BaseCommand, CommandError

from jiceng.cases.anchor import AnchorError
from jiceng.cases.models import Case
from jiceng.cases.verify import Coverage, iter_problems
from jiceng.cases.verify_run import run_full


class Command(BaseCommand):
    help = ("Verify every case: its event hash chain, its content against the submit digest, replayed state, attachments and "
            "the files on disk, alert counts, and every chain head against the last signed anchor (docs/security-record.md).")

    def add_arguments(self, parser):
        parser.add_argument("--case", help="verify only this case number")
        parser.add_argument("--skip-files", action="store_true", help="do not read attachment files (faster)")
        parser.add_argument("--skip-anchors", action="store_true", help="do not check against the anchor log")
        parser.add_argument("--changed-since-anchor", action="store_true",
                            help="check the anchor log, then verify in full only the cases whose chain head changed since the latest "
                                 "anchor (the signed root vouches for the rest); run the full verify too, less often")
        parser.add_argument("--jobs", type=int, default=1, help="full run: verify this many id ranges at a time (PostgreSQL)")
        parser.add_argument("--resume", action="store_true",
                            help="full run: go on from the ranges an interrupted run with the same options finished")

    def handle(self, *args, **opts):
        if opts["jobs"] < 1:
            raise CommandError("--jobs 至少为 1")
        if (opts["jobs"] > 1 or opts["resume"]) and not (opts["case"] or opts["changed_since_anchor"]):
            return self._in_ranges(opts)
        qs = Case.objects.filter(number=opts["case"]) if opts["case"] else None
        count = 0
        broken: set[str] = set()
        coverage = Coverage()
        incremental = opts["changed_since_anchor"]
        if incremental and opts["skip_anchors"]:
            raise CommandError("--changed-since-anchor 需要锚定记录，不能与 --skip-anchors 同用")
        try:
            for p in iter_problems(qs, files=not opts["skip_files"], anchors=not opts["skip_anchors"], changed_only=incremental,
                                   coverage=coverage):
                count += 1
                broken.add(p.number)
                self.stdout.write(str(p))
        except AnchorError as exc:
            raise CommandError(f"锚定记录无法读取：{exc}") from None
        total = (qs if qs is not None else Case.objects.all()).count()
        if broken:
            raise CommandError(f"{len(broken)} / {total} 件工单校验失败（问题 {count} 处）")
        if incremental and coverage.vouched:
            self.stdout.write(self.style.SUCCESS(f"已校验锚定以来变化的 {coverage.checked} 件工单，其余 {coverage.vouched} 件链头与签名锚定一致"))
            return
        self.stdout.write(self.style.SUCCESS(f"已校验 {total} 件工单：哈希链完整，内容与摘要一致，重放状态一致，附件与锚定无误"))

    def _in_ranges(self, opts) -> None:
        """The full run in id ranges, resumable, in parallel on PostgreSQL (cases/verify_run.py)."""
        try:
            result = run_full(files=not opts["skip_files"], anchors=not opts["skip_anchors"], jobs=opts["jobs"], resume=opts["resume"])
        except AnchorError as exc:
            raise CommandError(f"锚定记录无法读取：{exc}") from None
        for line in result.problems:
            self.stdout.write(line)
        resumed = f"（其中 {result.resumed} 段沿用中断前的结果）" if result.resumed else ""
        if result.broken:
            raise CommandError(f"{len(result.broken)} / {result.checked} 件工单校验失败（问题 {len(result.problems)} 处）{resumed}")
        self.stdout.write(self.style.SUCCESS(f"已分 {result.ranges} 段校验 {result.checked} 件工单{resumed}：哈希链完整，内容与摘要一致，"
                                             "重放状态一致，附件与锚定无误"))
