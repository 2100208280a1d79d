"""Sensor and AI-camera alerts: debounce a burst into one case with a count.

Only integration keys (and administrators) post alerts, only for registered
devices (``Device``: device id → village, site, kind) in their submit scope;
the device's registration, not the request, says where the alert is. Alerts of
unknown devices wait in the ``QueuedAlert`` queue until staff register the
device (:func:`do_register_device` then takes them in) or discard them.

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

from jiceng.accounts.capabilities import Capability, require
from jiceng.accounts.models import User
from jiceng.areas.models import Area, AreaLevel
from jiceng.cases import access, sla
from jiceng.cases.actions import check_category, do_submit
from jiceng.cases.chain import canonical_time
from jiceng.cases.errors import Conflict, InvalidInput, NotPermitted
from jiceng.cases.ledger import append_record
from jiceng.cases.models import Case, Category
from jiceng.cases.states import COLLECTING_STATES, Action, Channel

from .config import section
from .models import AlertCase, AlertReceipt, AlertStream, Device, DeviceKind, QueuedAlert

# A series keeps collecting alerts only while nobody has finished with the case yet.
_COLLECTING = COLLECTING_STATES
ATTEMPTS = 5


@dataclass(frozen=True)
class AlertOutcome:
    """The case the alert belongs to, whether it was created now, and the series' alert count.

    ``queued`` is True (and ``case`` None) when the device is not registered:
    the alert waits in the queue for staff.
    """

    case: Case | None
    created: bool
    count: int
    queued: bool = False


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
    require(user, Capability.POST_ALERTS)
    if isinstance(category, str):
        cat = Category.objects.filter(code=category).select_related("parent").first()
        if cat is None:
            raise InvalidInput(_("Unknown category “%(code)s”") % {"code": category}, field="category")
        category = cat
    check_category(category)
    device_id = _clean_key(device_id, "device_id", _("The device"))
    alert_type = _clean_key(alert_type, "alert_type", _("The alert type"))
    # The device's claimed time is data (the series' first/last alert); the case's own
    # times come from the server clock, and a claim outside the sane window is refused.
    now = timezone.now()
    at = sla.check_claimed_time(at, now, field="at", label=_("The alert time"))
    area_code = str(area_code or "").strip()
    device = Device.objects.filter(device_id=device_id, active=True).select_related("area").first()
    if device is None:
        return _queue(user, category, area_code, device_id, alert_type, title, description, at, fields, idempotency_key)
    if not access.can_submit_in(user, device.area):
        raise NotPermitted(_("Device %(device)s is not one of yours: it is registered in another area") % {"device": device_id},
                           field="device_id")
    if area_code and area_code != device.area_id:
        raise InvalidInput(
            _("Device %(device)s is registered in %(area)s, not in %(code)s") % {"device": device_id, "area": device.area.name, "code": area_code},
            field="area",
        )
    area = device.area
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


def _queue(user, category, area_code, device_id, alert_type, title, description, at, fields, idempotency_key) -> AlertOutcome:
    """Keep an alert of an unknown device for staff; a retried delivery is kept once."""
    key = f"{user.pk if user else 'anon'}:{idempotency_key}"[:160] if idempotency_key else None
    if key and QueuedAlert.objects.filter(idempotency_key=key).exists():
        return AlertOutcome(None, False, 0, queued=True)
    try:
        with transaction.atomic():
            QueuedAlert.objects.create(
                device_id=device_id, alert_type=alert_type, category_code=category.code, area_code=area_code[:12], title=str(title)[:120],
                description=str(description)[:4000], claimed_at=at, fields=fields or {}, received_at=timezone.now(), posted_by=user,
                idempotency_key=key,
            )
    except IntegrityError:
        pass  # the same delivery raced itself: kept once
    return AlertOutcome(None, False, 0, queued=True)


def do_register_device(user: User, *, device_id: str, name: str, area: Area, kind: str = DeviceKind.CAMERA, site: str = "") -> tuple[Device, int]:
    """Register a camera or sensor in a village, then take in the alerts it sent while unknown.

    Returns the device and the number of queued alerts taken in.
    """
    require(user, Capability.MANAGE_DEVICES)
    device_id = _clean_key(device_id, "device_id", _("The device"))
    name = _clean_key(name, "name", _("The name"))
    if area.level != AreaLevel.VILLAGE:
        raise InvalidInput(_("A device stands in a village or community"), field="area")
    if kind not in DeviceKind.values:
        raise InvalidInput(_("Unknown device kind"), field="kind")
    if Device.objects.filter(device_id=device_id).exists():
        raise InvalidInput(_("Device %(device)s is already registered") % {"device": device_id}, field="device_id")
    device = Device.objects.create(device_id=device_id, name=name, kind=kind, area=area, site=str(site)[:120],
                                   registered_at=timezone.now(), registered_by=user)
    taken = 0
    for queued in QueuedAlert.objects.filter(device_id=device_id, status=QueuedAlert.Status.WAITING).order_by("claimed_at", "pk"):
        poster = queued.posted_by
        try:
            outcome = do_submit_alert(
                user=poster, category=queued.category_code, area_code="", device_id=device_id, alert_type=queued.alert_type,
                title=queued.title, description=queued.description, at=queued.claimed_at, fields=queued.fields,
            )
        except (InvalidInput, NotPermitted):
            continue  # e.g. the poster's scope does not cover the device's village: stays queued for staff
        QueuedAlert.objects.filter(pk=queued.pk).update(status=QueuedAlert.Status.TAKEN, case=outcome.case)
        taken += 1
    return device, taken


def alert_series(case: Case) -> AlertCase | None:
    """The alert series folded into ``case``, if it came from a sensor."""
    return AlertCase.objects.filter(case=case).first()
