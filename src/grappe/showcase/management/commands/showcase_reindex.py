"""``grappe showcase_reindex``: rebuild the public directory's search index."""

import time

from django.core.management.base import BaseCommand

from grappe.showcase import search


class Command(BaseCommand):
    help = "Rebuild the public directory search index (public organisations only)."

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        count = search.rebuild_index()
        self.stdout.write(f"{count} public organisations indexed in {time.perf_counter() - started:.1f} s")
