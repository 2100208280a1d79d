"""``jiceng rotate-keys``: a new field key; every phone and ID number re-encrypted and re-indexed under it.

``--check`` only reads: it lists stored values that do not decrypt with the
key ring (a missing key file, another instance's keys, a rewritten ciphertext)
and exits 1 if there are any. ``--retire`` drops, after the rotation, the old
keys that no stored value uses any more. Exit status 2: the key ring itself
is unusable (missing, unreadable, readable by others).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jiceng import sealed


class Command(BaseCommand):
    help = "Rotate the field encryption key (phones, ID numbers): re-encrypt and re-index every value"

    def add_arguments(self, parser):
        parser.add_argument("--retire", action="store_true", help="afterwards drop the keys no stored value uses")
        parser.add_argument("--check", action="store_true", help="only list values that do not decrypt; exit 1 if any")
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction")

    def handle(self, *args, **o):
        try:
            if o["check"]:
                return self._check()
            report = sealed.rotate_keys(retire=o["retire"], batch=max(1, o["batch"]))
        except sealed.SealedKeyError as exc:
            self.stderr.write(exc.message)
            raise SystemExit(2) from None
        self.stdout.write(f"新密钥 {report.key_id}：重新加密 {report.rows} 行"
                          + (f"；已停用密钥 {', '.join(report.retired)}" if report.retired else ""))
        for line in report.skipped:
            self.stderr.write(f"未能重新加密（无法解密，保持原样）：{line}")
        self.stdout.write(f"密钥文件 {sealed.key_path()} 已更新：请立即把它另行备份（与数据库备份分开保管）")

    def _check(self) -> None:
        ring = sealed.keyring(create=False)
        bad = sealed.unreadable_values()
        if bad:
            for line in bad:
                self.stderr.write(line)
            self.stderr.write(f"有 {len(bad)}{'+' if len(bad) >= 20 else ''} 个值无法用密钥文件 {ring.path} 解密")
            raise SystemExit(1)
        used = sorted(sealed.keys_in_use())
        self.stdout.write(f"全部可解密；当前密钥 {ring.current.id}，密钥文件中 {len(ring.keys)} 个，数据使用 {', '.join(used) or '—'}")
