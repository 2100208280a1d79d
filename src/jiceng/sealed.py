"""Encryption at rest for personal identifiers (phone numbers, ID numbers).

A bottom-layer module (beside ``jiceng.errors``; no domain imports) that any
app uses for its personal columns:

* :class:`SealedCharField` — a text column stored as
  ``sealed1:<key id>:<base64(nonce ‖ AES-256-GCM ciphertext ‖ tag)>``; the
  model attribute is the plaintext. The associated data is the column
  (``app.model.field``), so a ciphertext copied into another column does not
  decrypt. ``""`` stays ``""`` (an empty column says "not given", as before).
* :class:`BlindIndexField` — ``<key id>:<HMAC-SHA256 of the normalised value>``
  (128 bits, hex) of a sealed column, kept in step by ``save()``/``bulk_create``;
  equality lookups go through it: ``filter(col_index__in=blind_indexes(v, "phone"))``.
* the key ring: a JSON file outside the database (``settings.FIELD_KEY_PATH``,
  default ``DATA_DIR/field-keys.json``, or ``JICENG_FIELD_KEY_FILE``), created
  0600 on first use; each key has an id, an encryption key and an index key.
  :func:`rotate_keys` adds a key, re-encrypts every sealed column and rebuilds
  every blind index under it, and (``retire=True``) drops the keys no row uses.

A value that does not decrypt (a rewritten ciphertext, a key missing from the
ring, a plaintext written behind jiceng's back) is read as an :class:`Unreadable`
string — a clear Chinese marker, never a 500 — that cannot be written back; the
hash chain (which digests the plaintext) then names the column in ``jiceng verify``.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks
from django.db import models
from django.db.models import Lookup
from django.dispatch import Signal

from jiceng.errors import ConfigError

PREFIX = "sealed1"
KEY_FILE_FORMAT = "jiceng-field-keys-1"
INDEX_HEX = 32  # 128 bits of the HMAC: collisions among a county's phones are out of reach

# Sent after rotate_keys() rewrote the columns, so apps that copy a blind index
# elsewhere (triage's CaseKey) refresh their copies. Arguments: key_id.
keys_rotated = Signal()


class SealedKeyError(ConfigError):
    """The field key ring is missing, unreadable, or lacks the key a value was sealed with."""

    code = "field_key"


# --- normalising what is compared ----------------------------------------------

def normalise_phone(value: str) -> str:
    """Digits only (full-width digits too), without a +86/0086 country code before a mobile number."""
    if value and value.isascii() and value.isdigit():
        digits = value  # already digits: the usual case, skipped past the Unicode pass
    else:
        digits = "".join(ch for ch in unicodedata.normalize("NFKC", value or "") if ch.isascii() and ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix):]
    return digits


def normalise_id_number(value: str) -> str:
    """Full-width to ASCII, no spaces or hyphens, a lowercase check x as X."""
    text = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s\-']", "", text).upper()


NORMALISERS: dict[str, Callable[[str], str]] = {"phone": normalise_phone, "id_number": normalise_id_number}


def normalise(value: str, scope: str) -> str:
    try:
        return NORMALISERS[scope](value)
    except KeyError:
        raise ValueError(f"unknown blind-index scope {scope!r}; known: {sorted(NORMALISERS)}") from None


# --- the key ring ------------------------------------------------------------------

@dataclass(frozen=True)
class Key:
    id: str
    encryption: bytes  # AES-256-GCM
    index: bytes  # HMAC-SHA256
    created: str

    @functools.cached_property
    def cipher(self) -> AESGCM:
        """The AES-GCM context of this key, built once (it holds no per-message state, so values share it)."""
        return AESGCM(self.encryption)

    @functools.cached_property
    def mac(self) -> Any:
        """An HMAC-SHA256 keyed with the index key, to be ``copy()``-ed per value (skips re-keying each time)."""
        return hmac.new(self.index, digestmod=hashlib.sha256)


@dataclass(frozen=True)
class KeyRing:
    path: Path
    current: Key
    keys: dict[str, Key]

    def get(self, key_id: str) -> Key:
        try:
            return self.keys[key_id]
        except KeyError:
            raise SealedKeyError(
                f"字段密钥文件 {self.path} 中没有密钥 {key_id}：数据是用另一份密钥加密的。"
                "请从密钥的单独备份恢复该文件（见 docs/security.md「个人信息加密存储」）"
            ) from None


def key_path() -> Path:
    configured = getattr(settings, "FIELD_KEY_PATH", None)  # settings read JICENG_FIELD_KEY_FILE
    return Path(configured or Path(settings.DATA_DIR) / "field-keys.json")


def _new_key() -> Key:
    return Key(id=secrets.token_hex(4), encryption=AESGCM.generate_key(bit_length=256), index=secrets.token_bytes(32),
               created=datetime.now(UTC).isoformat(timespec="seconds"))


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _serialise(current: str, keys: Iterable[Key]) -> bytes:
    data = {"format": KEY_FILE_FORMAT, "current": current,
            "keys": [{"id": k.id, "encryption": _b64(k.encryption), "index": _b64(k.index), "created": k.created} for k in keys]}
    return json.dumps(data, indent=1).encode()


def _write_new(path: Path, content: bytes) -> bool:
    """Create ``path`` 0600 with ``content`` unless it exists (another process was first: theirs wins).

    The content is written to a temporary file first and then linked into
    place, which fails if the path exists: another process never sees the
    file created but still empty (two test workers starting at once did).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _replace(path: Path, content: bytes) -> None:
    """Write ``path`` atomically (0600): readers see the old ring or the new, never half of one."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _parse(path: Path, raw: bytes) -> KeyRing:
    try:
        data = json.loads(raw)
        if data.get("format") != KEY_FILE_FORMAT:
            raise ValueError("format")
        keys = {k["id"]: Key(k["id"], base64.b64decode(k["encryption"]), base64.b64decode(k["index"]), k.get("created", ""))
                for k in data["keys"]}
        current = keys[data["current"]]
    except (ValueError, KeyError, TypeError):
        raise SealedKeyError(f"字段密钥文件 {path} 无法读取（不是 jiceng 字段密钥文件或已损坏）") from None
    if any(len(k.encryption) != 32 or len(k.index) != 32 for k in keys.values()):
        raise SealedKeyError(f"字段密钥文件 {path} 中的密钥长度不对（应为 256 位）")
    return KeyRing(path, current, keys)


_cache: dict[Path, tuple[tuple[int, int, int], KeyRing]] = {}
_lock = threading.Lock()


_batch = threading.local()


@contextlib.contextmanager
def sealing_batch() -> Iterator[KeyRing]:
    """Seal, unseal and blind-index a batch of values under one key ring.

    Outside a batch each value checks the key file (a rotation in another process is seen at once); inside,
    the ring is read once and its cipher and HMAC contexts serve every value — what a bulk import of 10⁵
    people wants. Nested batches share the outer ring. A rotation mid-batch is harmless: the old key stays
    in the ring until :func:`retire_unused_keys`, which finds the values sealed with it.
    """
    if getattr(_batch, "ring", None) is not None:
        yield _batch.ring
        return
    _batch.ring = keyring()
    try:
        yield _batch.ring
    finally:
        _batch.ring = None


def keyring(create: bool = True) -> KeyRing:
    """The key ring, read once per process and again when the file changes (after a rotation)."""
    pinned = getattr(_batch, "ring", None)
    if pinned is not None:
        return pinned
    path = key_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        if not create:
            raise SealedKeyError(f"字段密钥文件 {path} 不存在") from None
        key = _new_key()
        _write_new(path, _serialise(key.id, [key]))
        st = path.stat()
    if st.st_mode & 0o077:
        raise SealedKeyError(f"字段密钥文件 {path} 可被其他用户读取；请执行 chmod 600 {path}")
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        ring = _parse(path, path.read_bytes())
        _cache[path] = (stamp, ring)
        return ring


# --- sealing ----------------------------------------------------------------------

def seal(plaintext: str, context: str, *, ring: KeyRing | None = None) -> str:
    """Encrypt ``plaintext`` for the column ``context`` under the current key ('' stays '')."""
    if plaintext == "":
        return ""
    if isinstance(plaintext, Unreadable):
        raise SealedKeyError(f"{context}：无法解密的值不能再写回数据库（{plaintext.reason}）")
    key = (ring or keyring()).current
    nonce = os.urandom(12)
    sealed = key.cipher.encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}:{key.id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX + ":")


def key_id_of(stored: str) -> str:
    return stored.split(":", 2)[1] if is_sealed(stored) else ""


def unseal(stored: str, context: str, *, ring: KeyRing | None = None) -> str:
    """Decrypt a stored value; raises :class:`SealedKeyError` naming what is wrong."""
    if stored == "":
        return ""
    try:
        prefix, key_id, body = stored.split(":", 2)
        raw = base64.urlsafe_b64decode(body.encode())
    except (ValueError, TypeError):
        prefix, key_id, raw = "", "", b""
    if prefix != PREFIX or len(raw) < 12 + 16:
        raise SealedKeyError(f"{context}：数据库中的值不是密文（明文或被改写）")
    key = (ring or keyring()).get(key_id)
    try:
        return key.cipher.decrypt(raw[:12], raw[12:], context.encode()).decode()
    except (InvalidTag, UnicodeDecodeError):
        raise SealedKeyError(f"{context}：密文无法用密钥 {key_id} 解密（密文被改写，或密钥文件与数据不符）") from None


class Unreadable(str):
    """What a sealed column reads as when it does not decrypt: a visible marker, refused on write."""

    reason: str

    def __new__(cls, reason: str) -> "Unreadable":
        self = super().__new__(cls, "〔无法解密〕")
        self.reason = reason
        return self


# --- blind indexes ---------------------------------------------------------------

def _index_with(key: Key, value: str, scope: str) -> str:
    normal = normalise(value, scope)
    if not normal:
        return ""
    mac = key.mac.copy()
    mac.update(f"{scope}\x00{normal}".encode())
    mac = mac.hexdigest()[:INDEX_HEX]
    return f"{key.id}:{mac}"


def blind_index(value: str, scope: str, *, ring: KeyRing | None = None) -> str:
    """The keyed hash of the normalised ``value`` under the current key ('' for an empty value)."""
    return _index_with((ring or keyring()).current, value, scope)


def blind_indexes(value: str, scope: str, *, ring: KeyRing | None = None) -> list[str]:
    """The keyed hash under every key in the ring: what to look for with ``__in`` (also mid-rotation)."""
    ring = ring or keyring()
    found = [_index_with(k, value, scope) for k in ring.keys.values()]
    return [f for f in found if f]


# --- model fields ------------------------------------------------------------------

def _seals_itself(expr: Any, field: "SealedCharField") -> bool:
    """Whether every value ``expr`` can write is sealed for ``field`` when compiled: a Value of the field (or NULL),
    the column itself, or bulk_update's CASE / CAST made of those."""
    from django.db.models.expressions import Case, Col, Value, When
    from django.db.models.functions import Cast

    if isinstance(expr, Value):
        return expr.value is None or getattr(expr, "_output_field_or_none", None) is field
    if isinstance(expr, Col):
        return expr.target is field
    if isinstance(expr, Cast):
        return _seals_itself(expr.get_source_expressions()[0], field)
    if isinstance(expr, When):
        return _seals_itself(expr.result, field)
    if isinstance(expr, Case):
        return all(_seals_itself(w, field) for w in expr.cases) and _seals_itself(expr.default, field)
    return False


