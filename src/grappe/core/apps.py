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
