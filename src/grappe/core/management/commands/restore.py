"""``grappe restore ARCHIVE [--yes]``: replace the database and uploaded files with a backup's."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grappe.core.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Replace the whole database and MEDIA_ROOT with the content of a `grappe backup` archive."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, archive: str, yes: bool = False, **options) -> None:
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"{archive}: no such file")
        try:
            manifest = read_manifest(path)
        except (BackupError, OSError, EOFError) as exc:
            raise CommandError(f"{archive}: {exc}") from exc
        self.stdout.write(
            f"Backup of {manifest['created_at']} ({manifest['vendor']}, {manifest['method']}, "
            f"{manifest['media_files']} media files)"
        )
        if not yes:
            answer = input("This REPLACES the current database and uploaded files. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restore_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Restored. Run `grappe migrate` if the code is newer than the backup, then restart.")
