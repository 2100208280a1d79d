from django.core.management.base import BaseCommand, CommandError

from jiceng.cases.config import DEFAULT_CONFIG, load_config
from jiceng.cases.errors import ConfigError


class Command(BaseCommand):
    help = "Load the case configuration (unit kinds, categories, SLA, fields, routing) from a TOML file."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_CONFIG))

    def handle(self, *args, **opts):
        try:
            s = load_config(opts["file"])
        except ConfigError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"已加载 {s.unit_kinds} 类责任单位、{s.categories} 个工单类别（新增 {s.created}，更新 {s.updated}）"))
