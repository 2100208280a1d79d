"""Files attached to cases, served only through the access check and only as recorded.

Web pages and the REST API both open attachments here: the case must be
visible to the user (``access.access_case``), the attachment must belong to it,
and the bytes on disk must still hash to the SHA-256 the case's chain holds.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiceng import filestore
from jiceng.accounts.models import User

from . import access
from .errors import Conflict, NotFound
from .models import Attachment
from .verify import AttachmentTampered, read_attachment_verified

# Raster images a browser may show inline; anything else (PDF, office files, SVG) is only downloaded,
# so an uploaded file can never run script in the site's origin.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def is_photo(att: Attachment) -> bool:
    return att.content_type in INLINE_TYPES


def open_attachment(user: User | None, number: str, attachment_id: int) -> tuple[Attachment, bytes]:
    """The attachment and its verified bytes; NotFound if the case or file is not the user's to see."""
    case = access.access_case(user, number)
    att = case.attachments.filter(pk=attachment_id).first()
    if att is None or not filestore.path_of(att.storage_name).exists():
        raise NotFound(_("No such attachment"), field="attachment")
    try:
        return att, read_attachment_verified(att)  # never serve bytes that are not the ones recorded
    except AttachmentTampered:
        raise Conflict(_("The stored file no longer matches the case's record; it is not served. Tell the administrator (jiceng verify).")) from None
