"""Template helpers of the public site: the same page in every language."""

from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

register = template.Library()


@lru_cache(maxsize=4096)
def _translated_path(path: str, code: str) -> str:
    """``translate_url`` of a bare path (URL resolving is the costly part; the URLconf never changes)."""
    return translate_url(path, code)


@register.simple_tag(takes_context=True)
def language_versions(context: dict[str, Any]) -> list[dict[str, str]]:
    """For each language: code, local name, the current page's path and absolute URL in that language.

    ``path`` keeps the query string (the switcher keeps the visitor's search); ``absolute`` is the
    bare page, used for hreflang alternates.
    """
    request = context["request"]
    query = request.META.get("QUERY_STRING", "")
    versions = []
    for code, _name in settings.LANGUAGES:
        path = _translated_path(request.path, code)
        versions.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "path": f"{path}?{query}" if query else path,
                "absolute": request.build_absolute_uri(path),
            }
        )
    return versions


@register.simple_tag(takes_context=True)
def event_json_ld(context: dict[str, Any], event: Any) -> str:
    """``<script type="application/ld+json">`` with the schema.org ``Event`` of ``event`` (its public page)."""
    from django.utils.html import format_html

    from grappe.showcase.pages import event_structured_data
    from grappe.showcase.views import json_ld

    return format_html(
        '<script type="application/ld+json">{}</script>', json_ld(event_structured_data(event, context["request"]))
    )
