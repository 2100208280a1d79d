"""Historical case import (历史工单导入): a county's past cases from a spreadsheet, all rows or none.

Each row becomes a case that was handled before the platform existed, with a
complete hash-chained history produced by the real state machine
(``workflow.plan`` / ``workflow.apply``), so ``jiceng verify`` checks it like
any other case and the statistics count it:

    点单 submit → 受理 accept → 派单 dispatch → 签收 claim → 办结 resolve
    → 评单 rate (满意/基本满意) or 免评 waive_rating (no 满意度 recorded) → 销号 close

A row marked 已办结 stops after the resolve step (awaiting the return visit).
A 不满意 row that was closed takes the platform's own path for that outcome:
the first 不满意 reopens, the unit's result stands, the second 不满意 goes to a
supervisor who upholds it (裁决维持), then 销号.

Every event carries ``"imported": true`` in its payload and the note
“历史数据导入”, and its actor is the importing user, so a reader always
sees that the history was imported and by whom. The times are the file's:
受理时间 for the first four steps, 办结时间 for the rest.

Rules, whoever calls (the CLI ``jiceng import-cases`` and the web page):
the user may dispatch (受理/派单) and every village lies in their area scope
(a township imports only its own villages); every row is checked first and
any error rejects the whole file with every bad row listed in Chinese
(``ImportRejected``); a row already imported (same 编号, or without one the
same village, title and 受理时间) is skipped, so importing a file twice
changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng import tabular
from jiceng.accounts.capabilities import Capability, require
from jiceng.accounts.models import Role, User
from jiceng.areas.models import Area, AreaLevel, Grid, Unit, UnitLevel
from jiceng.errors import DomainError
from jiceng.tabular import ImportRejected, RowError

from . import access, chain, due, sla, workflow
from .actions import _clean_text, new_query_code, submit_payload
from .models import Case, CaseEvent, Category
from .numbering import allocate_number
from .scope import record_cases_scope
from .sla import SHANGHAI
from .states import Action, Channel, Rating, State, Urgency

# Sent after imported cases are written in bulk (no post_save): triage indexes them for repeat detection.
cases_imported = Signal()

MAX_ROWS = 50_000
IMPORT_NOTE = "历史数据导入"
SOURCE_PREFIX = "导入:"

COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("编号", "原编号", "工单编号"),
    "title": ("标题", "诉求标题"),
    "description": ("描述", "诉求内容", "内容"),
    "category": ("分类", "事项分类", "类别"),
    "village": ("村/社区", "村（社区）", "村（社区）代码", "村社区", "村"),
    "grid": ("网格", "网格代码"),
    "channel": ("来源渠道", "渠道", "来源"),
    "received": ("受理时间", "登记时间"),
    "resolved": ("办结时间",),
    "unit": ("办理单位", "承办单位"),
    "rating": ("满意度", "评价"),
    "state": ("状态",),
}
LABELS = {f: headers[0] for f, headers in COLUMNS.items()}
REQUIRED = ("title", "description", "category", "village", "channel", "received", "resolved", "unit")

# How channels are written in offices' ledgers → the platform's channel.
CHANNEL_WORDS: dict[str, str] = {
    "网页": Channel.WEB, "网站": Channel.WEB, "网上": Channel.WEB, "网络": Channel.WEB, "web": Channel.WEB,
    "热线": Channel.HOTLINE, "热线电话": Channel.HOTLINE, "电话": Channel.HOTLINE, "12345": Channel.HOTLINE,
    "网格巡查": Channel.PATROL, "巡查": Channel.PATROL, "网格员上报": Channel.PATROL,
    "微信": Channel.WECHAT, "微信群": Channel.WECHAT, "微信群转办": Channel.WECHAT,
    "视频信访": Channel.VIDEO, "视频": Channel.VIDEO,
    "传感器": Channel.SENSOR, "ai摄像头": Channel.SENSOR, "传感器/ai摄像头": Channel.SENSOR, "告警": Channel.SENSOR,
    "接口": Channel.API, "api": Channel.API,
    "来访": Channel.VISIT, "走访": Channel.VISIT, "上门": Channel.VISIT, "来信来访": Channel.VISIT,
}
RATING_WORDS = {"满意": Rating.SATISFIED, "基本满意": Rating.BASIC, "不满意": Rating.UNSATISFIED}
CLOSED, RESOLVED = "closed", "resolved"
STATE_WORDS = {"已销号": CLOSED, "销号": CLOSED, "已办结销号": CLOSED, "已关闭": CLOSED, "已办结": RESOLVED, "办结": RESOLVED}
# A date without a time of day is taken as this local time (the start of an office day).
DEFAULT_TIME = time(9, 0)
EARLIEST = date(2000, 1, 1)
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})秒?)?)?$")


@dataclass
class ImportSummary:
    """What an import did (or, dry run, would do)."""

    rows: int = 0
    created: int = 0
    skipped: int = 0  # already imported before: the same natural key
    by_state: Counter = field(default_factory=Counter)
    by_village: Counter = field(default_factory=Counter)
    numbers: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def villages(self) -> list[tuple[str, int]]:
        """Cases per village, most first (for the preview)."""
        return self.by_village.most_common()

    def line(self) -> str:
        verb = _("将导入") if self.dry_run else _("已导入")
        return _("%(verb)s %(created)s 件历史工单（已销号 %(closed)s 件，已办结待回访 %(resolved)s 件），跳过已导入过的 %(skipped)s 行") % {
            "verb": verb, "created": self.created, "closed": self.by_state[CLOSED], "resolved": self.by_state[RESOLVED],
            "skipped": self.skipped}


@dataclass
class _Row:
    number: int
    ref: str
    title: str
    description: str
    category: Category
    village: Area
    grid: Grid | None
    channel: str
    received: datetime
    resolved: datetime
    unit: Unit
    rating: str
    state: str
    key: str


# --- reading ---------------------------------------------------------------------------

def read_cases_file(data: bytes, filename: str) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a historical case file (.xlsx or .csv), numbered as in the spreadsheet."""
    table = tabular.read_table(data, filename, _("历史工单"), max_rows=MAX_ROWS)
    positions = tabular.find_columns(table, COLUMNS, REQUIRED)
    return [(n, r) for n, r in tabular.records(table, positions) if not all(tabular.is_blank(v) for v in r.values())]


