from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "grappe.core"
    label = "core"
    verbose_name = _("Noyau")

    def ready(self) -> None:
        from grappe.core import (
            admin_site,  # noqa: F401  (back-office branding)
            scheduler,  # noqa: F401  (records the outcome of periodic jobs)
        )
        from grappe.core.registry import register_staff_menu
        from grappe.core.webhooks import connect_sources

        connect_sources()

        register_staff_menu(_("Tâches de fond"), "core:jobs", order=900)
        register_staff_menu(_("Webhooks"), "core:webhooks", order=910)
