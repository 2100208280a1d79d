"""``jiceng restore DIR``: load a backup into an empty instance; then run ``jiceng verify``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiceng.security.backup import BackupError, do_restore


class Command(BaseCommand):
    help = "Restore a backup made by `jiceng backup` into this empty instance (run `jiceng migrate` first)"

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--keys", metavar="KEYDIR", default=None,
                            help="the field key ring and anchor signing key: a separate directory, kept apart from the data")

    def handle(self, *args, **o):
        try:
            s = do_restore(o["directory"], keys=o["keys"])
        except BackupError as exc:
            raise CommandError(exc.message) from None
        if s.keys:
            self.stdout.write(f"已安装密钥：{', '.join(s.keys)}")
        self.stdout.write(self.style.SUCCESS(f"已从 {s.directory} 恢复 {s.rows} 行数据、{s.files} 个文件；请运行 jiceng verify 校验"))
