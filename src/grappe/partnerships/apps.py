from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "grappe.partnerships"
    label = "partnerships"
    verbose_name = _("Partenariats")

    def ready(self) -> None:
        import datetime as dt

        from grappe.core.registry import (
            register_demo,
            register_organisation_panel,
            register_periodic,
            register_portal_menu,
            register_staff_menu,
        )
        from grappe.partnerships import tasks

        register_staff_menu(_("Partenariats"), "partnerships:collaboration_list", order=50)
        register_organisation_panel(_("Historique et engagement"), "partnerships:organisation_timeline", order=20)
        register_portal_menu(_("Partenariats"), "partnerships:portal_home", order=50)

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.partnerships.demo import load

            load(stdout)

        register_demo("partnerships", load_demo, order=50)
        # Daily; idempotent (each reminder is claimed once), so an extra or a late run sends nothing twice.
        register_periodic(
            "partnerships.follow_up_reminders",
            tasks.send_follow_up_reminders,
            dt.timedelta(days=1),
            _("Partenariats : rappeler les suivis et prochaines actions dus"),
        )
