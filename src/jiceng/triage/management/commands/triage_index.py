from django.core.management.base import BaseCommand

from jiceng.triage.keys import index_missing


class Command(BaseCommand):
    help = "Build the repeat-detection keys of cases that have none (after an upgrade or a bulk import)."

    def handle(self, *args, **opts):
        n = index_missing()
        self.stdout.write(f"indexed {n} cases")
