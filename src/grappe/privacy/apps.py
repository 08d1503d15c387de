import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "grappe.privacy"
    label = "privacy"
    verbose_name = _("Vie privée (RGPD)")

    def ready(self) -> None:
        from grappe.core.registry import register_demo, register_periodic, register_portal_menu, register_staff_menu
        from grappe.privacy import tasks

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.privacy.demo import load_demo as load

            load(stdout)

        register_demo("privacy", load_demo, order=300)
        register_staff_menu(_("Registre des traitements (RGPD)"), "privacy:register", order=980)
        register_portal_menu(_("Mes données personnelles"), "privacy:portal", order=980)
        register_periodic(
            "privacy.retention",
            tasks.apply_retention,
            dt.timedelta(days=1),
            _("RGPD : anonymiser les contacts sans activité depuis le délai de conservation"),
        )
