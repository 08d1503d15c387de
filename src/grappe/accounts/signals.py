"""Failed and successful logins feed the throttle (``grappe.accounts.throttle``), whatever the login page."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from grappe.accounts import throttle


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    email = str(credentials.get("username") or credentials.get("email") or "")
    throttle.record_failure(email=email, ip=throttle.client_ip(request))


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    throttle.record_success(email=getattr(user, "email", ""))
