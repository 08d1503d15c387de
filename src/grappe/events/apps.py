from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "grappe.events"
    label = "events"
    verbose_name = _("Événements")

    def ready(self) -> None:
        from grappe.core.registry import (
            register_demo,
            register_organisation_panel,
            register_portal_menu,
            register_staff_menu,
        )

        register_staff_menu(_("Événements"), "events:event_list", order=40)
        register_organisation_panel(_("Événements et rendez-vous B2B"), "events:organisation_panel", order=40)
        register_portal_menu(_("Mes événements, rendez-vous B2B et agenda"), "events:portal_events", order=30)

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.events.demo import load

            load(stdout)

        register_demo("events", load_demo, order=30)
