"""``jiceng import-cases FILE [--dry-run] [--as USER]``: a county's historical cases from .xlsx or .csv, all rows or none."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.models import Role, User
from jiceng.cases.importer import do_import_cases, read_cases_file
from jiceng.errors import DomainError
from jiceng.tabular import ImportRejected


class Command(BaseCommand):
    help = "Import historical cases (编号, 标题, 描述, 分类, 村/社区, 网格, 来源渠道, 受理时间, 办结时间, 办理单位, 满意度, 状态) as closed cases; see docs/imports.md."

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx or .csv (UTF-8 or GB18030)")
        parser.add_argument("--dry-run", action="store_true", help="check every row and count, write nothing")
        parser.add_argument("--as", dest="username", default="",
                            help="the importing user, whose area scope applies (default: the first administrator)")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        user = self._user(opts["username"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {path}：{exc.strerror}") from None
        try:
            summary = do_import_cases(user, read_cases_file(data, path.name), dry_run=opts["dry_run"])
        except ImportRejected as exc:
            lines = [f"{path} 未导入，一行也没有写入；共 {len(exc.errors)} 处错误："] + [str(e) for e in exc.errors]
            raise CommandError("\n".join(lines)) from None
        except DomainError as exc:
            raise CommandError(f"{path} 未导入：{exc.message}") from None
        self.stdout.write(self.style.SUCCESS(summary.line()))

    def _user(self, username: str) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"用户“{username}”不存在或已停用")
            return user
        user = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("没有管理员账号：请用 --as 指定导入人")
        return user
