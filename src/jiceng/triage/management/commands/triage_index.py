from django.core.management.base import BaseCommand

from jiceng.triage.keys import embed_missing, index_missing


class Command(BaseCommand):
    help = ("Build the repeat-detection keys of cases that have none (after an upgrade or a bulk import); "
            "with --embeddings also the sentence embeddings that bulk imports leave out (about 3 ms a case).")

    def add_arguments(self, parser):
        parser.add_argument("--embeddings", action="store_true", help="also compute missing sentence embeddings, newest cases first")
        parser.add_argument("--limit", type=int, default=None, help="at most this many embeddings")

    def handle(self, *args, **opts):
        n = index_missing()
        self.stdout.write(f"indexed {n} cases")
        if opts["embeddings"]:
            m = embed_missing(limit=opts["limit"])
            self.stdout.write(f"embedded {m} cases")
