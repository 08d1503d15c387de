"""Imports requested from the staff workspace: an uploaded zip or a server path, run as a background task.

The import itself is one database transaction (``importer.import_extract``), so its progress cannot
be written to the database while it runs (nobody else would see it before the commit, and SQLite
would block the writer). The task writes the rows read per file to a small JSON file next to the
uploads instead; the progress fragment reads it, and the run row gets the final figures.

A run records the task and attempt running it (``Owner``). A worker killed mid-import leaves its
run "running" but nothing in the register tables (the transaction dies with it); ``grappe worker``
runs the task again, which recognises its own run and starts it over (``run_request``). A run
whose task will not come back (its attempts spent, or its result pruned) is marked failed with
the reason (``settle_interrupted``) so that staff can relaunch it. At most one run is "running"
(a conditional unique constraint): a queued run waits while another import is alive.
"""

import datetime as dt
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log
from grappe.register.extract import ExtractError
from grappe.register.importer import import_extract
from grappe.register.models import ImportRun

PROGRESS_EVERY_SECONDS = 1.0
BUSY_RETRY_SECONDS = 60  # a queued run waits this long, again and again, while another import runs


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


@dataclass(frozen=True)
class Owner:
    """The task attempt running an import: the ``django.tasks`` result id and its attempt number (1, 2, ...)."""

    task_id: str
    attempt: int


def _interrupted_text() -> str:
    return _("interrompu : le worker qui l'exécutait s'est arrêté ; rien n'a été importé, relancez l'import.")


def _abandoned(run: ImportRun, current: Owner | None) -> bool:
    """Whether the "running" ``run`` is left over by a dead attempt that nobody will resume.

    A run without a task (started outside ``grappe worker``) is taken for alive. Its own task still
    running the same attempt is alive; a later attempt of it (the worker died, the queue runs it
    again) resumes it; a task finished or pruned will not come back, nor will an earlier attempt of
    ``current``'s own task (the periodic job makes a new run for the same extract).
    """
    import uuid

    from django.tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from grappe.register.tasks import run_import

    if not run.task_id:
        return False
    if current is not None and run.task_id == current.task_id:
        return run.attempt < current.attempt
    if not isinstance(run_import.get_backend(), DatabaseBackend):
        return False  # no queue to ask (an immediate backend runs the task in the requesting process)
    try:
        task_id = uuid.UUID(run.task_id)
    except ValueError:
        return True
    row = DBTaskResult.objects.filter(id=task_id).values_list("status", flat=True).first()
    return row is None or row in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


@transaction.atomic
def _fail(run: ImportRun, reason: str) -> None:
    if ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.RUNNING, attempt=run.attempt).update(
        status=ImportRun.Status.FAILED, error=reason, finished_at=timezone.now()
    ):
        progress_path(run.pk).unlink(missing_ok=True)
        if run.source.startswith(str(upload_dir())):
            Path(run.source).unlink(missing_ok=True)
        audit_log(actor=None, action="register.import.interrupted", obj=run, changes={"error": [None, reason]})


def settle_interrupted(current: Owner | None = None, *, keep: int | None = None) -> list[int]:
    """Mark failed (with the reason) the "running" runs abandoned by a dead worker; returns their ids."""
    failed = []
    for run in ImportRun.objects.filter(status=ImportRun.Status.RUNNING).exclude(pk=keep):
        if _abandoned(run, current):
            _fail(run, _interrupted_text())
            failed.append(run.pk)
    return failed


def _claim(run: ImportRun, owner: Owner | None, *, restart: bool) -> bool:
    """Mark ``run`` running for ``owner``; ``False`` when another import is running (alive)."""
    with transaction.atomic():
        settle_interrupted(owner, keep=run.pk)
        rows = ImportRun.objects.filter(pk=run.pk)
        if restart:
            rows = rows.filter(status=ImportRun.Status.RUNNING, task_id=run.task_id, attempt=run.attempt)
        else:
            rows = rows.filter(status=ImportRun.Status.QUEUED)
        try:
            with transaction.atomic():
                claimed = rows.update(
                    status=ImportRun.Status.RUNNING,
                    started_at=timezone.now(),
                    finished_at=None,
                    error="",
                    rows_read={},
                    task_id=owner.task_id if owner else "",
                    attempt=owner.attempt if owner else 0,
                )
        except IntegrityError:  # register_run_one_running: another import is running
            return False
        if claimed and restart:
            audit_log(
                actor=None,
                action="register.import.restarted",
                obj=run,
                changes={"attempt": [run.attempt, owner.attempt if owner else 0]},
                message=_("import repris depuis le début : le worker qui l'exécutait s'est arrêté"),
            )
    return bool(claimed)


def _wait_for_the_running_import(run: ImportRun) -> ImportRun:
    """Another import is running: run this one again later (or, without a queue that can wait, fail it)."""
    from grappe.register.tasks import run_import

    if run_import.get_backend().supports_defer:
        later = timezone.now() + dt.timedelta(seconds=BUSY_RETRY_SECONDS)
        transaction.on_commit(lambda: run_import.using(run_after=later).enqueue(run.pk))
    else:
        ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.QUEUED).update(
            status=ImportRun.Status.FAILED,
            finished_at=timezone.now(),
            error=_("un autre import est en cours ; relancez celui-ci quand il sera terminé."),
        )
    run.refresh_from_db()
    return run


def run_request(run_id: int, owner: Owner | None = None) -> ImportRun:
    """Run a queued import (the task's body): progress to a file, final state to the run row.

    ``owner`` is the task attempt running it. When that task is run again after its worker died
    mid-import, the run is still "running" under the earlier attempt: the import being one
    transaction, the dead attempt left the register tables as they were, and the run starts over.
    """
    run = ImportRun.objects.get(pk=run_id)
    restart = (
        run.status == ImportRun.Status.RUNNING
        and owner is not None
        and run.task_id == owner.task_id
        and run.attempt < owner.attempt
    )
    if run.status != ImportRun.Status.QUEUED and not restart:
        return run
    if not _claim(run, owner, restart=restart):
        return _wait_for_the_running_import(run)
    return _execute(ImportRun.objects.get(pk=run.pk))


def _execute(run: ImportRun) -> ImportRun:
    """Import the extract of ``run`` (claimed: "running"), its progress to a file, its outcome to the row."""
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


def apply_pending_updates(owner: Owner | None = None) -> list[ImportRun]:
    """Import the pending update extracts in number order; stop at the first one that fails (a gap, a bad
    file), or when another import is running (the next round applies them)."""
    runs = []
    settle_interrupted(owner)  # a round killed mid-import: its run is failed, this round imports it again
    for _number, path in pending_updates():
        if ImportRun.objects.filter(status=ImportRun.Status.RUNNING).exists():
            break
        run = ImportRun.objects.create(status=ImportRun.Status.QUEUED, source=str(path))
        if not _claim(run, owner, restart=False):
            run.delete()
            break
        run = _execute(ImportRun.objects.get(pk=run.pk))
        runs.append(run)
        if run.status != ImportRun.Status.SUCCEEDED:
            break
    return runs
