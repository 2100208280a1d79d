"""Signed anchors of every case's chain head, kept outside the database.

A hash chain alone does not stop someone with write access to the database
from rewriting an event and recomputing every hash after it, or from deleting
the last events and rolling the case's head back. An anchor pins the heads:

* the Merkle root over all cases' heads ``(number, event_count, last_hash)``,
  sorted by case number (leaf and node hashes as in RFC 6962: a 0x00 prefix
  for leaves, 0x01 for nodes, an odd node promoted);
* signed with an Ed25519 key kept in a file (not in the database);
* appended as one JSON line to ``ANCHOR_DIR/anchors.jsonl``, each line carrying
  the SHA-256 of the line before it;
* the heads that changed since the previous anchor in ``heads-NNNNNN.jsonl.gz``
  (its SHA-256 is in the signed line), and all heads at the latest anchor in
  ``heads-latest.jsonl.gz`` (checked against the signed root).

``jiceng verify`` then checks that every anchored case still has an event at
the anchored position with the anchored hash. Publishing the daily root
somewhere the database's administrators cannot reach (the public board, a
newspaper notice) is what makes a rewrite before that day provable; see
docs/security-record.md.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .chain import canonical_time
from .models import Case

LOG_NAME = "anchors.jsonl"
LATEST_HEADS = "heads-latest.jsonl.gz"
Head = tuple[str, int, str]  # case number, event count, last hash


class AnchorError(Exception):
    """The anchor log or key cannot be used (named in the message)."""


# --- the Merkle tree ------------------------------------------------------------

def leaf_hash(head: Head) -> bytes:
    number, count, last = head
    return hashlib.sha256(b"\x00" + f"{number}\n{count}\n{last}".encode()).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(heads: Iterable[Head]) -> str:
    """The root over heads in the order given (callers sort by case number)."""
    level = [leaf_hash(h) for h in heads]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        level = [_node(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0].hex()


def inclusion_proof(heads: list[Head], index: int) -> list[tuple[str, str]]:
    """The audit path of ``heads[index]``: (side, sibling hash) pairs from the leaf up."""
    level = [leaf_hash(h) for h in heads]
    path: list[tuple[str, str]] = []
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(("left" if sibling < index else "right", level[sibling].hex()))
        level = [_node(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
        index //= 2
    return path


def root_from_proof(head: Head, path: list[tuple[str, str]]) -> str:
    """What a third party computes from a published head and its audit path."""
    h = leaf_hash(head)
    for side, sibling in path:
        h = _node(bytes.fromhex(sibling), h) if side == "left" else _node(h, bytes.fromhex(sibling))
    return h.hex()


# --- the key ------------------------------------------------------------------

def _key_path() -> Path:
    return Path(settings.ANCHOR_KEY_PATH)


def load_key(create: bool = True) -> Ed25519PrivateKey:
    """The signing key; created (mode 0600) on first use."""
    path = _key_path()
    if not path.exists():
        if not create:
            raise AnchorError(f"anchor key {path} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
    if path.stat().st_mode & 0o077:
        raise AnchorError(f"anchor key {path} is readable by others; chmod 600 it")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorError(f"anchor key {path} is not an Ed25519 key")
    return key


def public_key_hex(key: Ed25519PrivateKey | None = None) -> str:
    key = key or load_key()
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _canonical(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature_ok(record: dict, public_hex: str | None = None) -> bool:
    """Whether ``record`` was signed by the key it names (or by ``public_hex``)."""
    body = {k: v for k, v in record.items() if k != "sig"}
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex or record["key"]))
        key.verify(bytes.fromhex(record["sig"]), _canonical(body))
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return False
    return True


# --- the log ------------------------------------------------------------------

def _dir() -> Path:
    d = Path(settings.ANCHOR_DIR)
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    return d


def read_log() -> list[tuple[str, dict]]:
    """The anchor log's lines as ``(text, record)``, oldest first."""
    path = Path(settings.ANCHOR_DIR) / LOG_NAME
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append((line, json.loads(line)))
        except json.JSONDecodeError:
            raise AnchorError(f"{path} line {n} is not JSON") from None
    return out


def _write_heads(path: Path, heads: Iterable[Head]) -> str:
    """Write heads as gzipped JSON lines; returns the file's SHA-256."""
    tmp = path.with_suffix(".part")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as f:
        for h in heads:
            f.write(json.dumps(list(h), ensure_ascii=False) + "\n")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_heads(path: Path) -> Iterator[Head]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            number, count, last = json.loads(line)
            yield str(number), int(count), str(last)


def current_heads() -> list[Head]:
    """Every case's head, read in one statement (a consistent snapshot on both databases)."""
    with transaction.atomic():
        heads = [(n, c, h) for n, c, h in Case.objects.values_list("number", "event_count", "last_hash").iterator(chunk_size=10000)]
    return sorted(heads)  # in Python: the database's collation may order case numbers differently


@dataclass
class Anchor:
    seq: int
    at: datetime
    cases: int
    changed: int
    root: str
    public_key: str


