from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "grappe.objectives"
    label = "objectives"
    verbose_name = _("Contrat d'objectifs")

    def ready(self) -> None:
        from grappe.core.registry import register_demo, register_staff_menu

        register_staff_menu(_("Contrat d'objectifs"), "objectives:dashboard", order=90)

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.objectives.demo import load

            load(stdout)

        register_demo("objectives", load_demo, order=90)
