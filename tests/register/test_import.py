"""The KBO importer: universe rules, the real update 147 on top of a full fixture, and bad input."""

import csv
import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from grappe.register.extract import ExtractError
from grappe.register.importer import import_extract
from grappe.register.models import (
    Activity,
    Address,
    Branch,
    Contact,
    Denomination,
    Enterprise,
    Establishment,
    ImportRun,
)
from grappe.register.numbers import format_entity_number, parse_entity_number
from grappe.register.writers import COLUMNS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FULL = FIXTURES / "full_0146"
UPDATE = FIXTURES / "update_0147"

E_NAMUR = 200065765
E_LIEGE = 403019261
E_GENT_WITH_NAMUR_EST = 410050078
E_ANTWERP_WITH_CHARLEROI_EST = 420060082
NP_WITH_EST = 810000181
STOPPED = (502503253, 504707232)

pytestmark = pytest.mark.django_db


def number_of(text: str) -> int:
    return parse_entity_number(text)


def digest() -> dict[str, str]:
    """Row count and content digest of every register table (and the list of tables)."""
    out = {}
    with connection.cursor() as cursor:
        tables = sorted(t for t in connection.introspection.table_names(cursor) if t.startswith("register_"))
        out["tables"] = ",".join(tables)
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            rows = sorted(repr(row) for row in cursor.fetchall())
            out[table] = f"{len(rows)}:{hashlib.sha256(chr(10).join(rows).encode()).hexdigest()}"
    return out


def content() -> dict[str, list[tuple]]:
    """Every data row of the register tables, without the generated ids (which differ between backends)."""
    return {table: sorted(model.objects.values_list(*columns)) for table, (model, columns, _key) in COLUMNS.items()}


def copy_full(tmp_path: Path) -> Path:
    target = tmp_path / "full"
    shutil.copytree(FULL, target)
    return target


def zip_dir(directory: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.glob("*.csv")):
            archive.write(path, path.name)
    return target


# Full extract -------------------------------------------------------------------------------


def test_full_import_keeps_enterprises_with_seat_or_establishment_in_wallonia():
    run = import_extract(FULL)
    assert run.extract_number == 146 and run.kind == "full" and str(run.snapshot_date) == "2025-10-10"
    assert set(Enterprise.objects.values_list("number", flat=True)) == {
        *STOPPED,
        E_NAMUR,
        E_LIEGE,
        E_GENT_WITH_NAMUR_EST,  # Flemish seat, establishment in Namur
        E_ANTWERP_WITH_CHARLEROI_EST,  # Flemish seat, establishment in Charleroi
        NP_WITH_EST,  # natural person without seat address, establishment in Arlon
    }
    # Flemish only, struck-off Walloon seat only, natural person without address: outside.
    assert not Enterprise.objects.filter(number__in=[430070086, 440080090, 810009980, 859001118]).exists()


def test_full_import_keeps_every_row_of_the_universe_and_drops_duplicates():
    import_extract(FULL)
    namur = Enterprise.objects.get(number=E_NAMUR)
    assert namur.name == "Namur Construction"  # French legal name preferred over Dutch and abbreviations
    assert namur.zipcode == "5000" and namur.province == "90000"
    assert str(namur.start_date) == "2010-06-01" and namur.juridical_form == "610"
    assert sorted(Denomination.objects.filter(entity_number=E_NAMUR).values_list("language", "type", "value")) == [
        ("1", "001", "Namur Construction"),
        ("1", "002", "NC"),
        ("1", "003", 'Béton & Co, "le" spécialiste'),
        ("2", "001", "Namen Bouw"),
    ]
    activities = sorted(
        Activity.objects.filter(entity_number=E_NAMUR).values_list(
            "activity_group", "nace_version", "nace_code", "classification"
        )
    )
    assert activities == [
        ("001", 2025, "4764001", "SECO"),
        ("003", 2003, "45211", "MAIN"),
        ("003", 2008, "41201", "MAIN"),
        ("003", 2025, "41001", "MAIN"),
    ]
    struck = Address.objects.get(entity_number=E_NAMUR, zipcode="5100")
    assert str(struck.struck_off_on) == "2020-01-01"
    assert Branch.objects.get(enterprise_id=E_NAMUR).id == 9000006626
    assert Address.objects.filter(entity_number=9000006626, type="ABBR").count() == 1
    assert Enterprise.objects.count() == 7 and Establishment.objects.count() == 4
    # The natural person's establishment in Arlon gives the enterprise its place.
    person = Enterprise.objects.get(number=NP_WITH_EST)
    assert person.zipcode == "6700" and person.type_of_enterprise == "1" and person.name == "Lambert, Julie"
    assert not Address.objects.filter(entity_number=NP_WITH_EST).exists()