def parse_time(value: Any) -> datetime | None:
    """A cell as a local (Asia/Shanghai) time: Excel date cells, ``2025-03-01 09:30``, ``2025/3/1``, ``2025年3月1日``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    if isinstance(value, date):
        return datetime.combine(value, DEFAULT_TIME, tzinfo=SHANGHAI)
    m = _DATE_RE.match(tabular.cell_text(value))
    if not m:
        raise ValueError
    y, mo, d, h, mi, s = m.groups()
    day = date(int(y), int(mo), int(d))
    at = time(int(h), int(mi), int(s or 0)) if h is not None else DEFAULT_TIME
    return datetime.combine(day, at, tzinfo=SHANGHAI)


# --- checking --------------------------------------------------------------------------

class _Checker:
    """Checks rows against the registry's vocabularies, loaded once per file."""

    def __init__(self, user: User, now: datetime) -> None:
        self.user, self.now = user, now
        cats = [c for c in Category.objects.filter(active=True).prefetch_related("children") if not c.children.all()]
        self.categories_by_code = {c.code: c for c in cats}
        self.categories_by_name: dict[str, list[Category]] = {}
        for c in cats:
            self.categories_by_name.setdefault(c.name, []).append(c)
            if c.parent_id:
                self.categories_by_name.setdefault(f"{c.parent.name}/{c.name}", []).append(c)
        villages = list(Area.objects.filter(level=AreaLevel.VILLAGE))
        self.villages_by_code = {a.code: a for a in villages}
        self.villages_by_name: dict[str, list[Area]] = {}
        for a in villages:
            self.villages_by_name.setdefault(a.name, []).append(a)
        self.grids: dict[str, list[Grid]] = {}
        for g in Grid.objects.all():
            self.grids.setdefault(g.area_id, []).append(g)
        self.units: dict[str, list[Unit]] = {}
        for u in Unit.objects.all():
            self.units.setdefault(u.area_id, []).append(u)

    def category(self, text: str) -> Category:
        text = _required(text).replace("／", "/").replace(" ", "")
        if text in self.categories_by_code:
            return self.categories_by_code[text]
        found = self.categories_by_name.get(text, [])
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(_("分类“%(v)s”有多个同名小类，请写成“大类/小类”或填写分类代码") % {"v": text})
        raise ValueError(_("分类“%(v)s”不存在或不是最末一级分类") % {"v": text})

    def village(self, text: str) -> Area:
        village = self.villages_by_code.get(_required(text))
        if village is None:
            found = self.villages_by_name.get(text, [])
            if len(found) > 1:
                raise ValueError(_("有多个名为“%(v)s”的村（社区），请填写12位区划代码") % {"v": text})
            if not found:
                raise ValueError(_("村（社区）“%(v)s”不存在（请填写12位区划代码或村、社区名称）") % {"v": text})
            village = found[0]
        if not access.in_area_scope(self.user, village.code):
            raise ValueError(_("%(v)s不在您的辖区内，不能导入该村（社区）的工单") % {"v": village.name})
        return village

    def grid(self, village: Area, text: str) -> Grid | None:
        if not text:
            return None
        for g in self.grids.get(village.code, []):
            if text in (g.code, g.name):
                return g
        raise ValueError(_("网格“%(v)s”不在%(village)s") % {"v": text, "village": village.name})

    def unit(self, village: Area, text: str) -> Unit:
        _required(text)
        # The units that serve this place: its village, its township and its county.
        serving = [u for place in (village.code, village.code[:9] + "000", village.code[:6] + "000000") for u in self.units.get(place, [])]
        for u in serving:
            if text in (u.code, u.name):
                return u
        # Ledgers often name the unit without its place: “村委会”, “司法所” for that village's or township's own.
        endings = [u for u in serving if u.name.endswith(text)]
        if len(endings) == 1:
            return endings[0]
        if endings:
            raise ValueError(_("办理单位“%(v)s”可指多个单位（%(names)s），请填写全称") % {"v": text, "names": "、".join(u.name for u in endings[:5])})
        raise ValueError(_("办理单位“%(v)s”不是为%(village)s服务的村、乡镇或县级单位") % {"v": text, "village": village.name})

    def time(self, value: Any, label: str) -> datetime:
        try:
            at = parse_time(value)
        except (ValueError, OverflowError):
            raise ValueError(_("“%(v)s”不是有效的时间（例如 2025-03-01 09:30）") % {"v": tabular.cell_text(value)[:40]}) from None
        if at is None:
            raise ValueError(_("%(label)s不能为空") % {"label": label})
        if at.date() < EARLIEST or at > self.now:
            raise ValueError(_("时间 %(v)s 不在 2000 年至今的范围内") % {"v": at.strftime("%Y-%m-%d %H:%M")})
        return at

    def row(self, number: int, raw: dict[str, Any], errors: list[RowError]) -> _Row | None:
        before = len(errors)
        v = {f: tabular.cell_text(raw.get(f)) for f in COLUMNS}
        out: dict[str, Any] = {}

        def check(name: str, fn, *args) -> None:
            try:
                out[name] = fn(*args)
            except DomainError as exc:
                errors.append(RowError(number, LABELS[name], exc.message))
            except ValueError as exc:
                errors.append(RowError(number, LABELS[name], str(exc)))

        check("number", _clean_text, v["number"], "number", _("编号"), 64 - len(SOURCE_PREFIX), False)
        check("title", _clean_text, v["title"], "title", _("标题"), 120)
        check("description", _clean_text, v["description"], "description", _("描述"), 4000)
        check("category", self.category, v["category"])
        check("village", self.village, v["village"])
        if "village" in out:
            check("grid", self.grid, out["village"], v["grid"])
            check("unit", self.unit, out["village"], v["unit"])
        channel = CHANNEL_WORDS.get(v["channel"].lower().replace(" ", ""))
        if channel is None:
            errors.append(RowError(number, LABELS["channel"], _("“%(v)s”不是可识别的来源渠道（如：热线、网页、网格巡查、来访、微信群）") % {"v": v["channel"][:20]}))
        check("received", self.time, raw.get("received"), LABELS["received"])
        check("resolved", self.time, raw.get("resolved"), LABELS["resolved"])
        if "received" in out and "resolved" in out and out["resolved"] < out["received"]:
            errors.append(RowError(number, LABELS["resolved"], _("办结时间早于受理时间")))
        rating = RATING_WORDS.get(v["rating"], "" if not v["rating"] else None)
        if rating is None:
            errors.append(RowError(number, LABELS["rating"], _("满意度只能填“满意”“基本满意”“不满意”或留空")))
        state = STATE_WORDS.get(v["state"] or "已销号")
        if state is None:
            errors.append(RowError(number, LABELS["state"], _("状态只能填“已销号”或“已办结”（留空为已销号）")))
        elif state == RESOLVED and rating:
            errors.append(RowError(number, LABELS["rating"], _("已办结（待回访）的工单还没有满意度；已回访评价的请把状态填为“已销号”")))
        if len(errors) > before:
            return None
        village = out["village"]
        key = natural_key(village, out["number"], out["title"], out["received"])
        return _Row(number, out["number"], out["title"], out["description"], out["category"], village, out.get("grid"), channel,
                    out["received"], out["resolved"], out["unit"], rating, state, key)


