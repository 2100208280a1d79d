"""``jiceng import-registry KIND FILE [--valid-only] [--dry-run] [--as USER]``: areas, units, grids or users from .xlsx/.csv."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.imports import KINDS, do_import_registry, registry_template
from jiceng.accounts.models import Role, User
from jiceng.errors import DomainError
from jiceng.tabular import ImportRejected


class Command(BaseCommand):
    help = ("Import the registry (areas, units, grids, users) from the platform's templates; all rows or none unless "
            "--valid-only. `--template OUT.xlsx` writes the template instead. Geography stays with load-geo. See docs/imports.md.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), help="what the file holds; import in this order: areas, units, grids, users")
        parser.add_argument("file", help=".xlsx or .csv (UTF-8 or GBK/GB18030) to import, or the template to write with --template")
        parser.add_argument("--valid-only", action="store_true",
                            help="import the valid rows and write the rejected ones with their reasons to FILE.errors.xlsx")
        parser.add_argument("--dry-run", action="store_true", help="check every row and count, write nothing")
        parser.add_argument("--template", action="store_true", help="write the template for KIND to FILE (.xlsx) and stop")
        parser.add_argument("--as", dest="username", default="", help="the importing user (default: the first administrator)")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        user = self._user(opts["username"])
        try:
            if opts["template"]:
                path.write_bytes(registry_template(user, opts["kind"]))
                self.stdout.write(self.style.SUCCESS(f"模板已写入 {path}"))
                return
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"无法读取 {path}：{exc.strerror}") from None
            summary = do_import_registry(user, opts["kind"], data, path.name, dry_run=opts["dry_run"], valid_only=opts["valid_only"])
        except ImportRejected as exc:
            lines = [f"{path} 未导入，一行也没有写入；共 {len(exc.errors)} 处错误（可用 --valid-only 只导入无误的行）："]
            raise CommandError("\n".join(lines + [str(e) for e in exc.errors])) from None
        except DomainError as exc:
            raise CommandError(f"{path} 未导入：{exc.message}") from None
        self.stdout.write(self.style.SUCCESS(summary.line()))
        if summary.errors:
            report = path.with_name(path.stem + ".errors.xlsx")
            report.write_bytes(summary.error_file)
            self.stdout.write("\n".join(str(e) for e in summary.errors))
            self.stdout.write(f"未导入的行及原因已写入 {report}")
        if summary.new_users and not summary.dry_run:
            self.stdout.write(f"新账号（尚无密码，请用 jiceng changepassword 用户名 设置）：{'、'.join(summary.new_users)}")

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
