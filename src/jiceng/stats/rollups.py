"""The statistics tables, kept current from the case ledger.

:func:`refresh` reads the case events (and triage's repeat links) appended
since the watermark, works out the fact row of every case they touch
(:func:`facts_for`), and recomputes the daily rollup cells those cases were
or are now counted in with one grouped query per day. Running it twice changes
nothing; :func:`check` recounts everything from the raw tables and lists any
difference.

The fact of a case is a pure function of its row, its events and its repeat
links, so a recount always agrees with a refresh that saw the same events.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from jiceng.cases import sla
from jiceng.cases.models import Case, CaseEvent, Category
from jiceng.cases.states import Action, Rating, State
from jiceng.triage.models import CaseLink, LinkKind

from .models import HOUR_COLUMNS, ROLLUP_COUNTS, CaseFact, DailyRollup, Watermark

BATCH = 2000
# Events are read again from a little before the watermark: a transaction that took an
# id earlier but committed later is still seen (the recount is idempotent).
OVERLAP_IDS = 500
# What a handling unit does that answers a supervision (督办回复).
# 自办 accepts and handles in one step: it is an acceptance like 受理.
ACCEPTANCES = frozenset({Action.ACCEPT, Action.SELF_HANDLE})
RESPONSES = ACCEPTANCES | {Action.REFUSE}
REPLY_ACTIONS = frozenset({Action.NOTE, Action.CLAIM, Action.RESOLVE, Action.REQUEST_EXTENSION, Action.ESCALATE, Action.RETURN,
                           Action.SUSPEND})
# Events that set the deadline in force (the payload's "deadline").
DEADLINE_ACTIONS = frozenset({Action.SUBMIT, Action.ACCEPT, Action.APPROVE_EXTENSION, Action.RESUME, Action.ESCALATE})
FACT_FIELDS = [f.name for f in CaseFact._meta.concrete_fields if f.name != "case"]


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def fact_of(case: dict, events: list[dict], is_repeat: bool, top_of: dict[int, int]) -> CaseFact:
    """The fact row of one case from its column values and its events in order (see docs/metrics.md)."""
    local = timezone.localtime(case["created_at"], sla.SHANGHAI)
    f = CaseFact(
        case_id=case["id"], day=local.date(), hour=local.hour, weekday=local.weekday(), area_id=case["area_id"],
        category_id=case["category_id"], top_category_id=top_of.get(case["category_id"], case["category_id"]),
        unit_id=case["unit_id"], channel=case["channel"], urgency=case["urgency"], state=case["state"],
        resolved_level=case["resolved_level"], resolved=bool(case["resolved_level"]), closed=case["state"] == State.CLOSED,
        merged=case["state"] == State.MERGED, rating=case["rating"], reopened=case["reopen_count"] > 0, repeat=is_repeat,
    )
    deadline: datetime | None = None
    supervised_at: datetime | None = None
    last_resolve: datetime | None = None
    for e in events:
        action, at = e["action"], e["at"]
        if action in RESPONSES:
            f.accepted |= action in ACCEPTANCES
            f.refused |= action == Action.REFUSE
            f.response_due = True
            f.responded_on_time = deadline is None or at <= deadline
        elif action == Action.FLAG_OVERDUE:
            f.went_overdue = True
            if e["from_state"] == State.SUBMITTED:
                f.response_due = True  # the time to accept ran out: the response is due, and late
        elif action == Action.SUPERVISE and supervised_at is None:
            f.supervised, supervised_at = True, at
        elif action == Action.RESOLVE:
            if not f.resolved_ever:
                f.resolved_on_time = deadline is None or at <= deadline
            f.resolved_ever, last_resolve = True, at
        if supervised_at is not None and action in REPLY_ACTIONS and e["actor_id"] is not None and at >= supervised_at:
            f.supervise_replied = True
        if action in DEADLINE_ACTIONS and e["deadline"]:
            deadline = _dt(e["deadline"])
    if f.resolved and last_resolve is not None:
        f.handling_seconds = max(0, sla.working_seconds_between(case["created_at"], last_resolve))
    return f


def top_categories() -> dict[int, int]:
    """Each category's top-level category (the family: 安全隐患, 信访 …)."""
    rows = list(Category.objects.values_list("pk", "parent_id"))
    parent = dict(rows)

    def top(pk: int) -> int:
        seen = 0
        while parent.get(pk) and seen < 10:
            pk, seen = parent[pk], seen + 1
        return pk

    return {pk: top(pk) for pk, _p in rows}


