"""Policy files: one TOML file per region and period, validated on load.

A policy is data, not code: every number the engine uses comes from the file,
and every number carries the document it comes from (its *provenance*). A file
that is malformed or inconsistent is refused with :class:`PolicyError`, whose
message starts with the key path, e.g. ``critical.segments[2].upto：分段上限必须递增``.
Indexes in key paths count from 0, as in the TOML array.

Numbers may be written plainly (``ratio = 0.6``) or as an inline table that
names their own source: ``ratio = { value = 0.6, source = "…", illustrative = true }``.
A plain number takes the ``source`` / ``illustrative`` of its section.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .categories import CATEGORIES
from .money import CENT, RATIO_QUANTUM, round_cents

HOSPITAL_LEVELS: tuple[str, ...] = ("1", "2", "3")
DEFAULT_LEVEL_NAMES: dict[str, str] = {
    "1": "一级（基层）医疗机构",
    "2": "二级医疗机构",
    "3": "三级医疗机构",
}
#: How an official writes the three hospital levels (shown in forms and tables).
LEVEL_LABELS: dict[str, str] = {"1": "一级医院", "2": "二级医院", "3": "三级医院"}
DEDUCTIBLE_PER = ("admission", "year")

_MISSING: Any = object()
_REGION_RE = re.compile(r"^(\d{6}|\d{12})$")
_GROUP_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Far above any real premium, deductible or cap; keeps Decimal and int64 exact.
_MAX_POLICY_AMOUNT = Decimal("1000000000000")


class PolicyError(ValueError):
    """A policy file is malformed or inconsistent.

    ``key`` is the dotted key path (``""`` for the whole file) and ``reason``
    the Chinese explanation; ``str(err)`` is ``"key：reason"``.
    """

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"{key}：{reason}" if key else reason)


@dataclass(frozen=True)
class Provenance:
    """Where a number comes from, and whether it is only illustrative."""

    source: str
    illustrative: bool


@dataclass(frozen=True)
class LevelRule:
    """Basic insurance terms for one hospital level."""

    level: str
    name: str
    deductible: Decimal
    ratio: Decimal


@dataclass(frozen=True)
class BasicRule:
    """Tier 1: basic medical insurance."""

    levels: Mapping[str, LevelRule]
    annual_cap: Decimal | None
    deductible_per: str
    source: str


@dataclass(frozen=True)
class Segment:
    """One progressive segment of critical-illness insurance.

    Bounds apply to the amount *above* the deductible; ``upper`` is ``None``
    for the last, open segment.
    """

    index: int
    lower: Decimal
    upper: Decimal | None
    ratio: Decimal


@dataclass(frozen=True)
class TiltRule:
    """Tilted (倾斜) critical-illness terms for listed categories."""

    categories: frozenset[str]
    deductible_factor: Decimal
    ratio_bonus: Decimal
    cap: Decimal | None
    source: str


@dataclass(frozen=True)
class CriticalTerms:
    """The critical-illness terms that apply to one category, tilt applied."""

    category: str
    deductible: Decimal
    ratios: tuple[Decimal, ...]
    annual_cap: Decimal | None
    tilted: bool


@dataclass(frozen=True)
class CriticalRule:
    """Tier 2: critical-illness (大病) insurance."""

    income_reference: Decimal
    deductible_share: Decimal
    deductible: Decimal
    annual_cap: Decimal | None
    segments: tuple[Segment, ...]
    tilt: TiltRule | None
    source: str


@dataclass(frozen=True)
class AssistanceRule:
    """Tier 3: medical assistance (医疗救助) for one category."""

    category: str
    deductible: Decimal
    ratio: Decimal
    annual_cap: Decimal | None
    source: str


@dataclass(frozen=True)
class SpecialRule:
    """A group with its own policy, e.g. pneumoconiosis migrant workers."""

    group: str
    name: str
    basic_ratio_bonus: Decimal
    aid_deductible: Decimal
    aid_ratio: Decimal
    aid_annual_cap: Decimal | None
    source: str


@dataclass(frozen=True)
class SubsidyRule:
    """Enrollment premium and the share of it paid for each category."""

    premium: Decimal
    shares: Mapping[str, Decimal]
    source: str


@dataclass(frozen=True)
class RiskRule:
    """When a person's yearly self-pay is a risk of falling into poverty (因病返贫风险).

    ``self_pay_threshold``: an absolute line (None: no absolute test);
    ``income_share``: a share of the household income, used for people whose
    income is known (None: no income test). "Crossed" means strictly above.
    """

    self_pay_threshold: Decimal | None
    income_share: Decimal | None
    source: str


@dataclass(frozen=True)
class Policy:
    """A validated policy for one region and period."""

    region: str
    name: str
    effective_from: dt.date
    effective_to: dt.date
    source: str
    basic: BasicRule
    critical: CriticalRule
    assistance: Mapping[str, AssistanceRule]
    subsidy: SubsidyRule
    special: Mapping[str, SpecialRule]
    provenance: Mapping[str, Provenance]
    terms: Mapping[str, CriticalTerms]
    risk: RiskRule | None = None

    def critical_terms(self, category: str) -> CriticalTerms:
        """Critical-illness terms for ``category`` (with the tilt if it applies)."""
        try:
            return self.terms[category]
        except KeyError:
            raise ValueError(f"未知的人员类别：{category}") from None

    def covers(self, day: dt.date) -> bool:
        """True when ``day`` is inside the policy's effective period."""
        return self.effective_from <= day <= self.effective_to

    @property
    def region_prefix(self) -> str:
        """The significant digits of the region: every area inside it starts with them."""
        return region_prefix(self.region)

    @property
    def years(self) -> str:
        """``"2026 年度"`` or ``"2025—2026 年度"``: the calendar years the policy covers."""
        first, last = self.effective_from.year, self.effective_to.year
        return f"{first} 年度" if first == last else f"{first}—{last} 年度"

    @property
    def period(self) -> str:
        """``"2026-01-01 至 2026-12-31"``."""
        return f"{self.effective_from.isoformat()} 至 {self.effective_to.isoformat()}"

    def applies_to(self, day: dt.date, area: str | None) -> bool:
        """True when ``day`` is in the period and ``area`` (12 digits, or None) is in the region."""
        return self.covers(day) and (area is None or area.startswith(self.region_prefix))

    def illustrative_keys(self) -> list[str]:
        """Key paths of every number marked illustrative (not from a document)."""
        return sorted(k for k, p in self.provenance.items() if p.illustrative)