def create_anchor(now: datetime | None = None) -> Anchor:
    """Sign the Merkle root of all chain heads and append it to the anchor log."""
    now = now or timezone.now()
    key = load_key()
    d = _dir()
    with open(d / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one anchor at a time, across processes
        log = read_log()
        previous = {h[0]: h for h in _read_heads(d / LATEST_HEADS)} if log and (d / LATEST_HEADS).exists() else {}
        heads = current_heads()
        changed = [h for h in heads if previous.get(h[0]) != h]
        seq = (log[-1][1]["seq"] + 1) if log else 1
        delta_name = f"heads-{seq:06d}.jsonl.gz"
        record = {
            "v": 1, "seq": seq, "at": canonical_time(now), "cases": len(heads), "changed": len(changed),
            "root": merkle_root(heads), "heads": delta_name, "heads_sha256": _write_heads(d / delta_name, changed),
            "prev": hashlib.sha256(log[-1][0].encode()).hexdigest() if log else "", "key": public_key_hex(key),
        }
        record["sig"] = key.sign(_canonical(record)).hex()
        _write_heads(d / LATEST_HEADS, heads)
        fd = os.open(d / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())
    return Anchor(seq, now, len(heads), len(changed), record["root"], record["key"])


def anchor_if_due(now: datetime | None = None) -> Anchor | None:
    """Anchor when the last anchor is older than ANCHOR_INTERVAL_HOURS (tick calls this every run)."""
    now = now or timezone.now()
    log = read_log()
    if log:
        last = datetime.fromisoformat(log[-1][1]["at"].replace("Z", "+00:00"))
        if now - last < timedelta(hours=settings.ANCHOR_INTERVAL_HOURS):
            return None
    return create_anchor(now)


# --- checking -----------------------------------------------------------------

@dataclass
class Anchored:
    """The heads pinned by the latest valid anchor, and what was wrong with the log."""

    seq: int
    at: str
    heads: dict[str, tuple[int, str]]
    problems: list[str]


def check_log(expected_key: str | None = None) -> Anchored | None:
    """Check every line of the anchor log; the heads the latest one pins.

    ``expected_key`` (hex) is the county's published public key; by default
    the key file's. Returns None when nothing was ever anchored.
    """
    log = read_log()
    if not log:
        return None
    if expected_key is None:
        with contextlib.suppress(AnchorError, OSError):
            expected_key = public_key_hex(load_key(create=False))
    d = Path(settings.ANCHOR_DIR)
    problems: list[str] = []
    prev_text = None
    for text, rec in log:
        seq = rec.get("seq")
        if expected_key and rec.get("key") != expected_key:
            problems.append(f"锚定#{seq}：签名公钥不是本县公布的公钥")
        if not signature_ok(rec, expected_key):
            problems.append(f"锚定#{seq}：签名无效（锚定记录被改动）")
        if rec.get("prev") != (hashlib.sha256(prev_text.encode()).hexdigest() if prev_text is not None else ""):
            problems.append(f"锚定#{seq}：与上一条锚定记录不相连（锚定记录被删除或改动）")
        delta = d / str(rec.get("heads", ""))
        if not delta.exists() or hashlib.sha256(delta.read_bytes()).hexdigest() != rec.get("heads_sha256"):
            problems.append(f"锚定#{seq}：链头文件 {rec.get('heads')} 缺失或被改动")
        prev_text = text
    latest = log[-1][1]
    heads = _latest_heads(d, log, problems)
    if merkle_root(sorted(heads)) != latest.get("root"):
        problems.append(f"锚定#{latest.get('seq')}：链头与签名的默克尔根不符")
    return Anchored(int(latest["seq"]), str(latest["at"]), {n: (c, h) for n, c, h in heads}, problems)


def _latest_heads(d: Path, log: list[tuple[str, dict]], problems: list[str]) -> list[Head]:
    """The heads at the latest anchor: the saved full list if it matches the root, else the deltas folded."""
    latest = log[-1][1]
    full = d / LATEST_HEADS
    if full.exists():
        heads = list(_read_heads(full))
        if merkle_root(heads) == latest.get("root"):
            return heads
    folded: dict[str, Head] = {}
    for _text, rec in log:
        delta = d / str(rec.get("heads", ""))
        if delta.exists():
            for h in _read_heads(delta):
                folded[h[0]] = h
    return [folded[n] for n in sorted(folded)]


def proof_for(number: str) -> dict:
    """A case's head at the latest anchor with its Merkle audit path, for a third party."""
    anchored = check_log()
    if anchored is None:
        raise AnchorError("nothing has been anchored yet")
    heads = sorted((n, c, h) for n, (c, h) in anchored.heads.items())
    index = next((i for i, h in enumerate(heads) if h[0] == number), None)
    if index is None:
        raise AnchorError(f"case {number} is not in the latest anchor")
    rec = read_log()[-1][1]
    return {"anchor": rec["seq"], "at": rec["at"], "root": rec["root"], "key": rec["key"], "head": list(heads[index]),
            "path": inclusion_proof(heads, index)}
