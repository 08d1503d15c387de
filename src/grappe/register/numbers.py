"""KBO/BCE numbers as the register writes them, as integers, and back.

Enterprise numbers ``0200.065.765`` (first digit 0 or 1), establishment numbers ``2.000.000.339``
(first digit 2 to 8): ten digits whose last two are a modulo-97 check of the first eight.
Branch ids look like ``9.000.006.626`` but are not official numbers (no check applies).
Integers keep the register's tables narrow; the display forms are rebuilt from them.
"""

ENTERPRISE_MAX = 2_000_000_000  # below: enterprise numbers (first digit 0 or 1)
BRANCH_MIN = 9_000_000_000  # from here: branch ids


class BadNumber(ValueError):
    """A value that is not a well-formed KBO number; the message says why (in French)."""


def _digits(value: str) -> int:
    """Ten ASCII digits of a dotted number, as an integer; shape checked, check digits not yet."""
    if len(value) == 12 and value[4] == "." and value[8] == ".":
        digits = value[:4] + value[5:8] + value[9:]
    elif len(value) == 13 and value[1] == "." and value[5] == "." and value[9] == ".":
        digits = value[0] + value[2:5] + value[6:9] + value[10:]
    else:
        raise BadNumber("format")
    if not (digits.isascii() and digits.isdigit()):
        raise BadNumber("format")
    return int(digits)


def _checked(number: int) -> int:
    if (number // 100 + number % 100) % 97:
        raise BadNumber("modulo 97")
    return number


def parse_enterprise_number(value: str) -> int:
    """``0200.065.765`` -> ``200065765``; raises ``BadNumber``."""
    if len(value) != 12:
        raise BadNumber("format")
    number = _digits(value)
    if number >= ENTERPRISE_MAX:
        raise BadNumber("format")
    return _checked(number)


def parse_establishment_number(value: str) -> int:
    """``2.000.000.339`` -> ``2000000339``; raises ``BadNumber``."""
    if len(value) != 13:
        raise BadNumber("format")
    number = _digits(value)
    if not ENTERPRISE_MAX <= number < BRANCH_MIN:
        raise BadNumber("format")
    return _checked(number)


def parse_entity_number(value: str) -> int:
    """An enterprise or establishment number, or a branch id (``9.xxx.xxx.xxx``, not checked)."""
    number = _digits(value)
    if len(value) == 12:
        if number >= ENTERPRISE_MAX:
            raise BadNumber("format")
        return _checked(number)
    if number >= BRANCH_MIN:
        return number
    if number < ENTERPRISE_MAX:
        raise BadNumber("format")
    return _checked(number)


def parse_branch_id(value: str) -> int:
    """A branch id in either dotted form; its check digits are not verified (it is not an official number)."""
    return _digits(value)


def format_entity_number(number: int) -> str:
    """``200065765`` -> ``0200.065.765``; ``2000000339`` -> ``2.000.000.339``."""
    digits = f"{number:010d}"
    if number < ENTERPRISE_MAX:
        return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    return f"{digits[0]}.{digits[1:4]}.{digits[4:7]}.{digits[7:]}"


def number_from_user(text: str) -> int | None:
    """A number typed by a person (``BE 0200.065.765``, ``200065765``, ``2.000.000.339``) or ``None``."""
    digits = "".join(ch for ch in (text or "") if ch.isascii() and ch.isdigit())
    if len(digits) == 9:
        digits = "0" + digits
    if len(digits) != 10:
        return None
    number = int(digits)
    if number >= BRANCH_MIN or (number // 100 + number % 100) % 97:
        return None
    return number