# --------------------------------------------------------------------------
# Loading


def load_policy(path_or_text: str | os.PathLike[str] | bytes) -> Policy:
    """Load and validate a policy from a file path or from TOML text.

    A ``str`` without a newline that ends in ``.toml`` is taken as a path;
    any other ``str`` is TOML text. Raises :class:`PolicyError` on any problem.
    """
    if isinstance(path_or_text, os.PathLike):
        text = Path(path_or_text).read_text(encoding="utf-8")
    elif isinstance(path_or_text, bytes):
        text = path_or_text.decode("utf-8")
    elif isinstance(path_or_text, str):
        candidate = path_or_text.strip()
        if "\n" not in candidate and candidate.endswith(".toml"):
            text = Path(candidate).read_text(encoding="utf-8")
        else:
            text = path_or_text
    else:
        raise TypeError("load_policy 需要文件路径或 TOML 文本")
    try:
        # parse_float=Decimal keeps 0.6 exact instead of a binary float.
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError("", f"TOML 格式错误：{exc}") from None
    return policy_from_dict(data)


def normalise_region(value: Any) -> str:
    """A policy's region as the 12-digit statistical code.

    Official documents write the 6-digit administrative code (431100 for
    永州市); it is the same area as ``431100000000``. Raises :class:`PolicyError`.
    """
    from jiceng.areas.codes import CodeError, level_of  # pure module, no Django

    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or not _REGION_RE.match(text):
        raise PolicyError("meta.region", "区划代码应为6位行政区划代码（如 431100）或12位统计用区划代码（如 431100000000），写成带引号的文字")
    code = text + "000000" if len(text) == 6 else text
    try:
        level_of(code)
    except CodeError as exc:
        raise PolicyError("meta.region", str(exc)) from None
    return code


