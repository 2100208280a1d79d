from django.core.management.base import BaseCommand, CommandError

from jiceng.triage.router import NotEnoughHistory, train


class Command(BaseCommand):
    help = "Train the routing suggestion model on correctly dispatched cases, report held-out accuracy and store it in the database."

    def add_arguments(self, parser):
        parser.add_argument("--test-share", type=float, default=None, help="share of the history held out for evaluation (default 0.2)")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--min-history", type=int, default=None, help="refuse to train with fewer usable cases (default 60)")
        parser.add_argument("--limit", type=int, default=None, help="use at most this many (oldest) cases")
        parser.add_argument("--dry-run", action="store_true", help="evaluate only, store nothing")

    def handle(self, *args, **opts):
        try:
            row, ev = train(test_share=opts["test_share"], seed=opts["seed"], min_history=opts["min_history"], limit=opts["limit"],
                            save=not opts["dry_run"])
        except NotEnoughHistory as exc:
            raise CommandError(
                f"Too little history to train: {exc.found} correctly dispatched cases, at least {exc.needed} needed. "
                "Keyword rules stay in use."
            ) from None
        self.stdout.write(f"training cases: {ev.n_train}, held out: {ev.n_test}, categories: {ev.classes}")
        self.stdout.write(f"accuracy (subcategory): {ev.accuracy:.3f}")
        self.stdout.write(f"top-3 accuracy (subcategory): {ev.top3_accuracy:.3f}")
        self.stdout.write(f"accuracy (top-level category): {ev.top_level_accuracy:.3f}")
        if row is not None:
            self.stdout.write(self.style.SUCCESS(f"stored routing model #{row.pk} ({len(bytes(row.blob)):,} bytes)"))
