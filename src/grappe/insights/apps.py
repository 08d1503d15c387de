from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "grappe.insights"
    label = "insights"
    verbose_name = _("Vision stratégique")

    def ready(self) -> None:
        from grappe.core.registry import register_demo, register_organisation_panel, register_staff_menu
        from grappe.insights.demo import load_demo

        register_staff_menu(_("Vision stratégique"), "insights:dashboard", order=85)
        register_organisation_panel(_("Carte des implantations"), "insights:organisation_map", order=30)
        register_demo("insights", load_demo, order=190)