class SealedCharField(models.TextField):
    """A short personal value (phone, ID number) stored encrypted; the attribute is the plaintext.

    ``max_length`` limits the plaintext (checked by ``full_clean``); the
    column itself is unbounded text, since the ciphertext is longer. Only
    ``=""`` and ``isnull`` lookups are allowed: anything else would compare
    ciphertexts; use the column's :class:`BlindIndexField`.
    """

    description = "Encrypted text (AES-GCM)"

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        self.plain_max_length = max_length
        super().__init__(*args, **kwargs)
        if max_length is not None:
            from django.core.validators import MaxLengthValidator

            self.validators.append(MaxLengthValidator(max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length is not None:
            kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return unseal(value, self.context)
        except SealedKeyError as exc:
            return Unreadable(exc.message)

    def to_python(self, value):
        # A backup (dumpdata) holds ciphertext: loaddata brings it back to plaintext here.
        if isinstance(value, str) and is_sealed(value):
            return unseal(value, self.context)
        return super().to_python(value)

    def get_lookup(self, lookup_name):
        # Only "not given" and NULL tests mean something on ciphertext (contains, startswith … would not).
        return super().get_lookup(lookup_name) if lookup_name in ("exact", "isnull") else None

    def get_db_prep_save(self, value, connection):
        if hasattr(value, "as_sql"):
            # An expression (bulk_update's CASE WHEN … THEN Value(…)): its Values seal themselves when compiled.
            # Anything else (F("address"), Upper("phone") …) would store plaintext or another column's
            # ciphertext, so it is refused here, before any SQL runs.
            if not _seals_itself(value, self):
                raise SealedKeyError(f"{self.context}：加密字段只能写入具体的值，不能写入 SQL 表达式（{type(value).__name__}）；"
                                     "请先算出值再保存，或使用 bulk_update")
            return value
        value = self.get_prep_value(value)
        if value is None:
            return None
        return seal(value if isinstance(value, str) else str(value), self.context)

    def value_to_string(self, obj) -> str:
        """Serialised (dumpdata, backups) as ciphertext: a backup alone holds no readable value."""
        value = self.value_from_object(obj)
        return seal(value, self.context) if value else (value or "")

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"form_class": forms.CharField, "max_length": self.plain_max_length, **kwargs})


