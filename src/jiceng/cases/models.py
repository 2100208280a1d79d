"""Case engine models: configuration (categories, routing) and the case ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng import filestore
from jiceng.areas.models import UnitLevel
from jiceng.sealed import BlindIndexField, SealedCharField

from .states import OPEN_STATES, RUNNING_STATES, Action, Channel, Rating, State, Urgency
from .workflow import SNAPSHOT_FIELDS, Snapshot


class Category(models.Model):
    """A case type (category tree), with its limits, fields and default routing.

    Loaded from a TOML configuration file (see docs/case-configuration.md);
    categories are data, not code.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(_("description"), blank=True)
    start_level = models.CharField(_("starting tier"), max_length=12, choices=UnitLevel.choices, default=UnitLevel.VILLAGE)
    allow_anonymous = models.BooleanField(_("anonymous allowed"), default=False)
    public = models.BooleanField(
        _("public"), default=False,
        help_text=_("Cases of a public category appear on the public board and in Open311 (never people or free text)"),
    )
    accept_hours = models.PositiveIntegerField(_("hours to accept"), default=24)
    resolve_days = models.PositiveIntegerField(_("working days to resolve"), default=5)
    visit_days = models.PositiveIntegerField(_("working days to return-visit"), default=3)
    # The full limit table (per urgency and tier, hours or days) with inheritance
    # applied at load time; the three columns above are its normal-urgency base.
    sla = models.JSONField(_("time limits"), default=dict, blank=True)
    auto_escalate = models.BooleanField(_("escalate automatically when overdue"), default=False)
    escalate_after_hours = models.PositiveIntegerField(_("working hours overdue before automatic escalation"), null=True, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    routing = models.JSONField(_("default routing by tier"), default=dict, blank=True)
    # {"synonyms": [...], "phrasings": [...]}: how callers name the matter; read by triage's routing suggestion
    vocabulary = models.JSONField(_("synonyms and typical phrasings"), default=dict, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def lineage(self) -> list["Category"]:
        """This category and its ancestors, nearest first."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def field_specs(self) -> list[dict]:
        """Own fields plus inherited ones (a subcategory refines its parent)."""
        seen: dict[str, dict] = {}
        for cat in reversed(self.lineage()):
            for spec in cat.fields:
                seen[spec["name"]] = spec
        return list(seen.values())

    def routing_for(self, level: str) -> str | None:
        """The unit kind that handles this category at ``level``, inherited upward."""
        for cat in self.lineage():
            if kind := (cat.routing or {}).get(level):
                return kind
        return None


class RoutingRule(models.Model):
    """An override of the default routing: category × area (prefix) × tier → unit.

    The most specific area prefix wins; like FixMyStreet's contact per body
    and category.
    """

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    area_prefix = models.CharField(_("area code prefix"), max_length=12)
    level = models.CharField(_("tier"), max_length=12, choices=UnitLevel.choices)
    unit = models.ForeignKey("areas.Unit", on_delete=models.CASCADE, related_name="routing_rules")

    class Meta:
        unique_together = [("category", "area_prefix", "level")]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category} · {self.area_prefix} · {self.get_level_display()} → {self.unit}"


class CaseNumberSequence(models.Model):
    """Per-year, per-county counter behind human-readable case numbers."""

    year = models.PositiveSmallIntegerField()
    county_code = models.CharField(max_length=6)
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        unique_together = [("year", "county_code")]


class Case(models.Model):
    """A matter raised by a resident, grid worker, hotline or sensor (工单).

    The fields from ``state`` to ``suspended_at``, and ``fields``, are a cache
    of what the events say (see workflow.Snapshot); they change only through
    ``actions.do_case_action``. The content columns (title to created_at) are
    covered by the digest in the submit event (chain.CONTENT_COLUMNS).
    """

    number = models.CharField(_("case number"), max_length=24, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category"))
    # The area FK value *is* the 12-digit code, so subtree filters need no join.
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="cases", verbose_name=_("village / community"))
    grid = models.ForeignKey("areas.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases", verbose_name=_("grid"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.WEB)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    fields = models.JSONField(_("category fields"), default=dict, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reported_cases")
    reporter_name = models.CharField(_("reporter name"), max_length=32, blank=True)
    # Encrypted at rest (jiceng.sealed); equality lookups go through the keyed-hash columns below.
    reporter_phone = SealedCharField(_("reporter phone"), max_length=20, blank=True)
    reporter_id_number = SealedCharField(_("reporter ID number"), max_length=18, blank=True)
    reporter_phone_index = BlindIndexField(source="reporter_phone", scope="phone")
    reporter_id_index = BlindIndexField(source="reporter_id_number", scope="id_number")
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True, help_text=_("Device, hotline ticket or external id"))
    # SHA-256 of (caller, client's idempotency key): a retried submission finds its case.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True, unique=True)
    # SHA-256 of the submitted content: tells a retry from a reused key, and finds
    # retries of clients that send no key (Open311) within a window.
    content_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    # The 查询码: with the case number, lets the reporter follow the case without an account.
    query_code = models.CharField(_("query code"), max_length=12, blank=True)
    # Open311's token for a request (GET tokens/{token}); its own column, not the idempotency key.
    open311_token = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("submitted at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))

    # --- cache of the event-determined snapshot ---
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    level = models.CharField(_("tier"), max_length=12, choices=UnitLevel.choices)
    unit = models.ForeignKey("areas.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("handling unit"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    plan = models.TextField(_("agreed plan"), blank=True)
    result = models.TextField(_("result"), blank=True)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_waiver = models.TextField(_("rating waiver"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    supervise_count = models.PositiveSmallIntegerField(default=0)
    escalation_count = models.PositiveSmallIntegerField(default=0)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_cases", verbose_name=_("case owner (包案)"))
    pending_extension = models.DateTimeField(_("requested deadline"), null=True, blank=True)
    merged_into = models.CharField(_("merged into"), max_length=24, blank=True)
    resolved_level = models.CharField(_("resolved at tier"), max_length=12, choices=UnitLevel.choices, blank=True)
    suspended_at = models.DateTimeField(_("suspended since"), null=True, blank=True)
    promised_at = models.DateTimeField(_("promised completion date"), null=True, blank=True)  # 承诺办结时间
    reply_by = models.DateTimeField(_("supervision reply due"), null=True, blank=True)  # 督办回复期限

    # When `jiceng tick` next has a consequence to look at (cases/due.py); NULL: none left.
    # Kept by the domain whenever the deadline, state, tier or reply date changes, and by tick.
    next_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    # --- bookkeeping for concurrency and the hash chain ---
    version = models.PositiveIntegerField(default=0)
    event_count = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["area", "created_at"], name="case_area_created"),
            models.Index(fields=["state", "area"], name="case_state_area"),
            models.Index(fields=["unit", "state"], name="case_unit_state"),
            models.Index(fields=["category", "area"], name="case_category_area"),
            models.Index(fields=["deadline"], name="case_deadline"),
            models.Index(fields=["state", "deadline"], name="case_state_deadline"),
            # tick's scan: only cases with something still to come, in due order
            models.Index(fields=["next_due_at", "id"], name="case_next_due", condition=models.Q(next_due_at__isnull=False)),
            # the 待审批延期 work list: the few cases with an extension request, out of all
            models.Index(fields=["area", "state"], name="case_pending_extension", condition=models.Q(pending_extension__isnull=False)),
            # the dashboard's overdue list and count: only cases whose clock runs, oldest deadline first
            models.Index(fields=["deadline", "area", "unit"], name="case_running_deadline", condition=models.Q(state__in=RUNNING_STATES)),
            # the dashboard's supervised list and count: open cases under supervision only
            models.Index(fields=["area", "unit"], name="case_supervised_open",
                         condition=models.Q(supervise_count__gt=0, state__in=sorted(OPEN_STATES))),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def snapshot(self) -> Snapshot:
        """The event-determined part of this case, for the state machine."""
        return Snapshot(**{name: getattr(self, name) for name in SNAPSHOT_FIELDS})

    def snapshot_columns(self, s: Snapshot) -> dict:
        """Column values for a snapshot, for ``QuerySet.update``."""
        return {name: getattr(s, name) for name in SNAPSHOT_FIELDS}


class CaseEvent(models.Model):
    """One action on a case: append-only and hash-chained.

    ``hash`` = SHA-256 over the predecessor's hash and this event's canonical
    content (see chain.py); ``jiceng verify`` recomputes every chain.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()
    unit = models.ForeignKey("areas.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    # Version 2 of the chain: a short fingerprint per column (chain.EVENT_COLUMNS) so
    # that ``jiceng verify`` names the column that was changed; empty for version-1 events.
    marks = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]
        indexes = [models.Index(fields=["at"], name="case_event_at")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("case events are append-only")


class CaseScope(models.Model):
    """Who may read a case beyond its place, as keys the index can use (cases/scope.py).

    One row per (key, case): the case's grid (``g`` + id), the people who
    filed or reported it (``p`` + user id) and every unit ever involved
    (``u`` + id: 派单、办理、升级), with the case's village code beside the
    key. Written by the event writer in the event's transaction. Readers by
    unit, grid or person read one semi-join on the unique index (key, case);
    an area reader reads the area's code range and, through (key, area_id),
    the few cases their keys reach outside it (docs/scaling.md).
    """

    key = models.CharField(max_length=24)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")  # derived rows, not part of the record
    area_id = models.CharField(max_length=12)  # the case's place, which never changes: lets a reader skip their own area

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "case"], name="case_scope_once")]
        indexes = [models.Index(fields=["key", "area_id", "case"], name="case_scope_key_area")]

    def __str__(self) -> str:
        return f"{self.key} · {self.case_id}"


