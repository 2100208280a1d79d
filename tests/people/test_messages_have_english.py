"""The registry's and the programmes' messages written with Chinese msgids have English in the en catalogs
(the UI speaks Chinese first, English second: an English page must not fall back to Chinese)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import jiceng

APPS = ("people", "programmes")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="needs gettext's msgattrib (installed by make test)")
@pytest.mark.parametrize("app", APPS)
def test_every_chinese_msgid_has_english(app):
    catalog = Path(jiceng.__file__).parent / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
    untranslated = subprocess.run(["msgattrib", "--untranslated", "--no-wrap", "--no-fuzzy", str(catalog)],
                                  capture_output=True, text=True, check=True).stdout
    chinese = [line for line in untranslated.splitlines() if line.startswith("msgid ") and CJK.search(line)]
    assert chinese == []
