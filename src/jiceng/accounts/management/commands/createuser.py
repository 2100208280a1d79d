import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jiceng.accounts.models import Role, User
from jiceng.areas.models import Area, Unit


class Command(BaseCommand):
    help = "Create a user with a role, an area scope and units."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.ADMIN)
        parser.add_argument("--name", default="", help="real name")
        parser.add_argument("--phone", default="")
        parser.add_argument("--area", help="12-digit code of the area the user works in")
        parser.add_argument("--unit", action="append", default=[], help="unit code (repeatable)")
        parser.add_argument("--password", help="password (asked for if omitted)")

    @transaction.atomic
    def handle(self, *args, **o):
        if User.objects.filter(username=o["username"]).exists():
            raise CommandError(f"用户“{o['username']}”已存在")
        area = None
        if o["area"]:
            area = Area.objects.filter(code=o["area"]).first()
            if area is None:
                raise CommandError(f"区划代码“{o['area']}”不存在")
        units = list(Unit.objects.filter(code__in=o["unit"]))
        missing = set(o["unit"]) - {u.code for u in units}
        if missing:
            raise CommandError(f"责任单位“{sorted(missing)[0]}”不存在")
        password = o["password"] or getpass.getpass("密码：")
        user = User(username=o["username"], role=o["role"], real_name=o["name"], phone=o["phone"], scope_area=area,
                    is_staff=o["role"] == Role.ADMIN, is_superuser=o["role"] == Role.ADMIN)
        try:
            from django.contrib.auth.password_validation import validate_password

            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        user.set_password(password)
        user.save()
        user.units.set(units)
        self.stdout.write(self.style.SUCCESS(f"已创建用户 {user.username}（{user.get_role_display()}）"))
