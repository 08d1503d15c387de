"""Number formatting for the insights pages (percentages, residuals) in the current locale's style."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    if value is None or value == "":
        return "—"
    return f"{number_format(float(value) * 100, int(digits))} %"


@register.filter
def signed(value: float | None, digits: int = 2) -> str:
    if value is None or value == "":
        return "—"
    text = number_format(abs(float(value)), int(digits))
    return f"−{text}" if float(value) < 0 else f"+{text}"


@register.filter
def dash(value: object) -> object:
    return "—" if value is None or value == "" else value
