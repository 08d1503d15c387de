"""One check for every uploaded document: allowed type by extension *and* content, size, not empty.

Apps call ``validate_document(upload)`` (or use ``DocumentValidator`` on a form/model field) before
storing a file; a refused file raises ``ValidationError`` with a reason the user can act on.
Office formats are zip containers (``PK``); text formats must not contain NUL bytes; an
executable or HTML file is never accepted, whatever its name says.
"""

from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_ZIP = (b"PK\x03\x04",)
# Extension -> accepted leading bytes (None: plain text, which must not contain NUL bytes).
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".pptx": _ZIP,
    ".odt": _ZIP,
    ".ods": _ZIP,
    ".odp": _ZIP,
    ".csv": None,
    ".txt": None,
}
# Content that is refused under any name (executables, scripts a browser would run).
_EXECUTABLE_HEADS = (b"MZ", b"\x7fELF", b"#!")
_MARKUP_HEADS = (b"<!doctype html", b"<html", b"<script", b"<svg")


def validate_document(
    upload: Any, *, allowed: tuple[str, ...] | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> None:
    """Raise ``ValidationError`` unless ``upload`` is an allowed, non-empty document under ``max_bytes``."""
    extensions = tuple(allowed) if allowed else tuple(SIGNATURES)
    suffix = PurePath(getattr(upload, "name", "") or "").suffix.lower()
    if suffix not in extensions or suffix not in SIGNATURES:
        raise ValidationError(
            _("Type de fichier refusé (« %(ext)s ») ; formats acceptés : %(allowed)s."),
            params={"ext": suffix or "?", "allowed": ", ".join(sorted(extensions))},
            code="upload_type",
        )
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError(_("Le fichier est vide."), code="upload_empty")
    if size > max_bytes:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale (%(limit)s)."),
            params={"limit": filesizeformat(max_bytes)},
            code="upload_size",
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if head.startswith(_EXECUTABLE_HEADS) or head.lstrip().lower().startswith(_MARKUP_HEADS):
        raise ValidationError(_("Ce fichier contient du code exécutable et est refusé."), code="upload_content")
    signatures = SIGNATURES[suffix]
    if signatures is None:
        if b"\x00" in head:
            raise ValidationError(_("Ce fichier n'est pas un fichier texte."), code="upload_content")
    elif not head.startswith(signatures):
        raise ValidationError(
            _("Le contenu du fichier ne correspond pas à son extension « %(ext)s »."),
            params={"ext": suffix},
            code="upload_content",
        )


@deconstructible
class DocumentValidator:
    """Field validator form of :func:`validate_document` (usable in ``validators=[...]``)."""

    def __init__(self, allowed: tuple[str, ...] | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.allowed = allowed
        self.max_bytes = max_bytes

    def __call__(self, upload: Any) -> None:
        validate_document(upload, allowed=self.allowed, max_bytes=self.max_bytes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocumentValidator) and (self.allowed, self.max_bytes) == (
            other.allowed,
            other.max_bytes,
        )
