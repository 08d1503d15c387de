from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "grappe.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from grappe.core.registry import register_portal_menu, register_staff_menu

        # Personal API tokens (TOKEN-OWN): members find them in their portal, staff in the menu.
        register_portal_menu(_("Jetons d'API"), "accounts:tokens", order=990)
        register_staff_menu(_("Jetons d'API"), "accounts:tokens", order=990)
