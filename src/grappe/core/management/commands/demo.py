"""``grappe demo``: replace the database's content by the deterministic demo cluster.

Each app registers its loader with ``grappe.core.registry.register_demo``; they run in order, in one
transaction, after the domain data of every Grappe app has been removed (see ``flush_domain_data``).
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from grappe.core import deferred
from grappe.core.registry import demo_loaders

# Apps whose rows are not demo data: shipped reference tables, the imported KBO register, user accounts
# (loaders replace their own demo logins).
KEPT_APPS = frozenset({"referential", "register", "accounts"})


def flush_domain_data() -> int:
    """Delete every row of the Grappe apps' models except ``KEPT_APPS``; returns the models emptied.

    Models are emptied in rounds: one protected by another app's rows is retried once those are gone.
    """
    pending = [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("grappe.") and config.label not in KEPT_APPS
        for model in config.get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    total = len(pending)
    for _round in range(total + 1):
        blocked = []
        for model in pending:
            try:
                with transaction.atomic():
                    model._base_manager.all().delete()
            except (ProtectedError, RestrictedError):
                blocked.append(model)
        if not blocked:
            return total
        pending = blocked
    raise CommandError(f"Cannot empty: {', '.join(m._meta.label for m in pending)}")


class Command(BaseCommand):
    help = "Load the demo cluster « Construction Circulaire Wallonie » (replaces existing domain data)."

    def handle(self, *args, **options) -> None:
        loaders = demo_loaders()
        if not loaders:
            self.stderr.write("No demo loader is registered.")
            return
        with transaction.atomic():
            flush_domain_data()
            for demo in loaders:
                self.stdout.write(f"Loading demo data: {demo.app_label}")
                # Derived data (the directory index, search texts) refreshed once per app's data,
                # before the next app's loader reads it.
                with deferred.batch():
                    demo.loader(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo cluster loaded."))
