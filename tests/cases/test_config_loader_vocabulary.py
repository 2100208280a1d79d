"""Category synonyms and phrasings: validated by the loader, stored on the category."""

from __future__ import annotations

import pytest

from jiceng.cases.config import DEFAULT_CONFIG, apply_config, parse_config
from jiceng.cases.errors import ConfigError
from jiceng.cases.models import Category

BASE = '''
[unit_kinds]
village_committee = { name = "村委会", level = "village" }

[[categories]]
code = "minsheng"
name = "民生诉求"
start_level = "village"
sla = { accept_hours = 24, resolve_days = 5, visit_days = 3 }
routing = { village = "village_committee" }
'''


@pytest.mark.django_db
def test_synonyms_and_phrasings_are_stored_on_the_category():
    apply_config(parse_config(BASE + 'synonyms = ["路灯", " 井盖 "]\nphrasings = ["路灯坏了晚上黑漆漆的"]\n'))
    assert Category.objects.get(code="minsheng").vocabulary == {"synonyms": ["路灯", "井盖"], "phrasings": ["路灯坏了晚上黑漆漆的"]}


@pytest.mark.parametrize("value", ['"路灯"', '["路灯", ""]', '[1, 2]', '["  "]'])
def test_a_bad_vocabulary_is_refused_naming_the_key(value):
    with pytest.raises(ConfigError, match=r"categories\[0\]\.synonyms"):
        parse_config(BASE + f"synonyms = {value}\n")


def test_every_shipped_leaf_category_describes_itself():
    data = parse_config(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    parents = {c.get("parent") for c in data["categories"]}
    leaves = [c for c in data["categories"] if c["code"] not in parents]
    assert leaves and all(len(c.get("synonyms", [])) >= 4 and len(c.get("phrasings", [])) >= 3 for c in leaves)