def _required(text: str) -> str:
    if not text:
        raise ValueError(_("不能为空"))
    return text


def natural_key(village: Area, ref: str, title: str, received: datetime) -> str:
    """What makes a historical case the same on a second import: its county and 编号, else village, title and time."""
    basis = f"import|{village.code[:6]}|{ref}" if ref else f"import|{village.code}|{title}|{chain.canonical_time(received)}"
    return hashlib.sha256(basis.encode()).hexdigest()


def check_rows(user: User, rows: list[tuple[int, dict[str, Any]]], now: datetime) -> tuple[list[_Row], int]:
    """Every row checked; ``(new rows, rows already imported)``, or ImportRejected listing every bad row."""
    checker, errors, clean = _Checker(user, now), [], []
    seen: dict[str, int] = {}
    for number, raw in rows:
        row = checker.row(number, raw, errors)
        if row is None:
            continue
        if row.key in seen:
            column = LABELS["number"] if row.ref else LABELS["title"]
            errors.append(RowError(number, column, _("与第%(row)s行是同一件工单（编号，或村、标题和受理时间相同）") % {"row": seen[row.key]}))
            continue
        seen[row.key] = number
        clean.append(row)
    if not clean and not errors:
        raise tabular.TabularError(_("文件中没有数据行"))
    if errors:
        errors.sort(key=lambda e: e.row)
        raise ImportRejected(errors)
    done = set(Case.objects.filter(content_fingerprint__in=list(seen)).values_list("content_fingerprint", flat=True))
    return [r for r in clean if r.key not in done], len(done)


