"""``jiceng backup DIR``: database, attachments and anchors into a new directory."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiceng.security.backup import BackupError, do_backup


class Command(BaseCommand):
    help = "Back up the database (portable JSON), attachments and the anchor log into DIR"

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, **o):
        try:
            s = do_backup(o["directory"])
        except BackupError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"已备份到 {s.directory}：{s.rows} 行数据，{s.files} 个文件（含清单校验和）"))
