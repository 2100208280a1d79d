"""Per-case lookup keys (CaseKey): built when a case is created, rebuilt on demand."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from jiceng.cases.models import Case

from .models import CaseKey
from .text import normalise_address, tokens

MAX_TOKENS = 60  # enough to compare matters; keeps the row small


def digest(value: str) -> str:
    """A stable 128-bit digest of a phone number or ID number ('' stays '')."""
    value = "".join(value.split()).upper()
    return hashlib.sha256(value.encode()).hexdigest()[:32] if value else ""


def normalise_phone(phone: str) -> str:
    """Digits only, without a leading +86/0086 country code."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix):]
    return digits


def text_tokens(title: str, description: str) -> list[str]:
    """Distinct tokens of a case's title and description, first occurrence first."""
    seen: dict[str, None] = {}
    for tok in tokens(f"{title}\n{description}"):
        seen.setdefault(tok, None)
    return list(seen)[:MAX_TOKENS]


def key_for(case: Case) -> CaseKey:
    return CaseKey(
        case_id=case.pk, area_id=case.area_id, created_at=case.created_at, category_id=case.category_id,
        phone_hash=digest(normalise_phone(case.reporter_phone)), id_hash=digest(case.reporter_id_number),
        address_key=normalise_address(case.address)[:200], tokens=" ".join(text_tokens(case.title, case.description)),
    )


def index_cases(cases: Iterable[Case]) -> int:
    """Write (or overwrite) the keys of ``cases``. Returns how many were written."""
    rows = [key_for(c) for c in cases]
    if rows:
        CaseKey.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["case"],
            update_fields=["area_id", "created_at", "category_id", "phone_hash", "id_hash", "address_key", "tokens"],
        )
    return len(rows)


def index_missing(batch: int = 2000) -> int:
    """Index every case that has no keys yet (after an upgrade or a bulk import)."""
    done = 0
    last = CaseKey.objects.order_by("-case_id").values_list("case_id", flat=True).first() or 0
    fields = ("id", "area_id", "created_at", "category_id", "reporter_phone", "reporter_id_number", "address", "title", "description")
    # Cases are appended in id order, so normally only ids above the highest key are missing;
    # a full pass over lower ids catches gaps cheaply through the primary key.
    for start_after in (last, 0):
        cursor = start_after
        while True:
            page = list(Case.objects.filter(pk__gt=cursor).exclude(triage_key__isnull=False).order_by("pk").only(*fields)[:batch])
            if not page:
                break
            done += index_cases(page)
            cursor = page[-1].pk
    return done
