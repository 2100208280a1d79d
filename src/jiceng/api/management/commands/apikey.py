"""``jiceng apikey create|list|revoke`` — integration keys for hotlines, cameras, partners."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.models import Role
from jiceng.api.keys import do_create_api_key, do_revoke_api_key
from jiceng.api.models import ApiKey
from jiceng.cases.errors import CaseError


class Command(BaseCommand):
    help = "Manage integration API keys (the key is printed once, at creation)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="op", required=True)
        create = sub.add_parser("create", help="create a key and print it once")
        create.add_argument("--name", required=True)
        create.add_argument("--area", help="12-digit area code the key is scoped to")
        create.add_argument("--role", default=Role.INTEGRATION, choices=Role.values)
        sub.add_parser("list", help="list keys (never the keys themselves)")
        revoke = sub.add_parser("revoke", help="revoke a key by name")
        revoke.add_argument("--name", required=True)

    def handle(self, *args, op: str, **opts):
        try:
            if op == "create":
                key, raw = do_create_api_key(opts["name"], area_code=opts.get("area"), role=opts["role"])
                self.stdout.write(raw)
                self.stderr.write(f"created key “{key.name}” acting as user {key.user.username}; store it now, it is not shown again")
            elif op == "revoke":
                key = do_revoke_api_key(opts["name"])
                self.stdout.write(f"revoked {key.name}")
            else:
                for key in ApiKey.objects.select_related("user__scope_area"):
                    state = "revoked" if key.revoked_at else "active"
                    area = key.user.scope_area_id or "-"
                    used = key.last_used_at.isoformat() if key.last_used_at else "never"
                    self.stdout.write(f"{key.name}\t{key.key_hint}…\t{key.user.role}\t{area}\t{state}\tlast used {used}")
        except CaseError as exc:
            raise CommandError(exc.message) from None
