"""Every message of every Chinese catalog is translated: the UI speaks Chinese first, never a raw English msgid.

Catalogs live beside each app (Django writes an app's strings to its own
``locale/``); running ``make messages`` can move a string between catalogs and
leave it empty — this test catches that.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import jiceng

CATALOGS = sorted(Path(jiceng.__file__).parent.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext's msgfmt (installed by make test)")
@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_every_message_is_translated(catalog):
    report = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(catalog)], capture_output=True, text=True, check=True).stderr
    assert "untranslated" not in report and "fuzzy" not in report, report


def test_there_are_catalogs():
    assert len(CATALOGS) >= 2
