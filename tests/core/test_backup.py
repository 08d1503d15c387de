"""`grappe backup` / `grappe restore`: a round trip brings back the database and the uploaded files."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from grappe.core.backup import BackupError, create_backup, read_manifest, restore_backup
from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation

pytestmark = pytest.mark.django_db(transaction=True)


def test_round_trip_brings_back_the_database_and_the_media(tmp_path, settings, org_a):
    media = Path(settings.MEDIA_ROOT)
    (media / "logos").mkdir(parents=True)
    (media / "logos" / "alpha.png").write_bytes(b"\x89PNG original")
    archive = tmp_path / "grappe.tar.gz"
    out = io.StringIO()
    call_command("backup", output=str(archive), stdout=out)
    assert "1 media files" in out.getvalue()
    manifest = read_manifest(archive)
    assert manifest["vendor"] == connection.vendor and manifest["media_files"] == 1
    assert "core" in manifest["migrations"]

    # Life goes on after the backup: a deletion, a new organisation, a changed and a new file.
    Organisation.objects.filter(pk=org_a.pk).delete()
    services.organisation_create(actor=None, name="Après la sauvegarde", kind=Organisation.Kind.COMPANY)
    (media / "logos" / "alpha.png").write_bytes(b"changed")
    (media / "later.txt").write_text("later")

    call_command("restore", str(archive), yes=True, stdout=io.StringIO())
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Alpha Matériaux"]
    assert Organisation.objects.get().memberships.count() == 1
    assert (media / "logos" / "alpha.png").read_bytes() == b"\x89PNG original"
    assert not (media / "later.txt").exists()


def test_json_format_round_trip(tmp_path, org_a):
    archive = tmp_path / "grappe-json.tar.gz"
    manifest = create_backup(archive, fmt="json")
    assert manifest["database"] == "database.json" and manifest["method"] == "dumpdata"
    services.organisation_create(actor=None, name="Après la sauvegarde", kind=Organisation.Kind.COMPANY)
    restore_backup(archive)
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Alpha Matériaux"]


def test_restore_refuses_what_is_not_a_backup_and_needs_confirmation(tmp_path, monkeypatch):
    junk = tmp_path / "junk.tar.gz"
    with tarfile.open(junk, "w:gz") as archive:
        data = b"hello"
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="no manifest"):
        call_command("restore", str(junk), yes=True)
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), yes=True)
    archive = tmp_path / "ok.tar.gz"
    create_backup(archive)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_a_backup_from_newer_code_is_refused(tmp_path):
    archive = tmp_path / "newer.tar.gz"
    create_backup(archive)
    with tarfile.open(archive, "r:gz") as src:
        members = {m.name: src.extractfile(m).read() for m in src.getmembers() if m.isfile()}
    manifest = json.loads(members["manifest.json"])
    manifest["migrations"]["core"].append("9999_from_the_future")
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(archive, "w:gz") as dst:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupError, match="newer Grappe"):
        restore_backup(archive)


def test_an_archive_with_a_path_escaping_the_media_is_refused(tmp_path, settings):
    archive = tmp_path / "evil.tar.gz"
    create_backup(archive)
    with tarfile.open(archive, "r:gz") as src:
        members = {m.name: src.extractfile(m).read() for m in src.getmembers() if m.isfile()}
    members["../../escaped.txt"] = b"pwned"
    with tarfile.open(archive, "w:gz") as dst:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    with pytest.raises(tarfile.OutsideDestinationError):
        restore_backup(archive)
    assert not (tmp_path / "escaped.txt").exists()
