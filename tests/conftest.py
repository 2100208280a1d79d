"""Shared fixtures: a small demo county built by the same code as the demo."""

from __future__ import annotations

import pytest


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False, help="run long stress variants")


_fuzz_inputs: dict[tuple[str, int], int] = {}  # (test module, worker process) → inputs tried so far


def pytest_runtest_logreport(report):
    """Collect fuzz counters from test reports (teardown reports carry them, from every xdist worker).

    Each report holds a module's running total in one worker process, so the largest one seen is that
    worker's count however often a report repeats it.
    """
    for name, value in report.user_properties:
        if name == "fuzz_inputs":
            module, worker, count = value
            _fuzz_inputs[(module, worker)] = max(_fuzz_inputs.get((module, worker), 0), count)


def pytest_terminal_summary(terminalreporter):
    """The fuzz budget actually spent, summed over every worker (a 5xx or a crash fails its own test)."""
    if _fuzz_inputs:
        terminalreporter.write_line(f"fuzz inputs tried: {sum(_fuzz_inputs.values())}")


def pytest_collection_modifyitems(config, items):
    import os

    is_pg = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_slow = pytest.mark.skip(reason="stress variant: use --run-slow")
    for item in items:
        if "postgres" in item.keywords and not is_pg:
            item.add_marker(skip_pg)
        if "slow" in item.keywords and not config.getoption("--run-slow"):
            item.add_marker(skip_slow)


@pytest.fixture
def world(db, tmp_path, settings):
    """Two townships (a street and a town) with a few villages each."""
    from jiceng.demo.world import build_world  # imported here so pure-Python tests run without Django

    settings.MEDIA_ROOT = tmp_path / "attachments"
    settings.ANCHOR_DIR = tmp_path / "anchors"  # each test its own anchor log and signing key
    settings.ANCHOR_KEY_PATH = tmp_path / "anchor-key.pem"
    return build_world(seed=7, townships=2, villages_per_township=(2, 3))


@pytest.fixture
def users(world):
    return world.users