@SealedCharField.register_lookup
class _SealedExact(Lookup):
    """``col=""`` (not given) is meaningful; equality with a value is not (each sealing differs)."""

    lookup_name = "exact"

    def get_db_prep_lookup(self, value, connection):
        if value != "":
            raise ValueError("a sealed column compares only with '': look values up through its blind index")
        return "%s", [""]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = {rhs}", [*lhs_params, *rhs_params]


class BlindIndexField(models.CharField):
    """``<key id>:<HMAC>`` of the normalised value of the sealed column ``source``; kept in step on save."""

    description = "Keyed hash of a sealed column, for equality lookups"

    def __init__(self, *args: Any, source: str = "", scope: str = "", **kwargs: Any) -> None:
        self.source, self.scope = source, scope
        kwargs.setdefault("max_length", 48)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, scope=self.scope)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source)
        if isinstance(plain, Unreadable):
            return getattr(model_instance, self.attname)
        value = blind_index(plain or "", self.scope)
        setattr(model_instance, self.attname, value)
        return value

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.scope not in NORMALISERS:
            errors.append(checks.Error(f"unknown blind-index scope {self.scope!r}", obj=self, id="jiceng.sealed.E001"))
        return errors


# --- finding the sealed columns, rotating keys --------------------------------------

@dataclass(frozen=True)
class SealedColumns:
    model: type[models.Model]
    sealed: tuple[SealedCharField, ...]
    indexes: tuple[BlindIndexField, ...]