CASE_COLUMNS = ("id", "created_at", "area_id", "category_id", "unit_id", "channel", "urgency", "state", "resolved_level",
                "rating", "reopen_count")


EVENT_COLUMNS = ("case_id", "action", "from_state", "at", "actor_id")


def _facts(case_q: Q, event_q: Q, link_q: Q, top_of: dict[int, int]) -> list[CaseFact]:
    """The fact rows of the cases matching ``case_q`` (events and links narrowed alike): three queries.

    Only the payload's deadline is read (``->>`` in SQL), not the whole JSON of every event.
    """
    cases = list(Case.objects.filter(case_q).order_by().values(*CASE_COLUMNS))
    events: dict[int, list[dict]] = defaultdict(list)
    for e in (CaseEvent.objects.filter(event_q).order_by("case_id", "seq")
              .values(*EVENT_COLUMNS, deadline=KeyTextTransform("deadline", "payload"))):
        events[e["case_id"]].append(e)
    repeats = set(CaseLink.objects.filter(link_q, kind=LinkKind.REPEAT).values_list("case_id", flat=True))
    return [fact_of(c, events[c["id"]], c["id"] in repeats, top_of) for c in cases]


def facts_for(case_ids: Iterable[int], top_of: dict[int, int] | None = None) -> list[CaseFact]:
    """The fact rows of these cases, from their rows, events and repeat links (three queries per batch)."""
    ids = list(case_ids)
    top_of = top_of if top_of is not None else top_categories()
    return _facts(Q(pk__in=ids), Q(case_id__in=ids), Q(case_id__in=ids), top_of)


def facts_between(lo: int, hi: int, top_of: dict[int, int]) -> list[CaseFact]:
    """The fact rows of the cases with ``lo <= id < hi``: primary-key and (case, seq) index ranges, no id lists."""
    return _facts(Q(pk__gte=lo, pk__lt=hi), Q(case_id__gte=lo, case_id__lt=hi), Q(case_id__gte=lo, case_id__lt=hi), top_of)


# --- the rollup ------------------------------------------------------------------

def _rollup_aggregates() -> dict:
    """Each rollup column as an aggregate over fact rows."""
    flag = lambda **kw: Count("pk", filter=Q(**kw))  # noqa: E731 - a one-line helper reads best here
    return {
        "intake": Count("pk"), "accepted": flag(accepted=True), "refused": flag(refused=True), "merged": flag(merged=True),
        "response_due": flag(response_due=True), "responded_on_time": flag(responded_on_time=True),
        "resolved": flag(resolved=True), "resolved_ever": flag(resolved_ever=True), "resolved_on_time": flag(resolved_on_time=True),
        "resolved_village": flag(resolved_level="village"), "resolved_township": flag(resolved_level="township"),
        "resolved_county": flag(resolved_level="county"), "handling_seconds": Sum("handling_seconds", default=0),
        "closed": flag(closed=True), "rated": Count("pk", filter=~Q(rating="")), "satisfied": flag(rating=Rating.SATISFIED),
        "basic": flag(rating=Rating.BASIC), "unsatisfied": flag(rating=Rating.UNSATISFIED), "reopened": flag(reopened=True),
        "repeats": flag(repeat=True), "went_overdue": flag(went_overdue=True), "supervised": flag(supervised=True),
        "supervise_replied": flag(supervise_replied=True),
        **{name: flag(hour=h) for h, name in enumerate(HOUR_COLUMNS)},
    }


ROLLUP_KEY = ("day", "area_id", "category_id", "top_category_id", "unit_id")


def grouped_rollup(facts_qs) -> list[DailyRollup]:
    """Rollup rows for a set of fact rows: one grouped query (read into Python; the recount's check uses it)."""
    rows = facts_qs.order_by().values(*ROLLUP_KEY).annotate(**_rollup_aggregates())
    return [DailyRollup(**row) for row in rows]


def insert_grouped(facts_qs) -> int:
    """Write the rollup rows of a set of fact rows in one ``INSERT … SELECT … GROUP BY``; returns rows written.

    The grouped SELECT is the one :func:`grouped_rollup` runs, so the two cannot
    disagree; the rows never pass through Python.
    """
    aggregates = _rollup_aggregates()
    grouped = facts_qs.order_by().values(*ROLLUP_KEY).annotate(**aggregates)
    select_sql, params = grouped.query.sql_with_params()
    table = connection.ops.quote_name(DailyRollup._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(DailyRollup._meta.get_field(c).column) for c in (*ROLLUP_KEY, *aggregates))
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} ({columns}) {select_sql}", params)
        return cur.rowcount