# --- the history ----------------------------------------------------------------------

class _History:
    """Runs the import's steps through the real state machine and seals each event into the chain."""

    def __init__(self, case: Case, user: User, label: str) -> None:
        self.case, self.user, self.label = case, user, label
        # The importer's permission was checked once for the whole file; the steps record what happened elsewhere.
        self.actor = workflow.Actor(user_id=user.pk, role=Role.ADMIN, level_rank=3, in_scope=True)
        payload = {**submit_payload(case), "imported": True}
        self.snapshot = workflow.apply(workflow.Snapshot(), Action.SUBMIT, State.SUBMITTED, payload)
        self.events: list[CaseEvent] = []
        self._record(Action.SUBMIT, "", State.SUBMITTED, case.created_at, None, IMPORT_NOTE, payload)

    def _record(self, action: str, from_state: str, to_state: str, at: datetime, unit_id: int | None, note: str, payload: dict) -> None:
        seq = len(self.events) + 1
        prev = self.events[-1].hash if self.events else chain.GENESIS
        values = chain.event_values(case_number=self.case.number, action=action, from_state=from_state, to_state=to_state,
                                    actor_id=self.user.pk, actor_label=self.label, at=at, unit_id=unit_id, note=note, payload=payload)
        digest, marks = chain.seal_event(prev, seq, values)
        self.events.append(CaseEvent(seq=seq, action=action, from_state=from_state, to_state=to_state, actor_id=self.user.pk,
                                     actor_label=self.label, at=at, unit_id=unit_id, note=note, payload=payload, prev_hash=prev,
                                     hash=digest, marks=marks))

    def step(self, action: str, at: datetime, params: dict | None = None) -> None:
        before = self.snapshot
        params = {"note": IMPORT_NOTE, **(params or {})}
        to_state, payload, note = workflow.plan(before, action, params, self.actor, at)
        payload = {**payload, "imported": True}
        self.snapshot = workflow.apply(before, action, to_state, payload, note)
        self._record(action, before.state, to_state, at, self.snapshot.unit_id, note, payload)


