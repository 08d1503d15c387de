"""activity.csv read by the pyarrow worker process: same rows as the row-by-row reader, same errors."""

import shutil
from pathlib import Path

import pytest

from grappe.register import importer, writers
from grappe.register.extract import ExtractError
from grappe.register.importer import import_extract
from grappe.register.models import Activity, Enterprise

from .test_import import FULL, content, digest, zip_dir

pytestmark = pytest.mark.django_db

pytest.importorskip("pyarrow")


@pytest.fixture
def worker_results(monkeypatch):
    """The results the worker returned (None when it gave the file back to the row-by-row reader)."""
    results = []
    finish = importer.ActivityJob.finish

    def spy(self):
        result = finish(self)
        results.append(result)
        return result

    monkeypatch.setattr(importer.ActivityJob, "finish", spy)
    return results


def parallel(settings, block: int = 1 << 20) -> None:
    settings.GRAPPE_REGISTER_PARALLEL_MIN_BYTES = 0
    settings.GRAPPE_REGISTER_PARALLEL_BLOCK_BYTES = block


def serial(settings) -> None:
    settings.GRAPPE_REGISTER_PARALLEL_MIN_BYTES = 10**15


def with_duplicates(tmp_path: Path) -> Path:
    """The fixture with repeated activities: adjacent, apart within a run, and in a later run of the entity."""
    source = tmp_path / "full"
    shutil.copytree(FULL, source)
    lines = (source / "activity.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    namur = [row for row in rows if row.startswith('"0200.065.765"')]
    liege = [row for row in rows if row.startswith('"0403.019.261"')]
    others = [row for row in rows if row not in namur and row not in liege]
    body = [
        *namur,
        namur[0],
        namur[1],
        *liege,
        *liege,
        *others,
        namur[0],
        '"0200.065.765","003","2025","43320","SECO"\n',
    ]
    (source / "activity.csv").write_text(header + "".join(body * 1), encoding="utf-8")
    return source


@pytest.mark.parametrize("block", [120, 300, 1 << 20])
def test_worker_gives_exactly_the_rows_of_the_row_by_row_reader(settings, tmp_path, worker_results, block):
    source = with_duplicates(tmp_path)
    serial(settings)
    import_extract(source)
    expected = content()
    assert worker_results == []
    parallel(settings, block)
    import_extract(source, force=True)
    assert worker_results and worker_results[0] is not None and worker_results[0]["ok"]
    assert content() == expected
    # Repeats within a run are dropped; the entity's later run keeps its own rows (as row by row).
    assert Activity.objects.filter(entity_number=200065765).count() == 4 + 2


def test_worker_reads_a_zip_with_windows_line_ends_and_a_byte_order_mark(settings, tmp_path, worker_results):
    source = tmp_path / "full"
    shutil.copytree(FULL, source)
    data = (source / "activity.csv").read_bytes().replace(b"\n", b"\r\n")
    (source / "activity.csv").write_bytes(b"\xef\xbb\xbf" + data)
    serial(settings)
    import_extract(FULL)
    expected = content()
    parallel(settings, 200)
    import_extract(zip_dir(source, tmp_path / "full.zip"), force=True)
    assert worker_results[0] is not None
    assert content() == expected
    assert Enterprise.objects.count() == 7


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        ('"4764001"', '"4764999"', 6, "code NACE 2025 inconnu"),
        ('"0403.019.261","006"', '"0403.019.262","006"', 10, "modulo 97"),
        ('"0403.019.261","006"', '"0403.019.261","999"', 10, "ActivityGroup"),
        ('"2.094.609.585","003","2025","46730","MAIN"', '"2.094.609.585","003","2025","46730"', 11, "champs"),
    ],
)
def test_a_bad_activity_row_is_reported_with_its_line_and_changes_nothing(
    settings, tmp_path, worker_results, old, new, line, reason
):
    serial(settings)
    import_extract(FULL)
    before = digest()
    source = tmp_path / "full"
    shutil.copytree(FULL, source)
    text = (source / "activity.csv").read_text(encoding="utf-8")
    assert old in text
    (source / "activity.csv").write_text(text.replace(old, new, 1), encoding="utf-8")
    parallel(settings, 200)
    with pytest.raises(ExtractError) as info:
        import_extract(source, force=True)
    assert worker_results == [None]  # the worker gave the file back; the row-by-row reader found the line
    assert info.value.file == "activity.csv" and info.value.line == line and reason in info.value.reason
    assert digest() == before


def test_an_error_in_another_file_stops_the_worker_and_changes_nothing(settings, tmp_path):
    serial(settings)
    import_extract(FULL)
    before = digest()
    source = tmp_path / "full"
    shutil.copytree(FULL, source)
    text = (source / "denomination.csv").read_text(encoding="utf-8")
    (source / "denomination.csv").write_text(text.replace('"001"', '"777"', 1), encoding="utf-8")
    parallel(settings)
    with pytest.raises(ExtractError) as info:
        import_extract(source, force=True)
    assert info.value.file == "denomination.csv"
    assert digest() == before


def test_a_failure_after_the_worker_rows_are_written_changes_nothing(settings, tmp_path, monkeypatch, worker_results):
    """On PostgreSQL the worker's rows go straight into the emptied live table: a later failure rolls
    that back too (on SQLite they go to a staging table)."""
    serial(settings)
    import_extract(FULL)
    before = digest()
    source = tmp_path / "full"
    shutil.copytree(FULL, source)
    lines = (source / "activity.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (source / "activity.csv").write_text("".join(lines[:-3]), encoding="utf-8")  # three activities fewer
    parallel(settings)
    load = writers.Stage.load_worker_output
    seen = {}

    def load_then_fail(self, table, path):
        load(self, table, path)
        seen["activities"] = Activity.objects.count() if not self.sqlite else None
        raise RuntimeError("disk full")

    monkeypatch.setattr(writers.Stage, "load_worker_output", load_then_fail)
    with pytest.raises(RuntimeError):
        import_extract(source, force=True)
    assert worker_results and worker_results[0]["ok"]
    if seen["activities"] is not None:  # PostgreSQL: the live table held the new rows before the failure
        assert seen["activities"] < int(before["register_activity"].split(":")[0])
    assert digest() == before
