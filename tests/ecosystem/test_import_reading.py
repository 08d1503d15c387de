"""Reading uploaded files: encodings, separators, spreadsheets, and files that cannot be read."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from grappe.ecosystem.importing.reading import ImportFileError, cell_text, read_table
from tests.ecosystem.import_support import fixture_bytes


def test_utf8_comma_file_is_read_with_line_numbers_as_a_spreadsheet_shows_them():
    table = read_table(fixture_bytes("organisations_good.csv"), "organisations_good.csv")
    assert table.encoding == "UTF-8"
    assert table.delimiter == ","
    assert table.headers[:3] == ["Nom", "Numéro d'entreprise", "Type"]
    assert [line for line, _cells in table.rows] == [2, 3, 4]
    assert table.rows[2][1][0] == 'Laboratoire "Matériaux" de Mons'


def test_windows_1252_file_is_decoded_and_the_encoding_is_reported():
    table = read_table(fixture_bytes("organisations_cp1252.csv"), "x.csv")
    assert table.encoding == "Windows-1252"
    assert table.delimiter == ";"
    assert table.rows[0][1][0] == "Société Générale d'Enduits"
    assert table.rows[1][1][0] == "Œuvres Façades Wallonie"
    assert "Windows-1252" in table.description


def test_utf8_with_bom_tab_separated_and_crlf_is_read():
    table = read_table(fixture_bytes("organisations_bom_tab.csv"), "x.csv")
    assert table.encoding == "UTF-8 (BOM)"
    assert table.delimiter == "\t"
    assert table.headers[0] == "Name"  # no BOM left in the first header
    assert table.rows == [
        (2, ["Ardenne Timber Frames", "BE0456789034", "6000", "Charleroi", "www.ardenne-timber.be", "1-4"])
    ]


def test_semicolon_file_with_windows_line_endings_is_read():
    table = read_table(fixture_bytes("organisations_semicolon_nl.csv"), "x.csv")
    assert table.delimiter == ";"
    assert table.rows[1][1][-1] == "31.12.1999"


def test_mixed_encoding_is_rejected_naming_the_line():
    with pytest.raises(ImportFileError, match=r"Ligne 4 : octets illisibles"):
        read_table(fixture_bytes("organisations_bad_encoding.csv"), "x.csv")


def test_unclosed_quote_is_rejected_naming_the_line_where_it_opens():
    with pytest.raises(ImportFileError, match=r"Ligne 3 : guillemet ouvert qui n'est jamais fermé"):
        read_table(fixture_bytes("organisations_broken_row.csv"), "x.csv")


def test_stray_quote_inside_a_cell_is_rejected_naming_the_line():
    with pytest.raises(ImportFileError, match=r"Ligne 3 : guillemet mal placé"):
        read_table(b'Nom,Code postal\nAlpha,5000\n"Beta" SA,4000\n', "x.csv")


def test_blank_lines_are_skipped_but_keep_the_numbering():
    table = read_table(b"Nom\n\nAlpha\n\nBeta\n", "x.csv")
    assert table.rows == [(3, ["Alpha"]), (5, ["Beta"])]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "x.csv", "vide"),
        (b"Nom\n", "x.csv", "aucune ligne de données"),
        (b"\n\nAlpha\n", "x.csv", "Ligne 1"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", r"\.xls"),
        (b"PK\x03\x04garbage", "x.xlsx", "XLSX est illisible"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "logo.png", "binaire"),
    ],
)
def test_unreadable_files_get_a_clear_message(data, filename, message):
    with pytest.raises(ImportFileError, match=message):
        read_table(data, filename)


def test_files_over_the_size_limit_are_refused(settings):
    settings.GRAPPE_IMPORT_MAX_BYTES = 1000
    with pytest.raises(ImportFileError, match="la limite est de"):
        read_table(b"Nom\n" + b"Alpha\n" * 500, "x.csv")


def test_files_over_the_row_limit_are_refused(settings):
    settings.GRAPPE_IMPORT_MAX_ROWS = 3
    with pytest.raises(ImportFileError, match="limite de 3 lignes"):
        read_table(b"Nom\nA\nB\nC\nD\n", "x.csv")


def test_xlsx_first_sheet_is_read_with_typed_cells_as_text():
    table = read_table(fixture_bytes("organisations_good.xlsx"), "organisations_good.xlsx")
    assert table.file_format == "xlsx"
    assert table.headers == [
        "Company name",
        "Enterprise number",
        "Kind",
        "Postcode",
        "NACE code",
        "Founded",
        "Headcount",
    ]
    # The blank spreadsheet row 3 is skipped; the next row keeps its spreadsheet number 4.
    assert [line for line, _cells in table.rows] == [2, 4]
    assert table.rows[0][1] == ["Écoconstruct Namur", "471111182", "company", "5000", "43110", "2012-03-15", "12"]
    assert table.rows[1][1][4:6] == ["23.61", "2001-09-01"]


def test_xlsx_with_wrong_declared_dimensions_is_still_read_row_by_row():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Code postal"])
    sheet.append(["Alpha", 5000])
    sheet["Z1000"] = None  # a touched far cell inflates the declared dimension
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "x.xlsx")
    assert table.rows == [(2, ["Alpha", "5000"])]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (5000, "5000"),
        (5000.0, "5000"),
        (23.61, "23.61"),
        (dt.datetime(2020, 1, 2), "2020-01-02"),
        (dt.date(2020, 1, 2), "2020-01-02"),
        ("  Alpha ", "Alpha"),
        (True, "1"),
    ],
)
def test_spreadsheet_cells_become_the_text_a_person_would_type(value, text):
    assert cell_text(value) == text