def rebuild_cells(cells: dict[date, set[str]]) -> int:
    """Recompute the rollup of these (day → villages) cells from the fact rows; returns rows written."""
    written = 0
    for day, areas in sorted(cells.items()):
        for chunk in _chunks(sorted(areas), 500):
            DailyRollup.objects.filter(day=day, area_id__in=chunk).delete()
            written += insert_grouped(CaseFact.objects.filter(day=day, area_id__in=chunk))
    return written


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --- refresh ---------------------------------------------------------------------

@dataclass
class RefreshResult:
    cases: int = 0
    cells: int = 0
    rows: int = 0
    event_id: int = 0
    full: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        kind = "全量重建" if self.full else "增量刷新"
        return f"统计{kind}：{self.cases} 件工单，{self.cells} 个日×村单元，写入 {self.rows} 行汇总（事件水位 {self.event_id}，{self.seconds:.2f} 秒）"


def _touched_case_ids(mark: Watermark) -> tuple[list[int], int, int]:
    """Cases with events or repeat links since the watermark, and the new marks."""
    events = CaseEvent.objects.filter(id__gt=max(0, mark.event_id - OVERLAP_IDS))
    links = CaseLink.objects.filter(id__gt=max(0, mark.link_id - OVERLAP_IDS))
    top_event = events.aggregate(m=Max("id"))["m"] or mark.event_id
    top_link = links.aggregate(m=Max("id"))["m"] or mark.link_id
    ids = set(events.filter(id__lte=top_event).values_list("case_id", flat=True).distinct())
    ids |= set(links.filter(id__lte=top_link).values_list("case_id", flat=True))
    return sorted(ids), top_event, top_link


def _store_facts(ids: list[int], top_of: dict[int, int], cells: dict[date, set[str]]) -> int:
    """Replace the fact rows of ``ids``; note the cells they were and are in."""
    for day, area in CaseFact.objects.filter(case_id__in=ids).values_list("day", "area_id"):
        cells[day].add(area)
    facts = facts_for(ids, top_of)
    for f in facts:
        cells[f.day].add(f.area_id)
    CaseFact.objects.filter(case_id__in=ids).delete()
    CaseFact.objects.bulk_create(facts, batch_size=1000)
    return len(facts)


def refresh(*, full: bool = False, now: datetime | None = None) -> RefreshResult:
    """Bring facts and rollup up to date with the ledger; ``full`` rebuilds both from scratch.

    One transaction: readers see the old figures or the new ones, never half;
    the watermark row is locked so two refreshes run one after the other.
    """
    started = time.monotonic()
    result = RefreshResult(full=full)
    with transaction.atomic():
        mark, _created = Watermark.objects.select_for_update().get_or_create(id=1)
        top_of = top_categories()
        if full:
            top_event = CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0
            top_link = CaseLink.objects.aggregate(m=Max("id"))["m"] or 0
            result.cases, result.cells = _rebuild_facts(top_of)
            result.rows = insert_grouped(CaseFact.objects.all())
            _analyze(CaseFact, DailyRollup)
        else:
            ids, top_event, top_link = _touched_case_ids(mark)
            cells: dict[date, set[str]] = defaultdict(set)
            for chunk in _chunks(ids, BATCH):
                result.cases += _store_facts(chunk, top_of, cells)
            result.rows = rebuild_cells(cells)
            result.cells = sum(len(a) for a in cells.values())
        mark.event_id, mark.link_id, mark.refreshed_at = top_event, top_link, now or timezone.now()
        mark.save()
        result.event_id = top_event
    result.seconds = time.monotonic() - started
    return result


FULL_BATCH = 20_000  # cases per primary-key range of the rebuild from nothing


def _rebuild_facts(top_of: dict[int, int]) -> tuple[int, int]:
    """Empty both tables and write every case's fact in primary-key ranges (COPY on PostgreSQL); cases and cells."""
    _empty(DailyRollup)
    _empty(CaseFact)
    bounds = Case.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    cases = 0
    if bounds["lo"] is None:
        return 0, 0
    for lo in range(bounds["lo"], bounds["hi"] + 1, FULL_BATCH):
        facts = facts_between(lo, lo + FULL_BATCH, top_of)
        _write_facts(facts)
        cases += len(facts)
    cells = CaseFact.objects.order_by().values("day", "area_id").distinct().count()
    return cases, cells


