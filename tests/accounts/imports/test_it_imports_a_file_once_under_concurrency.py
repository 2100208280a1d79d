"""Two imports of the same registry file at the same moment create each record once (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from jiceng.accounts.imports import do_import_registry
from jiceng.accounts.models import User

from .helpers import xlsx_bytes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_file_create_each_user_once(world):
    village = world.villages[0]
    data = xlsx_bytes("users", [[f"conc-{i}", f"并发{i}", "村（社区）干部", village.code, "", "", ""] for i in range(20)])
    admin = world.users["admin"]
    barrier, created, failures = threading.Barrier(3), [], []

    def run():
        try:
            barrier.wait()
            created.append(do_import_registry(admin, "users", data, "u.xlsx").created)
        except Exception as exc:  # noqa: BLE001 - any failure fails the test below
            failures.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and sorted(created) == [0, 0, 20]
    assert User.objects.filter(username__startswith="conc-").count() == 20
