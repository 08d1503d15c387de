"""``grappe privacy_retention [--apply]``: list (dry run, the default) or erase the retention candidates."""

from django.core.management.base import BaseCommand

from grappe.privacy.services import retention_run, retention_years


class Command(BaseCommand):
    help = "Anonymise non-member contacts without activity for GRAPPE_RETENTION_INACTIVE_YEARS (dry run by default)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--apply", action="store_true", help="Really erase (default: only list).")

    def handle(self, *args, **options) -> None:
        ids = retention_run(apply=options["apply"])
        verb = "erased" if options["apply"] else "would be erased (dry run)"
        self.stdout.write(f"{len(ids)} people {verb}, inactive for {retention_years()} years: {ids}")
