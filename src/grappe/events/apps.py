from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "grappe.events"
    label = "events"
    verbose_name = _("Événements")

    def ready(self) -> None:
        import datetime as dt

        from grappe.core.registry import (
            register_demo,
            register_organisation_panel,
            register_periodic,
            register_portal_menu,
            register_staff_menu,
        )
        from grappe.events import tasks

        register_staff_menu(_("Événements"), "events:event_list", order=40)
        register_organisation_panel(_("Événements et rendez-vous B2B"), "events:organisation_panel", order=40)
        register_portal_menu(_("Mes événements, rendez-vous B2B et agenda"), "events:portal_events", order=30)

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.events.demo import load

            load(stdout)

        register_demo("events", load_demo, order=30)
        # Hourly; idempotent (each message is recorded once per registration and kind), so a late or extra run
        # sends nothing twice. `grappe events_due` stays for installations that drive it from cron.
        register_periodic(
            "events.reminders",
            tasks.send_due_reminders,
            dt.timedelta(hours=1),
            _("Événements : envoyer les rappels J-7 et J-1 dus"),
        )
        register_periodic(
            "events.surveys",
            tasks.send_due_surveys,
            dt.timedelta(hours=1),
            _("Événements : envoyer les enquêtes de satisfaction après l'événement"),
        )
        # send_agendas records each agenda it sends (per participant and agenda version, core.tasks.claim_once):
        # a retry sends only the missing ones, so it takes the default retry policy (no register_retry).
