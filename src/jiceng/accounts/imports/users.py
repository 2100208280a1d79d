"""用户 (users): username, name, role, scope area, units, grids, phone. Never a password.

A new user gets an unusable password: nobody can log in as them until an administrator sets one
(``jiceng changepassword USERNAME`` or the admin site), so no password ever travels in a spreadsheet.
"""

from __future__ import annotations

import re

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.areas import codes
from jiceng.areas.codes import Level
from jiceng.areas.models import Area, Grid, Unit
from jiceng.tabular import RowError

from ..models import Role, User
from .base import CREATED, UNCHANGED, UPDATED, Checked, RegistryKind, split_list, text_value
from .scope import check_in_scope

# The words offices use for each role (the first is the one the template and the messages show).
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    Role.RESIDENT: ("群众", "居民"),
    Role.GRID_WORKER: ("网格员",),
    Role.VILLAGE_STAFF: ("村（社区）干部", "村干部", "社区干部", "村(社区)干部"),
    Role.TOWNSHIP_STAFF: ("乡镇（街道）工作人员", "乡镇干部", "街道干部", "乡镇工作人员", "乡镇(街道)工作人员"),
    Role.COUNTY_HANDLER: ("县直部门办件员", "部门办件员", "县直部门"),
    Role.DISPATCH_CENTRE: ("区社会治理中心（调度）", "调度中心", "社会治理中心", "区社会治理中心(调度)"),
    Role.SUPERVISOR: ("领导 / 督办", "领导", "督办", "领导/督办"),
    Role.AUDITOR: ("审计（只读）", "审计", "审计(只读)"),
    Role.ADMIN: ("管理员", "系统管理员"),
}
ROLE_OF = {word: role for role, words in ROLE_WORDS.items() for word in (*words, str(role))}

# Which levels of scope area a role works at; None in the set means “no scope” is allowed.
SCOPE_LEVELS: dict[str, set] = {
    Role.RESIDENT: {None, Level.VILLAGE},
    Role.GRID_WORKER: {Level.VILLAGE},
    Role.VILLAGE_STAFF: {Level.VILLAGE},
    Role.TOWNSHIP_STAFF: {Level.TOWNSHIP},
    Role.COUNTY_HANDLER: {None, Level.COUNTY},
    Role.DISPATCH_CENTRE: {Level.COUNTY},
    Role.SUPERVISOR: {Level.TOWNSHIP, Level.COUNTY},
    Role.AUDITOR: {Level.COUNTY, Level.PREFECTURE, Level.PROVINCE},
    Role.ADMIN: {None, Level.COUNTY, Level.PREFECTURE, Level.PROVINCE},
}
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
_username = UnicodeUsernameValidator()


def _scope_words(role: str) -> str:
    levels = SCOPE_LEVELS[role]
    words = [codes.LEVEL_NAMES[lv] for lv in codes.LEVEL_ORDER if lv in levels]
    text = "、".join(words)
    return text + (_("（也可不填）") if None in levels else "")


