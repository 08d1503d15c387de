"""Backup and restore: the database and the uploaded files in one ``.tar.gz`` archive.

Archive layout (``manifest.json`` first):

- ``manifest.json``: format, date, database vendor and how it was dumped, applied migrations, counts;
- ``database.sqlite3`` (SQLite, taken with the online backup API: consistent while the site runs),
  or ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``), or ``database.json``
  (``dumpdata``, when ``pg_dump`` is not installed or with ``--format json``);
- ``media/...``: every file under ``MEDIA_ROOT``.

Restoring replaces the whole database and ``MEDIA_ROOT`` with the archive's. The archive's
migrations must not be newer than the code's (restore, then ``grappe migrate`` for older archives).
"""

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1


class BackupError(Exception):
    pass


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).migration_qs.values_list("app", "name").order_by("app", "name"):
        applied.setdefault(app, []).append(name)
    return applied


def _pg_env_and_args(db: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _dump_database(workdir: Path, fmt: str) -> tuple[str, str]:
    """Write the database dump in ``workdir``; return (member name, method)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite" and fmt in ("auto", "native"):
        target = workdir / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as dest:
            connection.connection.backup(dest)
        dest.close()
        return target.name, "sqlite-backup-api"
    if connection.vendor == "postgresql" and fmt in ("auto", "native") and shutil.which("pg_dump"):
        target = workdir / "database.pgdump"
        env, args = _pg_env_and_args(db)
        run = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "--file", str(target), db["NAME"]],
            env=env,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
        return target.name, "pg_dump"
    if fmt == "native":
        raise BackupError(f"No native dump for {connection.vendor} here (is pg_dump installed?)")
    target = workdir / "database.json"
    with target.open("w", encoding="utf-8") as out:
        call_command(
            "dumpdata",
            exclude=["contenttypes", "auth.permission", "sessions"],
            natural_foreign=True,
            natural_primary=False,
            indent=None,
            stdout=out,
        )
    return target.name, "dumpdata"


def create_backup(output: Path, *, fmt: str = "auto") -> dict[str, Any]:
    """Write the archive to ``output`` (a ``.tar.gz``); return its manifest."""
    media_root = Path(settings.MEDIA_ROOT)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="grappe-backup-") as tmp:
        workdir = Path(tmp)
        member, method = _dump_database(workdir, fmt)
        media_files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "database": member,
            "method": method,
            "migrations": _migrations(),
            "media_files": len(media_files),
            "media_bytes": sum(p.stat().st_size for p in media_files),
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(dt.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(workdir / member, arcname=member)
            for path in sorted(media_files):
                archive.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}", recursive=False)
        partial.replace(output)  # a crashed backup never leaves a truncated archive under the final name
    return manifest


def read_manifest(archive_path: Path) -> dict[str, Any]:
    with tarfile.open(archive_path, "r:gz") as archive:
        try:
            member = archive.getmember("manifest.json")
        except KeyError as exc:
            raise BackupError("Not a Grappe backup: no manifest.json") from exc
        manifest = json.load(archive.extractfile(member))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}")
    return manifest


def _check_migrations(manifest: dict[str, Any]) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}" for app, names in manifest["migrations"].items() for name in names if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "The backup comes from a newer Grappe (unknown migrations: " + ", ".join(sorted(unknown)[:5]) + "); "
            "upgrade the code first."
        )


def _restore_sqlite(source: Path) -> None:
    connection.ensure_connection()
    with sqlite3.connect(source) as src:
        src.backup(connection.connection)
    src.close()


def _restore_pg(source: Path) -> None:
    db = connection.settings_dict
    env, args = _pg_env_and_args(db)
    connection.close()
    # Drop every table of the current schema first: pg_restore --clean only drops what the dump has.
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    connection.close()
    run = subprocess.run(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, "--dbname", db["NAME"], str(source)],
        env=env,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise BackupError(f"pg_restore failed: {run.stderr.strip()}")


def _restore_json(source: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", str(source), verbosity=0)


def restore_backup(archive_path: Path) -> dict[str, Any]:
    """Replace the database and MEDIA_ROOT with the archive's content; return its manifest."""
    archive_path = Path(archive_path)
    manifest = read_manifest(archive_path)
    _check_migrations(manifest)
    member = manifest["database"]
    if member.endswith(".sqlite3") and connection.vendor != "sqlite":
        raise BackupError(
            "This archive holds a SQLite database; restore it on SQLite (or make a --format json backup)."
        )
    if member.endswith(".pgdump") and connection.vendor != "postgresql":
        raise BackupError("This archive holds a PostgreSQL dump; restore it on PostgreSQL.")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="grappe-restore-") as tmp:
        workdir = Path(tmp)
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(workdir, filter="data")  # refuses absolute paths, '..', devices, links out
        source = workdir / member
        if not source.is_file():
            raise BackupError(f"The archive lacks its database ({member})")
        if member.endswith(".sqlite3"):
            _restore_sqlite(source)
        elif member.endswith(".pgdump"):
            _restore_pg(source)
        else:
            _restore_json(source)
        for alias in connections:
            connections[alias].close()
        staged = workdir / "media"
        staged.mkdir(exist_ok=True)
        media_root.parent.mkdir(parents=True, exist_ok=True)
        old = media_root.with_name(media_root.name + ".before-restore")
        if old.exists():
            shutil.rmtree(old)
        if media_root.exists():
            media_root.rename(old)
        shutil.move(str(staged), str(media_root))
        if old.exists():
            shutil.rmtree(old)
    return manifest
