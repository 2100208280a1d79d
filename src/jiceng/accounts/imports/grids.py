"""网格 (grids): code, name, the village it lies in, and optionally its grid workers."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.areas.models import Area, AreaLevel, Grid
from jiceng.tabular import RowError

from ..models import Role, User
from .base import CREATED, UNCHANGED, UPDATED, Checked, RegistryKind, split_list, text_value
from .scope import check_in_scope


class GridImport(RegistryKind):
    key = "grids"
    label = gettext_lazy("网格")
    columns = {
        "code": ("网格代码", "代码"),
        "name": ("网格名称", "名称"),
        "village": ("所属村（社区）代码", "村/社区", "村（社区）代码", "所属村社区"),
        "workers": ("网格员用户名", "网格员"),
    }
    required = ("code", "name", "village")
    examples = [["431102398201001", "示例村第一网格", "431102398201", ""]]
    notes = [
        gettext_lazy("网格代码为所属村（社区）的12位代码后加1至4位数字，例如 431102101201001。"),
        gettext_lazy("所属村（社区）必须已在平台中（先导入区划）。"),
        gettext_lazy("网格员用户名可不填；填写时须是已有的网格员账号，多个用“、”分隔，网格的网格员将设为所列的人。"),
    ]

    def load(self) -> None:
        self.villages = dict(Area.objects.filter(level=AreaLevel.VILLAGE).values_list("code", "name"))
        self.grids = {g.code: g for g in Grid.objects.prefetch_related("workers")}
        self.workers = dict(User.objects.filter(role=Role.GRID_WORKER).values_list("username", "pk"))
        self.other_roles = set(User.objects.exclude(role=Role.GRID_WORKER).values_list("username", flat=True))

    def check(self, number: int, row: dict[str, str], errors: list[RowError]) -> Checked | None:
        before = len(errors)
        values: dict = {}
        village = row["village"]
        if not village:
            self.error(errors, number, "village", _("不能为空"))
        elif village not in self.villages:
            self.error(errors, number, "village", _("村（社区）“%(v)s”不存在（请填写12位区划代码，并先导入区划）") % {"v": village})
        else:
            try:
                check_in_scope(self.user, village)
            except ValueError as exc:
                self.error(errors, number, "village", str(exc))
        code = row["code"]
        if not code:
            self.error(errors, number, "code", _("不能为空"))
        elif not code.isdigit() or not 13 <= len(code) <= 16:
            self.error(errors, number, "code", _("网格代码“%(v)s”应为13至16位数字（村代码加网格序号）") % {"v": code})
        elif village and not code.startswith(village):
            self.error(errors, number, "code", _("网格代码“%(v)s”应以所属村（社区）代码“%(village)s”开头") % {"v": code, "village": village})
        try:
            values["name"] = text_value(row["name"], _("网格名称"), 64)
        except ValueError as exc:
            self.error(errors, number, "name", str(exc))
        values["workers"] = None
        if row["workers"]:
            ids = []
            for username in split_list(row["workers"]):
                if username in self.workers:
                    ids.append(self.workers[username])
                elif username in self.other_roles:
                    self.error(errors, number, "workers", _("用户“%(v)s”不是网格员") % {"v": username})
                else:
                    self.error(errors, number, "workers", _("用户“%(v)s”不存在") % {"v": username})
            values["workers"] = sorted(ids)
        if len(errors) > before:
            return None
        values["village"] = village
        return Checked(number, code, values)

    def write(self, row: Checked) -> str:
        v = row.values
        grid = self.grids.get(row.key)
        if grid is None:
            grid = Grid.objects.create(code=row.key, name=v["name"], area_id=v["village"])
            if v["workers"]:
                grid.workers.set(v["workers"])
            return CREATED
        outcome = UNCHANGED
        if (grid.name, grid.area_id) != (v["name"], v["village"]):
            grid.name, grid.area_id = v["name"], v["village"]
            grid.save(update_fields=["name", "area"])
            outcome = UPDATED
        if v["workers"] is not None and sorted(w.pk for w in grid.workers.all()) != v["workers"]:
            grid.workers.set(v["workers"])
            outcome = UPDATED
        return outcome
