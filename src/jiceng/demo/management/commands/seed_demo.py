import time

from django.core.management.base import BaseCommand

from jiceng.demo.cases import generate_cases
from jiceng.demo.world import DEMO_PASSWORD, build_world, register_demo_devices


class Command(BaseCommand):
    help = "Build the demo county 零陵区 (431102) with users of every role and N cases with realistic histories."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--townships", type=int, default=None, help="limit the number of townships (default: all 15)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the database already holds cases")
        parser.add_argument("--bulk", action="store_true",
                            help="benchmark data: clone a few thousand state-machine histories under fresh numbers, written with COPY")
        parser.add_argument("--templates", type=int, default=2000, help="with --bulk: how many histories to clone")
        parser.add_argument("--no-people", action="store_true", help="skip the people registry and devices (benchmarks of cases only)")

    def handle(self, *args, **opts):
        from jiceng.cases.models import Case

        if opts["if_empty"] and Case.objects.exists():
            self.stdout.write(f"数据库中已有 {Case.objects.count()} 件工单，跳过演示数据生成")
            self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：admin · leader · auditor · tz-101 · county-civil_affairs · resident-1")
            return
        started = time.monotonic()
        world = build_world(seed=opts["seed"], townships=opts["townships"])
        self.stdout.write(f"区划与用户：{len(world.townships)} 个乡镇（街道），{len(world.villages)} 个村（社区），{len(world.users)} 个用户")
        step = max(opts["cases"] // 20, 2000)
        chunk = 20_000 if opts["bulk"] else 2000

        def progress(done: int) -> None:
            if done % step < chunk or done == opts["cases"]:
                self.stdout.write(f"  工单 {done}/{opts['cases']}（{time.monotonic() - started:.0f} 秒）")

        if opts["bulk"]:
            from jiceng.demo.bulk import bulk_cases

            made = bulk_cases(world, opts["cases"], seed=opts["seed"], templates=opts["templates"], progress=progress)
            from jiceng.stats.rollups import refresh

            # The bulk path writes events without the tick: build the statistics from nothing, set-based.
            self.stdout.write(refresh(full=True).line())
        else:
            made = generate_cases(world, opts["cases"], seed=opts["seed"], progress=progress)
        if opts["no_people"]:
            self.stdout.write(self.style.SUCCESS(f"已生成 {made} 件工单，用时 {time.monotonic() - started:.1f} 秒"))
            return
        from jiceng.demo.people import seed_people

        people = seed_people(world, seed=opts["seed"])
        self.stdout.write(f"人口与帮扶：{people.people} 人，{people.households} 户，监测户 {people.monitored} 户，结对 {people.pairings} 对，"
                          f"走访巡查计划 {people.plans} 个，走访记录 {people.visits} 条（{time.monotonic() - started:.0f} 秒）")
        devices = register_demo_devices(world)
        from jiceng.notifications.backfill import announce_recent

        # The generator writes events in bulk, without the signal: fill the inboxes with the latest ones.
        self.stdout.write(f"通知：为最近 {announce_recent()} 个工单事件生成站内通知")
        self.stdout.write(f"登记摄像头与传感器 {devices} 台（jiceng device list）")
        self.stdout.write(self.style.SUCCESS(f"已生成 {made} 件工单，用时 {time.monotonic() - started:.1f} 秒"))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：admin 管理员 · leader 区领导 · auditor 审计 · "
                          "tz-101 水口山镇综治专干 · cun-<村代码> 村干部 · grid-<网格代码> 网格员 · county-civil_affairs 民政局 · resident-1 群众")
