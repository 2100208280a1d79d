"""The tag kinds a county starts with (seeds 000, 002 and 003), with the risk types of 防返贫监测."""

from __future__ import annotations

RISK_TYPES = ["因病", "因残", "因学", "因灾", "因意外", "因失业", "因产业失败", "因务工就业不稳", "缺劳动力", "其他"]

# (code, name, risk types)
DEFAULT_TAG_KINDS: list[tuple[str, str, list[str]]] = [
    ("tekun", "特困", []),
    ("dibao", "低保", []),
    ("dibao-edge", "低保边缘", []),
    ("monitored", "防返贫监测对象", RISK_TYPES),
    ("relocated", "易地搬迁", []),
    ("left-behind-child", "留守儿童", []),
    ("elderly-alone", "独居老人", []),
    ("severe-illness-disability", "重病重残", []),
    ("disabled", "残疾人", []),
    ("party-member", "党员", []),
    ("grid-worker", "网格员", []),
    ("volunteer", "志愿者", []),
    ("pneumoconiosis", "尘肺病", []),
    ("veteran", "退役军人", []),
]


def install_default_tag_kinds(TagKind) -> None:
    """Create the default kinds that do not exist yet (by code); existing ones are left as the county set them."""
    existing = set(TagKind.objects.values_list("code", flat=True))
    TagKind.objects.bulk_create([
        TagKind(code=code, name=name, risk_types=risks, order=i)
        for i, (code, name, risks) in enumerate(DEFAULT_TAG_KINDS) if code not in existing
    ])
