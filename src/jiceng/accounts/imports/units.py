"""责任单位 (units): code, name, tier 村/镇/县, the area it serves and its kind (村委会, 司法所, 民政局 …)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.areas.models import AREA_LEVEL_FOR_UNIT_LEVEL, Area, Unit, UnitKind, UnitLevel
from jiceng.areas import codes
from jiceng.tabular import RowError

from .base import CREATED, UNCHANGED, UPDATED, Checked, RegistryKind, text_value
from .scope import check_in_scope

LEVEL_WORDS = {
    "村": UnitLevel.VILLAGE, "村级": UnitLevel.VILLAGE, "社区": UnitLevel.VILLAGE, "村（社区）": UnitLevel.VILLAGE, "village": UnitLevel.VILLAGE,
    "镇": UnitLevel.TOWNSHIP, "乡": UnitLevel.TOWNSHIP, "乡镇": UnitLevel.TOWNSHIP, "街道": UnitLevel.TOWNSHIP, "镇级": UnitLevel.TOWNSHIP,
    "乡镇级": UnitLevel.TOWNSHIP, "乡镇（街道）": UnitLevel.TOWNSHIP, "township": UnitLevel.TOWNSHIP,
    "县": UnitLevel.COUNTY, "区": UnitLevel.COUNTY, "县级": UnitLevel.COUNTY, "县（区）": UnitLevel.COUNTY, "county": UnitLevel.COUNTY,
}
YES_NO = {"": True, "是": True, "启用": True, "1": True, "否": False, "停用": False, "0": False}
SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class UnitImport(RegistryKind):
    key = "units"
    label = gettext_lazy("责任单位")
    columns = {
        "code": ("单位代码", "代码"),
        "name": ("单位名称", "名称"),
        "level": ("层级",),
        "area": ("服务区划代码", "区划代码", "服务区划"),
        "kind": ("单位类型", "类型", "部门"),
        "active": ("启用",),
    }
    required = ("code", "name", "level", "area", "kind")
    examples = [["judicial_office-431102398000", "示例镇司法所", "镇", "431102398000", "司法所", "是"]]
    notes = [
        gettext_lazy("单位代码由字母、数字、“-”“_”组成，最多64位，是单位的唯一标识（重复导入按它更新）。"),
        gettext_lazy("层级填“村”“镇”或“县”（也可写乡镇、街道、县级、区）；服务区划代码须是该层级的区划：村级单位填村（社区）代码，镇级填乡镇代码，县级填县（区）代码。"),
        gettext_lazy("单位类型填平台中该层级的单位类型名称或代码（如 村委会、司法所、民政局）。启用填“是”或“否”，留空为是。"),
    ]

    def load(self) -> None:
        self.areas = dict(Area.objects.values_list("code", "name"))
        self.kinds = list(UnitKind.objects.all())
        self.units = {u.code: u for u in Unit.objects.all()}

    def _kind(self, text: str, level: str | None) -> str:
        found = [k for k in self.kinds if text in (k.code, k.name) and (level is None or k.level == level)]
        if found:
            return found[0].code
        names = "、".join(k.name for k in self.kinds if level is None or k.level == level)
        raise ValueError(_("单位类型“%(v)s”不存在；该层级可选：%(names)s") % {"v": text, "names": names})

    def check(self, number: int, row: dict[str, str], errors: list[RowError]) -> Checked | None:
        before = len(errors)
        values: dict = {}
        code = row["code"]
        if not code:
            self.error(errors, number, "code", _("不能为空"))
        elif len(code) > 64 or not set(code) <= SLUG_CHARS:
            self.error(errors, number, "code", _("单位代码“%(v)s”只能由字母、数字、“-”“_”组成，最多64位") % {"v": code[:70]})
        try:
            values["name"] = text_value(row["name"], _("单位名称"), 64)
        except ValueError as exc:
            self.error(errors, number, "name", str(exc))
        level = LEVEL_WORDS.get(row["level"].lower())
        if level is None:
            self.error(errors, number, "level", _("层级“%(v)s”无法识别，请填“村”“镇”或“县”") % {"v": row["level"]})
        values["level"] = level
        area = row["area"]
        if not area:
            self.error(errors, number, "area", _("不能为空"))
        elif area not in self.areas:
            self.error(errors, number, "area", _("区划“%(v)s”不存在（请先导入区划）") % {"v": area})
        else:
            try:
                check_in_scope(self.user, area)
                if level is not None and codes.level_of(area) is not AREA_LEVEL_FOR_UNIT_LEVEL[level]:
                    raise ValueError(_("%(level)s级单位须服务%(want)s级区划，“%(v)s”是%(is)s级") % {
                        "level": row["level"], "want": codes.LEVEL_NAMES[AREA_LEVEL_FOR_UNIT_LEVEL[level]], "v": area,
                        "is": codes.LEVEL_NAMES[codes.level_of(area)]})
            except ValueError as exc:
                self.error(errors, number, "area", str(exc))
        values["area"] = area
        try:
            values["kind"] = self._kind(row["kind"], level) if row["kind"] else self._kind("", level)
        except ValueError as exc:
            self.error(errors, number, "kind", str(exc) if row["kind"] else _("不能为空"))
        active = YES_NO.get(row["active"])
        if active is None:
            self.error(errors, number, "active", _("启用只能填“是”或“否”"))
        values["active"] = active
        if len(errors) > before:
            return None
        return Checked(number, code, values)

    def write(self, row: Checked) -> str:
        v = row.values
        wanted = {"name": v["name"], "level": v["level"], "area_id": v["area"], "kind_id": v["kind"], "active": v["active"]}
        unit = self.units.get(row.key)
        if unit is None:
            self.units[row.key] = Unit.objects.create(code=row.key, **wanted)
            return CREATED
        if all(getattr(unit, f) == value for f, value in wanted.items()):
            return UNCHANGED
        for f, value in wanted.items():
            setattr(unit, f, value)
        unit.save()
        return UPDATED
