"""Frequent callers: reporters with more than N cases in a period, within the viewer's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max
from django.utils import timezone

from jiceng.accounts.capabilities import Capability, can
from jiceng.accounts.models import User
from jiceng.cases.access import log_personal_data_access, needs_personal_data, visible_cases
from jiceng.cases.models import Case
from jiceng.people.masking import mask_id_number, mask_name, mask_phone

from .config import section

# Who may open the frequent-caller list at all (residents and integrations may not).
MAX_CASES_SHOWN = 50


@dataclass
class Caller:
    """One reporter identified by phone or ID number, with their cases in the period (newest first)."""

    kind: str  # "phone" or "id_number"
    value: str  # as shown: masked unless revealed
    name: str  # the latest name given, masked unless revealed
    count: int
    last_at: datetime
    masked: bool
    can_reveal: bool
    cases: list[Case] = field(default_factory=list)


def is_staff(user: User) -> bool:
    """May see the frequent-caller list (the role → capability table decides)."""
    return can(user, Capability.FREQUENT_CALLERS)


def frequent_callers(
    user: User,
    *,
    min_cases: int | None = None,
    period_days: int | None = None,
    now: datetime | None = None,
    reveal: bool = False,
    limit: int = 200,
) -> list[Caller]:
    """Reporters with more than ``min_cases`` cases submitted in the last ``period_days``.

    Counts only cases visible to ``user`` (so a township sees its own callers).
    Grouped by phone number and, separately, by ID number; most cases first.
    Personal data is masked unless ``reveal`` is asked and the viewer needs it
    for the caller's latest case (same rule as the case page), in which case
    the access is logged against that case.
    """
    cfg = section("callers")
    min_cases = int(cfg.get("min_cases", 5) if min_cases is None else min_cases)
    period_days = int(cfg.get("period_days", 90) if period_days is None else period_days)
    now = now or timezone.now()
    if not is_staff(user):
        return []
    scoped = visible_cases(user).filter(created_at__gte=now - timedelta(days=period_days), created_at__lte=now, anonymous=False)
    out: list[Caller] = []
    # Grouped by the keyed hash (jiceng.sealed blind index): the columns themselves are ciphertext.
    for kind, column, index in (("phone", "reporter_phone", "reporter_phone_index"), ("id_number", "reporter_id_number", "reporter_id_index")):
        groups = (
            scoped.exclude(**{index: ""}).values(index).annotate(n=Count("id"), last=Max("created_at"))
            .filter(n__gt=min_cases).order_by("-n", "-last")[:limit]
        )
        for g in groups:
            cases = list(scoped.filter(**{index: g[index]}).select_related("category", "area").order_by("-created_at")[:MAX_CASES_SHOWN])
            latest = cases[0]
            allowed = needs_personal_data(user, latest)
            show = reveal and allowed
            if show:
                log_personal_data_access(user, latest, purpose="frequent-callers")
            raw = getattr(latest, column)  # decrypted from the latest case
            masker = mask_phone if kind == "phone" else mask_id_number
            out.append(Caller(
                kind=kind, value=raw if show else masker(raw), name=latest.reporter_name if show else mask_name(latest.reporter_name),
                count=g["n"], last_at=g["last"], masked=not show, can_reveal=allowed and not show, cases=cases,
            ))
    out.sort(key=lambda c: (-c.count, -c.last_at.timestamp()))
    return out[:limit]
