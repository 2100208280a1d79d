"""Migration cases 0007 (and triage 0005): plaintext rows of an older install are encrypted in place.

The chains were made when the columns held plaintext; they digest the
plaintext, so they verify before and after. Going back writes the plaintext
again (with the key file present), going forward seals it once more.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jiceng.cases.models import Case
from jiceng.cases.verify import iter_problems
from jiceng.sealed import blind_index
from tests.cases.helpers import submit

pytestmark = pytest.mark.django_db(transaction=True)

PHONE, ID_NUMBER = "13698765432", "11010519491231002X"
BEFORE = [("cases", "0007_case_promised_date_and_reply_deadline"), ("triage", "0004_casekey_embedding")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _raw() -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute("SELECT number, reporter_phone, reporter_id_number FROM cases_case ORDER BY id")
        return cur.fetchall()


def test_old_plaintext_rows_are_sealed_and_their_chains_verify_before_and_after(world):
    first = submit(world, reporter_phone=PHONE, reporter_id_number=ID_NUMBER)
    submit(world, reporter_phone="", title="匿名反映", description="无联系方式")
    assert list(iter_problems()) == []
    _migrate(BEFORE)  # the install as it was: plaintext columns
    try:
        rows = _raw()
        assert rows[0] == (first.number, PHONE, ID_NUMBER) and rows[1][1:] == ("", "")
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    rows = _raw()
    assert rows[0][1].startswith("sealed1:") and rows[0][2].startswith("sealed1:") and rows[1][1:] == ("", "")
    again = Case.objects.get(pk=first.pk)
    assert (again.reporter_phone, again.reporter_id_number) == (PHONE, ID_NUMBER)
    assert again.reporter_phone_index == blind_index(PHONE, "phone") and again.reporter_id_index == blind_index(ID_NUMBER, "id_number")
    assert list(iter_problems()) == []
    with connection.cursor() as cur:  # and a rewritten ciphertext is still caught afterwards
        cur.execute("UPDATE cases_case SET reporter_id_number = %s WHERE id = %s", [rows[1][1] or "sealed1:x:AAAA", first.pk])
    assert [p.columns for p in iter_problems()] == [("case.reporter_id_number",)]
