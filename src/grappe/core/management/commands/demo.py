"""``grappe demo``: replace the database's content by the deterministic demo cluster.

Each app registers its loader with ``grappe.core.registry.register_demo``; they run in order.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from grappe.core.registry import demo_loaders


class Command(BaseCommand):
    help = "Load the demo cluster « Construction Circulaire Wallonie » (replaces existing domain data)."

    def handle(self, *args, **options) -> None:
        loaders = demo_loaders()
        if not loaders:
            self.stderr.write("No demo loader is registered.")
            return
        with transaction.atomic():
            for demo in loaders:
                self.stdout.write(f"Loading demo data: {demo.app_label}")
                demo.loader(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo cluster loaded."))
