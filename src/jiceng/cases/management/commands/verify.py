from django.core.management.base import BaseCommand, CommandError

from jiceng.cases.models import Case
from jiceng.cases.verify import iter_problems


class Command(BaseCommand):
    help = "Verify every case's event hash chain and that replaying its events gives its stored state."

    def add_arguments(self, parser):
        parser.add_argument("--case", help="verify only this case number")

    def handle(self, *args, **opts):
        qs = Case.objects.filter(number=opts["case"]) if opts["case"] else None
        count = 0
        broken: set[str] = set()
        for p in iter_problems(qs):
            count += 1
            broken.add(p.number)
            seq = f" 事件#{p.seq}" if p.seq else ""
            self.stdout.write(f"{p.number}{seq} [{p.kind}] {p.detail}")
        total = (qs if qs is not None else Case.objects.all()).count()
        if broken:
            raise CommandError(f"{len(broken)} / {total} 件工单校验失败")
        self.stdout.write(self.style.SUCCESS(f"已校验 {total} 件工单：哈希链完整，重放状态一致"))
