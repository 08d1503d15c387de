"""Template helpers of the public site: the same page in every language."""

from typing import Any

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_versions(context: dict[str, Any]) -> list[dict[str, str]]:
    """For each language: code, local name, the current page's path and absolute URL in that language.

    ``path`` keeps the query string (the switcher keeps the visitor's search); ``absolute`` is the
    bare page, used for hreflang alternates.
    """
    request = context["request"]
    versions = []
    for code, _name in settings.LANGUAGES:
        versions.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "path": translate_url(request.get_full_path(), code),
                "absolute": request.build_absolute_uri(translate_url(request.path, code)),
            }
        )
    return versions
