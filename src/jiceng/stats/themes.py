"""Recurring themes (每月一题, 未诉先办): problems that keep coming back to the same village, and the leaders' follow-up.

A theme is a category in a village whose cases of the month share a word:
the words are triage's lookup tokens (``triage.CaseKey.tokens``, jieba words
of title and description). Themes are ranked by the number of cases and their
growth over the month before. A leader may adopt a theme as a tracked item
(:func:`do_adopt_theme`) and then sees, month by month, whether new cases of
the theme fall (:func:`follow_up`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, can
from jiceng.accounts.models import User
from jiceng.areas.models import Area, AreaLevel
from jiceng.cases import access as case_access
from jiceng.cases.errors import InvalidInput, NotPermitted
from jiceng.cases.models import Case, Category
from jiceng.cases.sla import SHANGHAI
from jiceng.triage.models import CaseKey

from .access import Scope
from .models import DailyRollup, Theme
from .periods import Period, month_of

MIN_CASES = 3  # a theme needs at least this many cases in the month
MAX_GROUPS = 40  # (village, category) groups examined per month, the busiest first
# Words too general to name a problem.
STOP = frozenset("问题 情况 反映 群众 村民 居民 我们 他们 一个 没有 希望 要求 处理 解决 已经 现在 时候 这个 那个 还是 请求 进行 相关 影响 部门 工作 村里 小区 附近".split())


@dataclass
class RecurringTheme:
    area_code: str
    area_name: str
    category_id: int
    category_name: str
    category_code: str
    keyword: str
    count: int
    previous: int
    case_ids: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)

    @property
    def growth(self) -> float | None:
        return round((self.count - self.previous) / self.previous, 4) if self.previous else None

    @property
    def title(self) -> str:
        return f"{self.area_name}{self.category_name}“{self.keyword}”" if self.keyword else f"{self.area_name}{self.category_name}"


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=SHANGHAI)


def _keyword(token_lists: list[set[str]]) -> tuple[str, int]:
    """The word shared by most cases of a group (at least two characters, not a stop word)."""
    counts = Counter(t for tokens in token_lists for t in tokens if len(t) >= 2 and t not in STOP and not t.isdigit())
    if not counts:
        return "", 0
    word, n = max(counts.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))
    return word, n


def recurring(scope: Scope, period: Period, min_cases: int = MIN_CASES) -> list[RecurringTheme]:
    """The recurring themes of ``period`` in ``scope``, most cases first, then fastest growing."""
    cells = DailyRollup.objects.filter(scope.q(), day__gte=period.start, day__lt=period.end)  # the facts' counts, summed
    groups = list(cells.order_by().values("area_id", "category_id").annotate(n=Sum("intake")).filter(n__gte=min_cases)
                  .order_by("-n")[:MAX_GROUPS])
    if not groups:
        return []
    prev = period.previous()
    areas = dict(Area.objects.filter(code__in={g["area_id"] for g in groups}).values_list("code", "name"))
    cats = {c.pk: c for c in Category.objects.filter(pk__in={g["category_id"] for g in groups})}
    now_tokens, before_tokens = _tokens(groups, period), _tokens(groups, prev)
    out = []
    for g in groups:
        here = now_tokens.get((g["area_id"], g["category_id"]), {})
        word, n = _keyword(list(here.values()))
        ids = [cid for cid, tokens in here.items() if word in tokens] if n >= min_cases else list(here)
        word = word if n >= min_cases else ""
        before = before_tokens.get((g["area_id"], g["category_id"]), {})
        previous = sum(1 for tokens in before.values() if not word or word in tokens)
        cat = cats[g["category_id"]]
        out.append(RecurringTheme(g["area_id"], areas.get(g["area_id"], g["area_id"]), cat.pk, cat.name, cat.code, word,
                                  len(ids), previous, ids))
    numbers = dict(Case.objects.filter(pk__in=[i for t in out for i in t.case_ids]).values_list("pk", "number"))
    for t in out:
        t.numbers = [numbers[i] for i in t.case_ids if i in numbers]
    return sorted(out, key=lambda t: (-t.count, -(t.growth if t.growth is not None else t.count), t.area_code))


def _tokens(groups: list[dict], period: Period) -> dict[tuple[str, int], dict[int, set[str]]]:
    """(village, category) → case id → its lookup tokens in ``period``, for every group in one query."""
    wanted = {(g["area_id"], g["category_id"]) for g in groups}
    keys = CaseKey.objects.filter(area_id__in={a for a, _c in wanted}, category_id__in={c for _a, c in wanted},
                                  created_at__gte=_midnight(period.start), created_at__lt=_midnight(period.end))
    out: dict[tuple[str, int], dict[int, set[str]]] = {}
    for area_id, category_id, case_id, tokens in keys.values_list("area_id", "category_id", "case_id", "tokens"):
        if (area_id, category_id) in wanted:
            out.setdefault((area_id, category_id), {})[case_id] = set((tokens or "").split())
    return out


# --- adopting and following a theme -------------------------------------------------

def may_adopt(user: User) -> bool:
    return can(user, Capability.LEAD)


def do_adopt_theme(user: User, scope: Scope, *, area_code: str, category_code: str, keyword: str, title: str,
                   owner_username: str, due: str, measures: str, case_numbers: list[str], now: datetime | None = None) -> Theme:
    """Adopt a recurring theme as a tracked item: owner, due date, measures and the cases it links. All or nothing."""
    if not may_adopt(user):
        raise NotPermitted(_("Only leaders adopt recurring themes."))
    now = now or timezone.now()
    errors = []
    area = Area.objects.filter(code=area_code, level=AreaLevel.VILLAGE).first()
    if area is None or (scope.area_prefix and not area.code.startswith(scope.area_prefix)) or not case_access.in_area_scope(user, area_code):
        raise NotPermitted(_("The village %(code)s lies outside your scope") % {"code": area_code[:12]}, field="area")
    category = Category.objects.filter(code=category_code).first()
    if category is None:
        raise InvalidInput(_("Unknown category “%(code)s”") % {"code": category_code[:40]}, field="category")
    owner = User.objects.filter(username=owner_username.strip(), is_active=True).first()
    if owner is None:
        errors.append((_("Owner"), "owner", _("no active user has this user name")))
    try:
        due_date = date.fromisoformat(due.strip())
        if due_date < timezone.localdate(now):
            errors.append((_("Due date"), "due", _("must not lie in the past")))
    except ValueError:
        errors.append((_("Due date"), "due", _("must be a date such as 2026-12-31")))
    measures, title = measures.strip(), (title.strip() or f"{area.name}{category.name}{keyword}")[:120]
    if not measures:
        errors.append((_("Measures"), "measures", _("are required")))
    if errors:
        fld = errors[0][1]
        raise InvalidInput("；".join(f"{lb}：{w}" for lb, _f, w in errors), field=fld)
    cases = list(case_access.visible_cases(user).filter(number__in=[n.strip() for n in case_numbers if n.strip()]))
    with transaction.atomic():
        theme = Theme.objects.create(area=area, category=category, keyword=keyword.strip()[:40], title=title, owner=owner,
                                     due=due_date, measures=measures[:4000], adopted_by=user, adopted_at=now)
        theme.cases.set(cases)
    return theme


def themes_for(user: User, scope: Scope):
    return Theme.objects.filter(_theme_q(scope)).select_related("area", "category", "owner")


def _theme_q(scope: Scope):
    from django.db.models import Q

    from jiceng.areas.models import subtree_q

    return subtree_q("area_id", scope.area_prefix) if scope.area_prefix else Q()


def access_theme(user: User, scope: Scope, pk: int) -> Theme:
    theme = themes_for(user, scope).filter(pk=pk).first()
    if theme is None:
        from jiceng.cases.errors import NotFound

        raise NotFound(_("No such theme in your scope"), field="theme")
    return theme


@dataclass
class FollowUp:
    months: list[dict]
    before_avg: float | None
    after_avg: float | None

    @property
    def falling(self) -> bool | None:
        if self.before_avg is None or self.after_avg is None:
            return None
        return self.after_avg < self.before_avg


def follow_up(theme: Theme, now: datetime | None = None, months: int = 6) -> FollowUp:
    """New cases of the theme per month, six months before adoption to now; averages before and after."""
    now = now or timezone.now()
    adopted = month_of(timezone.localtime(theme.adopted_at, SHANGHAI).date())
    first = adopted
    for _i in range(months):
        first = first.previous()
    end = month_of(timezone.localtime(now, SHANGHAI).date()).end
    cases = Case.objects.filter(area_id=theme.area_id, category=theme.category, created_at__gte=_midnight(first.start),
                                created_at__lt=_midnight(end))
    if theme.keyword:
        cases = cases.filter(triage_key__tokens__contains=theme.keyword)
    counts = {(m.date() if isinstance(m, datetime) else m): n for m, n in
              cases.annotate(m=TruncMonth("created_at", tzinfo=SHANGHAI)).order_by().values_list("m").annotate(n=Count("pk"))}
    rows, p = [], first
    while p.start < end:
        rows.append({"label": p.key, "count": counts.get(p.start, 0), "after": p.start >= adopted.start})
        p = month_of(p.end)
    before = [r["count"] for r in rows if not r["after"]]
    after = [r["count"] for r in rows if r["after"] and r["label"] != adopted.key]
    avg = lambda xs: round(sum(xs) / len(xs), 2) if xs else None  # noqa: E731
    return FollowUp(rows, avg(before), avg(after))
