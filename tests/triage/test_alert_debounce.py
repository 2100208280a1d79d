"""Sensor and AI-camera alerts: a burst from one device becomes one case with a count."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connections

from jiceng.cases.models import Case
from jiceng.cases.states import Channel
from jiceng.cases.verify import iter_problems
from jiceng.triage.alerts import debounce_window, do_submit_alert, flush_pending_alerts, record_interval
from jiceng.triage.models import AlertCase

from .helpers import register_devices

# Claimed alert times must lie within the last 7 days: relative to the real clock.
T0 = (datetime.now(timezone.utc) - timedelta(hours=3)).replace(microsecond=0)


def _alert(world, at, device="CAM-0001", alert_type="攀爬", **kw):
    kw.setdefault("category", "yujing-campus")
    kw.setdefault("fields", {"school": "零陵区第一中学"})
    return do_submit_alert(
        user=world.users.get("camera-platform") or world.users["admin"], area_code=world.villages[-1].code, device_id=device,
        alert_type=alert_type, title=f"{alert_type}预警", description=f"{device}触发{alert_type}预警", at=at, **kw,
    )


@pytest.fixture(autouse=True)
def devices(db, world):
    return register_devices(world, "CAM-0001", "CAM-0002")


@pytest.mark.django_db
def test_alerts_within_the_window_join_one_case_with_a_count(world):
    outcomes = [_alert(world, T0 + timedelta(minutes=m)) for m in (0, 5, 20, 45, 70)]  # each within 30 min of the previous one
    assert [o.created for o in outcomes] == [True, False, False, False, False]
    assert [o.count for o in outcomes] == [1, 2, 3, 4, 5]
    assert len({o.case.pk for o in outcomes}) == 1
    case = outcomes[0].case
    assert case.channel == Channel.SENSOR and case.fields["alert_type"] == "攀爬" and case.source_ref == "CAM-0001"
    series = AlertCase.objects.get(case=case)
    # Recorded in the chain at most once a minute: the first alert now, the other four by the next record.
    assert (series.count, series.live_count, case.events.count()) == (1, 5, 2)
    assert flush_pending_alerts(datetime.now(timezone.utc) + record_interval()) == 1
    series.refresh_from_db()
    assert (series.count, series.first_seen, series.last_seen) == (5, T0, T0 + timedelta(minutes=70))
    assert case.events.count() == 3, "the count does not flood the case history"
    assert list(iter_problems()) == []


@pytest.mark.django_db
def test_an_alert_after_the_window_opens_a_new_case(world):
    first = _alert(world, T0)
    later = _alert(world, T0 + timedelta(minutes=31))
    assert later.created and later.case.pk != first.case.pk and later.count == 1
    again = _alert(world, T0 + timedelta(minutes=40))
    assert again.case.pk == later.case.pk and again.count == 2


@pytest.mark.django_db
def test_other_devices_and_alert_types_are_separate(world):
    a = _alert(world, T0)
    b = _alert(world, T0 + timedelta(minutes=1), device="CAM-0002")
    c = _alert(world, T0 + timedelta(minutes=2), alert_type="打架")
    assert len({a.case.pk, b.case.pk, c.case.pk}) == 3 and all(o.created for o in (a, b, c))


@pytest.mark.django_db
def test_a_case_already_resolved_does_not_collect_new_alerts(world):
    from jiceng.cases.actions import do_case_action

    first = _alert(world, T0)
    admin = world.users["admin"]
    do_case_action(first.case, "refuse", admin, {"note": "误报"}, now=T0 + timedelta(minutes=2))
    second = _alert(world, T0 + timedelta(minutes=3))
    assert second.created and second.case.pk != first.case.pk


@pytest.mark.django_db
def test_the_window_is_configurable_per_category(world, settings):
    from jiceng.cases.models import Category

    settings.JICENG_TRIAGE = {"alerts": {"window_minutes": 10, "categories": {"yujing": 15, "yujing-flood": 120}}}
    assert debounce_window(Category.objects.get(code="yujing-flood")) == timedelta(minutes=120)
    assert debounce_window(Category.objects.get(code="yujing-campus")) == timedelta(minutes=15)  # inherited from its parent
    assert debounce_window(Category.objects.get(code="minsheng-road")) == timedelta(minutes=10)
    a = _alert(world, T0)
    assert _alert(world, T0 + timedelta(minutes=14)).case.pk == a.case.pk
    assert _alert(world, T0 + timedelta(minutes=30)).created


@pytest.mark.django_db
def test_a_retried_delivery_is_counted_once(world):
    first = _alert(world, T0, idempotency_key="evt-1")
    retry = _alert(world, T0, idempotency_key="evt-1")
    other = _alert(world, T0 + timedelta(minutes=1), idempotency_key="evt-2")
    assert (retry.case.pk, retry.created, retry.count) == (first.case.pk, False, 1)
    assert other.count == 2


@pytest.mark.django_db
def test_a_rejected_alert_changes_nothing(world):
    from jiceng.cases.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        _alert(world, T0, fields={})  # the campus category requires the school
    assert err.value.field == "fields.school"
    with pytest.raises(InvalidInput) as err:
        _alert(world, T0, device=" ")
    assert err.value.field == "device_id"
    assert not Case.objects.exists() and not AlertCase.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_alerts_of_one_device_make_one_case(world):
    n = 8
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = _alert(world, T0 + timedelta(seconds=i))
        except Exception as exc:  # noqa: BLE001 - inspected below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.created for r in results) == 1
    assert sorted(r.count for r in results) == list(range(1, n + 1))
    assert Case.objects.count() == 1 and AlertCase.objects.get().live_count == n
    assert list(iter_problems()) == []
