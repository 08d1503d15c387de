"""Belgian enterprise numbers (BCE/KBO): validation with python-stdnum, storage and display forms."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.be import vat
from stdnum.exceptions import ValidationError as StdnumError


def normalise_enterprise_number(value: str) -> str:
    """Return the 10-digit form of a valid enterprise number, or raise ``ValidationError``.

    Accepts ``0403.019.261``, ``BE 0403 019 261``, ``403019261`` (old 9-digit form).
    """
    raw = (value or "").strip()
    try:
        return vat.validate(raw)
    except StdnumError as exc:
        raise ValidationError(
            _("« %(value)s » n'est pas un numéro d'entreprise valide (format 0123.456.789, contrôle modulo 97)."),
            code="invalid_enterprise_number",
            params={"value": raw},
        ) from exc


def format_enterprise_number(number: str) -> str:
    """Display form ``0123.456.789`` of a stored 10-digit number."""
    digits = vat.compact(number)
    if len(digits) != 10:
        return number
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
