from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchConfig(AppConfig):
    name = "grappe.watch"
    label = "watch"
    verbose_name = _("Veille")

    def ready(self) -> None:
        import datetime as dt

        from grappe.core.registry import (
            register_demo,
            register_organisation_panel,
            register_periodic,
            register_portal_menu,
            register_staff_menu,
        )
        from grappe.watch import tasks

        register_staff_menu(_("Veille"), "watch:dashboard", order=40)
        register_portal_menu(_("Ma veille et mes bulletins"), "watch:portal_subscriptions", order=40)
        register_portal_menu(_("Agenda de l'écosystème"), "watch:agenda", order=41)

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.watch.demo import load

            load(stdout)

        register_demo("watch", load_demo, order=40)

        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_search_index, sender=self, dispatch_uid="watch_search_index")
        register_organisation_panel(_("Veille"), "watch:organisation_panel", order=40)
        # Sources carry their own interval: every 5 minutes the due ones are enqueued (one task each).
        register_periodic(
            "watch.poll", tasks.enqueue_due_polls, dt.timedelta(minutes=5), _("Veille : relever les sources dues")
        )
        # A digest is due per subscriber (daily or weekly, with tolerance): an hourly check sends the due ones.
        register_periodic(
            "watch.digests", tasks.send_due_digests, dt.timedelta(hours=1), _("Veille : envoyer les bulletins dus")
        )


def _ensure_search_index(using: str = "default", **kwargs) -> None:
    """A later migration that remakes ``watch_item`` on SQLite drops the FTS triggers: put them back."""
    from django.db import connections

    from grappe.watch.search import ensure_sqlite_index

    ensure_sqlite_index(connections[using])
