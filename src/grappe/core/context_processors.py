"""Values every template needs: the cluster's name and the user's role flags."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from grappe.accounts import permissions
from grappe.core.registry import staff_menu


def grappe(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "cluster_name": settings.GRAPPE_CLUSTER_NAME,
        "user_is_staff": permissions.is_staff(user),
        "user_is_admin": permissions.is_admin(user),
        "user_is_member": permissions.is_member_user(user),
        "user_can_read_reports": permissions.can_read_reports(user),
        "staff_menu": staff_menu() if permissions.is_staff(user) else [],
    }
