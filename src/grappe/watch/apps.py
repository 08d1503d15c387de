from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchConfig(AppConfig):
    name = "grappe.watch"
    label = "watch"
    verbose_name = _("Veille")

    def ready(self) -> None:
        from grappe.core.registry import register_demo, register_portal_menu, register_staff_menu

        register_staff_menu(_("Veille"), "watch:dashboard", order=40)
        register_portal_menu(_("Ma veille et mes bulletins"), "watch:portal_subscriptions", order=40)

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.watch.demo import load

            load(stdout)

        register_demo("watch", load_demo, order=40)
