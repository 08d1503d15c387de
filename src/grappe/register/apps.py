from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "grappe.register"
    label = "register"
    verbose_name = _("Registre BCE")

    def ready(self) -> None:
        from grappe.core.registry import register_demo, register_organisation_panel, register_staff_menu

        register_staff_menu(_("Registre BCE"), "register:search", order=35)
        register_organisation_panel(_("Registre BCE"), "register:organisation_panel", order=15, staff_only=True)

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.register.demo import load

            load(stdout)

        register_demo("register", load_demo, order=20)
