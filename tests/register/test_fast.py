"""The pyarrow fast path of a full import (``register/fast.py``): exactly the rows of the row-by-row
reader, and on any doubt the row-by-row reader takes over (so errors keep their file and line)."""

import shutil
from pathlib import Path

import pytest

from grappe.register import importer
from grappe.register.extract import ExtractError
from grappe.register.importer import import_extract

from .test_import import FULL, content, digest, zip_dir

pytestmark = pytest.mark.django_db

pytest.importorskip("pyarrow")

FILES = ["enterprise", "establishment", "denomination", "address", "contact"]


def row_by_row(settings) -> None:
    settings.GRAPPE_REGISTER_FAST_MIN_BYTES = 10**15
    settings.GRAPPE_REGISTER_PARALLEL_MIN_BYTES = 10**15


def fast_path(settings, block: int = 1 << 20) -> None:
    """The fast path in this process (the activity worker has its own tests: test_parallel)."""
    settings.GRAPPE_REGISTER_FAST_MIN_BYTES = 0
    settings.GRAPPE_REGISTER_PARALLEL_MIN_BYTES = 10**15
    settings.GRAPPE_REGISTER_PARALLEL_BLOCK_BYTES = block


@pytest.fixture
def fast_tables(monkeypatch):
    """The tables each full import loaded through the fast path."""
    loaded: list[list[str]] = []
    run = importer.FullImport.run

    def spy(self):
        counts = run(self)
        loaded.append(list(self.fast_tables))
        return counts

    monkeypatch.setattr(importer.FullImport, "run", spy)
    return loaded


def messy(tmp_path: Path, *, crlf: bool = False) -> Path:
    """The fixture with duplicated lines in every file (adjacent, and apart), optionally CRLF line ends."""
    source = tmp_path / "full"
    shutil.copytree(FULL, source)
    for name in FILES:
        path = source / f"{name}.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        header, rows = lines[0], lines[1:]
        body = [rows[0], rows[0], *rows[1:], rows[len(rows) // 2], rows[-1], rows[-1]]
        text = header + "".join(body)
        if crlf:
            text = text.replace("\n", "\r\n")
        path.write_bytes(text.encode("utf-8"))
    return source


@pytest.mark.parametrize("block", [200, 1 << 20])
def test_fast_path_gives_exactly_the_rows_of_the_row_by_row_reader(settings, tmp_path, fast_tables, block):
    source = messy(tmp_path)
    row_by_row(settings)
    import_extract(source)
    expected = content()
    assert fast_tables[-1] == []
    fast_path(settings, block)
    import_extract(source, force=True)
    if block > 1000:
        assert set(fast_tables[-1]) == set(FILES)
    assert content() == expected


def test_fast_path_reads_a_zip_with_windows_line_ends(settings, tmp_path, fast_tables):
    source = messy(tmp_path, crlf=True)
    row_by_row(settings)
    import_extract(source)
    expected = content()
    fast_path(settings)
    import_extract(zip_dir(source, tmp_path / "full.zip"), force=True)
    assert set(fast_tables[-1]) == set(FILES)
    assert content() == expected


@pytest.mark.parametrize(
    ("name", "old", "new", "reason"),
    [
        ("enterprise.csv", '"0504.707.232","AC"', '"0504.707.233","AC"', "modulo 97"),
        ("establishment.csv", "01-01-2016", "31-02-2016", "impossible"),
        ("denomination.csv", '"0504.707.232","1"', '"0504.707.232","9"', "Language"),
        ("address.csv", '"0504.707.232","REGO"', '"0504.707.232","XXXX"', "TypeOfAddress"),
        ("contact.csv", '"ENT","EMAIL"', '"ENT","PIGEON"', "ContactType"),
        ("address.csv", '"0504.707.232","REGO"', '"504.707.232","REGO"', "mal formé"),
    ],
)
def test_a_bad_row_found_by_the_fast_path_is_reported_with_its_line_and_changes_nothing(
    settings, tmp_path, name, old, new, reason
):
    fast_path(settings)
    import_extract(FULL)
    before = digest()
    source = tmp_path / "full"
    shutil.copytree(FULL, source)
    path = source / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(index for index, text in enumerate(lines, start=1) if old in text)
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ExtractError) as info:
        import_extract(source, force=True)
    assert info.value.file == name and info.value.line == line and reason in info.value.reason
    assert digest() == before
