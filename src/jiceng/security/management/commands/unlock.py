"""``jiceng unlock NAME``: lift a login lockout (django-axes) for one account."""

from __future__ import annotations

from axes.utils import reset
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Unlock an account locked after too many failed logins"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **o):
        count = reset(username=o["username"])
        self.stdout.write(f"已解锁 {o['username']}（清除 {count} 条失败记录）")
