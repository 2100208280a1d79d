"""The inbox (one Notification per person and event) and the outbox (a Delivery per channel, with every attempt)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.sealed import SealedCharField


class Kind(models.TextChoices):
    """What happened to a case, as its recipients are told."""

    ARRIVED = "arrived", pgettext_lazy("notifications", "New in your queue")  # 新工单待处理: a new case in my village, dispatched or escalated to my unit
    DUE_SOON = "due_soon", pgettext_lazy("notifications", "Due soon")  # 临期
    OVERDUE = "overdue", pgettext_lazy("notifications", "Overdue")  # 超期
    SUPERVISED = "supervised", pgettext_lazy("notifications", "Supervised")  # 督办
    RETURNED = "returned", pgettext_lazy("notifications", "Returned")  # 退回
    RESOLVED = "resolved", pgettext_lazy("notifications", "Resolved, please rate")  # 已办结，请评价
    REOPENED = "reopened", pgettext_lazy("notifications", "Reopened")  # 重办


class Channel(models.TextChoices):
    SMS = "sms", pgettext_lazy("notifications", "SMS")
    WECHAT = "wechat", pgettext_lazy("notifications", "WeChat template message")
    EMAIL = "email", pgettext_lazy("notifications", "E-mail")


class Notification(models.Model):
    """One message in one person's inbox, about one event of one case."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    # The event that caused it: with recipient and kind it is unique, so an event announced twice notifies once.
    event = models.ForeignKey("cases.CaseEvent", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "event", "kind"], name="notification_once_per_event")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.title}"


class Delivery(models.Model):
    """A message on its way over one channel (SMS, WeChat, e-mail): the outbox row the worker sends and retries."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("notifications", "Waiting to be sent")
        SENDING = "sending", pgettext_lazy("notifications", "Being sent")
        SENT = "sent", pgettext_lazy("notifications", "Sent")
        FAILED = "failed", pgettext_lazy("notifications", "Failed")

    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(pgettext_lazy("notifications", "channel"), max_length=8, choices=Channel.choices)
    # A phone number, WeChat openid or e-mail address: personal data, encrypted at rest like the reporters' phones.
    address = SealedCharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=120)
    text = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)  # when a worker took it (state sending)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due")]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} {self.state}"


class DeliveryAttempt(models.Model):
    """One try to hand a delivery to its gateway, kept whatever the outcome."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    ok = models.BooleanField(_("succeeded"))
    detail = models.TextField(_("detail"), blank=True)  # the gateway's answer or the error, shortened
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_once")]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number} {'ok' if self.ok else 'failed'}"


class Contact(models.Model):
    """Where a person takes messages outside the site, beside the phone and e-mail of their account.

    A row for a channel overrides the account's phone or e-mail (or, inactive,
    turns the channel off for that person); WeChat needs a row with the openid
    the official account knows them by.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_contacts", verbose_name=_("user"))
    channel = models.CharField(pgettext_lazy("notifications", "channel"), max_length=8, choices=Channel.choices)
    address = SealedCharField(_("address"), max_length=254, blank=True)
    active = models.BooleanField(_("receive messages"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="notify_contact_once")]
        verbose_name = _("notification contact")
        verbose_name_plural = _("notification contacts")

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel}"
