"""Demo people and programmes for the demo county: households, people with valid generated ID numbers, tags,
monitored households with helpers (党员包户, three households each), visit and patrol plans with a history.

Everything goes through the domain operations (the roster import in bulk for people, households and tags;
``do_pair``, ``do_create_plan``, ``do_log_visit`` … for the programmes), so the demo exercises the same rules
the pages do. Idempotent: a county that already has people is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from jiceng.accounts.models import Role, User
from jiceng.errors import InvalidInput
from jiceng.people.idnumber import make_id_number
from jiceng.people.importer import do_import_roster
from jiceng.people.models import Household, Person
from jiceng.people.tagkinds import RISK_TYPES
from jiceng.programmes.models import PairingScheme, PlanKind, PlanTarget
from jiceng.programmes.monitoring import do_add_measure, do_monitor_household, do_record_income
from jiceng.programmes.pairing import do_pair
from jiceng.programmes.visits import PlanInput, VisitInput, do_create_plan, do_log_visit

from . import names
from .texts import person_name, phone
from .world import DEMO_PASSWORD, World

FINDINGS_OK = ["家中情况正常，老人身体尚可", "已宣讲医保参保和防诈骗知识", "孩子在校表现良好，学费已落实", "务工收入稳定，无新增困难",
               "沟渠田埂完好，未见撂荒", "巡查未发现安全隐患", "春耕生产正常，农资已到位", "已核对家庭成员和联系方式"]
FINDINGS_ACTION = ["老人独自在家，取暖设施老化，需更换", "房屋后墙有裂缝，雨天漏水", "户主住院，家中缺劳动力，秋收困难",
                   "田间发现一处塌方，堵塞排水渠", "孩子辍学在家，需劝返", "反映低保金本月未到账"]
MEASURES = [("健康帮扶", "落实大病保险和医疗救助"), ("就业帮扶", "安排村级公益岗位"), ("产业帮扶", "发放油茶种苗和技术指导"),
            ("教育帮扶", "申请雨露计划助学金"), ("综合保障", "纳入低保")]


@dataclass
class PeopleStats:
    people: int = 0
    households: int = 0
    monitored: int = 0
    pairings: int = 0
    plans: int = 0
    visits: int = 0


def _roster(world: World, rng: random.Random, per_village: int) -> list[dict]:
    """Rows of the roster: households of 1–5 people with a head, spouse, children, parents; tags by age and chance."""
    today = timezone.localdate()
    used: set[str] = set()
    rows: list[dict] = []

    def new_id(born: dt.date) -> str:
        while True:
            number = make_id_number(names.COUNTY[0][:6], born, rng.randrange(1000))
            if number not in used:
                used.add(number)
                return number

    for village in world.villages:
        grids = world.grids_by_village[village.code]
        for h in range(1, per_village + 1):
            grid = rng.choice(grids)
            number = f"H{village.code}{h:04d}"
            address = f"{village.name}{rng.randint(1, 12)}组{rng.randint(1, 60)}号"
            surname = rng.choice(names.SURNAMES)
            head_age = rng.randint(28, 82)
            members = [("户主", head_age)]
            size = rng.choice([1, 2, 2, 3, 3, 4, 4, 5])
            if size >= 2:
                members.append(("配偶", head_age + rng.randint(-4, 4)))
            for _ in range(max(size - 2, 0)):
                members.append(("子女", max(head_age - rng.randint(22, 34), 1)) if head_age > 45 or rng.random() < .7
                               else ("父母", head_age + rng.randint(22, 30)))
            for relationship, age in members:
                born = today.replace(year=today.year - age) - dt.timedelta(days=rng.randrange(360))
                name = surname + person_name(rng)[1:] if relationship in ("户主", "子女") else person_name(rng)
                tags = []
                if age >= 70 and size == 1:
                    tags.append("独居老人")
                if age < 16 and rng.random() < .25:
                    tags.append("留守儿童")
                if rng.random() < .05:
                    tags.append("低保")
                if rng.random() < .01:
                    tags.append("特困")
                if 22 < age < 70 and rng.random() < .06:
                    tags.append("党员")
                if rng.random() < .02:
                    tags.append("重病重残")
                rows.append({"id_number": new_id(born), "name": name[:32], "phone": phone(rng) if age >= 16 else "", "address": address,
                             "village": village.code, "grid": grid.code, "household": number, "relationship": relationship,
                             "tags": "、".join(tags), "valid_from": (today - dt.timedelta(days=rng.randint(30, 900))).isoformat()})
    return rows


def _party_members(world: World, rng: random.Random, per_village: int) -> dict[str, list[User]]:
    """Party members who pair with households (dy-<village code>-<n>), residents scoped to their village."""
    pw = make_password(DEMO_PASSWORD)
    out: dict[str, list[User]] = {}
    for village in world.villages:
        out[village.code] = []
        for n in range(1, per_village + 1):
            username = f"dy-{village.code}-{n}"
            user = User.objects.filter(username=username).first() or User.objects.create(
                username=username, role=Role.RESIDENT, real_name=person_name(rng), phone=phone(rng), scope_area=village, password=pw)
            out[village.code].append(user)
            world.users[username] = user
    return out


def seed_people(world: World, seed: int = 1, households_per_village: int = 30, history_days: int = 35) -> PeopleStats:
    """Seed the registry and programmes of ``world`` (once)."""
    stats = PeopleStats()
    if Person.objects.exists():
        return stats
    rng = random.Random(seed * 7919)
    admin = world.users["admin"]
    today = timezone.localdate()
    start = today - dt.timedelta(days=history_days)
    result = do_import_roster(admin, _roster(world, rng, households_per_village), source="演示：2026年户籍与民政名册")
    stats.people, stats.households = result.created, result.households_created

    scheme = PairingScheme.objects.get(code="party-member")
    helpers = _party_members(world, rng, 4)
    households = list(Household.objects.select_related("area", "grid").order_by("id"))
    for household in households:
        if rng.random() >= 0.12:
            continue
        staff = world.users[f"cun-{household.area_id}"]
        risks = rng.sample(RISK_TYPES[:6], rng.choice([1, 1, 2]))
        monitored = do_monitor_household(staff, household, risk_types=risks, identified_on=start - dt.timedelta(days=rng.randint(30, 700)))
        stats.monitored += 1
        kind, text = rng.choice(MEASURES)
        do_add_measure(staff, monitored, kind=kind, description=text, on=start)
        members = household.memberships.filter(left__isnull=True).count() or 1
        do_record_income(staff, monitored, year=today.year - 1, total=str(rng.randint(6000, 16000) * members), members=members)
        free = [u for u in helpers[household.area_id] if u.pairings.filter(ended__isnull=True).count() < scheme.limit]
        if free and rng.random() < 0.85:  # some stay unpaired, as in any county
            do_pair(staff, scheme=scheme, helper=rng.choice(free), household=household, started=start - dt.timedelta(days=rng.randint(1, 300)))
            stats.pairings += 1

    for township in world.townships:
        staff = world.users[f"tz-{township.code[6:9]}"]
        do_create_plan(staff, PlanInput(f"{township.name}网格巡查", PlanKind.PATROL, township, starts=start, interval_days=7,
                                        description="每周巡查网格：田间地头、沟渠山塘、出租房屋、安全隐患"))
        stats.plans += 1
        try:
            do_create_plan(staff, PlanInput(f"{township.name}监测户月访", PlanKind.VISIT, township, starts=start, interval_days=30,
                                            description="每月走访监测户：收入、医疗、就学、住房和帮扶措施落实"))
            stats.plans += 1
        except InvalidInput:  # a township without monitored households has nothing to visit
            pass
    first = world.townships[0]
    try:
        do_create_plan(world.users[f"tz-{first.code[6:9]}"], PlanInput("寒潮敲门行动", PlanKind.CAMPAIGN, first, starts=today - dt.timedelta(days=5),
                                                                     due=today + dt.timedelta(days=2), tag_kind=_kind("独居老人"),
                                                                     description="寒潮来临前逐户上门：取暖、用电、用气安全，留下联系电话"))
        stats.plans += 1
    except InvalidInput:  # no one living alone there
        pass
    stats.visits = _visit_history(rng, today, start)
    seed_targets_and_points(world, rng, today)
    return stats


def seed_targets_and_points(world: World, rng: random.Random, today: dt.date) -> None:
    """A 两癌筛查 target over the first township with progress (some villages behind), a volunteer activity with
    check-ins and a points store, and a first secretary's task list with a quarter scored."""
    from jiceng.areas.models import Area
    from jiceng.programmes.cadres import do_assign_tasks, do_complete_task, do_evaluate
    from jiceng.programmes.models import Reward
    from jiceng.programmes.points import do_check_in, do_create_activity, do_sign_up
    from jiceng.programmes.targets import do_create_target, do_report_progress

    township = world.townships[0]
    tz = world.users[f"tz-{township.code[6:9]}"]
    villages = list(Area.objects.filter(parent=township).order_by("code"))
    year_start = today.replace(month=1, day=1)
    target = do_create_target(tz, name=f"{today.year}年两癌筛查", unit="人", area=township, starts=year_start,
                              ends=today.replace(month=12, day=31), shares={v: rng.randint(200, 600) for v in villages})
    for share in target.shares.select_related("area"):
        pace = rng.choice([0.4, 0.7, 0.85, 0.95, 1.05])
        done = int(float(share.planned) * pace)
        for part in (done // 2, done - done // 2):
            if part:
                do_report_progress(tz, share, quantity=part, reported_on=today - dt.timedelta(days=rng.randint(1, 200)),
                                   funds_used=str(part * 60) if rng.random() < .5 else None)
    village = villages[0]
    staff = world.users[f"cun-{village.code}"]
    activity = do_create_activity(staff, name="河道清洁志愿服务", area=village, on=today - dt.timedelta(days=3), points=20, capacity=30)
    people = list(Person.objects.filter(area=village).order_by("id")[:12])
    for person in people:
        do_check_in(staff, do_sign_up(staff, activity, person))
    Reward.objects.get_or_create(name="洗衣粉", area=village, defaults={"cost": 15, "stock": 40})
    Reward.objects.get_or_create(name="食用油（5升）", area=village, defaults={"cost": 60, "stock": 10})
    secretary = world.users[f"dy-{village.code}-1"]
    tasks = do_assign_tasks(tz, secretary, area=village, year=today.year, titles=FIRST_SECRETARY_TASKS)
    for task in tasks[:7]:
        do_complete_task(secretary, task, on=today - dt.timedelta(days=rng.randint(5, 200)), note="已完成")
    for quarter in range(1, (today.month - 1) // 3 + 1):
        do_evaluate(tz, secretary, area=village, year=today.year, quarter=quarter, score=rng.choice(["88", "91.5", "94", "86.5"]))


FIRST_SECRETARY_TASKS = [
    "建强村党组织", "推进强村富民", "提升治理水平", "为民办事服务", "落实防返贫监测帮扶", "发展壮大村集体经济", "抓好人居环境整治",
    "推动移风易俗", "化解矛盾纠纷", "加强平安建设", "落实惠民政策", "培养后备力量", "管好用好帮扶资金",
]


def _kind(name: str):
    from jiceng.people.models import TagKind

    return TagKind.objects.get(name=name)


def _visit_history(rng: random.Random, today: dt.date, start: dt.date) -> int:
    """Visits logged over the past weeks as workers would: mostly on time, some late, some not yet (overdue now)."""
    made = 0
    now = timezone.now()
    for target in PlanTarget.objects.select_related("plan", "assignee").order_by("id"):
        interval = target.plan.interval_days
        if not interval:
            continue
        day = start + dt.timedelta(days=interval)
        diligent = rng.random()
        while day < today:
            if diligent < 0.15 and day > today - dt.timedelta(days=interval * 2):
                break  # this one falls behind: overdue on the workbench
            when = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=rng.randint(0, 2)), dt.time(rng.randint(8, 17), rng.randint(0, 59))))
            if when >= now:
                break
            needs = rng.random() < 0.06
            findings = rng.choice(FINDINGS_ACTION if needs else FINDINGS_OK)
            do_log_visit(target.assignee, target, VisitInput(at=when, findings=findings, needs_action=needs,
                                                             lat=26.2 + rng.random() * .3, lon=111.5 + rng.random() * .3), now=now)
            made += 1
            target.refresh_from_db()
            day = target.next_due
    return made
