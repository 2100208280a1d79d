"""区划 (areas): code, name; the level and the parent come from the code itself."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.areas import codes
from jiceng.areas.models import Area
from jiceng.tabular import RowError

from .base import CREATED, UNCHANGED, UPDATED, Checked, RegistryKind, text_value
from .scope import area_code, check_in_scope


class AreaImport(RegistryKind):
    key = "areas"
    label = gettext_lazy("区划")
    columns = {
        "code": ("区划代码", "代码", "统计用区划代码"),
        "name": ("名称", "区划名称"),
        "parent": ("上级代码", "上级区划代码"),
    }
    required = ("code", "name")
    examples = [["431102398000", "示例镇", "431102000000"], ["431102398201", "示例村", ""]]
    notes = [
        gettext_lazy("区划代码为12位统计用区划代码（省2位、市2位、县2位、乡镇3位、村社区3位，下级不足的补0），层级由代码得出。"),
        gettext_lazy("上级代码可不填，由区划代码推出；填写时必须与推出的一致。上级必须已在平台中，或在同一文件中。"),
        gettext_lazy("按区划代码更新：已有的区划只更新名称。"),
    ]

    def load(self) -> None:
        self.existing = dict(Area.objects.values_list("code", "name"))

    def check(self, number: int, row: dict[str, str], errors: list[RowError]) -> Checked | None:
        before = len(errors)
        code = name = ""
        parent: str | None = None
        try:
            code = area_code(row["code"])
            check_in_scope(self.user, code)
            parent = codes.parent_code(code)
        except ValueError as exc:
            self.error(errors, number, "code", str(exc))
        try:
            name = text_value(row["name"], _("名称"), 64)
        except ValueError as exc:
            self.error(errors, number, "name", str(exc))
        if row["parent"] and code and row["parent"] != (parent or ""):
            self.error(errors, number, "parent", _("上级代码应为“%(want)s”（由区划代码推出），而不是“%(v)s”") % {
                "want": parent or _("无（省级）"), "v": row["parent"]})
        if len(errors) > before:
            return None
        needs = (parent,) if parent and parent not in self.existing else ()
        return Checked(number, code, {"name": name, "parent": parent}, needs=needs, need_column=self.labels["code"],
                       order=codes.level_of(code).value)

    def missing(self, key: str) -> str:
        return _("上级区划“%(code)s”不存在：请先导入它，或把它放在同一文件中") % {"code": key}

    def write(self, row: Checked) -> str:
        name, parent = row.values["name"], row.values["parent"]
        if row.key not in self.existing:
            Area.objects.create(code=row.key, name=name, level=codes.level_of(row.key).name.lower(), parent_id=parent)
            self.existing[row.key] = name
            return CREATED
        if self.existing[row.key] == name:
            return UNCHANGED
        Area.objects.filter(code=row.key).update(name=name)
        self.existing[row.key] = name
        return UPDATED
