"""Shared fixtures and helpers of the ecosystem view tests (imported by each ``test_views_*`` module).

Templates use ``{% static %}``: the production manifest storage needs ``collectstatic``, so the view
tests use the plain storage. Uploaded logos go to a temporary media directory.
"""

import pytest


@pytest.fixture(autouse=True)
def plain_static_and_tmp_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # The personas' passwords are hashed at creation: a fast hasher keeps the role x view matrix quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def errors_of(response, form_name: str = "form") -> dict:
    """The form errors of a rendered response, as a plain dict."""
    form = response.context[form_name]
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}
