"""Two imports of the same file at the same moment create its cases once (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from jiceng.cases.importer import do_import_cases, read_cases_file
from jiceng.cases.models import Case

from .helpers import csv_bytes, row


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_file_create_each_case_once(world):
    rows = read_cases_file(csv_bytes([row(world, number=f"P{i}", title=f"并发导入{i}") for i in range(20)]), "a.csv")
    admin = world.users["admin"]
    barrier, created, failures = threading.Barrier(3), [], []

    def run():
        try:
            barrier.wait()
            created.append(do_import_cases(admin, rows).created)
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
    assert Case.objects.count() == 20