def _history(case: Case, row: _Row, user: User, label: str) -> _History:
    # The texts below go into the hash-chained record: fixed Chinese, never the importing user's UI language.
    h = _History(case, user, label)
    level = case.level
    plan = f"历史工单导入：由{row.unit.name}办理"
    result = f"{row.unit.name}已办结（历史数据导入，办结时间 {timezone.localtime(row.resolved, SHANGHAI):%Y-%m-%d %H:%M}）"
    h.step(Action.ACCEPT, row.received, {"plan": plan, "deadline": sla.deadline_for(row.category, Urgency.NORMAL, "resolve", level, row.received)})
    h.step(Action.DISPATCH, row.received, {"unit_id": row.unit.pk})
    h.step(Action.CLAIM, row.received)
    h.step(Action.RESOLVE, row.resolved, {"result": result})
    if row.state == RESOLVED:
        return h
    if row.rating == Rating.UNSATISFIED:
        # The platform's path for a closed case the resident was not satisfied with (see the module docstring).
        h.step(Action.RATE, row.resolved, {"rating": Rating.UNSATISFIED})
        h.step(Action.RESOLVE, row.resolved, {"result": result})
        h.step(Action.RATE, row.resolved, {"rating": Rating.UNSATISFIED})
        h.step(Action.DECIDE, row.resolved, {"decision": "uphold", "note": "历史数据导入：原记录为不满意并已销号"})
    elif row.rating:
        h.step(Action.RATE, row.resolved, {"rating": row.rating})
    else:
        h.step(Action.WAIVE_RATING, row.resolved, {"note": "历史数据导入：原记录没有满意度"})
    h.step(Action.CLOSE, row.resolved)
    return h


def _new_case(row: _Row, number: str, user: User) -> Case:
    level = row.unit.level
    return Case(
        number=number, category=row.category, area=row.village, grid=row.grid, title=row.title, description=row.description,
        channel=row.channel, urgency=Urgency.NORMAL, fields={}, source_ref=(SOURCE_PREFIX + row.ref) if row.ref else SOURCE_PREFIX.rstrip(":"),
        content_fingerprint=row.key, query_code=new_query_code(), created_by=user, created_at=row.received, updated_at=row.received,
        state=State.SUBMITTED, level=level, version=0, event_count=0, last_hash=chain.GENESIS,
        deadline=sla.deadline_for(row.category, Urgency.NORMAL, "accept", level, row.received),
    )


