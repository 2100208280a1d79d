"""Property-based fuzzing of the whole REST API from its own OpenAPI schema.

Schemathesis generates requests for every operation (valid and invalid) and
checks that the server never answers with a 5xx and that every response
matches the schema it publishes. Bounded per operation to keep CI short;
`--run-slow` raises the bound.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from jiceng.api.keys import do_create_api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_db_connection():
    """Like Django's test client: requests must not close the test's connection (PostgreSQL would lose the test transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_key(world):
    return do_create_api_key("fuzzer", role="admin")[1]


def _load_schema():
    from jiceng.wsgi import application  # the real WSGI app, in-process: same database as the test

    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


schema = _load_schema()
CALLS = {"requests": 0}


@pytest.fixture(autouse=True)
def report_inputs_tried(request):
    """Each test's requests go into its report; tests/conftest.py prints the total at the end of the run."""
    yield
    request.node.user_properties.append(("fuzz_inputs", (__name__, os.getpid(), CALLS["requests"])))


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_operation_fails_on_the_server_or_breaks_its_schema(case, world, admin_key, keep_db_connection):
    CALLS["requests"] += 1
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_key}", "Host": "localhost"},
                           checks=[not_a_server_error, response_schema_conformance])
