from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "grappe.register"
    label = "register"
    verbose_name = _("Registre BCE")

    def ready(self) -> None:
        import datetime as dt

        from grappe.core.registry import (
            register_demo,
            register_organisation_panel,
            register_periodic,
            register_staff_menu,
        )
        from grappe.register import tasks

        register_staff_menu(_("Registre BCE"), "register:search", order=35)
        register_organisation_panel(_("Registre BCE"), "register:organisation_panel", order=15, staff_only=True)

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.register.demo import load

            load(stdout)

        register_demo("register", load_demo, order=20)
        # The register publishes an update extract every day: those dropped in GRAPPE_REGISTER_IMPORT_DIR
        # are applied in order (an hourly look costs a directory listing and a few meta.csv reads).
        register_periodic(
            "register.updates",
            tasks.apply_updates,
            dt.timedelta(hours=1),
            _("Registre BCE : appliquer les extraits de mise à jour déposés"),
        )
