"""jiceng device add|list: register cameras and sensors (their alerts are refused or queued otherwise)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.models import Role, User
from jiceng.areas.models import Area
from jiceng.errors import DomainError
from jiceng.triage.alerts import do_register_device
from jiceng.triage.models import Device, DeviceKind, QueuedAlert


class Command(BaseCommand):
    help = "Register a camera or sensor in a village (add), or list registered devices and waiting alerts (list)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        add = sub.add_parser("add", help="register a device; alerts it sent while unknown are taken in")
        add.add_argument("--id", required=True, dest="device_id")
        add.add_argument("--name", required=True)
        add.add_argument("--area", required=True, help="12-digit village / community code")
        add.add_argument("--kind", default=DeviceKind.CAMERA, choices=DeviceKind.values)
        add.add_argument("--site", default="")
        add.add_argument("--as", dest="username", default="", help="administrator recorded as registering it (default: the first one)")
        sub.add_parser("list", help="registered devices and alerts waiting for a device")

    def handle(self, *args, verb: str, **o):
        if verb == "list":
            for d in Device.objects.select_related("area"):
                self.stdout.write(f"{d.device_id}\t{d.get_kind_display()}\t{d.area.name}\t{d.site}\t{d.name}")
            waiting = QueuedAlert.objects.filter(status=QueuedAlert.Status.WAITING).count()
            self.stdout.write(f"-- {waiting} alert(s) from unregistered devices waiting")
            return
        admin = (User.objects.filter(username=o["username"]).first() if o["username"]
                 else User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first())
        if admin is None:
            raise CommandError("No administrator account to record the registration (see jiceng createuser)")
        area = Area.objects.filter(code=o["area"]).first()
        if area is None:
            raise CommandError(f"No area has the code {o['area']}")
        try:
            device, taken = do_register_device(admin, device_id=o["device_id"], name=o["name"], area=area, kind=o["kind"], site=o["site"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"registered {device.device_id} in {area.name}; {taken} waiting alert(s) taken in")
