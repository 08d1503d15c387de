"""Imports requested from the staff workspace: an uploaded zip or a server path, run as a background task.

The import itself is one database transaction (``importer.import_extract``), so its progress cannot
be written to the database while it runs (nobody else would see it before the commit, and SQLite
would block the writer). The task writes the rows read per file to a small JSON file next to the
uploads instead; the progress fragment reads it, and the run row gets the final figures.
"""

import json
import os
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log
from grappe.register.extract import ExtractError
from grappe.register.importer import import_extract
from grappe.register.models import ImportRun

PROGRESS_EVERY_SECONDS = 1.0


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "register-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_upload_bytes() -> int:
    return int(getattr(settings, "GRAPPE_REGISTER_UPLOAD_MAX_MB", 1024)) * 1024 * 1024


def server_dir() -> Path | None:
    configured = getattr(settings, "GRAPPE_REGISTER_IMPORT_DIR", "")
    return Path(configured).resolve() if configured else None


def progress_path(run_id: int) -> Path:
    return upload_dir() / f"run-{run_id}.progress.json"


def read_progress(run_id: int) -> dict[str, Any]:
    try:
        return json.loads(progress_path(run_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _checked_server_path(text: str) -> Path:
    base = server_dir()
    if base is None:
        raise ValidationError({"path": _("Aucun répertoire d'import n'est configuré sur le serveur.")})
    path = Path(text.strip())
    path = (base / path if not path.is_absolute() else path).resolve()
    if not path.is_relative_to(base):
        raise ValidationError({"path": _("Le chemin doit se trouver dans %(dir)s.") % {"dir": base}})
    if not path.exists():
        raise ValidationError({"path": _("Fichier ou répertoire introuvable : %(path)s.") % {"path": path}})
    return path


@transaction.atomic
def import_request(*, actor: Any, upload: UploadedFile | None = None, path: str = "", force: bool = False) -> ImportRun:
    """Queue an import of an uploaded zip or of a path under the configured directory; the task starts on commit."""
    if bool(upload) == bool(path.strip()):
        raise ValidationError(_("Choisissez soit un fichier zip à envoyer, soit un chemin sur le serveur."))
    run = ImportRun.objects.create(status=ImportRun.Status.QUEUED, forced=force, requested_by=actor)
    if upload is not None:
        if upload.size > max_upload_bytes():
            raise ValidationError(
                {"upload": _("Fichier trop volumineux (maximum %(mb)s Mo).") % {"mb": max_upload_bytes() // 2**20}}
            )
        target = upload_dir() / f"upload-{run.pk}.zip"
        with open(target, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        if not zipfile.is_zipfile(target):
            target.unlink(missing_ok=True)
            raise ValidationError({"upload": _("Ce fichier n'est pas une archive zip.")})
        run.source = str(target)
        run.progress = upload.name[:200]
    else:
        run.source = str(_checked_server_path(path))
    run.save(update_fields=["source", "progress"])
    audit_log(actor=actor, action="register.import.requested", obj=run, changes={"source": [None, run.source]})
    from grappe.register.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(run.pk))
    return run


def run_request(run_id: int) -> ImportRun:
    """Run a queued import (the task's body): progress to a file, final state to the run row."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.QUEUED:
        return run
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, started_at=timezone.now())
    run.refresh_from_db()
    state: dict[str, Any] = {"rows": {}, "message": "", "at": 0.0}
    target = progress_path(run.pk)

    def flush(force: bool = False) -> None:
        now = timezone.now().timestamp()
        if force or now - state["at"] >= PROGRESS_EVERY_SECONDS:
            state["at"] = now
            tmp = target.with_suffix(".tmp")
            tmp.write_text(json.dumps({"rows": state["rows"], "message": state["message"]}), encoding="utf-8")
            os.replace(tmp, target)

    def on_rows(name: str, count: int) -> None:
        state["rows"][name] = count
        flush()

    def on_message(message: str) -> None:
        state["message"] = message
        flush(force=True)

    try:
        run = import_extract(
            run.source, force=run.forced, progress=on_message, rows_progress=on_rows, actor=run.requested_by, run=run
        )
        ImportRun.objects.filter(pk=run.pk).update(rows_read=state["rows"])
    except ExtractError as exc:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED, error=str(exc), finished_at=timezone.now(), rows_read=state["rows"]
        )
    except Exception as exc:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED,
            error=_("erreur inattendue : %(error)s") % {"error": exc},
            finished_at=timezone.now(),
            rows_read=state["rows"],
        )
        raise
    finally:
        target.unlink(missing_ok=True)
        if run.source.startswith(str(upload_dir())):
            Path(run.source).unlink(missing_ok=True)
    run.refresh_from_db()
    return run


def pending_updates() -> list[tuple[int, Path]]:
    """Update extracts (zips or directories) in the server's import directory newer than the last applied one."""
    from grappe.register.extract import Extract
    from grappe.register.importer import last_applied

    base = server_dir()
    last = last_applied()
    if base is None or not base.is_dir() or last is None or last.extract_number is None:
        return []
    found: dict[int, Path] = {}
    for path in sorted(base.iterdir()):
        if not (path.is_dir() or path.suffix.lower() == ".zip"):
            continue
        try:
            extract = Extract.open(path)
            try:
                meta = extract.read_meta()
            finally:
                extract.close()
        except ExtractError:
            continue
        if meta.kind == "update" and meta.number > last.extract_number:
            found.setdefault(meta.number, path)
    return sorted(found.items())


def apply_pending_updates() -> list[ImportRun]:
    """Import the pending update extracts in number order; stop at the first one that fails (a gap, a bad file)."""
    runs = []
    for _number, path in pending_updates():
        run = ImportRun.objects.create(status=ImportRun.Status.QUEUED, source=str(path))
        run = run_request(run.pk)
        runs.append(run)
        if run.status != ImportRun.Status.SUCCEEDED:
            break
    return runs
