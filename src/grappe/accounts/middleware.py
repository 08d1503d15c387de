"""Two-factor authentication (TOTP, django-otp) required for cluster staff and administrators.

With ``GRAPPE_REQUIRE_STAFF_2FA`` on (the default unless DEBUG), a staff or admin session that has not
proved a one-time code is sent to ``accounts:two_factor`` (setup on first login, then verification)
before any other page; the API answers 403 to such a session. Token-authenticated API calls are not
sessions and are not concerned (tokens are scoped and revocable). Member users and observers are not
required to use 2FA. Must come after django-otp's ``OTPMiddleware``.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

ALWAYS_ALLOWED = ("/accounts/", "/static/", "/media/", "/i18n/", "/healthz")


def needs_second_factor(user: object) -> bool:
    if not getattr(settings, "GRAPPE_REQUIRE_STAFF_2FA", False):
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    if not (getattr(user, "is_cluster_staff", False) or getattr(user, "is_staff", False)):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified and is_verified())


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request.user) and not request.path.startswith(ALWAYS_ALLOWED):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Authentification à deux facteurs requise."), "reason": "2fa_required"}, status=403
                )
            target = reverse("accounts:two_factor") + "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)