def region_prefix(code: str) -> str:
    """``431100000000`` → ``4311``: the digits every descendant shares."""
    from jiceng.areas.codes import level_of

    return code[: level_of(code).value]


def example_policy_path() -> Path:
    """Path of the shipped illustrative policy ``example-hunan-2022.toml``."""
    ref = resources.files("jiceng.insurance").joinpath("policies", "example-hunan-2022.toml")
    return Path(str(ref))


def shipped_policies() -> dict[str, Path]:
    """The policies shipped with jiceng, by id (the file name without ``.toml``)."""
    folder = resources.files("jiceng.insurance").joinpath("policies")
    return {
        Path(str(entry)).stem: Path(str(entry))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml")
    }


def load_example_policy() -> Policy:
    """Load the shipped illustrative Hunan 2022 policy."""
    return load_policy(example_policy_path())


def policy_from_dict(data: Mapping[str, Any]) -> Policy:
    """Build a :class:`Policy` from already-parsed TOML data, validating it."""
    prov: dict[str, Provenance] = {}
    _check_keys(data, "", {"meta", "basic", "critical", "assistance", "subsidy", "special", "risk"})

    meta = _table(data, "", "meta")
    _check_keys(meta, "meta", {"region", "name", "effective_from", "effective_to", "source", "illustrative"})
    meta_prov = _provenance(meta, "meta", None)
    region = meta.get("region", _MISSING)
    if region is _MISSING:
        raise PolicyError("meta.region", "缺少此项")
    region = normalise_region(region)
    name = _text(meta, "meta", "name")
    start = _date(meta, "meta", "effective_from")
    end = _date(meta, "meta", "effective_to")
    if end < start:
        raise PolicyError("meta.effective_to", "截止日期早于起始日期")

    basic = _basic(_table(data, "", "basic"), prov)
    critical = _critical(_table(data, "", "critical"), prov)

    assistance: dict[str, AssistanceRule] = {}
    if "assistance" in data:
        section = _table(data, "", "assistance")
        for category in section:
            path = f"assistance.{category}"
            if category not in CATEGORIES:
                raise PolicyError(path, f"未知的人员类别：{category}")
            assistance[category] = _assistance(category, _table(section, "assistance", category), prov)

    subsidy = _subsidy(_table(data, "", "subsidy"), prov)

    special: dict[str, SpecialRule] = {}
    if "special" in data:
        section = _table(data, "", "special")
        for group in section:
            path = f"special.{group}"
            if not _GROUP_RE.match(group):
                raise PolicyError(path, "群体代码只能用小写字母、数字和下划线，且以字母开头")
            special[group] = _special(group, _table(section, "special", group), basic, prov)

    risk = _risk(_table(data, "", "risk"), prov) if "risk" in data else None

    terms = {c: _terms_for(critical, c) for c in CATEGORIES}
    return Policy(
        region=region,
        name=name,
        effective_from=start,
        effective_to=end,
        source=meta_prov.source,
        basic=basic,
        critical=critical,
        assistance=MappingProxyType(assistance),
        subsidy=subsidy,
        special=MappingProxyType(special),
        provenance=MappingProxyType(prov),
        terms=MappingProxyType(terms),
        risk=risk,
    )


# --------------------------------------------------------------------------
# Sections


def _basic(table: Mapping[str, Any], prov: dict[str, Provenance]) -> BasicRule:
    path = "basic"
    _check_keys(table, path, {"levels", "annual_cap", "deductible_per", "source", "illustrative"})
    own = _provenance(table, path, None)
    per = table.get("deductible_per", _MISSING)
    if per is _MISSING:
        raise PolicyError("basic.deductible_per", "缺少此项")
    if per not in DEDUCTIBLE_PER:
        raise PolicyError("basic.deductible_per", '只能是 "admission"（按次）或 "year"（按年度）')
    cap = _number(table, path, "annual_cap", own, prov, kind="amount", allow_none=True)
    levels_table = _table(table, path, "levels")
    for key in levels_table:
        if key not in HOSPITAL_LEVELS:
            raise PolicyError(f"basic.levels.{key}", "未知的医院等级（只能是 1、2、3）")
    levels: dict[str, LevelRule] = {}
    for level in HOSPITAL_LEVELS:
        lpath = f"basic.levels.{level}"
        if level not in levels_table:
            raise PolicyError(lpath, "缺少该医院等级")
        lt = _table(levels_table, "basic.levels", level)
        _check_keys(lt, lpath, {"name", "deductible", "ratio", "source", "illustrative"})
        lprov = _provenance(lt, lpath, own)
        lname = _text(lt, lpath, "name") if "name" in lt else DEFAULT_LEVEL_NAMES[level]
        levels[level] = LevelRule(
            level=level,
            name=lname,
            deductible=_number(lt, lpath, "deductible", lprov, prov, kind="amount"),
            ratio=_number(lt, lpath, "ratio", lprov, prov, kind="ratio"),
        )
    return BasicRule(MappingProxyType(levels), cap, per, own.source)