class Attachment(models.Model):
    """A file attached to a case by an event; content-addressed by SHA-256."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(CaseEvent, null=True, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name

    @property
    def storage_name(self) -> str:
        return filestore.storage_name(self.sha256)


class WorkdayOverride(models.Model):
    """The administrator's holiday table for years chinese-calendar does not cover.

    A row marks a day as a public holiday (``is_workday`` False) or as a
    make-up working day on a weekend (调休, ``is_workday`` True). Days without a
    row follow Monday to Friday. Years the package covers ignore this table.
    """

    day = models.DateField(_("day"), unique=True)
    is_workday = models.BooleanField(_("working day"), default=False, help_text=_("Tick for a make-up working day (调休) on a weekend"))
    name = models.CharField(_("name"), max_length=40, blank=True, help_text=_("e.g. Spring Festival"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holiday table")

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class SlaMark(models.Model):
    """That ``tick`` recorded one consequence for one deadline of a case.

    The unique constraint makes each consequence happen once per deadline even
    when two ``tick`` processes race: the marker is inserted in the same
    transaction as the event, and the loser's insert fails.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due-soon reminder")
        OVERDUE = "overdue", _("Overdue flag")
        SUPERVISE = "supervise", _("Automatic supervision")
        REPLY_OVERDUE = "reply_overdue", _("Supervision reply overdue")
        ESCALATE = "escalate", _("Automatic escalation")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_marks")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    deadline = models.DateTimeField()
    at = models.DateTimeField()
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kind", "deadline"], name="sla_mark_once")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.deadline}"


class UnlocatedReport(models.Model):
    """A report that could not be placed in a village (待定位): kept whole, never refused, until a dispatcher places it.

    Placing it files the case through ``do_submit`` as the original poster, so
    the case's record starts exactly as if the report had named its village.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting to be placed")
        PLACED = "placed", _("Placed")
        REJECTED = "rejected", _("Not a case")

    county_code = models.CharField(_("county"), max_length=6, db_index=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    crs = models.CharField(max_length=8, blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    fields = models.JSONField(default=dict, blank=True)
    anonymous = models.BooleanField(default=False)
    reporter_name = models.CharField(max_length=32, blank=True)
    reporter_phone = SealedCharField(max_length=20, blank=True)
    reporter_id_number = SealedCharField(max_length=18, blank=True)
    source_ref = models.CharField(max_length=64, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(_("received at"))
    token = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True, unique=True)
    content_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="unlocated_report")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["county_code", "status", "received_at"], name="unlocated_queue")]
        verbose_name = _("report awaiting a place")
        verbose_name_plural = _("reports awaiting a place (待定位)")

    def __str__(self) -> str:
        return f"{self.token[:8]} {self.title}"
