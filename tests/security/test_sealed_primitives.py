"""jiceng.sealed without a model: the key ring file, sealing, blind indexes, clear errors."""

from __future__ import annotations

import json
import stat

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from jiceng import sealed


@pytest.fixture
def ring_path(settings, tmp_path):
    settings.FIELD_KEY_PATH = tmp_path / "keys" / "field-keys.json"
    return settings.FIELD_KEY_PATH


def test_the_key_file_is_created_0600_on_first_use(ring_path):
    assert not ring_path.exists()
    ring = sealed.keyring()
    assert stat.S_IMODE(ring_path.stat().st_mode) == 0o600
    data = json.loads(ring_path.read_text())
    assert data["current"] == ring.current.id and len(data["keys"]) == 1
    assert sealed.keyring().current == ring.current  # read again, the same key


def test_a_value_round_trips_and_the_ciphertext_hides_it(ring_path):
    stored = sealed.seal("13812345678", "cases.case.reporter_phone")
    assert "13812345678" not in stored and stored.startswith("sealed1:")
    assert sealed.unseal(stored, "cases.case.reporter_phone") == "13812345678"
    assert sealed.seal("13812345678", "cases.case.reporter_phone") != stored  # a fresh nonce each time
    assert sealed.seal("", "x") == "" and sealed.unseal("", "x") == ""


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(ring_path):
    stored = sealed.seal("13812345678", "cases.case.reporter_phone")
    with pytest.raises(sealed.SealedKeyError, match="无法用密钥"):
        sealed.unseal(stored, "cases.case.reporter_id_number")


def test_a_changed_ciphertext_gives_a_clear_error(ring_path):
    stored = sealed.seal("13812345678", "c")
    body = stored.rsplit(":", 1)[1]
    flipped = stored[: -len(body)] + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(sealed.SealedKeyError, match="密文被改写"):
        sealed.unseal(flipped, "c")
    with pytest.raises(sealed.SealedKeyError, match="不是密文"):
        sealed.unseal("13812345678", "c")


def test_another_key_file_names_the_missing_key(ring_path, tmp_path, settings):
    stored = sealed.seal("110101199003071234", "c")
    settings.FIELD_KEY_PATH = tmp_path / "other.json"
    with pytest.raises(sealed.SealedKeyError, match=f"没有密钥 {sealed.key_id_of(stored)}"):
        sealed.unseal(stored, "c")


def test_a_world_readable_or_broken_key_file_is_refused(ring_path):
    sealed.keyring()
    ring_path.chmod(0o644)
    with pytest.raises(sealed.SealedKeyError, match="chmod 600"):
        sealed.keyring()
    ring_path.chmod(0o600)
    ring_path.write_text("not json")
    with pytest.raises(sealed.SealedKeyError, match="无法读取"):
        sealed.keyring()


def test_blind_indexes_match_spellings_of_the_same_number(ring_path):
    a = sealed.blind_index("138 1234 5678", "phone")
    assert a == sealed.blind_index("+86-138-1234-5678", "phone") == sealed.blind_index("１３８１２３４５６７８", "phone")
    assert a != sealed.blind_index("13812345679", "phone")
    assert a != sealed.blind_index("13812345678", "id_number")  # scopes are separate
    assert sealed.blind_index("11010119900307123x", "id_number") == sealed.blind_index("110101 19900307 123X", "id_number")
    assert sealed.blind_index("", "phone") == "" and sealed.blind_indexes("", "phone") == []
    assert "13812345678" not in a and a.startswith(sealed.keyring().current.id + ":")


def test_after_adding_a_key_old_values_decrypt_and_indexes_cover_both(ring_path):
    old = sealed.keyring().current
    stored = sealed.seal("13812345678", "c")
    before = sealed.blind_index("13812345678", "phone")
    ring = sealed.add_key()
    assert ring.current.id != old.id and set(ring.keys) == {old.id, ring.current.id}
    assert sealed.unseal(stored, "c") == "13812345678"
    assert set(sealed.blind_indexes("13812345678", "phone")) == {before, sealed.blind_index("13812345678", "phone")}
    assert stat.S_IMODE(ring_path.stat().st_mode) == 0o600


@hsettings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s))
def test_any_text_round_trips(tmp_path_factory, text):
    from django.test import override_settings

    with override_settings(FIELD_KEY_PATH=tmp_path_factory.getbasetemp() / "prop-keys.json"):
        assert sealed.unseal(sealed.seal(text, "c"), "c") == text