def _critical(table: Mapping[str, Any], prov: dict[str, Provenance]) -> CriticalRule:
    path = "critical"
    _check_keys(
        table,
        path,
        {"income_reference", "deductible_share", "annual_cap", "segments", "tilt", "source", "illustrative"},
    )
    own = _provenance(table, path, None)
    income = _number(table, path, "income_reference", own, prov, kind="amount")
    share = _number(table, path, "deductible_share", own, prov, kind="ratio")
    # Documented rounding point: the deductible is rounded to the cent once, here.
    deductible = round_cents(income * share)
    prov["critical.deductible"] = Provenance(
        "critical.income_reference × critical.deductible_share",
        prov["critical.income_reference"].illustrative or prov["critical.deductible_share"].illustrative,
    )
    cap = _number(table, path, "annual_cap", own, prov, kind="amount", allow_none=True)

    raw_segments = table.get("segments", _MISSING)
    if raw_segments is _MISSING:
        raise PolicyError("critical.segments", "缺少此项")
    if not isinstance(raw_segments, list) or not raw_segments:
        raise PolicyError("critical.segments", "必须是至少一段的数组")
    segments: list[Segment] = []
    lower = Decimal("0.00")
    last = len(raw_segments) - 1
    for i, raw in enumerate(raw_segments):
        spath = f"critical.segments[{i}]"
        if not isinstance(raw, dict):
            raise PolicyError(spath, "每一段必须是表，如 {upto = 50000, ratio = 0.6}")
        _check_keys(raw, spath, {"upto", "ratio", "source", "illustrative"})
        sprov = _provenance(raw, spath, own)
        ratio = _number(raw, spath, "ratio", sprov, prov, kind="ratio")
        if i < last:
            if "upto" not in raw:
                raise PolicyError(f"{spath}.upto", "只有最后一段可以不设上限")
            upper = _number(raw, spath, "upto", sprov, prov, kind="amount")
            if upper <= lower:
                reason = "分段上限必须大于 0" if i == 0 else "分段上限必须递增"
                raise PolicyError(f"{spath}.upto", reason)
        else:
            if "upto" in raw:
                raise PolicyError(f"{spath}.upto", "最后一段不设上限（超出部分都按最后一段比例支付）")
            upper = None
        segments.append(Segment(i, lower, upper, ratio))
        if upper is not None:
            lower = upper

    tilt = None
    if "tilt" in table:
        tilt = _tilt(_table(table, path, "tilt"), own, segments, prov)
    return CriticalRule(income, share, deductible, cap, tuple(segments), tilt, own.source)


def _tilt(
    table: Mapping[str, Any], parent: Provenance, segments: list[Segment], prov: dict[str, Provenance]
) -> TiltRule:
    path = "critical.tilt"
    _check_keys(table, path, {"categories", "deductible_factor", "ratio_bonus", "cap", "source", "illustrative"})
    own = _provenance(table, path, parent)
    cats = table.get("categories", _MISSING)
    if cats is _MISSING:
        raise PolicyError(f"{path}.categories", "缺少此项")
    if not isinstance(cats, list):
        raise PolicyError(f"{path}.categories", "必须是人员类别的数组")
    for i, cat in enumerate(cats):
        if cat not in CATEGORIES:
            raise PolicyError(f"{path}.categories[{i}]", f"未知的人员类别：{cat}")
    factor = _number(table, path, "deductible_factor", own, prov, kind="ratio")
    bonus = _number(table, path, "ratio_bonus", own, prov, kind="ratio")
    for seg in segments:
        if seg.ratio + bonus > 1:
            raise PolicyError(f"{path}.ratio_bonus", f"critical.segments[{seg.index}] 的比例加上倾斜后超过 1")
    cap = _number(table, path, "cap", own, prov, kind="amount", allow_none=True)
    return TiltRule(frozenset(cats), factor, bonus, cap, own.source)


