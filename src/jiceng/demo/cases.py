"""Generate realistic demo cases in bulk, with full event histories.

Every history is produced by the real state machine (workflow.plan/apply) and
hash chain, then written with bulk inserts, so a million cases take minutes.
Deterministic for a given seed and ``now``.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, models, transaction

from jiceng.accounts.models import Role, User
from jiceng.cases.access import level_rank
from jiceng.areas.models import NEXT_LEVEL, UnitLevel
from jiceng.cases import chain, due, sla, workflow
from jiceng.cases.actions import QUERY_CODE_ALPHABET, submit_payload
from jiceng.cases.models import Case, CaseEvent, Category
from jiceng.cases.numbering import allocate_number
from jiceng.cases.scope import record_cases_scope
from jiceng.cases.sla import SHANGHAI
from jiceng.cases.states import Action, Channel, Rating, State, Urgency
from jiceng.sealed import SealedCharField
from jiceng.triage.keys import index_cases

from . import names
from .texts import RESULTS, person_name, phone, render
from .world import World

TOP_WEIGHTS = {"minsheng": 40, "jiufen": 15, "yinhuan": 14, "yujing": 10, "xinfang": 6, "gengdi": 6, "qiye": 4, "fanpin": 3, "xuncha": 2}
CHANNELS = {
    "yujing": [Channel.SENSOR], "gengdi": [Channel.PATROL], "xinfang": [Channel.VISIT, Channel.VIDEO, Channel.WEB, Channel.HOTLINE],
    "xuncha": [Channel.PATROL], "fanpin": [Channel.PATROL, Channel.VISIT],
}
URGENCIES = [Urgency.NORMAL, Urgency.URGENT, Urgency.CRITICAL]
URGENCY_WEIGHTS = {"yujing": [50, 35, 15], "yinhuan": [70, 22, 8]}
DEFAULT_URGENCY_WEIGHTS = [88, 10, 2]
DEFAULT_CHANNELS = [Channel.HOTLINE, Channel.HOTLINE, Channel.WEB, Channel.WECHAT, Channel.PATROL, Channel.VISIT]
FREQUENT_CALLERS = 18
FREQUENT_SHARE = 0.04  # of non-anonymous cases
ALERTS = ["攀爬", "打架", "摔倒", "异常闯入", "徘徊", "违停", "睡岗离岗"]
H = timedelta(hours=1)


@dataclass
class _Person:
    user: User
    actor: workflow.Actor


@dataclass
class _Leaf:
    category: Category
    top: str
    specs: list[dict]


class _Index:
    """What the generator needs of the world, prepared once."""

    def __init__(self, world: World) -> None:
        def person(username: str) -> _Person:
            u = world.users[username]
            units = frozenset(u.units.values_list("id", flat=True))
            return _Person(u, workflow.Actor(user_id=u.pk, role=u.role, level_rank=level_rank(u), unit_ids=units, in_scope=True))

        self.world = world
        self.villages = world.villages
        self.village_staff = {v.code: person(f"cun-{v.code}") for v in world.villages}
        self.township_staff = {t.code: person(f"tz-{t.code[6:9]}") for t in world.townships}
        self.leader = person("leader")
        # county-level cases are accepted, dispatched, return-visited and closed by the dispatch centre
        self.centre = person("county-centre") if "county-centre" in world.users else self.leader
        self.county = {k: person(f"county-{k}") for (k, area) in world.units if area == world.county.code}
        self.grid_workers = {v: [(g.pk, person(f"grid-{g.code}")) for g in grids] for v, grids in world.grids_by_village.items()}
        self.residents = [world.users[f"resident-{i}"] for i in range(1, 21)]
        # A few people who call again and again (the seed's police station found 18),
        # so the frequent-caller list has something to show.
        callers = random.Random(18)
        self.frequent_callers = [(person_name(callers), phone(callers)) for _ in range(FREQUENT_CALLERS)]
        self.integration = User.objects.get_or_create(username="camera-platform", defaults={"role": Role.INTEGRATION, "real_name": "校园智能预警平台"})[0]
        leaves = Category.objects.filter(children__isnull=True, active=True).select_related("parent")
        self.leaves: dict[str, list[_Leaf]] = {}
        for cat in leaves:
            top = cat.lineage()[-1].code
            self.leaves.setdefault(top, []).append(_Leaf(cat, top, cat.field_specs()))
        self.tops = [t for t in TOP_WEIGHTS if t in self.leaves]
        self.top_weights = [TOP_WEIGHTS[t] for t in self.tops]

    def unit_for(self, leaf: _Leaf, village: str, level: str):
        kind = leaf.category.routing_for(level)
        area = {"village": village, "township": village[:9] + "000", "county": village[:6] + "000000"}[level]
        return self.world.units.get((kind, area)) if kind else None

    def handler(self, unit) -> _Person:
        if unit.level == UnitLevel.VILLAGE:
            return self.village_staff[unit.area_id]
        if unit.level == UnitLevel.TOWNSHIP:
            return self.township_staff[unit.area_id]
        return self.county[unit.kind_id]

    def dispatcher(self, level: str, village: str) -> _Person:
        if level == UnitLevel.VILLAGE:
            return self.village_staff[village]
        if level == UnitLevel.TOWNSHIP:
            return self.township_staff[village[:9] + "000"]
        return self.centre


@functools.lru_cache(maxsize=8192)
def _working_deadline(day: date, days: int) -> datetime:
    # Day limits depend only on the (working) day counting starts: cached, the demo computes many.
    return sla.add_working_days(datetime.combine(day, sla.working_periods()[0][0], tzinfo=SHANGHAI), days)


def _deadline(category: Category, urgency: str, phase: str, level: str, at: datetime) -> datetime:
    """The SLA deadline, as actions.py works it out for real cases."""
    limit = sla.limit_for(category, urgency, phase, level)
    if limit.unit == "d":
        start = sla.next_working_instant(at).astimezone(SHANGHAI)
        return _working_deadline(start.date(), limit.amount)
    return limit.due(at)


def _fields(leaf: _Leaf, rng: random.Random, at: datetime, extra: dict) -> dict:
    out = {}
    for spec in leaf.specs:
        if spec.get("stage", "submit") != "submit" or not spec.get("required"):
            continue
        name = spec["name"]
        if name in extra:
            out[name] = extra[name]
        elif spec["type"] == "choice":
            out[name] = rng.choice(spec["choices"])
        elif spec["type"] == "integer":
            out[name] = rng.randint(1, 6)
        elif spec["type"] == "number":
            out[name] = rng.choice([0.8, 1.5, 2.0, 3.5, 5.0])
        elif spec["type"] == "date":
            out[name] = (at + timedelta(days=rng.randint(5, 30))).astimezone(SHANGHAI).date().isoformat()
        elif spec["type"] == "list":
            out[name] = [person_name(rng), person_name(rng)]
        else:
            out[name] = rng.choice(names.SCHOOLS) if name == "school" else rng.choice(names.ENTERPRISES) if name == "enterprise_name" else "详见描述"
    return out


def _resolve_fields(leaf: _Leaf, rng: random.Random) -> dict:
    out = {}
    for spec in leaf.specs:
        if spec.get("stage") == "resolve" and spec.get("required"):
            out[spec["name"]] = rng.choice(spec["choices"]) if spec["type"] == "choice" else "已按要求处置到位"
    return out


class _Timeline:
    """Runs actions through the real state machine until ``now`` is reached."""

    def __init__(self, number: str, created: datetime, now: datetime, creator: User | None, payload: dict) -> None:
        self.number, self.now = number, now
        self.snapshot = workflow.apply(workflow.Snapshot(), Action.SUBMIT, State.SUBMITTED, payload)
        self.events: list[dict] = []
        self.at = created
        self._record(Action.SUBMIT, "", State.SUBMITTED, creator.pk if creator else None, None, "", payload)

    def _record(self, action, from_state, to_state, actor_id, unit_id, note, payload) -> None:
        seq = len(self.events) + 1
        prev = self.events[-1]["hash"] if self.events else chain.GENESIS
        values = chain.event_values(case_number=self.number, action=action, from_state=from_state, to_state=to_state,
                                    actor_id=actor_id, actor_label="", at=self.at, unit_id=unit_id, note=note, payload=payload)
        digest, marks = chain.seal_event(prev, seq, values)
        self.events.append({"seq": seq, "action": action, "from_state": from_state, "to_state": to_state, "actor_id": actor_id,
                            "at": self.at, "unit_id": unit_id, "note": note, "payload": payload, "prev_hash": prev,
                            "hash": digest, "marks": marks, "actor_label": ""})

    def step(self, after: timedelta, action: str, who: _Person, params: dict | Callable[[datetime, workflow.Snapshot], dict] | None = None) -> bool:
        """Do ``action`` ``after`` the previous event; False once past ``now``.

        ``params`` may be a function of the event time and snapshot, for
        deadlines the SLA rules compute at that moment.
        """
        at = self.at + after
        if at > self.now:
            return False
        self.at = at
        before = self.snapshot
        if callable(params):
            params = params(at, before)
        to_state, payload, note = workflow.plan(before, action, params or {}, who.actor, at)
        self.snapshot = workflow.apply(before, action, to_state, payload, note)
        self._record(action, before.state, to_state, who.user.pk, self.snapshot.unit_id, note, payload)
        return True


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def _story(t: _Timeline, ix: _Index, leaf: _Leaf, village: str, rng: random.Random, reporter_user: User | None, urgency: str) -> None:
    """One plausible path through the loop; stops silently when time runs out."""
    level = t.snapshot.level
    disp = ix.dispatcher(level, village)
    roll = rng.random()
    if roll < 0.03:
        t.step(_hours(rng, 1, 20), Action.REFUSE, disp, {"note": "经核实不属于本级受理范围，已告知反映人通过司法途径解决"})
        return
    deadline_days = leaf.category.resolve_days
    accept_after = _hours(rng, 0.3, leaf.category.accept_hours * 1.3)
    cat = leaf.category
    unit = ix.unit_for(leaf, village, level)
    if level == UnitLevel.VILLAGE and unit is not None and rng.random() < 0.3:
        # 自办: the village accepts and handles it in its own committee at once
        if not t.step(accept_after, Action.SELF_HANDLE, disp, lambda at, s: {
                "plan": "村级自办，村委会安排专人现场处理", "unit_id": unit.pk, "deadline": _deadline(cat, urgency, "resolve", s.level, at)}):
            return
        handler = ix.handler(unit)
        return _after_claim(t, ix, leaf, village, rng, reporter_user, urgency, handler, disp, cat, deadline_days)
    if not t.step(accept_after, Action.ACCEPT, disp, lambda at, s: {"plan": "经协商，明确责任人和办理时限，按期办结并回访",
                                                                    "deadline": _deadline(cat, urgency, "resolve", s.level, at)}):
        return
    if unit is None:
        return
    if not t.step(_hours(rng, 0.1, 12), Action.DISPATCH, disp, {"unit_id": unit.pk}):
        return
    handler = ix.handler(unit)
    if rng.random() < 0.03:
        if not t.step(_hours(rng, 1, 24), Action.RETURN, handler, {"note": "不属于本单位职责，请重新派单"}):
            return
        if not t.step(_hours(rng, 1, 12), Action.DISPATCH, disp, {"unit_id": unit.pk}):
            return
    if not t.step(_hours(rng, 0.2, 16), Action.CLAIM, handler):
        return
    _after_claim(t, ix, leaf, village, rng, reporter_user, urgency, handler, disp, cat, deadline_days)


def _after_claim(t: _Timeline, ix: _Index, leaf: _Leaf, village: str, rng: random.Random, reporter_user: User | None, urgency: str,
                 handler: _Person, disp: _Person, cat: Category, deadline_days: int) -> None:
    """From the moment a unit handles the case: escalation, notes, suspension, extension, resolution, rating, closing."""
    # Tiered resolution: most matters end in the village, some go up.
    while t.snapshot.level in NEXT_LEVEL and rng.random() < (0.14 if t.snapshot.level == UnitLevel.VILLAGE else 0.25):
        nxt = NEXT_LEVEL[UnitLevel(t.snapshot.level)]
        up = ix.unit_for(leaf, village, nxt)
        if up is None:
            break
        via_centre = nxt == UnitLevel.COUNTY and ix.centre is not ix.leader  # the county's dispatch centre takes it
        if not t.step(_hours(rng, 4, 72), Action.ESCALATE, handler, lambda at, s, up=up, nxt=nxt: {
                "note": "本级难以化解，申请上级协调处理", "unit_id": None if via_centre else up.pk, "via_centre": via_centre,
                "deadline": _deadline(cat, urgency, "resolve", nxt, at)}):
            return
        handler = ix.handler(up)
        disp = ix.dispatcher(nxt, village)
        if via_centre and not t.step(_hours(rng, 0.3, 8), Action.DISPATCH, disp, {"unit_id": up.pk}):
            return
        if not t.step(_hours(rng, 0.5, 24), Action.CLAIM, handler):
            return
    if rng.random() < 0.6 and not t.step(_hours(rng, 2, 48), Action.NOTE, handler, {"note": "已现场核实，正在协调处理"}):
        return
    if rng.random() < 0.06:
        if not t.step(_hours(rng, 2, 24), Action.SUSPEND, handler, {"note": "等待反映人补充材料"}):
            return
        if not t.step(_hours(rng, 24, 96), Action.RESUME, handler, lambda at, s: {"deadline": sla.resumed_deadline(s.deadline, s.suspended_at, at)}):
            return
    if rng.random() < 0.05 and t.snapshot.deadline:
        wanted = t.snapshot.deadline + timedelta(days=rng.randint(3, 10))
        if t.at + H < wanted and not t.step(H, Action.REQUEST_EXTENSION, handler, {"note": "需协调多个部门，申请延期", "deadline": wanted}):
            return
        if t.snapshot.pending_extension and not t.step(_hours(rng, 1, 24), Action.APPROVE_EXTENSION, disp):
            return
    # Time to resolve: usually inside the deadline, sometimes late.
    budget = (t.snapshot.deadline - t.at) if t.snapshot.deadline else timedelta(days=deadline_days)
    factor = rng.uniform(0.1, 0.9) if rng.random() < 0.85 else rng.uniform(1.05, 2.5)
    if factor > 1 and rng.random() < 0.5:
        half = budget * 0.9
        if not t.step(max(half, H), Action.SUPERVISE, ix.leader, lambda at, s: {"note": "该件临近超期，请加快办理并报告进展",
                                                                              "reply_by": sla.reply_deadline(at)}):
            return
        budget = budget - half
    if not t.step(max(budget * factor, H), Action.RESOLVE, handler, {"result": rng.choice(RESULTS[leaf.top]), "fields": _resolve_fields(leaf, rng)}):
        return
    for _round in range(3):
        visit = _hours(rng, 4, 24 * leaf.category.visit_days)
        r = rng.random()
        if r < 0.04:
            if not t.step(visit, Action.WAIVE_RATING, disp, {"note": "多次回访无法联系反映人"}):
                return
            break
        rating = Rating.SATISFIED if r < 0.82 else Rating.BASIC if r < 0.93 else Rating.UNSATISFIED
        rater = _Person(reporter_user, workflow.Actor(user_id=reporter_user.pk, role=Role.RESIDENT, is_reporter=True)) if reporter_user else disp
        if not t.step(visit, Action.RATE, rater, {"rating": rating}):
            return
        if t.snapshot.state == State.HANDLING:
            if not t.step(_hours(rng, 12, 96), Action.RESOLVE, handler, {"result": "重新办理，" + rng.choice(RESULTS[leaf.top]), "fields": _resolve_fields(leaf, rng)}):
                return
            continue
        if t.snapshot.state == State.DISPUTED:
            if not t.step(_hours(rng, 12, 72), Action.DECIDE, ix.leader, {"decision": "uphold", "note": "经审查已依法依规办理，予以维持"}):
                return
        break
    t.step(_hours(rng, 2, 72), Action.CLOSE, disp)


def _timestamps(rng: random.Random, n: int, now: datetime) -> list[datetime]:
    """Submission times over the past year, busier recently and in the daytime."""
    out = []
    for _ in range(n):
        days_ago = 365 * (rng.random() ** 1.3)
        t = now - timedelta(days=days_ago)
        local = t.astimezone(SHANGHAI)
        hour = rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 19, 21])
        out.append(local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=rng.randrange(1000) * 1000))
    out = [t for t in out if t <= now] or [now - timedelta(hours=1)]
    while len(out) < n:
        out.append(now - timedelta(hours=1))
    out.sort()
    return out


def generate_cases(world: World, n: int, seed: int = 1, now: datetime | None = None, chunk: int = 2000,
                   progress: Callable[[int], None] | None = None) -> int:
    """Create ``n`` demo cases with their events. Returns the number created."""
    from django.utils import timezone

    now = now or timezone.now()
    rng = random.Random(seed)
    ix = _Index(world)
    stamps = _timestamps(rng, n, now)
    made = 0
    recent_numbers: list[str] = []
    for start in range(0, n, chunk):
        batch = stamps[start : start + chunk]
        with transaction.atomic():
            numbers = _allocate(batch, world.county.code[:6])
            cases, histories = [], []
            for created, number in zip(batch, numbers, strict=True):
                case, events = _one_case(ix, rng, number, created, now, recent_numbers)
                cases.append(case)
                histories.append(events)
                if case.state != State.MERGED:
                    recent_numbers.append(number)
                if len(recent_numbers) > 200:
                    del recent_numbers[:100]
            # pre_save: the blind indexes of the sealed reporter columns are computed there (jiceng.sealed).
            _raw_insert(Case, [[f.pre_save(c, True) for f in _fields_of(Case)] for c in cases])
            ids = dict(Case.objects.filter(number__in=[c.number for c in cases]).values_list("number", "id"))
            event_fields = _fields_of(CaseEvent)
            rows, involved = [], set()
            for c, evs in zip(cases, histories, strict=True):
                for e in evs:
                    e = {**e, "case_id": ids[c.number], "actor_label": ""}
                    rows.append([e[f.attname] for f in event_fields])
                    if e["unit_id"] is not None:
                        involved.add((e["case_id"], e["unit_id"]))
            _raw_insert(CaseEvent, rows)
            for c in cases:
                c.pk = ids[c.number]
            record_cases_scope(cases, involved)  # the scope table the domain's event writer keeps
            # Raw inserts bypass the signal that builds repeat-detection keys; build them here.
            index_cases(cases)
        made += len(cases)
        if progress:
            progress(made)
    return made


def _fields_of(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _raw_insert(model: type[models.Model], rows: list[list]) -> None:
    """executemany without per-object ORM overhead (the demo writes millions of rows)."""
    fields = _fields_of(model)
    ops = connection.ops
    adapt = []
    for f in fields:
        if isinstance(f, models.DateTimeField):
            adapt.append(ops.adapt_datetimefield_value)
        elif isinstance(f, models.JSONField):
            adapt.append(lambda v, enc=f.encoder: ops.adapt_json_value(v, enc))
        elif isinstance(f, SealedCharField):  # encrypted at rest, like every other write
            adapt.append(lambda v, f=f: f.get_db_prep_save(v, connection))
        else:
            adapt.append(None)
    prepared = [[a(v) if a and v is not None else v for a, v in zip(adapt, row, strict=True)] for row in rows]
    cols = ", ".join(ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({cols}) VALUES ({marks})", prepared)


def _allocate(batch: list[datetime], county: str) -> list[str]:
    years = [t.astimezone(SHANGHAI).year for t in batch]
    pools: dict[int, Iterator[str]] = {}
    for year in sorted(set(years)):
        pools[year] = iter(allocate_number(year, county, years.count(year)))
    return [next(pools[y]) for y in years]


def _one_case(ix: _Index, rng: random.Random, number: str, created: datetime, now: datetime, recent: list[str]) -> tuple[Case, list[dict]]:
    top = rng.choices(ix.tops, ix.top_weights)[0]
    leaf = rng.choice(ix.leaves[top])
    village = rng.choice(ix.villages)
    grid_id, grid_worker = rng.choice(ix.grid_workers[village.code])
    channel = rng.choice(CHANNELS.get(top, DEFAULT_CHANNELS))
    extra: dict = {}
    if top == "yujing":
        alert = rng.choice(ALERTS) if leaf.category.code == "yujing-campus" else {"yujing-forest-fire": "烟火识别", "yujing-flood": "水位超警", "yujing-enterprise": "可燃气体超限"}.get(leaf.category.code, "异常")
        extra = {"alert": alert, "alert_type": alert, "device": f"监测点{rng.randint(1, 300):03d}号", "device_id": f"CAM-{rng.randint(1, 300):04d}",
                 "time": created.astimezone(SHANGHAI).strftime("%m月%d日%H:%M")}
        if leaf.category.code == "yujing-campus":
            extra["school"] = rng.choice(names.SCHOOLS)
    title, description = render(top, rng, village.name, extra, leaf=leaf.category.code)
    urgency = rng.choices(URGENCIES, URGENCY_WEIGHTS.get(top, DEFAULT_URGENCY_WEIGHTS))[0]
    fields = _fields(leaf, rng, created, extra)
    anonymous = channel == Channel.SENSOR or (leaf.category.allow_anonymous and rng.random() < 0.05)
    reporter_user = rng.choice(ix.residents) if (not anonymous and rng.random() < 0.01) else None
    if channel == Channel.SENSOR:
        creator = ix.integration
    elif channel == Channel.PATROL:
        creator = grid_worker.user
    elif reporter_user:
        creator = reporter_user
    else:
        creator = ix.village_staff[village.code].user
    name, tel = (reporter_user.display_name if reporter_user else person_name(rng)), phone(rng)
    if not anonymous and not reporter_user and rng.random() < FREQUENT_SHARE:
        name, tel = rng.choice(ix.frequent_callers)
    case = Case(
        number=number, category=leaf.category, area_id=village.code, grid_id=grid_id, title=title, description=description,
        address=f"{village.name}{rng.randint(1, 60)}号", channel=channel, fields=fields, anonymous=anonymous, reporter=reporter_user,
        reporter_name="" if anonymous else name,
        reporter_phone="" if anonymous else tel, source_ref=extra.get("device_id", ""), created_by=creator,
        created_at=created, level=leaf.category.start_level, urgency=urgency,
        query_code="".join(rng.choice(QUERY_CODE_ALPHABET) for _i in range(8)),
        deadline=_deadline(leaf.category, urgency, "accept", leaf.category.start_level, created),
    )
    t = _Timeline(number, created, now, creator, submit_payload(case))
    if recent and rng.random() < 0.02:
        disp = ix.dispatcher(case.level, village.code)
        # a duplicate of a recent matter, merged into it by the dispatcher
        t.step(_hours(rng, 0.5, 12), Action.MERGE, disp, {"into": rng.choice(recent[-50:])})
    else:
        _story(t, ix, leaf, village.code, rng, reporter_user, urgency)
    s = t.snapshot
    for name in workflow.SNAPSHOT_FIELDS:
        setattr(case, name, getattr(s, name))
    for e in t.events:
        if e["action"] == Action.RESOLVE and e["payload"].get("fields"):
            case.fields = {**case.fields, **e["payload"]["fields"]}
    case.version = case.event_count = len(t.events)
    case.last_hash = t.events[-1]["hash"]
    case.updated_at = t.events[-1]["at"]
    case.next_due_at = due.safe_next_due_at(case)  # as the domain keeps it; the first tick records what is past
    return case, t.events