def _empty(model) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.execute(f"DELETE FROM {table}")
            return
        # Deferred foreign-key checks of rows written earlier in this transaction must run before a TRUNCATE.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(f"TRUNCATE {table}")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")


def _analyze(*models) -> None:
    """Fresh planner statistics after a rebuild (PostgreSQL's ANALYZE may run inside the transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models))


def _write_facts(facts: list[CaseFact]) -> None:
    """Insert fact rows: PostgreSQL's COPY, elsewhere multi-row inserts in large batches."""
    if connection.vendor != "postgresql":
        CaseFact.objects.bulk_create(facts, batch_size=5000)
        return
    columns = [f.column for f in CaseFact._meta.concrete_fields]
    attnames = [f.attname for f in CaseFact._meta.concrete_fields]
    table = connection.ops.quote_name(CaseFact._meta.db_table)
    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for f in facts:
            copy.write_row([getattr(f, a) for a in attnames])


# --- check -----------------------------------------------------------------------

@dataclass
class CheckResult:
    cases: int = 0
    rows: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _rollup_key(r: DailyRollup | dict) -> tuple:
    get = r.get if isinstance(r, dict) else lambda k: getattr(r, k)
    return (get("day"), get("area_id"), get("category_id"), get("unit_id"))


def check(limit: int = 50) -> CheckResult:
    """Recount every fact from the raw tables and the rollup from the recount; list what differs."""
    result = CheckResult()
    top_of = top_categories()
    stored = {f["case_id"]: f for f in CaseFact.objects.values("case_id", *FACT_FIELDS)}
    recount_by_cell: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids, BATCH):
        for f in facts_for(chunk, top_of):
            result.cases += 1
            _count_into(recount_by_cell[(f.day, f.area_id, f.category_id, f.unit_id)], f)
            have = stored.pop(f.case_id, None)
            fresh = {name: getattr(f, name) for name in FACT_FIELDS}
            if have is None:
                _note(result, limit, f"工单 {f.case_id} 缺少统计事实行")
            elif (diff := [n for n in FACT_FIELDS if have[n] != fresh[n]]):
                _note(result, limit, f"工单 {f.case_id} 的统计事实与重算不符：{', '.join(diff)}")
    for case_id in stored:
        _note(result, limit, f"统计事实行 {case_id} 没有对应的工单")
    compared = (*ROLLUP_COUNTS, "handling_seconds", *HOUR_COLUMNS)
    rollup = {_rollup_key(r): r for r in DailyRollup.objects.values("day", "area_id", "category_id", "unit_id", *compared)}
    result.rows = len(rollup)
    for key, counts in recount_by_cell.items():
        row = rollup.pop(key, None)
        if row is None:
            _note(result, limit, f"汇总缺少单元 {key[0]} {key[1]} 类别{key[2]}")
            continue
        diff = [c for c in compared if row[c] != counts.get(c, 0)]
        if diff:
            _note(result, limit, f"汇总单元 {key[0]} {key[1]} 类别{key[2]} 与重算不符：{', '.join(diff)}")
    for key in rollup:
        _note(result, limit, f"汇总单元 {key[0]} {key[1]} 类别{key[2]} 在重算中不存在")
    return result


def _note(result: CheckResult, limit: int, line: str) -> None:
    if len(result.differences) < limit:
        result.differences.append(line)
    elif len(result.differences) == limit:
        result.differences.append("……（其余差异从略）")


def _count_into(c: dict[str, int], f: CaseFact) -> None:
    """Add one fact to a rollup cell counted in Python: the recount's independent path."""
    c["intake"] += 1
    c[HOUR_COLUMNS[f.hour]] += 1
    for name in ("accepted", "refused", "merged", "response_due", "responded_on_time", "resolved", "resolved_ever",
                 "resolved_on_time", "closed", "reopened", "went_overdue", "supervised", "supervise_replied"):
        c[name] += int(getattr(f, name))
    c["repeats"] += int(f.repeat)
    if f.resolved_level:
        c[f"resolved_{f.resolved_level}"] += 1
    c["handling_seconds"] += f.handling_seconds or 0
    if f.rating:
        c["rated"] += 1
        c[{"satisfied": "satisfied", "basic": "basic", "unsatisfied": "unsatisfied"}[f.rating]] += 1