def _assistance(category: str, table: Mapping[str, Any], prov: dict[str, Provenance]) -> AssistanceRule:
    path = f"assistance.{category}"
    _check_keys(table, path, {"deductible", "ratio", "annual_cap", "source", "illustrative"})
    own = _provenance(table, path, None)
    return AssistanceRule(
        category=category,
        deductible=_number(table, path, "deductible", own, prov, kind="amount"),
        ratio=_number(table, path, "ratio", own, prov, kind="ratio"),
        annual_cap=_number(table, path, "annual_cap", own, prov, kind="amount", allow_none=True),
        source=own.source,
    )


def _subsidy(table: Mapping[str, Any], prov: dict[str, Provenance]) -> SubsidyRule:
    path = "subsidy"
    _check_keys(table, path, {"premium", "shares", "source", "illustrative"})
    own = _provenance(table, path, None)
    premium = _number(table, path, "premium", own, prov, kind="amount")
    shares_table = _table(table, path, "shares")
    shares: dict[str, Decimal] = {}
    for category in shares_table:
        if category not in CATEGORIES:
            raise PolicyError(f"subsidy.shares.{category}", f"未知的人员类别：{category}")
        shares[category] = _number(shares_table, "subsidy.shares", category, own, prov, kind="ratio")
    return SubsidyRule(premium, MappingProxyType(shares), own.source)


def _risk(table: Mapping[str, Any], prov: dict[str, Provenance]) -> RiskRule:
    path = "risk"
    _check_keys(table, path, {"self_pay_threshold", "income_share", "source", "illustrative"})
    own = _provenance(table, path, None)
    threshold = _number(table, path, "self_pay_threshold", own, prov, kind="amount", allow_none=True, default=None)
    share = _number(table, path, "income_share", own, prov, kind="ratio", default=None)
    if threshold is None and share is None:
        raise PolicyError(path, "至少要有 self_pay_threshold 或 income_share 之一")
    return RiskRule(threshold, share, own.source)


def _special(
    group: str, table: Mapping[str, Any], basic: BasicRule, prov: dict[str, Provenance]
) -> SpecialRule:
    path = f"special.{group}"
    _check_keys(
        table,
        path,
        {"name", "basic_ratio_bonus", "aid_deductible", "aid_ratio", "aid_annual_cap", "source", "illustrative"},
    )
    own = _provenance(table, path, None)
    name = _text(table, path, "name") if "name" in table else group
    zero = Decimal("0")
    bonus = _number(table, path, "basic_ratio_bonus", own, prov, kind="ratio", default=zero)
    for level, rule in basic.levels.items():
        if rule.ratio + bonus > 1:
            raise PolicyError(f"{path}.basic_ratio_bonus", f"basic.levels.{level} 的比例加上后超过 1")
    return SpecialRule(
        group=group,
        name=name,
        basic_ratio_bonus=bonus,
        aid_deductible=_number(table, path, "aid_deductible", own, prov, kind="amount", default=zero.quantize(CENT)),
        aid_ratio=_number(table, path, "aid_ratio", own, prov, kind="ratio", default=zero),
        aid_annual_cap=_number(table, path, "aid_annual_cap", own, prov, kind="amount", allow_none=True, default=None),
        source=own.source,
    )


def _terms_for(critical: CriticalRule, category: str) -> CriticalTerms:
    tilt = critical.tilt
    ratios = tuple(s.ratio for s in critical.segments)
    if tilt is not None and category in tilt.categories:
        # Documented rounding point: the tilted deductible is rounded to the cent.
        return CriticalTerms(
            category=category,
            deductible=round_cents(critical.deductible * tilt.deductible_factor),
            ratios=tuple(r + tilt.ratio_bonus for r in ratios),
            annual_cap=tilt.cap,
            tilted=True,
        )
    return CriticalTerms(category, critical.deductible, ratios, critical.annual_cap, False)


