"""Upload content sniffing: the bytes must be the allowed type the client declared.

``filetype`` (pinned, pure Python) reads the magic numbers. Plain text has no
magic number, so a ``text/plain`` upload must decode as UTF-8 or GB18030 and
contain no NUL byte and no recognised binary signature.
"""

from __future__ import annotations

import filetype

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Declared type -> the types filetype may report for such bytes.
SNIFFED_AS: dict[str, frozenset[str]] = {
    "image/jpeg": frozenset({"image/jpeg"}),
    "image/png": frozenset({"image/png"}),
    "image/gif": frozenset({"image/gif"}),
    "image/webp": frozenset({"image/webp"}),
    "application/pdf": frozenset({"application/pdf"}),
    "video/mp4": frozenset({"video/mp4"}),
    "audio/mpeg": frozenset({"audio/mpeg"}),
    "audio/mp4": frozenset({"audio/mp4", "audio/m4a", "video/mp4"}),  # an .m4a is an MP4 container
    XLSX: frozenset({XLSX}),
    DOCX: frozenset({DOCX}),
}


def sniff(content: bytes) -> str | None:
    """The MIME type the bytes' magic number says, or None when unknown."""
    kind = filetype.guess(content)
    return kind.mime if kind else None


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            content.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def content_matches(content: bytes, declared: str) -> bool:
    """True when ``content`` really is of the allowed type ``declared``."""
    if declared == "text/plain":
        return sniff(content) is None and _is_text(content)
    return sniff(content) in SNIFFED_AS.get(declared, frozenset())
