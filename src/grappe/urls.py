"""Root URLconf. Each app owns its URL module and chooses its own paths (``staff/<app>/...``).

Apps listed in ``APP_URLCONFS`` are included when they have a ``urls.py``; public, language-prefixed
pages come from each app's ``public_urls.py`` inside ``i18n_patterns`` (``/fr/``, ``/en/``...).
"""

from importlib.util import find_spec

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from grappe.api import api

APPS = [
    "accounts",
    "referential",
    "register",
    "ecosystem",
    "watch",
    "events",
    "partnerships",
    "showcase",
    "innovation",
    "insights",
    "objectives",
    "privacy",
]


def _has(module: str) -> bool:
    return find_spec(module) is not None


urlpatterns = [
    path("", include("grappe.core.urls")),
    path("accounts/", include("grappe.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
for _app in APPS:
    if _app != "accounts" and _has(f"grappe.{_app}.urls"):
        urlpatterns.append(path("", include(f"grappe.{_app}.urls")))

_public = [path("", include(f"grappe.{a}.public_urls")) for a in APPS if _has(f"grappe.{a}.public_urls")]
if _public:
    urlpatterns += i18n_patterns(*_public, prefix_default_language=True)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
