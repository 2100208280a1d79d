"""Statistical division codes (统计用区划代码), 12 digits.

Digits 1–2 province, 3–4 prefecture, 5–6 county, 7–9 township, 10–12 village
or community. A code's level is read from where its trailing zeros start, and
every descendant of an area shares the area's significant prefix — which is
why subtree queries are a single range scan on an indexed code column.
"""

from __future__ import annotations

from enum import IntEnum

# Province-level prefixes in use (GB/T 2260).
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)


class Level(IntEnum):
    """Administrative level; the value is the length of the significant prefix."""

    PROVINCE = 2
    PREFECTURE = 4
    COUNTY = 6
    TOWNSHIP = 9
    VILLAGE = 12

    @property
    def key(self) -> str:
        return self.name.lower()

    @classmethod
    def from_key(cls, key: str) -> "Level":
        try:
            return cls[key.upper()]
        except KeyError:
            raise ValueError(f"未知的区划层级“{key}”") from None


LEVEL_ORDER = [Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]


class CodeError(ValueError):
    """A division code that is malformed or does not fit its parent."""


def level_of(code: str) -> Level:
    """Return the level a well-formed 12-digit code denotes."""
    check_format(code)
    for level in reversed(LEVEL_ORDER):
        parent_len = _parent_len(level)
        own = code[parent_len : level.value]
        if int(own) != 0 and int(code[level.value :] or "0") == 0:
            _check_ancestor_segments(code, level)
            return level
    raise CodeError(f"区划代码“{code}”全为零")


def _check_ancestor_segments(code: str, level: Level) -> None:
    # A village code with township digits 000 has no real township above it.
    for upper in LEVEL_ORDER[: LEVEL_ORDER.index(level)]:
        if int(code[_parent_len(upper) : upper.value]) == 0:
            raise CodeError(f"区划代码“{code}”的{LEVEL_NAMES[upper]}级代码段为零")


def _parent_len(level: Level) -> int:
    index = LEVEL_ORDER.index(level)
    return 0 if index == 0 else LEVEL_ORDER[index - 1].value


def check_format(code: str) -> None:
    """Raise CodeError unless ``code`` is 12 digits with a known province prefix."""
    if not isinstance(code, str) or len(code) != 12 or not code.isdigit():
        raise CodeError(f"区划代码“{code}”必须是12位数字")
    if code[:2] not in PROVINCE_PREFIXES:
        raise CodeError(f"区划代码“{code}”的省级代码“{code[:2]}”不存在")


def prefix(code: str) -> str:
    """The significant prefix shared by the area and all its descendants."""
    return code[: level_of(code).value]


def subtree_prefix(value: str) -> str:
    """A full 12-digit code becomes its significant prefix; a shorter prefix stays as it is.

    Lets filters take either ``431102001000`` or ``431102001`` for a township.
    """
    if len(value) == 12:
        try:
            return prefix(value)
        except CodeError:
            return value
    return value


def ancestor_code(code: str, level: Level) -> str:
    """The code of ``code``'s ancestor (or itself) at ``level``."""
    return code[: level.value].ljust(12, "0")


def parent_code(code: str) -> str | None:
    """The code of the immediate parent, or None for a province."""
    level = level_of(code)
    if level is Level.PROVINCE:
        return None
    return ancestor_code(code, LEVEL_ORDER[LEVEL_ORDER.index(level) - 1])


def check_code(code: str, level: Level, parent: str | None) -> None:
    """Validate a code against its declared level and parent code.

    Raises CodeError naming what is wrong, in Chinese for the user.
    """
    actual = level_of(code)
    if actual is not level:
        raise CodeError(f"区划代码“{code}”表示{LEVEL_NAMES[actual]}级，与填写的层级“{LEVEL_NAMES[level]}”不符")
    expected_parent = parent_code(code)
    if expected_parent is None:
        if parent is not None:
            raise CodeError(f"省级区划“{code}”不能有上级")
        return
    if parent is None:
        raise CodeError(f"区划“{code}”缺少上级，应为“{expected_parent}”")
    if parent != expected_parent:
        raise CodeError(f"区划代码“{code}”与上级“{parent}”不一致，上级应为“{expected_parent}”")


def subtree_bounds(code_prefix: str) -> tuple[str, str]:
    """Half-open range [low, high) of 12-digit codes that start with ``code_prefix``.

    Works with a plain B-tree index on both SQLite and PostgreSQL, whatever the
    collation, because codes are fixed-width digit strings.
    """
    if not code_prefix.isdigit():
        raise CodeError(f"区划代码前缀“{code_prefix}”必须是数字")
    low = code_prefix.ljust(12, "0")
    if set(code_prefix) == {"9"}:
        return low, "~"  # sorts after every digit string
    upper = str(int(code_prefix) + 1).zfill(len(code_prefix))
    return low, upper.ljust(12, "0")


def township_kind(code: str) -> str:
    """街道, 镇 or 乡 by the township digits (7–9) of the code, per the coding rules."""
    n = int(code[6:9])
    if 1 <= n <= 99:
        return "街道"
    if 100 <= n <= 199:
        return "镇"
    if 200 <= n <= 399:
        return "乡"
    return "其他"


def village_kind(code: str) -> str:
    """社区 (001–199) or 村 (200–399) by the village digits (10–12)."""
    n = int(code[9:12])
    if 1 <= n <= 199:
        return "社区"
    if 200 <= n <= 399:
        return "村"
    return "其他"


LEVEL_NAMES = {
    Level.PROVINCE: "省",
    Level.PREFECTURE: "市",
    Level.COUNTY: "县",
    Level.TOWNSHIP: "乡镇",
    Level.VILLAGE: "村（社区）",
}