class UserImport(RegistryKind):
    key = "users"
    label = gettext_lazy("用户")
    columns = {
        "username": ("用户名", "账号"),
        "name": ("姓名",),
        "role": ("角色",),
        "scope": ("辖区代码", "辖区", "所属区划代码"),
        "units": ("所属单位代码", "所属单位", "单位代码"),
        "grids": ("网格代码", "负责网格"),
        "phone": ("手机号", "手机", "电话"),
    }
    required = ("username", "name", "role")
    examples = [["grid-431102398201001", "张三", "网格员", "431102398201", "", "431102398201001", "13800000000"]]
    notes = [
        gettext_lazy("用户名由字母、数字和 @ . + - _ 组成，是账号的唯一标识（重复导入按它更新）。不导入密码：新账号没有可用密码，须由管理员用“jiceng changepassword 用户名”或后台为其设置。"),
        gettext_lazy("角色填：群众、网格员、村（社区）干部、乡镇（街道）工作人员、县直部门办件员、区社会治理中心（调度）、领导 / 督办、审计（只读）、管理员。"),
        gettext_lazy("辖区代码须与角色相符：网格员、村（社区）干部填村（社区）代码；乡镇（街道）工作人员填乡镇代码；调度、审计填县（区）代码；领导填乡镇或县（区）代码。"),
        gettext_lazy("所属单位代码、网格代码可填多个，用“、”分隔；须在辖区之内。填写时账号的单位（网格）设为所列的；留空则不改动。网格只用于网格员。"),
    ]

    def load(self) -> None:
        self.areas = dict(Area.objects.values_list("code", "name"))
        self.units = dict(Unit.objects.values_list("code", "pk"))
        self.unit_areas = dict(Unit.objects.values_list("code", "area_id"))
        self.grids = dict(Grid.objects.values_list("code", "pk"))
        self.users = {u.username: u for u in User.objects.prefetch_related("units", "grids")}
        self.new_usernames: list[str] = []

    def _role(self, text: str) -> str:
        role = ROLE_OF.get(text.replace(" ", "")) or ROLE_OF.get(text)
        if role is None:
            allowed = "、".join(words[0] for words in ROLE_WORDS.values())
            raise ValueError(_("角色“%(v)s”不存在，可填：%(allowed)s") % {"v": text, "allowed": allowed} if text else _("不能为空"))
        return role

    def _scope(self, role: str | None, text: str) -> str | None:
        if text:
            if text not in self.areas:
                raise ValueError(_("区划“%(v)s”不存在") % {"v": text})
            check_in_scope(self.user, text)
        if role is None:
            return text or None
        level = codes.level_of(text) if text else None
        if level not in SCOPE_LEVELS[role]:
            role_name = ROLE_WORDS[role][0]
            if level is None:
                raise ValueError(_("角色“%(role)s”须填写辖区代码（%(want)s）") % {"role": role_name, "want": _scope_words(role)})
            raise ValueError(_("角色“%(role)s”的辖区应为%(want)s，“%(v)s”是%(is)s") % {
                "role": role_name, "want": _scope_words(role), "v": text, "is": codes.LEVEL_NAMES[level]})
        return text or None

    def _under(self, code: str, scope: str | None) -> bool:
        if scope:
            return code.startswith(codes.prefix(scope))
        try:
            check_in_scope(self.user, code)
        except ValueError:
            return False
        return True

    def check(self, number: int, row: dict[str, str], errors: list[RowError]) -> Checked | None:
        before = len(errors)
        values: dict = {}
        username = row["username"]
        try:
            if not username:
                raise ValueError(_("不能为空"))
            if len(username) > 150:
                raise ValueError(_("用户名最多150个字符"))
            _username(username)
        except ValidationError:
            self.error(errors, number, "username", _("用户名“%(v)s”只能由字母、数字和 @ . + - _ 组成") % {"v": username[:40]})
        except ValueError as exc:
            self.error(errors, number, "username", str(exc))
        for fieldname, label, size in (("name", _("姓名"), 32),):
            try:
                values[fieldname] = text_value(row[fieldname], label, size)
            except ValueError as exc:
                self.error(errors, number, fieldname, str(exc))
        role = None
        try:
            role = self._role(row["role"])
            if role == Role.INTEGRATION:
                raise ValueError(_("接口账号不能导入，请在平台中创建接口密钥"))
        except ValueError as exc:
            self.error(errors, number, "role", str(exc))
            role = None
        values["role"] = role
        scope = None
        try:
            scope = self._scope(role, row["scope"])
        except ValueError as exc:
            self.error(errors, number, "scope", str(exc))
        values["scope"] = scope
        values["units"] = self._listed(number, row["units"], self.units, "units", scope, errors, self.unit_areas)
        if row["grids"] and role is not None and role != Role.GRID_WORKER:
            self.error(errors, number, "grids", _("只有网格员负责网格"))
        values["grids"] = self._listed(number, row["grids"], self.grids, "grids", scope, errors)
        if role == Role.COUNTY_HANDLER and not row["units"] and username not in self.users:
            self.error(errors, number, "units", _("县直部门办件员须填写所属单位代码"))
        phone = row["phone"].replace(" ", "")
        if phone and not _PHONE.match(phone):
            self.error(errors, number, "phone", _("“%(v)s”不是有效的手机号或固定电话") % {"v": phone[:20]})
        values["phone"] = phone
        if len(errors) > before:
            return None
        return Checked(number, username, values)

    def _listed(self, number, text, known, fieldname, scope, errors, areas_of=None) -> list[int] | None:
        if not text:
            return None
        ids = []
        for code in split_list(text):
            if code not in known:
                what = _("单位") if fieldname == "units" else _("网格")
                self.error(errors, number, fieldname, _("%(what)s“%(v)s”不存在") % {"what": what, "v": code})
                continue
            place = areas_of[code] if areas_of else code[:12]
            if not self._under(place, scope):
                self.error(errors, number, fieldname, _("“%(v)s”不在该用户的辖区内") % {"v": code})
                continue
            ids.append(known[code])
        return sorted(ids)

    def write(self, row: Checked) -> str:
        v = row.values
        wanted = {"real_name": v["name"], "role": v["role"], "scope_area_id": v["scope"], "phone": v["phone"]}
        user = self.users.get(row.key)
        if user is None:
            user = User(username=row.key, **wanted)
            user.set_unusable_password()
            user.save()
            if v["units"]:
                user.units.set(v["units"])
            if v["grids"]:
                user.grids.set(v["grids"])
            self.new_usernames.append(row.key)
            return CREATED
        outcome = UNCHANGED
        if any(getattr(user, f) != value for f, value in wanted.items()):
            for f, value in wanted.items():
                setattr(user, f, value)
            user.save(update_fields=["real_name", "role", "scope_area", "phone"])
            outcome = UPDATED
        for relation, ids in (("units", v["units"]), ("grids", v["grids"])):
            if ids is not None and sorted(x.pk for x in getattr(user, relation).all()) != ids:
                getattr(user, relation).set(ids)
                outcome = UPDATED
        return outcome
