from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "grappe.insights"
    label = "insights"
    verbose_name = _("Vision stratégique")

    def ready(self) -> None:
        from grappe.core.registry import register_staff_menu

        register_staff_menu(_("Vision stratégique"), "insights:dashboard", order=85)
