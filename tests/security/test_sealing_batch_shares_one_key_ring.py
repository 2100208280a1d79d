"""jiceng.sealed.sealing_batch: a batch reads the key ring once and seals as outside a batch would;
values sealed in a batch read back outside it, a nested batch shares the ring, and after the batch a
rotation in the key file is seen again."""

from __future__ import annotations

import threading

import pytest

from jiceng import sealed


@pytest.fixture
def ring_path(settings, tmp_path):
    settings.FIELD_KEY_PATH = tmp_path / "keys" / "field-keys.json"
    return settings.FIELD_KEY_PATH


def test_values_sealed_in_a_batch_read_back_outside_it_with_the_same_indexes(ring_path):
    outside_index = sealed.blind_index("138 1234 5678", "phone")
    with sealed.sealing_batch() as ring:
        stored = [sealed.seal(f"1381234{i:04d}", "people.person.phone") for i in range(50)]
        inside_index = sealed.blind_index("13812345678", "phone")
        with sealed.sealing_batch() as inner:
            assert inner is ring
    assert len(set(stored)) == 50 and all(s.startswith(f"sealed1:{ring.current.id}:") for s in stored)
    assert [sealed.unseal(s, "people.person.phone") for s in stored] == [f"1381234{i:04d}" for i in range(50)]
    assert inside_index == outside_index


def test_a_batch_pins_the_ring_and_a_rotation_is_seen_after_it(ring_path):
    first = sealed.keyring().current.id
    with sealed.sealing_batch():
        rotation = threading.Thread(target=sealed.add_key)  # someone else rotating mid-batch: the batch keeps its ring
        rotation.start()
        rotation.join()
        with pytest.raises(sealed.SealedKeyError, match="不能在批量加密"):
            sealed.add_key()  # this thread's own rotation would reseal under the pinned ring: refused
        assert sealed.seal("13800000000", "x").split(":")[1] == first
    assert sealed.keyring().current.id != first
    assert sealed.seal("13800000000", "x").split(":")[1] == sealed.keyring().current.id
