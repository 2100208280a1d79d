"""Per-case lookup keys (CaseKey): built when a case is created, rebuilt on demand."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from jiceng.cases.models import Case
from jiceng.sealed import blind_index

from .models import CaseKey
from .text import normalise_address, tokens

MAX_TOKENS = 60  # enough to compare matters; keeps the row small



def phone_key(phone: str) -> str:
    """The keyed hash (jiceng.sealed blind index) of a phone number: equal for spellings of one number."""
    return blind_index(phone or "", "phone")


def id_number_key(id_number: str) -> str:
    """The keyed hash of an ID number ('' stays ''); without the field key it says nothing of the number."""
    return blind_index(id_number or "", "id_number")


def refresh_person_keys() -> int:
    """Copy every case's current blind indexes into its CaseKey (after ``jiceng rotate-keys``)."""
    of_case = Case.objects.filter(pk=OuterRef("case_id"))
    return CaseKey.objects.update(
        phone_hash=Coalesce(Subquery(of_case.values("reporter_phone_index")[:1]), Value("")),
        id_hash=Coalesce(Subquery(of_case.values("reporter_id_index")[:1]), Value("")),
    )


def text_tokens(title: str, description: str) -> list[str]:
    """Distinct tokens of a case's title and description, first occurrence first."""
    seen: dict[str, None] = {}
    for tok in tokens(f"{title}\n{description}"):
        seen.setdefault(tok, None)
    return list(seen)[:MAX_TOKENS]


def embedding_text(title: str, description: str) -> str:
    """What the sentence embedding of a case is taken of: its text with the lexicon's standard terms added."""
    from .coldstart import expand

    return expand(f"{title}\n{description}")[:1000]


def embeddings_for(cases: Iterable[Case]) -> list[bytes]:
    from . import semantic

    vectors = semantic.embed([embedding_text(c.title, c.description) for c in cases])
    return [semantic.to_bytes(v) for v in vectors]


def key_for(case: Case, *, with_embedding: bool = False) -> CaseKey:
    """The keys of one case; its embedding only when asked (3 ms; bulk imports fill it lazily)."""
    return CaseKey(
        case_id=case.pk, area_id=case.area_id, created_at=case.created_at, category_id=case.category_id,
        phone_hash=phone_key(case.reporter_phone), id_hash=id_number_key(case.reporter_id_number),
        address_key=normalise_address(case.address)[:200], tokens=" ".join(text_tokens(case.title, case.description)),
        embedding=embeddings_for([case])[0] if with_embedding else None,
    )


def index_cases(cases: Iterable[Case], *, with_embedding: bool = False) -> int:
    """Write (or overwrite) the keys of ``cases``. Returns how many were written.

    Without ``with_embedding`` (bulk imports, the demo generator) the embedding is
    left as it is, and computed at the case's first repeat lookup.
    """
    cases = list(cases)
    rows = [key_for(c) for c in cases]
    fields = ["area_id", "created_at", "category_id", "phone_hash", "id_hash", "address_key", "tokens"]
    if with_embedding and rows:
        for row, blob in zip(rows, embeddings_for(cases), strict=True):
            row.embedding = blob
        fields.append("embedding")
    if rows:
        CaseKey.objects.bulk_create(rows, update_conflicts=True, unique_fields=["case"], update_fields=fields)
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


def embed_missing(batch: int = 256, limit: int | None = None) -> int:
    """Compute the sentence embeddings that bulk imports and the demo generator left out (newest cases first)."""
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        keys = list(CaseKey.objects.filter(embedding__isnull=True).order_by("-case_id")[:size])
        if not keys:
            break
        cases = Case.objects.filter(pk__in=[k.case_id for k in keys]).only("title", "description").in_bulk()
        keys = [k for k in keys if k.case_id in cases]
        if not keys:
            break
        for k, blob in zip(keys, embeddings_for([cases[k.case_id] for k in keys]), strict=True):
            k.embedding = blob
        CaseKey.objects.bulk_update(keys, ["embedding"], batch_size=500)
        done += len(keys)
    return done
