"""Triage tables: per-case lookup keys, repeat links, alert debounce streams, router models."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKey(models.Model):
    """Derived lookup keys of one case, so repeat detection never scans cases.

    A rebuildable index (``jiceng triage-index``), not a record: the reference
    to the case carries no database constraint so the ledger can be rebuilt
    (the demo generator bulk-inserts and deletes cases) without touching it.
    Phone and ID number are stored as their keyed hashes (the cases' blind
    indexes, HMAC-SHA256 under the field key, jiceng.sealed), so this second
    table holds no personal data, and no digest one could brute-force without the key.
    """

    case = models.OneToOneField("cases.Case", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="triage_key")
    area_id = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    category_id = models.BigIntegerField(null=True)
    phone_hash = models.CharField(max_length=48, blank=True)
    id_hash = models.CharField(max_length=48, blank=True)
    address_key = models.CharField(max_length=200, blank=True)
    tokens = models.TextField(blank=True, help_text="space-separated distinct jieba tokens of title and description")
    # The sentence embedding of title + description (512 float16): filled when a case is
    # submitted, or at its first repeat lookup for cases bulk-inserted without it.
    embedding = models.BinaryField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["phone_hash", "created_at"], name="triage_key_phone"),
            models.Index(fields=["id_hash", "created_at"], name="triage_key_idno"),
            models.Index(fields=["area_id", "address_key", "created_at"], name="triage_key_address"),
        ]


class LinkKind(models.TextChoices):
    REPEAT = "repeat", _("Repeat (重复件)")


class CaseLink(models.Model):
    """A case marked as a repeat of an earlier one, by whom and when."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="triage_links")
    original = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="triage_repeats")
    kind = models.CharField(max_length=12, choices=LinkKind.choices, default=LinkKind.REPEAT)
    score = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "original", "kind"], name="triage_link_unique")]
        verbose_name = _("case link")
        verbose_name_plural = _("case links")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.original_id} ({self.kind})"


class AlertCase(models.Model):
    """The alerts of one device and alert type that were folded into one case."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="alert_series")
    device_id = models.CharField(_("device"), max_length=64)
    alert_type = models.CharField(_("alert type"), max_length=64)
    count = models.PositiveIntegerField(_("alerts"), default=1)
    first_seen = models.DateTimeField(_("first alert"))
    last_seen = models.DateTimeField(_("last alert"))
    # count, first_seen and last_seen are what the case's last ``alert_repeat`` event
    # recorded (verified). Alerts since then wait here, recorded by the next alert
    # after ALERT_RECORD_SECONDS or by ``tick``: bookkeeping, not shown as the record.
    pending = models.PositiveIntegerField(default=0)
    pending_first_seen = models.DateTimeField(null=True, blank=True)
    pending_last_seen = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True, help_text="server time of the last alert_repeat event")

    class Meta:
        indexes = [models.Index(fields=["device_id", "alert_type", "last_seen"], name="triage_alert_device")]

    @property
    def live_count(self) -> int:
        """Alerts received so far, recorded or not yet."""
        return self.count + self.pending

    @property
    def live_last_seen(self):
        """The latest claimed alert time, recorded or not yet (for the debounce window)."""
        return max(self.last_seen, self.pending_last_seen or self.last_seen)


class AlertStream(models.Model):
    """The current series of a device and alert type.

    Unique per (device, alert type): concurrent alerts serialise on this row
    (SELECT … FOR UPDATE), and two first alerts racing to create it collide on
    the constraint, so one of them retries and joins the other's case.
    """

    device_id = models.CharField(max_length=64)
    alert_type = models.CharField(max_length=64)
    series = models.ForeignKey(AlertCase, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device_id", "alert_type"], name="triage_alert_stream_unique")]


class AlertReceipt(models.Model):
    """An alert already counted under an idempotency key (a retried delivery counts once)."""

    key = models.CharField(max_length=160, unique=True)
    series = models.ForeignKey(AlertCase, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()


class RouterModel(models.Model):
    """A routing classifier trained by ``jiceng train-router``; the newest one is used."""

    created_at = models.DateTimeField()
    blob = models.BinaryField(help_text="npz archive: vocabulary, idf, coefficients, classes")
    meta = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")


class DeviceKind(models.TextChoices):
    CAMERA = "camera", _("AI camera")
    SENSOR = "sensor", _("Sensor")


class Device(models.Model):
    """A registered camera or sensor: where it stands decides where its alerts go.

    Alerts are accepted only from registered, active devices, and only from a
    poster whose submit scope covers the device's village; alerts from unknown
    devices wait in the :class:`QueuedAlert` queue for staff.
    """

    device_id = models.CharField(_("device id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=DeviceKind.choices, default=DeviceKind.CAMERA)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("village / community"))
    site = models.CharField(_("site"), max_length=120, blank=True, help_text=_("e.g. the school gate, the reservoir dam"))
    active = models.BooleanField(_("active"), default=True)
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["device_id"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return f"{self.device_id} {self.name}"


class QueuedAlert(models.Model):
    """An alert from a device nobody has registered yet: kept, never dropped, until staff register or discard it."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the device to be registered")
        TAKEN = "taken", _("Taken in")
        DISCARDED = "discarded", _("Discarded")

    device_id = models.CharField(_("device id"), max_length=64, db_index=True)
    alert_type = models.CharField(_("alert type"), max_length=64)
    category_code = models.CharField(_("category"), max_length=64)
    area_code = models.CharField(_("claimed area"), max_length=12, blank=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    claimed_at = models.DateTimeField(_("time the device claims"))
    fields = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"))
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.CharField(max_length=160, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("alert from an unregistered device")
        verbose_name_plural = _("alerts from unregistered devices")