def _allocate(rows: list[_Row]) -> list[str]:
    years = [r.received.astimezone(SHANGHAI).year for r in rows]
    counties = [r.village.code[:6] for r in rows]
    pools = {k: iter(allocate_number(k[0], k[1], n)) for k, n in Counter(zip(years, counties)).items()}
    return [next(pools[(y, c)]) for y, c in zip(years, counties, strict=True)]


def _write(rows: list[_Row], user: User, summary: ImportSummary) -> None:
    label = f"{user.display_name}（历史导入）"
    cases, histories = [], []
    for row, number in zip(rows, _allocate(rows), strict=True):
        case = _new_case(row, number, user)
        h = _history(case, row, user, label)
        for name in workflow.SNAPSHOT_FIELDS:
            setattr(case, name, getattr(h.snapshot, name))
        case.version = case.event_count = len(h.events)
        case.last_hash, case.updated_at = h.events[-1].hash, h.events[-1].at
        case.next_due_at = due.safe_next_due_at(case)  # as do_case_action keeps it, for tick
        cases.append(case)
        histories.append(h.events)
    for start in range(0, len(cases), 1000):
        Case.objects.bulk_create(cases[start:start + 1000])
    ids = dict(Case.objects.filter(number__in=[c.number for c in cases]).values_list("number", "id"))
    events = []
    for case, evs in zip(cases, histories, strict=True):
        case.pk = ids[case.number]
        for e in evs:
            e.case_id = case.pk
            events.append(e)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    # Who reads the cases (scope table), as the event writer records it: their own keys and every unit an event names.
    record_cases_scope(cases, {(e.case_id, e.unit_id) for evs in histories for e in evs if e.unit_id is not None})
    summary.numbers = [c.number for c in cases]
    cases_imported.send(sender=Case, cases=cases)


def _serialise_imports() -> None:
    """One import at a time: two concurrent imports of one file must not both find its rows new.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write as the transaction's first
    statement (the number sequence of year 0, which no case uses) takes the database's one write
    lock, so a second import checks its rows only after the first has committed.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('jiceng.cases.importer'))")
    else:
        allocate_number(0, "import", 1)


def do_import_cases(user: User, rows: list[tuple[int, dict[str, Any]]], *, dry_run: bool = False, now: datetime | None = None) -> ImportSummary:
    """Import historical cases (rows as read by :func:`read_cases_file`) in one transaction.

    ImportRejected (nothing written) lists every bad row; ``dry_run`` checks and counts without writing.
    """
    require(user, Capability.DISPATCH)
    now = now or timezone.now()
    summary = ImportSummary(rows=len(rows), dry_run=dry_run)
    with transaction.atomic():
        if not dry_run:
            _serialise_imports()
        fresh, summary.skipped = check_rows(user, rows, now)
        summary.created = len(fresh)
        summary.by_state.update(r.state for r in fresh)
        summary.by_village.update(r.village.name for r in fresh)
        if fresh and not dry_run:
            _write(fresh, user, summary)
    return summary


def template_rows() -> list[list[str]]:
    """The header and two example rows of the template (also docs/samples/历史工单样例.csv)."""
    return [
        [LABELS[f] for f in COLUMNS],
        ["12345-2024-000187", "村道路灯不亮", "村口三盏路灯坏了一周，晚上出行不便", "道路交通", "431102101201", "",
         "热线", "2024-03-05 09:12", "2024-03-08 16:30", "村委会", "满意", "已销号"],
        ["", "邻里排水纠纷", "两户因排水沟堵塞发生争执", "邻里纠纷", "431102101201", "", "来访", "2024-05-11", "2024-05-20",
         "司法所", "", "已销号"],
    ]

