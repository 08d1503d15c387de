from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "grappe.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from django.contrib import admin

        from grappe.accounts import signals  # noqa: F401 - failed logins feed the throttle
        from grappe.accounts.forms import AdminLoginForm
        from grappe.core.registry import register_portal_menu, register_staff_menu

        # The Django admin's login is throttled like ours.
        admin.site.login_form = AdminLoginForm

        # Personal API tokens (TOKEN-OWN): members find them in their portal, staff in the menu.
        register_portal_menu(_("Jetons d'API"), "accounts:tokens", order=990)
        register_staff_menu(_("Jetons d'API"), "accounts:tokens", order=990)
