"""Activities, sign-ups, rewards and cadre tasks of another area read as "no such record", through web and REST,
the same answer as an id that does not exist; nothing is written."""

from __future__ import annotations

import pytest

from jiceng.programmes.cadres import do_assign_tasks
from jiceng.programmes.models import PointsEntry, Reward, SignUp
from jiceng.programmes.points import do_create_activity, do_sign_up
from tests.api.helpers import client_for
from tests.people.helpers import register

from .helpers import staff_of


def _other_village(world):
    return world.villages[0]


def _outsider(world):
    return staff_of(world, world.villages[-1])


def test_a_sign_up_of_another_village_cannot_be_checked_in_and_looks_absent(world):
    there = _other_village(world)
    activity = do_create_activity(staff_of(world, there), name="清扫活动", area=there, on="2026-03-01", points=5)
    signup = do_sign_up(staff_of(world, there), activity, register(world, village=there))
    client = client_for(_outsider(world))
    for value in (signup.pk, 999_999):
        page = client.post("/programmes/points/", {"action": "checkin", "signup": value}, follow=True).content.decode()
        assert "没有这条报名" in page
    assert SignUp.objects.get(pk=signup.pk).checked_in_at is None and not PointsEntry.objects.exists()


def test_an_activity_of_another_village_looks_absent(world):
    there = _other_village(world)
    activity = do_create_activity(staff_of(world, there), name="义诊", area=there, on="2026-03-01", points=5)
    person = register(world, village=world.villages[-1])
    page = client_for(_outsider(world)).post("/programmes/points/", {"action": "signup", "activity": activity.pk, "person": person.pk},
                                             follow=True).content.decode()
    assert "没有这个活动" in page and not SignUp.objects.exists()


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_reward_of_another_village_looks_absent(world, adapter):
    there = _other_village(world)
    reward = Reward.objects.create(name="大米", area=there, cost=1, stock=5)
    person = register(world, village=world.villages[-1])
    client = client_for(_outsider(world))
    for pk in (reward.pk, 999_999):
        if adapter == "rest":
            r = client.post(f"/api/v1/programmes/rewards/{pk}/redeem", {"person": person.pk}, content_type="application/json")
            assert r.status_code == 404 and r.json()["message"] == "没有这个兑换品"
        else:
            page = client.post("/programmes/points/", {"action": "redeem", "reward": pk, "person": person.pk}, follow=True).content.decode()
            assert "没有这个兑换品" in page
    assert Reward.objects.get(pk=reward.pk).stock == 5


def test_a_cadre_task_is_done_only_by_its_cadre_or_a_manager_of_its_area(world):
    township = world.townships[0]
    village = next(v for v in world.villages if v.code.startswith(township.prefix))
    tz, secretary = world.users[f"tz-{township.code[6:9]}"], world.users["resident-10"]
    [task] = do_assign_tasks(tz, secretary, area=village, year=2026, titles=["建立帮扶台账"])
    stranger = world.users["resident-11"]
    assert client_for(stranger).post(f"/programmes/tasks/{task.pk}/done/", {"note": "x"}).status_code == 404
    task.refresh_from_db()
    assert task.done_on is None
    assert client_for(secretary).post(f"/programmes/tasks/{task.pk}/done/", {"note": "已建立"}).status_code == 302
    task.refresh_from_db()
    assert task.done_on is not None
