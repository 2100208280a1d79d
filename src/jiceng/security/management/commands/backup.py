"""``jiceng backup DIR``: database, attachments and anchors into a new directory."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiceng.sealed import key_path as sealed_key_path
from jiceng.security.backup import BackupError, do_backup


class Command(BaseCommand):
    help = "Back up the database (portable JSON), attachments and the anchor log into DIR"

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--keys", metavar="KEYDIR", default=None,
                            help="the field key ring and anchor signing key: a separate directory, kept apart from the data")

    def handle(self, *args, **o):
        try:
            s = do_backup(o["directory"], keys=o["keys"])
        except BackupError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"已备份到 {s.directory}：{s.rows} 行数据，{s.files} 个文件（含清单校验和）"))
        if s.keys:
            self.stdout.write(f"密钥已写入 {o['keys']}：{', '.join(s.keys)}。请与数据备份分开保管（不同介质、不同保管人）")
        else:
            self.stdout.write("注意：数据备份不含密钥（电话、身份证号为密文）。没有字段密钥文件无法恢复，"
                              "请另行执行 jiceng backup 新目录 --keys 密钥目录，或复制 " + str(sealed_key_path()) + " 并分开保管")
