"""Integration API keys: one per hotline, camera platform or partner system."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "jc_"


def hash_key(raw: str) -> str:
    """Keys are stored only as SHA-256: a stolen database reveals no usable key."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class ApiKey(models.Model):
    """A revocable token that acts as its own integration user.

    The user carries the role and the area scope, so a key sees and does what
    that user may: the scoped query layer needs no special case for keys.
    """

    name = models.CharField(_("name"), max_length=64, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key", verbose_name=_("acts as"))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("key starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.user.is_active
