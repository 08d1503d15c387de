from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "grappe.objectives"
    label = "objectives"
    verbose_name = _("Contrat d'objectifs")

    def ready(self) -> None:
        import datetime as dt

        from grappe.core.registry import register_demo, register_periodic, register_staff_menu
        from grappe.objectives import tasks

        register_staff_menu(_("Contrat d'objectifs"), "objectives:dashboard", order=90)
        # Daily, acts on the first run of each month; idempotent (one archive per snapshot date).
        register_periodic(
            "objectives.monthly_snapshot",
            tasks.monthly_snapshot,
            dt.timedelta(days=1),
            _("Contrat d'objectifs : archiver chaque mois les chiffres arrêtés à la fin du mois précédent"),
        )

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.objectives.demo import load

            load(stdout)

        # After every app it reads (showcase 95, insights 190): the archived 2025 report and the monthly
        # snapshot must hold the demo's full numbers, not a partial load shown later as "corrections".
        register_demo("objectives", load_demo, order=250)
