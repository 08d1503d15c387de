"""``grappe backup [--output FILE] [--format auto|native|json]``: database and uploaded files in one archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grappe.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write the database (SQLite backup API, pg_dump, or dumpdata) and MEDIA_ROOT into one .tar.gz archive."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", "-o", help="Archive path (default: <data dir>/backups/grappe-<date>.tar.gz)")
        parser.add_argument(
            "--format",
            choices=["auto", "native", "json"],
            default="auto",
            help="auto: SQLite backup API or pg_dump when installed, else JSON; native: fail without them; "
            "json: Django dumpdata (portable between SQLite and PostgreSQL).",
        )

    def handle(self, *args, output=None, format="auto", **options) -> None:
        if output is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.DATA_DIR) / "backups" / f"grappe-{stamp}.tar.gz"
        try:
            manifest = create_backup(Path(output), fmt=format)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{output}: database ({manifest['method']}), {manifest['media_files']} media files "
            f"({manifest['media_bytes']} bytes)"
        )