# --------------------------------------------------------------------------
# Field readers


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _check_keys(table: Mapping[str, Any], path: str, allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            raise PolicyError(_join(path, key), "未知的键")


def _table(parent: Mapping[str, Any], path: str, key: str) -> Mapping[str, Any]:
    value = parent.get(key, _MISSING)
    full = _join(path, key)
    if value is _MISSING:
        raise PolicyError(full, "缺少此节")
    if not isinstance(value, dict):
        raise PolicyError(full, "必须是表（section）")
    return value


def _text(table: Mapping[str, Any], path: str, key: str) -> str:
    value = table.get(key, _MISSING)
    full = _join(path, key)
    if value is _MISSING:
        raise PolicyError(full, "缺少此项")
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(full, "必须是非空文字")
    return value.strip()


def _date(table: Mapping[str, Any], path: str, key: str) -> dt.date:
    value = table.get(key, _MISSING)
    full = _join(path, key)
    if value is _MISSING:
        raise PolicyError(full, "缺少此项")
    # TOML datetimes are date subclasses; a policy date has no time of day.
    if isinstance(value, dt.datetime):
        raise PolicyError(full, "日期不应包含时间")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PolicyError(full, "日期格式不正确，应为 YYYY-MM-DD")


def _provenance(table: Mapping[str, Any], path: str, inherited: Provenance | None) -> Provenance:
    source = table.get("source", _MISSING)
    if source is _MISSING:
        if inherited is None:
            raise PolicyError(_join(path, "source"), "缺少来源说明（文件名称或文号）")
        source = inherited.source
    elif not isinstance(source, str) or not source.strip():
        raise PolicyError(_join(path, "source"), "来源说明必须是非空文字")
    flag = table.get("illustrative", _MISSING)
    if flag is _MISSING:
        flag = inherited.illustrative if inherited is not None else False
    elif not isinstance(flag, bool):
        raise PolicyError(_join(path, "illustrative"), "只能是 true 或 false")
    return Provenance(source.strip(), flag)


def _number(
    table: Mapping[str, Any],
    path: str,
    key: str,
    section: Provenance,
    prov: dict[str, Provenance],
    *,
    kind: str,
    allow_none: bool = False,
    default: Any = _MISSING,
) -> Any:
    """Read a number (plain or ``{value, source, illustrative}``) and record its provenance."""
    full = _join(path, key)
    raw = table.get(key, _MISSING)
    if raw is _MISSING:
        if default is not _MISSING:
            return default
        raise PolicyError(full, "缺少此项")
    own = section
    if isinstance(raw, dict):
        _check_keys(raw, full, {"value", "source", "illustrative"})
        own = _provenance(raw, full, section)
        if "value" not in raw:
            raise PolicyError(_join(full, "value"), "缺少数值")
        raw = raw["value"]
    prov[full] = own
    if allow_none and raw == "none":
        return None
    if isinstance(raw, float):
        # Only from hand-built dicts (TOML floats arrive as Decimal): use the
        # shortest repr so 0.6 stays 0.6.
        raw = Decimal(repr(raw))
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
        expected = '数字或 "none"（不封顶）' if allow_none else "数字"
        raise PolicyError(full, f"必须是{expected}")
    value = Decimal(raw)
    if not value.is_finite():
        raise PolicyError(full, "必须是有限数值")
    if kind == "amount":
        if value < 0:
            raise PolicyError(full, "金额不能为负数")
        if value > _MAX_POLICY_AMOUNT:
            raise PolicyError(full, "金额过大")
        if value != value.quantize(CENT):
            raise PolicyError(full, "金额最多两位小数")
        return value.quantize(CENT)
    # kind == "ratio": the batch mode works in 1/10000, so at most four places.
    if value < 0 or value > 1:
        raise PolicyError(full, "比例必须在 0 到 1 之间")
    if value != value.quantize(RATIO_QUANTUM):
        raise PolicyError(full, "比例最多四位小数")
    return value
