"""Pairing import from a spreadsheet (户编号, 帮扶人账号, 结对方案, 结对日期): all rows or none, in bulk.

Uses the registry's sheet reader and row-error machinery (``people.importer``). Every row is checked —
the household exists and lies in the importer's area, the helper's account exists, the scheme's limit
holds counting the helper's current pairings and the file's, the household has no helper of that
scheme yet — before anything is written; the helpers' rows are locked while the pairings are
inserted with one ``bulk_create``, so the limit also holds against pairings made at the same time.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, require
from jiceng.accounts.models import User
from jiceng.errors import InvalidInput
from jiceng.people.actions import clean_date
from jiceng.people.importer import ImportRejected, RowError, _cell
from jiceng.people.models import Household

from . import access
from .models import Pairing, PairingScheme

COLUMNS = {
    "household": ("户编号", "户号"),
    "helper": ("帮扶人账号", "帮扶人用户名"),
    "scheme": ("结对方案", "方案"),
    "started": ("结对日期",),
}
LABELS = {f: h[0] for f, h in COLUMNS.items()}
REQUIRED = ("household", "helper")


def do_import_pairings(user: User | None, rows: list[dict[str, Any]], first_row: int = 2) -> int:
    """Create the pairings of a checked sheet; ImportRejected (nothing written) if any row is wrong. Returns how many."""
    require(user, Capability.MANAGE_PROGRAMMES)
    today = timezone.localdate()
    errors: list[RowError] = []
    values = [{f: _cell(r.get(f)) for f in COLUMNS} for r in rows]
    schemes = {s.code: s for s in PairingScheme.objects.filter(active=True)} | {s.name: s for s in PairingScheme.objects.filter(active=True)}
    households = {h.number: h for h in Household.objects.filter(number__in=[v["household"] for v in values]).select_related("area")}
    helpers = {u.username: u for u in User.objects.filter(username__in=[v["helper"] for v in values], is_active=True)}
    with transaction.atomic():
        # Lock the helpers (in a fixed order) so the counts below hold until the insert.
        list(User.objects.select_for_update().filter(pk__in=[u.pk for u in helpers.values()]).order_by("pk").values_list("pk"))
        current = Counter({(r["helper_id"], r["scheme_id"]): r["n"] for r in Pairing.objects.filter(
            helper__in=helpers.values(), ended__isnull=True).values("helper_id", "scheme_id").annotate(n=Count("id"))})
        taken = set(Pairing.objects.filter(household__in=households.values(), ended__isnull=True).values_list("household_id", "scheme_id"))
        new: list[Pairing] = []
        for i, v in enumerate(values):
            number = first_row + i
            if not any(v.values()):
                continue
            before = len(errors)
            household, helper = households.get(v["household"]), helpers.get(v["helper"])
            scheme = schemes.get(v["scheme"] or "party-member")
            if household is None:
                errors.append(RowError(number, LABELS["household"], _("户编号“%(n)s”不存在") % {"n": v["household"][:32]}))
            elif not access.can_manage_in(user, household.area):
                errors.append(RowError(number, LABELS["household"], _("%(place)s不在您管理的辖区内") % {"place": household.area.name}))
            if helper is None:
                errors.append(RowError(number, LABELS["helper"], _("帮扶人账号“%(u)s”不存在或已停用") % {"u": v["helper"][:32]}))
            if scheme is None:
                errors.append(RowError(number, LABELS["scheme"], _("结对方案“%(s)s”不存在") % {"s": v["scheme"][:32]}))
            try:
                started = clean_date(v["started"] or today, "started", LABELS["started"])
            except InvalidInput as exc:
                errors.append(RowError(number, LABELS["started"], exc.message))
            if len(errors) > before:
                continue
            if (household.pk, scheme.pk) in taken:
                errors.append(RowError(number, LABELS["household"], _("该户已有“%(s)s”帮扶人") % {"s": scheme.name}))
                continue
            current[(helper.pk, scheme.pk)] += 1
            if current[(helper.pk, scheme.pk)] > scheme.limit:
                errors.append(RowError(number, LABELS["helper"], _("%(h)s 将超过“%(s)s”每人 %(n)s 户的上限") % {
                    "h": helper.display_name, "s": scheme.name, "n": scheme.limit}))
                continue
            taken.add((household.pk, scheme.pk))
            new.append(Pairing(scheme=scheme, helper=helper, household=household, started=started, created_by=user))
        if errors:
            raise ImportRejected(errors)
        if not new:
            raise InvalidInput(_("文件中没有数据行"), field="file")
        Pairing.objects.bulk_create(new, batch_size=2000)
    return len(new)
