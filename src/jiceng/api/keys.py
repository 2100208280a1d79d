"""Creating, finding and revoking integration API keys (shared by CLI and admin)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import Role, User
from jiceng.areas.models import Area
from jiceng.cases.errors import InvalidInput

from .models import ApiKey, hash_key, new_raw_key

# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


@transaction.atomic
def do_create_api_key(name: str, *, area_code: str | None = None, role: str = Role.INTEGRATION) -> tuple[ApiKey, str]:
    """Create a key and the integration user it acts as. Returns ``(key, raw)``; raw is shown once."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("The key needs a name"), field="name")
    if ApiKey.objects.filter(name=name).exists():
        raise InvalidInput(_("A key named “%(name)s” already exists") % {"name": name}, field="name")
    area = None
    if area_code:
        area = Area.objects.filter(code=area_code).first()
        if area is None:
            raise InvalidInput(_("No area has the code %(code)s") % {"code": area_code}, field="area")
    if role not in Role.values:
        raise InvalidInput(_("Unknown role %(role)s") % {"role": role}, field="role")
    username = f"api-{name}"[:150]
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("A user named “%(name)s” already exists") % {"name": username}, field="name")
    user = User(username=username, role=role, real_name=name[:32], scope_area=area)
    user.set_unusable_password()  # keys authenticate; this user never logs in to the web UI
    user.save()
    raw = new_raw_key()
    key = ApiKey.objects.create(name=name, user=user, key_hash=hash_key(raw), key_hint=raw[:10])
    return key, raw


def find_api_key(raw: str) -> ApiKey | None:
    """The active key for ``raw``, noting when it was last used."""
    if not raw:
        return None
    key = ApiKey.objects.select_related("user", "user__scope_area").filter(key_hash=hash_key(raw.strip())).first()
    if key is None or not key.active:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def do_revoke_api_key(name: str) -> ApiKey:
    """Revoke a key by name; it stops working at once."""
    key = ApiKey.objects.filter(name=name).first()
    if key is None:
        raise InvalidInput(_("No key is named “%(name)s”") % {"name": name}, field="name")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
