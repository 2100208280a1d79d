import json

from django.core.management.base import BaseCommand, CommandError

from jiceng.cases import anchor


class Command(BaseCommand):
    help = ("Sign the Merkle root of every case's chain head with the county's Ed25519 key and append it to the anchor log "
            "(ANCHOR_DIR/anchors.jsonl). Run daily (tick does it when due) and on demand; publish the printed root.")

    def add_arguments(self, parser):
        parser.add_argument("--public-key", action="store_true", help="print the public key (hex) to publish, and stop")
        parser.add_argument("--proof", metavar="NUMBER", help="print a case's head at the latest anchor with its Merkle audit path")
        parser.add_argument("--if-due", action="store_true", help="anchor only when the last anchor is older than the interval")

    def handle(self, *args, **opts):
        try:
            if opts["public_key"]:
                self.stdout.write(anchor.public_key_hex())
                return
            if opts["proof"]:
                self.stdout.write(json.dumps(anchor.proof_for(opts["proof"]), ensure_ascii=False, indent=2))
                return
            made = anchor.anchor_if_due() if opts["if_due"] else anchor.create_anchor()
        except anchor.AnchorError as exc:
            raise CommandError(str(exc)) from None
        if made is None:
            self.stdout.write("锚定未到期")
            return
        self.stdout.write(
            f"锚定#{made.seq} {made.at:%Y-%m-%d %H:%M:%S %Z}：{made.cases} 件工单（变化 {made.changed} 件），默克尔根 {made.root}，公钥 {made.public_key}"
        )