def test_full_import_from_a_zip_gives_the_same_tables_as_from_a_directory(tmp_path):
    import_extract(FULL)
    from_directory = content()
    import_extract(zip_dir(FULL, tmp_path / "KboOpenData_0146_2025_10_Full.zip"), force=True)
    assert content() == from_directory


def test_a_second_full_import_replaces_the_first(tmp_path):
    import_extract(FULL)
    target = copy_full(tmp_path)
    text = (target / "address.csv").read_text(encoding="utf-8")
    (target / "address.csv").write_text(text.replace('"6000","Charleroi"', '"2800","Mechelen"'), encoding="utf-8")
    meta = (target / "meta.csv").read_text(encoding="utf-8")
    (target / "meta.csv").write_text(meta.replace('"146"', '"148"'), encoding="utf-8")
    import_extract(target)
    assert not Enterprise.objects.filter(number=E_ANTWERP_WITH_CHARLEROI_EST).exists()
    assert Enterprise.objects.count() == 6
    assert list(ImportRun.objects.filter(status="succeeded").values_list("extract_number", flat=True)) == [148, 146]


# The real update 147 ------------------------------------------------------------------------


def insert_rows(table: str) -> dict[int, list[list[str]]]:
    with open(UPDATE / f"{table}_insert.csv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows: dict[int, list[list[str]]] = {}
        for row in reader:
            rows.setdefault(number_of(row[0]), []).append(row)
        return rows


def deleted(table: str) -> set[int]:
    with open(UPDATE / f"{table}_delete.csv", encoding="utf-8", newline="") as handle:
        return {number_of(row[0]) for row in list(csv.reader(handle))[1:]}


def test_real_update_147_applies_deletes_then_inserts_exactly():
    import_extract(FULL)
    run = import_extract(UPDATE)
    assert run.extract_number == 147 and run.kind == "update"

    # Stopped: in enterprise_delete and not inserted again -> gone with every row.
    for number in STOPPED:
        assert number in deleted("enterprise")
        assert not Enterprise.objects.filter(number=number).exists()
        assert not Address.objects.filter(enterprise_id=number).exists()
        assert not Activity.objects.filter(enterprise_id=number).exists()

    # Moved establishment: address deleted, the update's address inserted (Lasne), contact replaced.
    lasne = 2094609585
    assert list(Address.objects.filter(entity_number=lasne).values_list("zipcode", "street_fr")) == [
        ("1380", "Chemin du Bois Magonette")
    ]
    assert list(Contact.objects.filter(entity_number=lasne).values_list("contact_type", "value")) == [
        ("EMAIL", "arnaud.petre@gmail.com")
    ]
    assert Activity.objects.filter(entity_number=lasne).count() == 1  # untouched by the update
    assert Establishment.objects.get(number=lasne).enterprise_id == E_LIEGE

    # Changed establishment in Namur of a Flemish enterprise: new street, enterprise stays.
    namur_est = 2269559181
    assert list(Address.objects.filter(entity_number=namur_est).values_list("street_fr", "house_number")) == [
        ("Rue de l'Ange", "74")
    ]
    assert Enterprise.objects.get(number=E_GENT_WITH_NAMUR_EST).zipcode == "5000"

    # Closed establishment (establishment_delete) was the Antwerp enterprise's only Walloon site: it leaves.
    assert 2004869739 in deleted("establishment")
    assert not Establishment.objects.filter(number=2004869739).exists()
    assert not Enterprise.objects.filter(number=E_ANTWERP_WITH_CHARLEROI_EST).exists()
    assert not Denomination.objects.filter(enterprise_id=E_ANTWERP_WITH_CHARLEROI_EST).exists()

    # New enterprises with a Walloon seat: exactly the update's rows.
    for text in ("1029.025.884", "1029.026.379"):
        number = number_of(text)
        assert Enterprise.objects.filter(number=number, partial=False).exists()
        for table, model, fields in (
            ("denomination", Denomination, ("language", "type", "value")),
            ("contact", Contact, ("entity_contact", "contact_type", "value")),
        ):
            expected = sorted(tuple(row[1:]) for row in insert_rows(table).get(number, []))
            assert sorted(model.objects.filter(entity_number=number).values_list(*fields)) == expected

    # A Flemish enterprise that receives an establishment in Frameries enters, flagged partial.
    entering = Enterprise.objects.get(number=859001118)
    assert entering.partial and entering.zipcode == "7080" and entering.province == "50000"
    assert Establishment.objects.get(number=2190171611).enterprise_id == 859001118

    # Every entity of the universe listed in an insert file has exactly the inserted rows, no more.
    universe_entities = set(Enterprise.objects.values_list("number", flat=True)) | set(
        Establishment.objects.values_list("number", flat=True)
    )
    checks = (
        ("activity", Activity, ("activity_group", "nace_version", "nace_code", "classification")),
        ("address", Address, ("type", "zipcode", "street_fr", "house_number", "box")),
        ("denomination", Denomination, ("language", "type", "value")),
    )
    for table, model, fields in checks:
        for number, rows in insert_rows(table).items():
            if number not in universe_entities:
                assert not model.objects.filter(entity_number=number).exists(), (table, number)
                continue
            if table == "activity":
                expected = sorted({(r[1], int(r[2]), r[3], r[4]) for r in rows})
            elif table == "address":
                expected = sorted((r[1], r[4], r[8], r[9], r[10]) for r in rows)
            else:
                expected = sorted(tuple(r[1:]) for r in rows)
            assert sorted(model.objects.filter(entity_number=number).values_list(*fields)) == expected, (
                table,
                format_entity_number(number),
            )
    # Nothing outside the universe remains, and every row belongs to an enterprise of the universe.
    enterprises = set(Enterprise.objects.values_list("number", flat=True))
    for model in (Denomination, Address, Contact, Activity):
        assert set(model.objects.values_list("enterprise_id", flat=True)) <= enterprises, model
    assert set(Establishment.objects.values_list("enterprise_id", flat=True)) <= enterprises
    assert run.counts["stopped"] == 2 and run.counts["left"] == 1


def test_update_from_a_zip_gives_the_same_result_as_from_a_directory(tmp_path):
    import_extract(FULL)
    import_extract(UPDATE)
    expected = content()
    import_extract(FULL, force=True)
    import_extract(zip_dir(UPDATE, tmp_path / "KboOpenData_0147_2025_10_12_Update.zip"))
    assert content() == expected


# Bad input: file, line, reason, and nothing changed ----------------------------------------


def assert_rejected(path: Path, *, file: str, line: int | None, reason: str, force: bool = False) -> None:
    before = digest()
    with pytest.raises(ExtractError) as info:
        import_extract(path, force=force)
    error = info.value
    assert error.file == file, str(error)
    assert error.line == line, str(error)
    assert reason in str(error), str(error)
    assert digest() == before


def edit(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_bytes().decode("utf-8")
    assert old in text, (name, old)
    path.write_bytes(text.replace(old, new, 1).encode("utf-8"))


@pytest.fixture
def loaded():
    import_extract(FULL)


def test_truncated_zip_is_rejected_and_changes_nothing(loaded, tmp_path):
    archive = zip_dir(copy_full(tmp_path), tmp_path / "full.zip")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    assert_rejected(archive, file="full.zip", line=None, reason="archive zip")


def test_corrupt_zip_member_is_rejected_and_changes_nothing(loaded, tmp_path):
    source = copy_full(tmp_path)
    (source / "meta.csv").write_text((source / "meta.csv").read_text().replace('"146"', '"150"'))
    archive = zip_dir(source, tmp_path / "full.zip")
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as probe:
        info = probe.getinfo("activity.csv")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 5, start + min(info.compress_size, 60)):
        data[offset] ^= 0x5A  # damage the compressed bytes of activity.csv
    archive.write_bytes(bytes(data))
    before = digest()
    with pytest.raises(ExtractError) as info_error:
        import_extract(archive)
    assert info_error.value.file == "activity.csv"
    assert "lecture impossible" in str(info_error.value) or "ligne" in str(info_error.value)
    assert digest() == before


def test_missing_file_is_rejected_and_changes_nothing(loaded, tmp_path):
    source = copy_full(tmp_path)
    (source / "contact.csv").unlink()
    assert_rejected(source, file="contact.csv", line=None, reason="fichier manquant")


def test_unexpected_header_is_rejected_and_changes_nothing(loaded, tmp_path):
    source = copy_full(tmp_path)
    edit(source, "activity.csv", '"NaceCode","Classification"', '"NaceCode","Classification","Extra"')
    assert_rejected(source, file="activity.csv", line=1, reason="en-tête inattendu")


def test_malformed_enterprise_number_is_rejected_and_changes_nothing(loaded, tmp_path):
    source = copy_full(tmp_path)
    edit(source, "enterprise.csv", '"0200.065.765"', '"0200.065.766"')  # bad check digits
    assert_rejected(source, file="enterprise.csv", line=4, reason="modulo 97")


def test_malformed_number_shape_outside_the_universe_is_rejected_too(loaded, tmp_path):
    source = copy_full(tmp_path)
    edit(source, "activity.csv", '"0430.070.086"', '"430.070.086"')  # a Flemish enterprise's row
    assert_rejected(source, file="activity.csv", line=15, reason="numéro mal formé")


def test_malformed_date_is_rejected_and_changes_nothing(loaded, tmp_path):
    source = copy_full(tmp_path)
    edit(source, "establishment.csv", "01-01-2016", "2016-01-01")
    assert_rejected(source, file="establishment.csv", line=3, reason="date mal formée")


def test_impossible_date_is_rejected(loaded, tmp_path):
    source = copy_full(tmp_path)
    edit(source, "address.csv", "01-01-2020", "31-02-2020")
    assert_rejected(source, file="address.csv", line=5, reason="date impossible")


def test_unknown_code_is_rejected_and_changes_nothing(loaded, tmp_path):
    source = copy_full(tmp_path)
    edit(source, "enterprise.csv", '"014",,01-02-2013', '"ZZZ",,01-02-2013')
    assert_rejected(source, file="enterprise.csv", line=2, reason="code inconnu « ZZZ » pour JuridicalForm")


def test_unknown_nace_code_is_rejected_and_changes_nothing(loaded, tmp_path):
    source = copy_full(tmp_path)
    edit(source, "activity.csv", '"4764001"', '"4764999"')
    assert_rejected(source, file="activity.csv", line=6, reason="code NACE 2025 inconnu")


def test_wrong_number_of_fields_is_rejected(loaded, tmp_path):
    source = copy_full(tmp_path)
    edit(source, "contact.csv", '"ENT","WEB",', '"ENT",')
    assert_rejected(source, file="contact.csv", line=2, reason="champs")


def test_an_update_with_a_gap_is_refused_unless_forced(loaded, tmp_path):
    source = tmp_path / "update"
    shutil.copytree(UPDATE, source)
    edit(source, "meta.csv", '"147"', '"149"')
    assert_rejected(source, file="meta.csv", line=None, reason="trou dans la suite des extraits")
    run = import_extract(source, force=True)
    assert run.extract_number == 149 and run.forced


def test_an_older_or_repeated_update_is_refused(loaded):
    import_extract(UPDATE)
    assert_rejected(UPDATE, file="meta.csv", line=None, reason="plus ancien")


def test_an_older_full_extract_is_refused(loaded, tmp_path):
    source = copy_full(tmp_path)
    edit(source, "meta.csv", '"146"', '"120"')
    assert_rejected(source, file="meta.csv", line=None, reason="plus ancien")


def test_an_update_without_a_full_extract_first_is_refused():
    assert_rejected(UPDATE, file="meta.csv", line=None, reason="extrait complet")


def test_a_bad_row_in_an_update_changes_nothing(loaded, tmp_path):
    source = tmp_path / "update"
    shutil.copytree(UPDATE, source)
    edit(source, "address_insert.csv", '"2.094.609.585","BAET"', '"2.094.609.585","XXXX"')
    before = digest()
    with pytest.raises(ExtractError) as info:
        import_extract(source)
    assert info.value.file == "address_insert.csv" and "TypeOfAddress" in str(info.value)
    assert info.value.line and info.value.line > 1
    assert digest() == before


def test_windows_line_ends_and_a_byte_order_mark_are_accepted(tmp_path):
    source = copy_full(tmp_path)
    for name in ("enterprise.csv", "activity.csv"):
        data = (source / name).read_bytes().replace(b"\n", b"\r\n")
        (source / name).write_bytes(b"\xef\xbb\xbf" + data)
    import_extract(source)
    assert Enterprise.objects.count() == 7
    assert Activity.objects.filter(entity_number=E_NAMUR).count() == 4


def test_long_fields_are_kept_whole(tmp_path):
    source = copy_full(tmp_path)
    long_name = "Namur Construction " + "x" * 600
    edit(source, "denomination.csv", '"Namur Construction"', f'"{long_name}"')
    import_extract(source)
    assert Enterprise.objects.get(number=E_NAMUR).name == long_name


# Commands ------------------------------------------------------------------------------------


def test_kbo_command_help_is_printed_in_the_active_language():
    from django.utils import translation

    from grappe.register.management.commands.kbo import Command

    with translation.override("fr"):
        text = Command().create_parser("grappe", "kbo").format_help()
    assert "Registre BCE/KBO : importer un extrait" in text and "{import,stats,show}" in text
    with translation.override("en"):
        assert "KBO/BCE register: import an extract" in Command().create_parser("grappe", "kbo").format_help()


def test_kbo_command_imports_and_reports_errors_with_file_and_line(tmp_path, capsys):
    call_command("kbo", "import", str(FULL))
    source = copy_full(tmp_path)
    edit(source, "meta.csv", '"146"', '"147"')
    edit(source, "establishment.csv", "01-01-2016", "32-01-2016")
    with pytest.raises(CommandError, match=r"establishment.csv, ligne 3 : StartDate : date impossible"):
        call_command("kbo", "import", str(source))
