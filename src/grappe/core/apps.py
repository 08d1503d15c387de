from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "grappe.core"
    label = "core"
    verbose_name = _("Noyau")

    def ready(self) -> None:
        import datetime as dt

        from grappe.core import (
            admin_site,  # noqa: F401  (back-office branding)
            scheduler,  # noqa: F401  (records the outcome of periodic jobs)
            tasks,
        )
        from grappe.core.registry import register_demo, register_periodic, register_staff_menu
        from grappe.core.webhooks import connect_sources

        connect_sources()

        register_staff_menu(_("Tâches de fond"), "core:jobs", order=900)
        register_staff_menu(_("Webhooks"), "core:webhooks", order=910)
        register_periodic(
            "core.retention",
            tasks.prune_platform_records,
            dt.timedelta(days=1),
            _("Plateforme : effacer les anciens résultats de tâches et livraisons de webhooks"),
        )

        def load_demo(stdout) -> None:
            from grappe.core.demo import load

            load(stdout)

        register_demo("core", load_demo, order=990)
