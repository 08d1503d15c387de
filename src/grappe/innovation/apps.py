from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "grappe.innovation"
    label = "innovation"
    verbose_name = _("Innovation")

    def ready(self) -> None:
        import datetime as dt

        from grappe.core.registry import (
            register_demo,
            register_organisation_panel,
            register_periodic,
            register_portal_menu,
            register_staff_menu,
        )
        from grappe.innovation import tasks

        register_staff_menu(_("Innovation"), "innovation:board", order=60)
        register_organisation_panel(_("Projets d'innovation"), "innovation:organisation_panel", order=40)
        register_portal_menu(_("Mes projets d'innovation et soumettre une idée"), "innovation:portal_home", order=60)

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.innovation.demo import load

            load(stdout)

        register_demo("innovation", load_demo, order=60)
        # Daily; idempotent (each reminder is claimed once), so an extra or a late run sends nothing twice.
        register_periodic(
            "innovation.deadline_reminders",
            tasks.send_deadline_reminders,
            dt.timedelta(days=1),
            _("Innovation : rappeler les appels à projets qui clôturent bientôt"),
        )
