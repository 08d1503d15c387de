"""Authenticate with the e-mail address, case-insensitively; locked logins are refused (see ``throttle``)."""

from django.contrib.auth.backends import ModelBackend

from grappe.accounts import throttle


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):  # type: ignore[override]
        login = (email or username or "").strip().lower()
        if not login or password is None:
            return None
        if throttle.check(email=login, ip=throttle.client_ip(request)) is not None:
            return None  # the login form says why; the password is not even checked
        return super().authenticate(request, username=login, password=password, **kwargs)
