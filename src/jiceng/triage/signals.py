"""Keep the lookup keys current: a new case is indexed in the transaction that creates it."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from jiceng.cases.importer import cases_imported
from jiceng.cases.models import Case, Category
from jiceng.cases.tick import ticked
from jiceng.sealed import keys_rotated


@receiver(post_save, sender=Case, dispatch_uid="triage-index-new-case")
def index_new_case(sender, instance: Case, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from .keys import index_cases

        index_cases([instance], with_embedding=True)  # a few milliseconds: the sentence embedding for repeat detection


@receiver(cases_imported, dispatch_uid="triage-index-imported-cases")
def index_imported_cases(sender, cases: list[Case], **kwargs) -> None:
    """Historical cases are written in bulk (no post_save): their keys in bulk too, embeddings later (triage-index)."""
    from .keys import index_cases

    index_cases(cases)


@receiver([post_save, post_delete], sender=Category, dispatch_uid="triage-forget-categories")
def forget_categories(sender, **kwargs) -> None:
    """The routing suggestion's cached category vocabulary is read again after a change."""
    from .coldstart import forget_categories

    forget_categories()


@receiver(ticked)
def record_pending_alerts(sender, now, **kwargs) -> str | None:
    """Each tick: series with alerts not yet in their case's chain for a whole interval get their alert_repeat event."""
    from .alerts import flush_pending_alerts

    done = flush_pending_alerts(now)
    return f"告警计数入链 {done} 个序列" if done else None


@receiver(keys_rotated, dispatch_uid="triage-refresh-person-keys")
def refresh_person_keys_after_rotation(sender, key_id: str, **kwargs) -> None:
    """CaseKey copies the cases' blind indexes: after a key rotation it copies the new ones."""
    from .keys import refresh_person_keys

    refresh_person_keys()
