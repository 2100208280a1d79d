"""Person categories used by the medical protection rules.

The codes are short ASCII words so they can be used as TOML keys and in JSON;
the Chinese names are what an official sees.
"""

from __future__ import annotations

ORDINARY = "ordinary"
TEKUN = "tekun"
DIBAO = "dibao"
FANPIN = "fanpin"
MONITORED = "monitored"

#: Every category the engine knows, in a stable order (used for array codes).
CATEGORIES: tuple[str, ...] = (ORDINARY, TEKUN, DIBAO, FANPIN, MONITORED)

#: Categories that appear on the vulnerable-people roster (everyone but ordinary).
VULNERABLE: tuple[str, ...] = (TEKUN, DIBAO, FANPIN, MONITORED)

CATEGORY_NAMES: dict[str, str] = {
    ORDINARY: "普通参保人",
    TEKUN: "特困人员",
    DIBAO: "低保对象",
    FANPIN: "返贫致贫人口",
    MONITORED: "防返贫监测对象（低收入人口）",
}

# Spreadsheets from villages use the Chinese words, so accept the usual ones.
_ALIASES: dict[str, str] = {
    "普通": ORDINARY,
    "普通参保人": ORDINARY,
    "普通居民": ORDINARY,
    "特困": TEKUN,
    "特困人员": TEKUN,
    "特困供养人员": TEKUN,
    "低保": DIBAO,
    "低保对象": DIBAO,
    "返贫致贫": FANPIN,
    "返贫致贫人口": FANPIN,
    "防返贫监测": MONITORED,
    "防返贫监测对象": MONITORED,
    "监测对象": MONITORED,
    "低收入": MONITORED,
    "低收入人口": MONITORED,
    "防返贫监测对象（低收入人口）": MONITORED,
}


def normalise_category(value: object) -> str:
    """Return the category code for ``value`` (a code or a Chinese name).

    Raises ``ValueError`` with a Chinese reason when the category is unknown.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError("人员类别不能为空")
    text = value.strip()
    if text.lower() in CATEGORIES:
        return text.lower()
    if text in _ALIASES:
        return _ALIASES[text]
    raise ValueError(f"未知的人员类别：{text}（可填：普通参保人、特困人员、低保对象、返贫致贫人口、监测对象）")