def sealed_models(app_models: Iterable[type[models.Model]] | None = None) -> list[SealedColumns]:
    """Every (concrete, managed) model with sealed columns, with its blind indexes."""
    from django.apps import apps

    out = []
    for model in app_models if app_models is not None else apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        sealed = tuple(f for f in model._meta.concrete_fields if isinstance(f, SealedCharField))
        if sealed:
            indexes = tuple(f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField))
            out.append(SealedColumns(model, sealed, indexes))
    return out


def _raw_rows(model, columns: list[str], batch: int, using: str | None = None) -> Iterator[list[tuple]]:
    """Raw stored values (ciphertext) of ``columns`` in primary-key order, ``batch`` rows at a time."""
    last = None
    while True:
        with _raw_cursor(model, using) as cursor:
            table = model._meta.db_table
            qn = cursor.db.ops.quote_name
            pk = qn(model._meta.pk.column)
            cols = ", ".join(qn(model._meta.get_field(c).column) for c in columns)
            where = f" WHERE {pk} > %s" if last is not None else ""
            cursor.execute(f"SELECT {pk}, {cols} FROM {qn(table)}{where} ORDER BY {pk} LIMIT {int(batch)}",
                           [last] if last is not None else [])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


@contextlib.contextmanager
def _raw_cursor(model, using: str | None = None):
    from django.db import connections, router

    with connections[using or router.db_for_write(model)].cursor() as cursor:
        yield cursor


