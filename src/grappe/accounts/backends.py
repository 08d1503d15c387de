"""Authenticate with the e-mail address, case-insensitively."""

from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):  # type: ignore[override]
        login = (email or username or "").strip().lower()
        if not login or password is None:
            return None
        return super().authenticate(request, username=login, password=password, **kwargs)
