from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcosystemConfig(AppConfig):
    name = "grappe.ecosystem"
    label = "ecosystem"
    verbose_name = _("Écosystème")

    def ready(self) -> None:
        from grappe.core.registry import register_demo, register_staff_menu

        register_staff_menu(_("Organisations"), "ecosystem:organisation_list", order=10)
        register_staff_menu(_("Personnes"), "ecosystem:person_list", order=20)
        register_staff_menu(_("Adhésions"), "ecosystem:membership_list", order=30)
        register_staff_menu(_("Taxonomies"), "ecosystem:taxonomy_index", order=90)

        def load_demo(stdout) -> None:  # imported lazily: the demo package is only needed by `grappe demo`
            from grappe.ecosystem.demo import load

            load(stdout)

        register_demo("ecosystem", load_demo, order=10)