@dataclass
class RotationReport:
    key_id: str
    rows: int
    retired: list[str]
    skipped: list[str]


def add_key() -> KeyRing:
    """Add a new key and make it current (the old keys stay, so every value still decrypts)."""
    if getattr(_batch, "ring", None) is not None:
        raise SealedKeyError("密钥轮换不能在批量加密（sealing_batch）之中进行")
    ring = keyring()
    key = _new_key()
    _replace(ring.path, _serialise(key.id, [*ring.keys.values(), key]))
    return keyring()


def reseal_all(*, batch: int = 500, app_models=None, skipped: list[str] | None = None) -> int:
    """Re-encrypt every sealed column and rebuild every blind index under the current key.

    Each batch is one transaction; a value already under the current key is
    left alone, so an interrupted rotation resumes where it stopped. A row with
    a value that does not decrypt is left as it is (its key stays in use) and
    described in ``skipped``.
    """
    from django.db import transaction

    ring = keyring()
    done = 0
    for entry in sealed_models(app_models):
        model, names = entry.model, [f.attname for f in entry.sealed]
        for rows in _raw_rows(model, names, batch):
            with transaction.atomic():
                for pk, *stored in rows:
                    pairs = list(zip(entry.sealed, stored, strict=True))
                    if not any(s and key_id_of(s) != ring.current.id for _f, s in pairs):
                        continue
                    try:
                        plain = {f.attname: unseal(s, f.context, ring=ring) if s else "" for f, s in pairs}
                    except SealedKeyError as exc:
                        if skipped is not None:
                            skipped.append(f"{model._meta.label} #{pk}: {exc.message}")
                        continue
                    changes = {f.attname: seal(plain[f.attname], f.context, ring=ring) for f, s in pairs if s}
                    changes.update({ix.attname: blind_index(plain[ix.source], ix.scope, ring=ring) for ix in entry.indexes})
                    _update_raw(model, pk, changes)
                    done += 1
    return done


def _update_raw(model, pk, changes: dict[str, str], using: str | None = None) -> None:
    """Write already-sealed values as they are (the ORM's update would seal them a second time)."""
    with _raw_cursor(model, using) as cursor:
        qn = cursor.db.ops.quote_name
        sets = ", ".join(f"{qn(model._meta.get_field(name).column)} = %s" for name in changes)
        cursor.execute(f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn(model._meta.pk.column)} = %s",
                       [*changes.values(), pk])


