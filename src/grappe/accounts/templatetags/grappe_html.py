"""``{% load grappe_html %}{{ value|clean_html }}``: sanitised rich text on the way out (see accounts.html)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from grappe.accounts.html import clean_html as _clean

register = template.Library()


@register.filter(name="clean_html")
def clean_html(value: object) -> SafeString:
    return mark_safe(_clean(value))  # nh3 has just removed everything not on the allow-list
