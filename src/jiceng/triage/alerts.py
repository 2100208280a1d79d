"""Sensor and AI-camera alerts: debounce a burst into one case with a count.

An alert of the same device and alert type within the debounce window of the
previous one (a sliding window: each alert extends it) joins the open case of
that series and raises its count; otherwise it opens a new case through
``do_submit``. Race-safe: the series row is locked (SELECT … FOR UPDATE) and
unique per (device, alert type), and all of it happens in one transaction,
retried when two first alerts collide on the constraint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.areas.models import Area
from jiceng.cases import sla
from jiceng.cases.actions import do_submit
from jiceng.cases.chain import canonical_time
from jiceng.cases.errors import Conflict, InvalidInput
from jiceng.cases.ledger import append_record
from jiceng.cases.models import Case, Category
from jiceng.cases.states import OPEN_STATES, Action, Channel, State

from .config import section
from .models import AlertCase, AlertReceipt, AlertStream

# A series keeps collecting alerts only while nobody has finished with the case yet.
_COLLECTING = frozenset(OPEN_STATES - {State.RESOLVED, State.RATED, State.DISPUTED})
ATTEMPTS = 5


@dataclass(frozen=True)
class AlertOutcome:
    """The case the alert belongs to, whether it was created now, and the series' alert count."""

    case: Case
    created: bool
    count: int


def debounce_window(category: Category) -> timedelta:
    """The debounce window of a category: its own setting, else its parent's, else the default."""
    cfg = section("alerts")
    per = cfg.get("categories", {}) or {}
    for cat in category.lineage():
        if cat.code in per:
            return timedelta(minutes=float(per[cat.code]))
    return timedelta(minutes=float(cfg.get("window_minutes", 30)))


def _clean_key(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("%(label)s is required") % {"label": label}, field=field)
    if len(value) > 64:
        raise InvalidInput(_("%(label)s is too long (at most %(n)s characters)") % {"label": label, "n": 64}, field=field)
    return value


def do_submit_alert(
    *,
    user: User | None,
    category: Category | str,
    area_code: str,
    device_id: str,
    alert_type: str,
    title: str,
    description: str,
    at: datetime,
    fields: dict | None = None,
    idempotency_key: str | None = None,
) -> AlertOutcome:
    """Take in one alert from a sensor or AI camera.

    Returns the case it belongs to, ``created`` True when this alert opened it,
    and the number of alerts in its series. A retried delivery with the same
    ``idempotency_key`` is counted once.
    """
    if isinstance(category, str):
        cat = Category.objects.filter(code=category).select_related("parent").first()
        if cat is None:
            raise InvalidInput(_("Unknown category “%(code)s”") % {"code": category}, field="category")
        category = cat
    area = Area.objects.filter(code=str(area_code or "").strip()).first()
    if area is None:
        raise InvalidInput(_("Unknown area code “%(code)s”") % {"code": area_code}, field="area_code")
    device_id = _clean_key(device_id, "device_id", _("The device"))
    alert_type = _clean_key(alert_type, "alert_type", _("The alert type"))
    # The device's claimed time is data (the series' first/last alert); the case's own
    # times come from the server clock, and a claim outside the sane window is refused.
    now = timezone.now()
    at = sla.check_claimed_time(at, now, field="at", label=_("The alert time"))
    window = debounce_window(category)
    receipt_key = f"{user.pk if user else 'anon'}:{idempotency_key}"[:160] if idempotency_key else None
    # The device and alert type fill the category's fields of the same name, where it has them.
    names = {s["name"] for s in category.field_specs()}
    merged_fields = {**{k: v for k, v in {"device_id": device_id, "alert_type": alert_type}.items() if k in names}, **(fields or {})}
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return _take(user, category, area, device_id, alert_type, title, description, at, merged_fields, window, receipt_key, now)
        except IntegrityError:
            # Another alert of the same device and type created the series (or the
            # same delivery its receipt) at the same moment: try again, now joining it.
            if attempt == ATTEMPTS - 1:
                raise Conflict(_("Too many simultaneous alerts from device %(device)s; try again") % {"device": device_id}) from None
    raise AssertionError("unreachable")