def keys_in_use(app_models=None) -> set[str]:
    used: set[str] = set()
    for entry in sealed_models(app_models):
        for rows in _raw_rows(entry.model, [f.attname for f in entry.sealed], 5000):
            for _pk, *stored in rows:
                used.update(key_id_of(s) for s in stored if s)
    return used


def retire_unused_keys(app_models=None) -> list[str]:
    """Drop from the ring every key (but the current) that no stored value uses."""
    ring = keyring()
    used = keys_in_use(app_models) | {ring.current.id}
    retired = [k for k in ring.keys if k not in used]
    if retired:
        _replace(ring.path, _serialise(ring.current.id, [k for k in ring.keys.values() if k.id in used]))
    return retired


def rotate_keys(*, retire: bool = False, batch: int = 500) -> RotationReport:
    """A new current key, every value re-encrypted and re-indexed under it, old keys dropped if asked."""
    ring = add_key()
    skipped: list[str] = []
    rows = reseal_all(batch=batch, skipped=skipped)
    keys_rotated.send(sender=None, key_id=ring.current.id)
    retired = retire_unused_keys() if retire else []
    return RotationReport(ring.current.id, rows, retired, skipped)


def unreadable_values(app_models=None, limit: int = 20) -> list[str]:
    """Up to ``limit`` descriptions of stored values that do not decrypt (for ``rotate-keys --check``)."""
    ring = keyring()
    found: list[str] = []
    for entry in sealed_models(app_models):
        for rows in _raw_rows(entry.model, [f.attname for f in entry.sealed], 2000):
            for pk, *stored in rows:
                for f, s in zip(entry.sealed, stored, strict=True):
                    if not s:
                        continue
                    try:
                        unseal(s, f.context, ring=ring)
                    except SealedKeyError as exc:
                        found.append(f"{entry.model._meta.label} #{pk}: {exc.message}")
                        if len(found) >= limit:
                            return found
    return found


# --- migrations: sealing the rows of a column that used to hold plaintext -----------

def _context(model, name: str) -> str:
    return f"{model._meta.label_lower}.{name}"


def seal_existing(model, fields: Iterable[str], indexes: dict[str, tuple[str, str]] | None = None, *,
                  using: str = "default", batch: int = 500) -> int:
    """Encrypt the plaintext left in ``fields`` of ``model`` and fill its blind indexes (for a ``RunPython``).

    ``indexes`` maps an index column to ``(source field, scope)``. Works on a
    migration's historical model with the columns still plain text; values
    already sealed are left alone, so it may run twice. Returns rows written.
    """
    fields, indexes = list(fields), dict(indexes or {})
    ring = keyring()
    done = 0
    for rows in _raw_rows(model, fields, batch, using):
        for pk, *stored in rows:
            plain = {name: (unseal(v, _context(model, name), ring=ring) if v and is_sealed(v) else (v or ""))
                     for name, v in zip(fields, stored, strict=True)}
            changes = {name: seal(plain[name], _context(model, name), ring=ring)
                       for name, v in zip(fields, stored, strict=True) if v and not is_sealed(v)}
            if not changes:
                continue
            changes.update({ix: blind_index(plain[src], scope, ring=ring) for ix, (src, scope) in indexes.items()})
            _update_raw(model, pk, changes, using)
            done += 1
    return done


def unseal_existing(model, fields: Iterable[str], indexes: Iterable[str] = (), *, using: str = "default", batch: int = 500) -> int:
    """The reverse of :func:`seal_existing`: write the plaintext back and blank the indexes (needs the keys)."""
    fields, indexes = list(fields), list(indexes)
    ring = keyring(create=False)
    done = 0
    for rows in _raw_rows(model, fields, batch, using):
        for pk, *stored in rows:
            changes: dict[str, str] = {name: unseal(v, _context(model, name), ring=ring)
                                       for name, v in zip(fields, stored, strict=True) if v and is_sealed(v)}
            if changes:
                changes.update({ix: "" for ix in indexes})
                _update_raw(model, pk, changes, using)
                done += 1
    return done
