"""Keep the lookup keys current: a new case is indexed in the transaction that creates it."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from jiceng.cases.models import Case


@receiver(post_save, sender=Case, dispatch_uid="triage-index-new-case")
def index_new_case(sender, instance: Case, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from .keys import index_cases

        index_cases([instance])