def _take(user, category, area, device_id, alert_type, title, description, at, fields, window, receipt_key, now) -> AlertOutcome:
    if receipt_key:
        receipt = AlertReceipt.objects.filter(key=receipt_key).select_related("series__case").first()
        if receipt is not None:
            return AlertOutcome(receipt.series.case, False, receipt.series.live_count)
    stream = AlertStream.objects.select_for_update().filter(device_id=device_id, alert_type=alert_type).first()
    series = None
    if stream is not None:
        series = AlertCase.objects.select_for_update().select_related("case").get(pk=stream.series_id)
        joinable = series.case.state in _COLLECTING and abs(at - series.live_last_seen) <= window
        if not joinable:
            series = None
    if series is not None:
        # Counted now; recorded in the case's chain at most once per ALERT_RECORD_SECONDS
        # (an alert storm adds one event a minute, not one per alert).
        series.pending += 1
        series.pending_first_seen = min(series.pending_first_seen or at, at)
        series.pending_last_seen = max(series.pending_last_seen or at, at)
        if series.recorded_at is None or now - series.recorded_at >= record_interval():
            _record(series, now, user)
            series.case.refresh_from_db()  # its head moved
        else:
            AlertCase.objects.filter(pk=series.pk).update(
                pending=series.pending, pending_first_seen=series.pending_first_seen, pending_last_seen=series.pending_last_seen
            )
        created = False
    else:
        case, _created = do_submit(
            user=user, category=category, area=area, title=title, description=description, channel=Channel.SENSOR,
            fields=fields, source_ref=device_id, now=now,  # the server's clock, never the device's claim
        )
        series = AlertCase.objects.create(case=case, device_id=device_id, alert_type=alert_type, count=0, first_seen=at, last_seen=at,
                                          pending=1, pending_first_seen=at, pending_last_seen=at)
        _record(series, now, user)  # the first alert's claimed time goes into the chain with the case
        case.refresh_from_db()
        if stream is None:
            AlertStream.objects.create(device_id=device_id, alert_type=alert_type, series=series)  # may collide: retried by the caller
        else:
            AlertStream.objects.filter(pk=stream.pk).update(series=series)
        created = True
    if receipt_key:
        AlertReceipt.objects.create(key=receipt_key, series=series, received_at=now)
    return AlertOutcome(series.case, created, series.live_count)


def record_interval() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "ALERT_RECORD_SECONDS", 60)))


def _record(series: AlertCase, now: datetime, user: User | None = None) -> None:
    """Fold the pending alerts into the series and record it as an ``alert_repeat`` event on the case."""
    series.count += series.pending
    if series.count == series.pending:  # the first record: the claimed times so far are all there is
        series.first_seen, series.last_seen = series.pending_first_seen, series.pending_last_seen
    else:
        series.first_seen = min(series.first_seen, series.pending_first_seen or series.first_seen)
        series.last_seen = max(series.last_seen, series.pending_last_seen or series.last_seen)
    series.pending, series.pending_first_seen, series.pending_last_seen, series.recorded_at = 0, None, None, now
    payload = {"device_id": series.device_id, "alert_type": series.alert_type, "count": series.count,
               "first_seen": canonical_time(series.first_seen), "last_seen": canonical_time(series.last_seen)}
    append_record(series.case_id, Action.ALERT_REPEAT, payload, now, user=user)
    AlertCase.objects.filter(pk=series.pk).update(
        count=series.count, first_seen=series.first_seen, last_seen=series.last_seen, pending=0, pending_first_seen=None,
        pending_last_seen=None, recorded_at=now,
    )


def flush_pending_alerts(now: datetime | None = None) -> int:
    """Record every series whose pending alerts have waited at least the interval (tick runs this). Returns how many."""
    now = now or timezone.now()
    done = 0
    due = AlertCase.objects.filter(pending__gt=0, recorded_at__lte=now - record_interval()).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            series = AlertCase.objects.select_for_update().filter(pk=pk, pending__gt=0).first()
            if series is not None:
                _record(series, now)
                done += 1
    return done


def alert_series(case: Case) -> AlertCase | None:
    """The alert series folded into ``case``, if it came from a sensor."""
    return AlertCase.objects.filter(case=case).first()
